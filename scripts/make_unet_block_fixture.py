"""Make Tests/Fixtures/reference/unet_blocks.safetensors: single blocks of the reference UNet, alone.

Optional developer script, not a dependency: needs torch, diffusers and safetensors in a virtual
environment outside the repository. Usage, from the repository root:

    python scripts/make_unet_block_fixture.py

It loads the reference UNet (Tests/Fixtures/reference/unet), runs it in float64 on the inputs of
unet_io.safetensors, and records what two blocks received and returned:
- the first ResNet block, `down_blocks.0.resnets.0` (ResnetBlock2D): its input `resnet.input`,
  the time embedding `resnet.temb`, its output `resnet.output`;
- the first transformer, `down_blocks.1.attentions.0` (Transformer2DModel): its input
  `transformer.input`, the text `transformer.context`, its output `transformer.output`;
- and inside that transformer, the self-attention `attn1` alone: `attn1.input`, `attn1.output`.
Chapter 03 feeds each block the recorded input and holds its output to the recorded one, so a
mismatch is found in the block it starts in, not only at the end of a level.
"""
import os
import torch
from safetensors.torch import load_file, save_file
from diffusers import UNet2DConditionModel

root = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "reference")
io = load_file(os.path.join(root, "unet_io.safetensors"))
unet = UNet2DConditionModel.from_pretrained(os.path.join(root, "unet")).double().eval()

recorded = {}
def keep(prefix):
    def hook(module, args, kwargs, output):
        recorded[prefix + ".input"] = args[0]
        if prefix == "resnet":
            recorded["resnet.temb"] = args[1] if len(args) > 1 else kwargs["temb"]
        if prefix == "transformer":
            recorded["transformer.context"] = kwargs["encoder_hidden_states"]
        recorded[prefix + ".output"] = output[0] if isinstance(output, tuple) else (output.sample if hasattr(output, "sample") else output)
    return hook

unet.down_blocks[0].resnets[0].register_forward_hook(keep("resnet"), with_kwargs=True)
unet.down_blocks[1].attentions[0].register_forward_hook(keep("transformer"), with_kwargs=True)
unet.down_blocks[1].attentions[0].transformer_blocks[0].attn1.register_forward_hook(keep("attn1"), with_kwargs=True)
with torch.no_grad():
    out = unet(io["sample"].double(), io["timesteps"].double(), encoder_hidden_states=io["encoder_hidden_states"].double()).sample
# The whole run must be the one unet_io.safetensors recorded.
err = ((out.float() - io["output"]).norm() / io["output"].norm()).item()
assert err < 1e-6, f"the reference UNet no longer gives unet_io's output (relative error {err:.1e})"
tensors = {k: v.float().contiguous() for k, v in recorded.items()}
save_file(tensors, os.path.join(root, "unet_blocks.safetensors"), metadata={"made_by": "scripts/make_unet_block_fixture.py", "dtype_of_run": "float64"})
for k, v in sorted(tensors.items()):
    print(f"{k:22s} {tuple(v.shape)}")
