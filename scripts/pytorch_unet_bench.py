"""PyTorch side of `bench unet` (optional; torch and diffusers in a virtual environment outside the
repository). Same protocol: diffusers' UNet2DConditionModel from the bench config, batch 16, 12 text
tokens (--tokens), AdamW, median of 10 steps after 3 warm-ups, torch.set_num_threads(2). Prints one JSON line.

    python scripts/pytorch_unet_bench.py [--config Tests/Fixtures/unet-bench.json] [--batch 16] [--tokens 12]
"""
import argparse, json, resource, statistics, time
import torch
from diffusers import UNet2DConditionModel

ap = argparse.ArgumentParser()
ap.add_argument("--config", default="Tests/Fixtures/unet-bench.json")
ap.add_argument("--batch", type=int, default=16)
ap.add_argument("--tokens", type=int, default=12)
ap.add_argument("--steps", type=int, default=10)
ap.add_argument("--threads", type=int, default=2)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
cfg = json.load(open(a.config))
cfg.pop("_class_name", None)
unet = UNet2DConditionModel(**cfg)
H = cfg["sample_size"]
x = torch.randn(a.batch, cfg["in_channels"], H, H)
ctx = torch.randn(a.batch, a.tokens, cfg["cross_attention_dim"])
target = torch.randn(a.batch, cfg["out_channels"], H, H)
t = torch.randint(0, 1000, (a.batch,))
opt = torch.optim.AdamW(unet.parameters(), lr=1e-4)

def train_step():
    loss = torch.nn.functional.mse_loss(unet(x, t, ctx).sample, target)
    loss.backward()
    opt.step()
    opt.zero_grad(set_to_none=True)

def forward():
    with torch.no_grad():
        unet(x, t, ctx)

def timed(f):
    for _ in range(3):
        f()
    times = []
    for _ in range(a.steps):
        s = time.perf_counter(); f(); times.append(time.perf_counter() - s)
    return statistics.median(times) * 1e3

train = timed(train_step)
fwd = timed(forward)
print(json.dumps({"impl": "pytorch " + torch.__version__, "batch": a.batch, "tokens": a.tokens, "threads": a.threads,
                  "train_step_ms": round(train, 1), "forward_ms": round(fwd, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "parameters": sum(p.numel() for p in unet.parameters())}))
