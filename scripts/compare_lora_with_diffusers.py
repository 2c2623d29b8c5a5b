#!/usr/bin/env python3
"""LoRA weights in diffusers' layout, loaded by diffusers (with peft), against this package.

    python scripts/compare_lora_with_diffusers.py --make-fixture
        writes Tests/Fixtures/lora/pytorch_lora_weights.safetensors (random adapters, rank 4,
        lora_alpha 8, on the UNet's attention projections and convolutions and the text encoder's
        attention projections, B nonzero so the update shows) and
        Tests/Fixtures/lora/reference.safetensors: inputs and diffusers' / transformers' outputs
        of Checkpoints/base with those adapters loaded by load_lora_into_unet /
        load_lora_into_text_encoder.
    python scripts/compare_lora_with_diffusers.py --lora FILE
        loads any pytorch_lora_weights.safetensors (e.g. one `dreambooth train --rank 4` wrote)
        into diffusers' UNet (with peft), runs `.build/release/dreambooth unet-forward --lora FILE`
        on the same inputs, and prints the difference (exit status 1 above relative L2 1e-4).

Needs torch, diffusers, transformers and peft in a virtual environment of your own; they are
never a dependency of the package.
"""
import argparse, json, os, subprocess, sys, tempfile
import torch
from safetensors.torch import save_file, load_file
from safetensors import safe_open
from diffusers import UNet2DConditionModel
from diffusers.loaders import StableDiffusionLoraLoaderMixin as Loader
from transformers import CLIPTextModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = os.path.join(ROOT, "Checkpoints", "base")
FIX = os.path.join(ROOT, "Tests", "Fixtures", "lora")


UNET_LINEAR = ["to_q", "to_k", "to_v", "to_out.0"]
# Convolutions too (PEFT's Conv2d LoRA: A a convolution like the layer's, B 1x1): the ResNet blocks'
# conv1, conv2 and conv_shortcut, and the transformers' 1x1 proj_in / proj_out.
UNET_CONV = ["conv1", "conv2", "conv_shortcut", "proj_in", "proj_out"]


def random_lora(unet, text, rank=4, alpha=8.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    weights = {}
    for name, m in unet.named_modules():
        if any(name.endswith("." + t) for t in UNET_LINEAR) and isinstance(m, torch.nn.Linear):
            weights[f"unet.{name}.lora.down.weight"] = torch.randn(rank, m.in_features, generator=g) / rank
            weights[f"unet.{name}.lora.up.weight"] = torch.randn(m.out_features, rank, generator=g) * 0.05
        if any(name.endswith("." + t) for t in UNET_CONV) and isinstance(m, torch.nn.Conv2d):
            k = m.kernel_size[0]
            weights[f"unet.{name}.lora.down.weight"] = torch.randn(rank, m.in_channels, k, k, generator=g) / rank
            weights[f"unet.{name}.lora.up.weight"] = torch.randn(m.out_channels, rank, 1, 1, generator=g) * 0.05
    for name, m in text.named_modules():
        if any(name.endswith("." + t) for t in ["q_proj", "k_proj", "v_proj", "out_proj"]) and isinstance(m, torch.nn.Linear):
            weights[f"text_encoder.{name}.lora_linear_layer.down.weight"] = torch.randn(rank, m.in_features, generator=g) / rank
            weights[f"text_encoder.{name}.lora_linear_layer.up.weight"] = torch.randn(m.out_features, rank, generator=g) * 0.05
    meta = {"unet.r": rank, "unet.lora_alpha": alpha, "unet.init_lora_weights": "gaussian", "unet.target_modules": UNET_LINEAR + UNET_CONV,
            "text_encoder.r": rank, "text_encoder.lora_alpha": alpha, "text_encoder.init_lora_weights": "gaussian",
            "text_encoder.target_modules": ["q_proj", "k_proj", "v_proj", "out_proj"]}
    return weights, {"format": "pt", "lora_adapter_metadata": json.dumps(meta, indent=2, sort_keys=True)}


def load_into(unet, text, path):
    state, alphas, metadata = Loader.lora_state_dict(path, return_lora_metadata=True)
    Loader.load_lora_into_unet(state, alphas, unet, metadata=metadata)
    if any(k.startswith("text_encoder.") for k in state):
        Loader.load_lora_into_text_encoder(state, alphas, text, prefix="text_encoder", metadata=metadata)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--make-fixture", action="store_true")
    ap.add_argument("--lora")
    a = ap.parse_args()
    torch.manual_seed(0)
    unet = UNet2DConditionModel.from_pretrained(os.path.join(BASE, "unet"), torch_dtype=torch.float32).eval()
    text = CLIPTextModel.from_pretrained(os.path.join(BASE, "text_encoder"), torch_dtype=torch.float32).eval()
    path = a.lora
    if a.make_fixture:
        os.makedirs(FIX, exist_ok=True)
        weights, meta = random_lora(unet, text)
        path = os.path.join(FIX, "pytorch_lora_weights.safetensors")
        save_file(weights, path, metadata=meta)
    g = torch.Generator().manual_seed(1)
    side = unet.config.sample_size
    sample = torch.randn(2, unet.config.in_channels, side, side, generator=g)
    timesteps = torch.tensor([10.0, 700.0])
    context = torch.randn(2, 24, 64, generator=g)
    ids = torch.tensor([[8190, 320, 2899, 562, 8191] + [8191] * 19, [8190, 320, 562, 530, 8191] + [8191] * 19])
    with torch.no_grad():
        base_out = unet(sample, timesteps, context).sample
        load_into(unet, text, path)
        out = unet(sample, timesteps, context).sample
        hidden = text(ids).last_hidden_state
    print(f"diffusers: the adapters change the UNet output by max |Δ| = {(out - base_out).abs().max():.4g}")
    if a.make_fixture:
        save_file({"sample": sample, "timesteps": timesteps, "encoder_hidden_states": context, "output": out,
                   "input_ids": ids.to(torch.int64), "last_hidden_state": hidden}, os.path.join(FIX, "reference.safetensors"))
        print("wrote", FIX)
    if a.lora:
        tmp = tempfile.mkdtemp()
        save_file({"sample": sample, "timesteps": timesteps, "encoder_hidden_states": context}, os.path.join(tmp, "in.safetensors"))
        tool = os.path.join(ROOT, ".build", "release", "dreambooth")
        subprocess.run([tool, "unet-forward", "--model", os.path.join(BASE, "unet"), "--lora", a.lora,
                        "--input", os.path.join(tmp, "in.safetensors"), "--output", os.path.join(tmp, "out.safetensors")], check=True)
        ours = load_file(os.path.join(tmp, "out.safetensors"))["output"]
        err = (ours - out).abs().max().item()
        rel = ((ours - out).norm() / out.norm()).item()
        print(f"ours against diffusers: max |Δ| = {err:.3g}, relative L2 = {rel:.3g}")
        sys.exit(0 if rel < 1e-4 else 1)

if __name__ == "__main__":
    main()
