"""Compare the Swift UNet, text encoder and autoencoder with diffusers / transformers on any configuration.

Optional developer check, not a dependency: needs torch, diffusers, transformers and safetensors in a
virtual environment outside the repository. Usage (after `swift build -c release`):

    python scripts/compare_with_diffusers.py [UNET_CONFIG.json [CLIP_CONFIG.json [VAE_CONFIG.json]]]

It asks the Swift tool for a freshly initialised folder of each model (proving that folders written
here load in diffusers / transformers unchanged), runs both implementations in float64 / float32 on
random inputs with gradients, and prints the relative errors against the README's tolerances.
"""
import json, os, subprocess, sys, tempfile
import torch
from safetensors.torch import save_file, load_file
from diffusers import AutoencoderKL, UNet2DConditionModel
from transformers import CLIPTextModel

tool = os.path.join(os.path.dirname(__file__), "..", ".build", "release", "dreambooth")
here = os.path.dirname(__file__)
unet_cfg = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "Tests", "Fixtures", "unet-bench.json")
clip_cfg = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "Tests", "Fixtures", "reference", "text_encoder", "config.json")
vae_cfg = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "..", "Tests", "Fixtures", "reference", "vae", "config.json")
tmp = tempfile.mkdtemp()
torch.manual_seed(0)

def rel(a, b):
    return ((a - b).norm() / b.norm().clamp_min(1e-30)).item()

def grads_ok(model, out, name_map=lambda n: n):
    G = max(p.grad.norm().item() for p in model.parameters())
    worst = 0.0
    for n, p in model.named_parameters():
        ref, mine = p.grad.double(), out["grad." + name_map(n)].double()
        worst = max(worst, ((mine - ref).norm() / (1e-3 * ref.norm() + 1e-7 * G)).item())
    return worst

# UNet
subprocess.run([tool, "init-unet", "--config", unet_cfg, "--output", f"{tmp}/unet", "--seed", "3"], check=True)
unet = UNet2DConditionModel.from_pretrained(f"{tmp}/unet").double()
c = unet.config
B, H, S = 2, c.sample_size, 7
inp = {"sample": torch.randn(B, c.in_channels, H, H, dtype=torch.float64),
       "timesteps": torch.tensor([3.0, 811.0], dtype=torch.float64),
       "encoder_hidden_states": torch.randn(B, S, c.cross_attention_dim, dtype=torch.float64),
       "target": torch.randn(B, c.out_channels, H, H, dtype=torch.float64)}
save_file(inp, f"{tmp}/unet_in.safetensors")
subprocess.run([tool, "unet-forward", "--model", f"{tmp}/unet", "--input", f"{tmp}/unet_in.safetensors",
                "--output", f"{tmp}/unet_out.safetensors", "--gradients"], check=True)
out = load_file(f"{tmp}/unet_out.safetensors")
y = unet(inp["sample"], inp["timesteps"], inp["encoder_hidden_states"]).sample
loss = ((y - inp["target"]) ** 2).mean()
loss.backward()
print(f"UNet ({unet_cfg}): output rel err {rel(out['output'].double(), y.detach()):.2e} (≤ 1e-4), "
      f"worst gradient at {grads_ok(unet, out):.3f} of its bound (≤ 1)")

# Text encoder
subprocess.run([tool, "init-text-encoder", "--config", clip_cfg, "--output", f"{tmp}/clip", "--seed", "4"], check=True)
clip = CLIPTextModel.from_pretrained(f"{tmp}/clip").double()
cc = clip.config
ids = torch.randint(2, cc.vocab_size, (2, min(9, cc.max_position_embeddings)))
ids[0, 5] = cc.eos_token_id
ids[1, -1] = cc.eos_token_id
target = torch.randn(2, ids.shape[1], cc.hidden_size, dtype=torch.float64)
save_file({"input_ids": ids.to(torch.int64), "target": target}, f"{tmp}/clip_in.safetensors")
subprocess.run([tool, "text-encoder-forward", "--model", f"{tmp}/clip", "--input", f"{tmp}/clip_in.safetensors",
                "--output", f"{tmp}/clip_out.safetensors", "--gradients"], check=True)
out = load_file(f"{tmp}/clip_out.safetensors")
o = clip(input_ids=ids)
((o.last_hidden_state - target) ** 2).mean().backward()
strip = lambda n: n[len("text_model."):] if n.startswith("text_model.") else n
print(f"CLIP ({clip_cfg}): last_hidden_state rel err {rel(out['last_hidden_state'].double(), o.last_hidden_state.detach()):.2e}, "
      f"pooler rel err {rel(out['pooler_output'].double(), o.pooler_output.detach()):.2e}, "
      f"worst gradient at {grads_ok(clip, out, strip):.3f} of its bound")

# Autoencoder
subprocess.run([tool, "init-vae", "--config", vae_cfg, "--output", f"{tmp}/vae", "--seed", "5"], check=True)
vae = AutoencoderKL.from_pretrained(f"{tmp}/vae").double()
vc = vae.config
side = vc.sample_size
inp = {"sample": torch.rand(2, vc.in_channels, side, side, dtype=torch.float64) * 2 - 1,
       "target": torch.rand(2, vc.out_channels, side, side, dtype=torch.float64) * 2 - 1}
save_file(inp, f"{tmp}/vae_in.safetensors")
subprocess.run([tool, "vae-forward", "--model", f"{tmp}/vae", "--input", f"{tmp}/vae_in.safetensors",
                "--output", f"{tmp}/vae_out.safetensors", "--gradients"], check=True)
out = load_file(f"{tmp}/vae_out.safetensors")
posterior = vae.encode(inp["sample"]).latent_dist
decoded = vae.decode(posterior.mean).sample
(((decoded - inp["target"]) ** 2).mean() + 1e-3 * posterior.kl().mean()).backward()
print(f"AutoencoderKL ({vae_cfg}): mean rel err {rel(out['latent_mean'].double(), posterior.mean.detach()):.2e}, "
      f"logvar rel err {rel(out['latent_logvar'].double(), posterior.logvar.detach()):.2e}, "
      f"decoded rel err {rel(out['decoded'].double(), decoded.detach()):.2e}, "
      f"worst gradient at {grads_ok(vae, out):.3f} of its bound")
