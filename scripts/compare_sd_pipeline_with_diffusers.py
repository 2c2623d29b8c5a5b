#!/usr/bin/env python3
"""Load a pipeline folder of ours with diffusers' StableDiffusionPipeline and compare its images with ours.

    python scripts/compare_sd_pipeline_with_diffusers.py [MODEL_DIR] [--fixture OUT.safetensors] [--lora FILE]
                                                          [--prompt TEXT]

MODEL_DIR is a Stable Diffusion pipeline folder that this package wrote (model_index.json, unet/,
vae/, text_encoder/, tokenizer/, scheduler/): the shipped base, a `dreambooth train` output, or,
by default, a small one assembled by `dreambooth init-pipeline` from Tests/Fixtures/sd-pipeline/
(a fresh UNet of unet_config.json, seed 7), the reference autoencoder (Tests/Fixtures/reference/vae)
and the shipped text side. The script uses the pipeline class itself, not a loop over its parts:

    pipe = StableDiffusionPipeline.from_pretrained(DIR, torch_dtype=torch.float32)
    pipe(prompt, negative_prompt=..., latents=L, num_inference_steps=25, guidance_scale=3, output_type="np")

and runs `dreambooth sample --model DIR --latents L --save_tensors` on the same latents; it prints the
largest difference (the bar: one 8-bit level, 1/255). With --lora FILE both apply LoRA weights first
(diffusers with `pipe.load_lora_weights`, needing peft; we with `sample --lora FILE`); a
learned_embeds.safetensors beside FILE (pivotal tuning's identifier rows, {word: (1, D)}) is written
into the token embedding on both sides (diffusers' `load_textual_inversion` refuses a token the
tokenizer already has, so the script sets the rows itself). --prompt changes the prompt (use the
identifier with such a file). With --fixture it writes the latents and
diffusers' images, which Tests/ModelsTests/PipelineParityTests.swift holds our pipeline to.

Optional developer script: needs torch, diffusers, transformers and safetensors in a virtual
environment outside the repository; run from the repository root after `swift build -c release`.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from diffusers import StableDiffusionPipeline
from safetensors.numpy import load_file, save_file

PROMPT = "a red striped cup in snow"
NEGATIVE = "a blue cup"
STEPS, GUIDANCE, N = 25, 3.0, 2
TOOL = ".build/release/dreambooth"


def assemble(out):
    subprocess.run([TOOL, "init-pipeline", "--unet_config", "Tests/Fixtures/sd-pipeline/unet_config.json",
                    "--vae", "Tests/Fixtures/reference/vae", "--text_side", "Checkpoints/base",
                    "--scheduler", "Tests/Fixtures/sd-pipeline/scheduler_config.json", "--seed", "7",
                    "--output", out], check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?", help="a pipeline folder (default: the small assembled one)")
    ap.add_argument("--fixture", help="write the latents and diffusers' images here (safetensors)")
    ap.add_argument("--lora", help="a pytorch_lora_weights.safetensors (`dreambooth train --rank`): diffusers loads "
                                   "it with pipe.load_lora_weights, we with `sample --lora`")
    ap.add_argument("--prompt", default=PROMPT, help=f"the prompt (default \"{PROMPT}\")")
    args = ap.parse_args()
    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory() as tmp:
        model = args.model or os.path.join(tmp, "pipeline")
        if args.model is None:
            assemble(model)
        pipe = StableDiffusionPipeline.from_pretrained(model, torch_dtype=torch.float32)
        pipe.set_progress_bar_config(disable=True)
        side = pipe.unet.config.sample_size
        rng = np.random.default_rng(2023)
        latents = rng.standard_normal((N, pipe.unet.config.in_channels, side, side)).astype(np.float32)
        if args.lora:
            without = pipe([args.prompt] * N, negative_prompt=[NEGATIVE] * N, latents=torch.from_numpy(latents),
                           num_inference_steps=STEPS, guidance_scale=GUIDANCE, output_type="np").images
            pipe.load_lora_weights(os.path.dirname(os.path.abspath(args.lora)),
                                   weight_name=os.path.basename(args.lora))
            embeds = os.path.join(os.path.dirname(os.path.abspath(args.lora)), "learned_embeds.safetensors")
            if os.path.exists(embeds):
                table = pipe.text_encoder.get_input_embeddings().weight
                for word, row in load_file(embeds).items():
                    ids = pipe.tokenizer(word, add_special_tokens=False).input_ids
                    assert len(ids) == 1, f"{embeds}: '{word}' is {len(ids)} tokens"
                    with torch.no_grad():
                        table[ids[0]] = torch.from_numpy(row).reshape(-1)
                print(f"set the rows of {', '.join(load_file(embeds))} from {embeds}")
        theirs = pipe([args.prompt] * N, negative_prompt=[NEGATIVE] * N, latents=torch.from_numpy(latents),
                      num_inference_steps=STEPS, guidance_scale=GUIDANCE, output_type="np").images
        theirs = np.ascontiguousarray(theirs.transpose(0, 3, 1, 2))  # (B, 3, H, W) in [0, 1]
        lat = os.path.join(tmp, "latents.safetensors")
        save_file({"latents": latents}, lat)
        cmd = [TOOL, "sample", "--model", model, "--prompt", args.prompt, "--negative_prompt", NEGATIVE,
               "--num_images", str(N), "--num_inference_steps", str(STEPS), "--guidance_scale", str(GUIDANCE),
               "--scheduler", "ddim", "--latents", lat, "--out", os.path.join(tmp, "out"), "--save_tensors"]
        cmd += ["--lora", args.lora] if args.lora else []
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        ours = load_file(os.path.join(tmp, "out", "samples.safetensors"))["images"]
    diff = np.abs(ours - theirs).max()
    if args.lora:  # the comparison means something only if the adapters move the images
        print(f"the LoRA moves diffusers' images by max |difference| = "
              f"{np.abs(theirs - without.transpose(0, 3, 1, 2)).max():.2e}")
    what = (args.model or "the assembled pipeline") + (f" with LoRA {args.lora}" if args.lora else "")
    print(f"StableDiffusionPipeline {theirs.shape} vs dreambooth sample on {what}: "
          f"max |difference| = {diff:.2e} (pixels in [0, 1]; the bar: 1/255 = {1 / 255:.2e})")
    if args.fixture:
        save_file({"latents": latents, "images": theirs}, args.fixture,
                  metadata={"prompt": args.prompt, "negative_prompt": NEGATIVE, "steps": str(STEPS),
                            "guidance_scale": str(GUIDANCE), "unet_seed": "7",
                            "source": "scripts/compare_sd_pipeline_with_diffusers.py: diffusers 0.42.1 "
                                      "StableDiffusionPipeline.from_pretrained on "
                                      + (args.model or "the folder `dreambooth init-pipeline` wrote")})
        print(f"wrote {args.fixture}")
    return 0 if diff <= 1 / 255 else 1


if __name__ == "__main__":
    sys.exit(main())
