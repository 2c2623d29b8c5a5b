#!/usr/bin/env python3
"""Token ids from transformers' CLIPTokenizer, loaded from the project's own tokenizer files.

    python scripts/make_tokenizer_fixture.py [TOKENIZER_DIR] [OUT.json] [FAST_DIR]
    (defaults: Checkpoints/base/tokenizer, Tests/Fixtures/tokenizer_ids.json, Tests/Fixtures/tokenizer-fast)

Needs `pip install transformers` in a virtual environment of your own (not a dependency of the
package). Writes, for each prompt, `tokenizer(prompt, truncation=True).input_ids` and the
`padding="max_length"` ids; Tests/ModelsTests/TokenizerTests.swift holds ours to them. FAST_DIR gets
the folder `save_pretrained` writes (transformers 5: tokenizer.json and tokenizer_config.json, no
vocab.json or merges.txt), the folder a diffusers training script saves; we load that too.
"""
import json
import os
import sys

import transformers
from transformers import CLIPTokenizer

PROMPTS = [
    "a red striped cup in snow",
    "a cup",
    "a sketch of a star",
    "a painting of an orange checkered heart in a city",
    "A Purple DOTTED fish at night",
    "a sks cup",
    "a photo of xqzt dog",
    "xqzt",
    "zwx qqq vvv kkk",
    "a [V] cup on grass",
    "Hello, World! it's 42 degrees; isn't it?",
    "they're here, we've gone, I'm fine, you'll see, he'd go",
    "'sun 'tis ''quoted''",
    "punctuation!!! ... --- (brackets) [square] {curly} #hash @at $100 50% a&b",
    "numbers 1234567890 and 3.14159",
    "  leading   and   trailing   spaces  ",
    "tabs\tand\nnewlines\r\nhere",
    "café naïve résumé über",
    "日本語のテキスト and 中文",
    "emoji 🐶🐱 and ♥ symbols",
    "<|startoftext|>a cup<|endoftext|>",
    "a very long prompt about a red striped cup on grass next to a blue dotted ball in snow under a purple sky at night in a city full of houses and trees",
    "a sketch of a sks red striped cup in snow, a painting of a sks blue dotted box on water, at night",
    "a\u0007bell and zero\u200bwidth and soft\u00adhyphen",
    "ÀÉÎÕÜ uppercase accents and e\u0301 combining",
    "",
]


def main():
    tok_dir = sys.argv[1] if len(sys.argv) > 1 else "Checkpoints/base/tokenizer"
    out = sys.argv[2] if len(sys.argv) > 2 else "Tests/Fixtures/tokenizer_ids.json"
    tok = CLIPTokenizer.from_pretrained(tok_dir)
    cases = []
    for p in PROMPTS:
        cases.append({
            "text": p,
            "input_ids": tok(p, truncation=True).input_ids,
            "padded": tok(p, padding="max_length", truncation=True).input_ids,
        })
    doc = {
        "source": f"transformers {transformers.__version__} CLIPTokenizer.from_pretrained('{tok_dir}'); scripts/make_tokenizer_fixture.py",
        "model_max_length": tok.model_max_length,
        "cases": cases,
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {out}")
    fast = sys.argv[3] if len(sys.argv) > 3 else "Tests/Fixtures/tokenizer-fast"
    tok.save_pretrained(fast)
    print(f"wrote {sorted(os.listdir(fast))} to {fast}")


if __name__ == "__main__":
    main()
