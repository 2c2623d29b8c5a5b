#!/usr/bin/env bash
# Builds the libFuzzer harnesses in Fuzz/ with AddressSanitizer and runs each for RUNS inputs.
#
#   scripts/fuzz.sh [RUNS] [HARNESS...]        (make fuzz RUNS=1000000; harnesses: safetensors config png tokenizer)
#
# Each harness starts from a seed corpus made from the repository's own files (Tests/Fixtures,
# Checkpoints) in .build-fuzz/corpus/NAME and keeps what it finds there. A crash, leak or timeout
# stops that harness and leaves the input as .build-fuzz/crash-*, leak-* or timeout-*; reproduce
# it with   .build-fuzz/bin/fuzz-NAME .build-fuzz/crash-...   (one run, the same report).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1000000}; shift || true
HARNESSES=${*:-safetensors config png tokenizer}
OUT=.build-fuzz; BIN=$OUT/bin; MOD=$OUT/modules
mkdir -p "$BIN" "$MOD" "$OUT/corpus"
FLAGS=(-sanitize=fuzzer,address -parse-as-library -O -I "$MOD" -L "$MOD" -I Sources/CLibPNG)

# The libraries, each a static module compiled with the fuzzer's coverage and ASan.
module() {   # name, dependencies...
  local name=$1; shift
  local stamp=$MOD/$name.stamp
  if [ -f "$stamp" ] && [ -z "$(find Sources/$name -newer "$stamp" -name '*.swift' | head -1)" ]; then return; fi
  echo "compiling $name (ASan + coverage)"
  swiftc "${FLAGS[@]}" -module-name "$name" -emit-module -emit-module-path "$MOD/$name.swiftmodule" \
         -emit-library -static -o "$MOD/lib$name.a" Sources/$name/*.swift
  touch "$stamp"
}
module TensorCore
module Diffusion
module Models
module ImageIO

harness() {  # name, source, libraries...
  local name=$1 src=$2; shift 2
  local libs=(); for l in "$@"; do libs+=(-l"$l"); done
  if [ ! -x "$BIN/fuzz-$name" ] || [ "$src" -nt "$BIN/fuzz-$name" ] || [ -n "$(find "$MOD" -newer "$BIN/fuzz-$name" -name '*.a' | head -1)" ]; then
    echo "linking fuzz-$name"
    swiftc "${FLAGS[@]}" -o "$BIN/fuzz-$name" "$src" "${libs[@]}" -lpng
  fi
}
harness safetensors Fuzz/SafeTensorsHarness.swift TensorCore
harness config Fuzz/ConfigHarness.swift Models Diffusion TensorCore
harness png Fuzz/PNGHarness.swift ImageIO TensorCore
harness tokenizer Fuzz/TokenizerHarness.swift Models Diffusion TensorCore

# Seed corpora from the repository's files.
mkdir -p $OUT/corpus/{safetensors,config,png,tokenizer}
cp Tests/Fixtures/reference/*.safetensors $OUT/corpus/safetensors/ 2>/dev/null || true
find Checkpoints -name '*.json' -exec cp {} $OUT/corpus/config/ \; ; cp Tests/Fixtures/unet-bench.json $OUT/corpus/config/
find Checkpoints Figures -name '*.png' -size -40k | head -20 | xargs -I{} cp {} $OUT/corpus/png/ 2>/dev/null || true
t=Checkpoints/base/tokenizer
if [ ! -f $OUT/corpus/tokenizer/shipped ]; then
  # merges.txt, 0xFF, vocab.json, 0xFF, tokenizer_config.json (a small vocabulary: the first 300 merges)
  python3 - "$t" "$OUT/corpus/tokenizer/shipped" <<'PY' || cat $t/merges.txt <(printf '\377') $t/vocab.json <(printf '\377') $t/tokenizer_config.json > $OUT/corpus/tokenizer/shipped
import sys, json
t, out = sys.argv[1], sys.argv[2]
merges = open(t + "/merges.txt", encoding="utf-8").read().split("\n")
head = [m for m in merges if m and not m.startswith("#version")][:300]
vocab = json.load(open(t + "/vocab.json", encoding="utf-8"))
keep = sorted(vocab.items(), key=lambda kv: kv[1])
byte_tokens = 512; total = byte_tokens + len(head) + 2
small = {k: v for k, v in keep if v < byte_tokens + len(head)}
small["<|startoftext|>"] = total - 2; small["<|endoftext|>"] = total - 1
open(out, "wb").write(("#version: 0.2\n" + "\n".join(head)).encode() + b"\xff" + json.dumps(small).encode() + b"\xff" + open(t + "/tokenizer_config.json", "rb").read())
PY
fi

# Swift's global constants are allocated once, on first use (the functions whose names end in
# _WZ), and live until exit; LeakSanitizer's exit check counts them as leaks. Only those are
# suppressed: a leak anywhere else still fails the run.
printf 'leak:_WZ\n' > $OUT/lsan.supp
export LSAN_OPTIONS="suppressions=$PWD/$OUT/lsan.supp:print_suppressions=0"

status=0
for h in $HARNESSES; do
  echo "== fuzz-$h: $RUNS runs"
  start=$(date +%s)
  if (cd $OUT && bin/fuzz-$h -runs="$RUNS" -max_len=65536 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 corpus/$h 2> log-$h.txt); then
    echo "   no crash, leak or timeout in $(( $(date +%s) - start )) s; $(grep -o 'stat::number_of_executed_units: *[0-9]*' $OUT/log-$h.txt | grep -o '[0-9]*$') inputs"
  else
    echo "   FAILED: see $OUT/log-$h.txt and the crash-/leak-/timeout- file it names"; status=1
  fi
done
exit $status
