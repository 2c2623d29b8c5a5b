"""Make Tests/Fixtures/reference/vae/ and vae_io.safetensors: diffusers' AutoencoderKL, small, in float64.

Optional developer script, not a dependency: needs torch, diffusers and safetensors in a virtual
environment outside the repository. Usage, from the repository root:

    python scripts/make_vae_fixture.py

It builds an AutoencoderKL with three levels (block_out_channels 8, 16, 16; two ResNet blocks a
down level, three an up level; 4 latent channels; GroupNorm of 4 groups), so that it has every
kind of block: a ResNet block whose width changes (a 1×1 shortcut), the encoder's stride-2
convolution with diffusers' asymmetric padding (0, 1, 0, 1), the mid block's single-head attention
with biases, and the decoder's nearest-neighbour upsampling. Every parameter is randomized (norms
around 1 and 0, biases nonzero), so no path is silent. The folder is written by save_pretrained
(float32 weights); the model is then run in float64 and the results stored as float32:

- `sample` (2, 3, 16, 16), uniform in [−1, 1]: the input images
- `latent_mean`, `latent_logvar` (2, 4, 4, 4): vae.encode(sample).latent_dist.mean and .logvar
- `noise` (2, 4, 4, 4) and `latent_sample` = mean + std · noise (the posterior's sample, given its noise)
- `decoded` (2, 3, 16, 16): vae.decode(latent_mean).sample
- `act.<module>`: each encoder and decoder stage's output, to find where a mismatch starts
- `kl` (2,): latent_dist.kl(), summed over latent channels and pixels, one value an image
- `loss` (1,) = mean((decoded − target)²) + 1e-3 · mean(kl), with `target` (2, 3, 16, 16)
- `grad.<parameter name>`: d loss / d parameter, for every parameter
"""
import os
import torch
from safetensors.torch import save_file
from diffusers import AutoencoderKL

root = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "reference")
torch.manual_seed(20261202)
vae = AutoencoderKL(
    in_channels=3, out_channels=3,
    down_block_types=("DownEncoderBlock2D",) * 3, up_block_types=("UpDecoderBlock2D",) * 3,
    block_out_channels=(8, 16, 16), layers_per_block=2, latent_channels=4, norm_num_groups=4,
    sample_size=16, scaling_factor=0.5,
)
with torch.no_grad():
    for name, p in vae.named_parameters():
        if "norm" in name and name.endswith(".weight"):
            p.copy_(1 + 0.2 * torch.randn_like(p))
        elif name.endswith(".bias"):
            p.copy_(0.1 * torch.randn_like(p))
vae.save_pretrained(os.path.join(root, "vae"), safe_serialization=True)

vae = AutoencoderKL.from_pretrained(os.path.join(root, "vae")).double()
sample = torch.rand(2, 3, 16, 16, dtype=torch.float64) * 2 - 1
target = torch.rand(2, 3, 16, 16, dtype=torch.float64) * 2 - 1
noise = torch.randn(2, 4, 4, 4, dtype=torch.float64)

acts = {}
def keep(name):
    def hook(module, args, output):
        acts["act." + name] = output.detach()
    return hook
vae.encoder.conv_in.register_forward_hook(keep("encoder.conv_in"))
for i, block in enumerate(vae.encoder.down_blocks):
    block.register_forward_hook(keep(f"encoder.down_blocks.{i}"))
vae.encoder.mid_block.register_forward_hook(keep("encoder.mid_block"))
vae.decoder.conv_in.register_forward_hook(keep("decoder.conv_in"))
vae.decoder.mid_block.register_forward_hook(keep("decoder.mid_block"))
for i, block in enumerate(vae.decoder.up_blocks):
    block.register_forward_hook(keep(f"decoder.up_blocks.{i}"))

posterior = vae.encode(sample).latent_dist
decoded = vae.decode(posterior.mean).sample
kl = posterior.kl()
loss = ((decoded - target) ** 2).mean() + 1e-3 * kl.mean()
loss.backward()

tensors = {
    "sample": sample, "target": target, "noise": noise,
    "latent_mean": posterior.mean, "latent_logvar": posterior.logvar,
    "latent_sample": posterior.mean + posterior.std * noise,
    "decoded": decoded, "kl": kl, "loss": loss.reshape(1),
}
tensors.update(acts)
for name, p in vae.named_parameters():
    tensors["grad." + name] = p.grad
tensors = {k: v.detach().float().contiguous() for k, v in tensors.items()}
save_file(tensors, os.path.join(root, "vae_io.safetensors"),
          metadata={"made_by": "scripts/make_vae_fixture.py", "dtype_of_run": "float64"})
print(f"{sum(p.numel() for p in vae.parameters())} parameters; loss {loss.item():.6f}")
for k in sorted(tensors):
    if not k.startswith("grad."):
        print(f"{k:28s} {tuple(tensors[k].shape)}")
