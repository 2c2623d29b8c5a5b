#!/usr/bin/env python3
"""Sample the shipped base model with diffusers + transformers and compare with `dreambooth sample`.

    python scripts/compare_pipeline_with_diffusers.py [MODEL_DIR] [--fixture OUT.safetensors]
    (default MODEL_DIR: Checkpoints/base; run from the repository root after `swift build -c release`)

Loads each folder with from_pretrained — UNet2DConditionModel (unet/), CLIPTextModel (text_encoder/),
CLIPTokenizer (tokenizer/), DDIMScheduler (scheduler/) — and runs the text-to-image loop of
StableDiffusionPipeline in pixel space (there is no VAE): prompt and negative prompt embedded,
[uncond; cond] through the UNet as one batch, eps = uncond + g * (cond - uncond), DDIM steps,
image = clamp(x / 2 + 0.5, 0, 1). The same prompt and initial latents go to
`.build/release/dreambooth sample --latents ... --save_tensors`; the script prints the largest
difference. With --fixture it also writes the inputs and diffusers' images, which
Tests/ModelsTests/PipelineParityTests.swift holds our pipeline to.

Needs torch, diffusers, transformers and safetensors in a virtual environment of your own.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from diffusers import DDIMScheduler, UNet2DConditionModel
from safetensors.numpy import load_file, save_file
from transformers import CLIPTextModel, CLIPTokenizer

PROMPT = "a red striped cup in snow"
NEGATIVE = "a blue cup"
STEPS, GUIDANCE, N = 50, 3.0, 2


def diffusers_sample(model_dir, latents):
    unet = UNet2DConditionModel.from_pretrained(os.path.join(model_dir, "unet"), torch_dtype=torch.float32).eval()
    text = CLIPTextModel.from_pretrained(os.path.join(model_dir, "text_encoder"), torch_dtype=torch.float32).eval()
    tok = CLIPTokenizer.from_pretrained(os.path.join(model_dir, "tokenizer"))
    sched = DDIMScheduler.from_pretrained(os.path.join(model_dir, "scheduler"))

    def embed(prompts):
        ids = tok(prompts, padding="max_length", max_length=tok.model_max_length, truncation=True, return_tensors="pt").input_ids
        return text(ids).last_hidden_state

    with torch.no_grad():
        context = torch.cat([embed([NEGATIVE] * N), embed([PROMPT] * N)])
        x = torch.from_numpy(latents) * sched.init_noise_sigma
        sched.set_timesteps(STEPS)
        for t in sched.timesteps:
            out = unet(torch.cat([x, x]), t, encoder_hidden_states=context).sample
            uncond, cond = out.chunk(2)
            eps = uncond + GUIDANCE * (cond - uncond)
            x = sched.step(eps, t, x).prev_sample
        return (x / 2 + 0.5).clamp(0, 1).numpy()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?", default="Checkpoints/base")
    ap.add_argument("--fixture", help="write the inputs and diffusers' images here (safetensors)")
    ap.add_argument("--tool", default=".build/release/dreambooth")
    args = ap.parse_args()
    torch.set_num_threads(2)
    rng = np.random.default_rng(2023)
    latents = rng.standard_normal((N, 3, 32, 32)).astype(np.float32)
    theirs = diffusers_sample(args.model, latents)
    with tempfile.TemporaryDirectory() as tmp:
        lat = os.path.join(tmp, "latents.safetensors")
        save_file({"latents": latents}, lat)
        cmd = [args.tool, "sample", "--model", args.model, "--prompt", PROMPT, "--negative_prompt", NEGATIVE,
               "--num_images", str(N), "--num_inference_steps", str(STEPS), "--guidance_scale", str(GUIDANCE),
               "--scheduler", "ddim", "--latents", lat, "--out", os.path.join(tmp, "out"), "--save_tensors"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ours = load_file(os.path.join(tmp, "out", "samples.safetensors"))["images"]
    diff = np.abs(ours - theirs).max()
    rel = np.linalg.norm(ours - theirs) / np.linalg.norm(theirs)
    print(f"diffusers {theirs.shape} vs dreambooth sample: max |difference| = {diff:.2e} (pixels in [0, 1]; tolerance 1/255), "
          f"relative L2 {rel:.2e} (tolerance 1e-3)")
    if args.fixture:
        save_file({"latents": latents, "images": theirs}, args.fixture,
                  metadata={"prompt": PROMPT, "negative_prompt": NEGATIVE, "steps": str(STEPS), "guidance_scale": str(GUIDANCE),
                            "source": "scripts/compare_pipeline_with_diffusers.py, diffusers DDIMScheduler + UNet2DConditionModel, transformers CLIPTextModel"})
        print(f"wrote {args.fixture}")
    return 0 if diff <= 1 / 255 and rel <= 1e-3 else 1


if __name__ == "__main__":
    sys.exit(main())
