#!/usr/bin/env python3
"""Our jobs against diffusers' on the same model, side by side: a DreamBooth run, sampling and a
pretraining step. `make bench-compare PYTHON=… TRAIN_DREAMBOOTH=…` runs it.

    python scripts/bench_compare_with_diffusers.py --train_dreambooth …/train_dreambooth.py
        [--base Checkpoints/base] [--rounds 3] [--jobs dreambooth,sampling,pretraining] [--work DIR]

Each round runs every job once on each side, in separate processes, ours first in even rounds and
diffusers' first in odd ones; the table gives the medians over the rounds, each side's wall time
and peak resident memory (the process's ru_maxrss, from wait4), and the ratio ours / diffusers'.

- dreambooth: `dreambooth train` against diffusers' examples/dreambooth/train_dreambooth.py on the
  base: one built-in subject's 4 photos (PNGs only), 100 class images drawn once beforehand, prior
  preservation, the same steps (600), batch (4), learning rate (3e-4, constant, no warm-up),
  resolution and seed; checkpointing and validation off on both; ours on train_dreambooth.py's
  objective (--no_train_text_encoder_ti --snr_gamma 0), as scripts/compare_dreambooth_with_diffusers.sh.
- sampling: `dreambooth sample` against StableDiffusionPipeline: 8 images of one prompt, DDIM 25,
  guidance 3, from the same initial latents, so that the images agree (their largest difference is
  printed). Ours is timed as a whole process (loading included); diffusers' as the pipeline call
  alone (after `from_pretrained`, imports not counted), which favours diffusers.
- pretraining: a base-model training step, the UNet's forward, backward and AdamW update at the
  base's configuration and real batch (32 latents of 8×16×16, 24 text tokens): `bench unet` against
  scripts/pytorch_unet_bench.py (diffusers' UNet2DConditionModel), medians of 10 steps after 3
  warm-ups. EMA and the loss weighting are left out on both sides.

Both sides use the machine's two cores (torch.set_num_threads(2)). Optional developer script: PYTHON
needs torch, diffusers, transformers, accelerate and torchvision, in a virtual environment outside
the repository. Run from the repository root after `swift build -c release`.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOOL = ".build/release/dreambooth"
BENCH = ".build/release/bench"
PROMPT = "a red striped cup in snow"
SAMPLE_IMAGES, SAMPLE_STEPS, GUIDANCE = 8, 25, 3.0


def run(cmd, log):
    """(wall seconds, peak RSS in MB) of one child process; its output goes to `log`."""
    with open(log, "w") as out:
        start = time.perf_counter()
        child = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench_compare_with_diffusers.py: {' '.join(cmd[:3])}… failed; see {log}")
    return wall, usage.ru_maxrss / 1024


def sample_child(base, latents_file, out_file):
    """Diffusers' side of `sampling`, in its own process: prints the pipeline call's seconds."""
    import numpy as np
    import torch
    from diffusers import StableDiffusionPipeline
    from safetensors.numpy import load_file
    torch.set_num_threads(2)
    pipe = StableDiffusionPipeline.from_pretrained(base, torch_dtype=torch.float32)
    pipe.set_progress_bar_config(disable=True)
    latents = torch.from_numpy(load_file(latents_file)["latents"])
    start = time.perf_counter()
    images = pipe([PROMPT] * SAMPLE_IMAGES, latents=latents, num_inference_steps=SAMPLE_STEPS,
                  guidance_scale=GUIDANCE, output_type="np").images
    seconds = time.perf_counter() - start
    np.save(out_file, np.ascontiguousarray(images.transpose(0, 3, 1, 2)))
    print(json.dumps({"pipeline_call_seconds": seconds}))


class Jobs:
    def __init__(self, args, work):
        self.a, self.work, self.py = args, work, sys.executable

    def prepare_dreambooth(self):
        a, w = self.a, self.work
        for old in ("export", "instances", "class-draw", "class-images"):  # a rerun in the same --work redraws them
            shutil.rmtree(f"{w}/{old}", ignore_errors=True)
        subprocess.run([TOOL, "world", "--subject", a.subject, "--count", "4", "--out", f"{w}/export"], check=True,
                       stdout=subprocess.DEVNULL)
        noun = json.loads(open(f"{w}/export/metadata.jsonl").readline())["class"]
        os.makedirs(f"{w}/instances", exist_ok=True)
        os.makedirs(f"{w}/class-images", exist_ok=True)
        for f in os.listdir(f"{w}/export"):
            if f.endswith(".png") and not f.startswith("mask"):
                os.link(f"{w}/export/{f}", f"{w}/instances/{f}")
        subprocess.run([TOOL, "sample", "--model", a.base, "--prompt", f"a {noun}", "--num_images", "100",
                        "--seed", "0", "--out", f"{w}/class-draw"], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        for f in sorted(os.listdir(f"{w}/class-draw")):
            if f[0].isdigit() and f.endswith(".png"):
                os.link(f"{w}/class-draw/{f}", f"{w}/class-images/class-{f}")
        self.shared = ["--pretrained_model_name_or_path", a.base, "--instance_data_dir", f"{w}/instances",
                       "--instance_prompt", f"a sks {noun}", "--with_prior_preservation", "--prior_loss_weight", "1.0",
                       "--class_data_dir", f"{w}/class-images", "--class_prompt", f"a {noun}",
                       "--num_class_images", "100", "--resolution", "32", "--train_batch_size", "4",
                       "--learning_rate", "3e-4", "--lr_scheduler", "constant", "--lr_warmup_steps", "0",
                       "--max_train_steps", str(a.steps), "--max_grad_norm", "1.0", "--seed", "0"]

    def dreambooth(self, side, r):
        out = f"{self.work}/db-{side}-{r}"
        if side == "ours":
            cmd = [TOOL, "train", *self.shared, "--no_train_text_encoder_ti", "--snr_gamma", "0",
                   "--checkpointing_steps", "1000000", "--output_dir", out]
        else:
            cmd = [self.py, "scripts/run_train_dreambooth.py", self.a.train_dreambooth, *self.shared,
                   "--output_dir", out, "--mixed_precision", "no", "--checkpointing_steps", "1000000",
                   "--report_to", "tensorboard"]
        wall, rss = run(cmd, out + ".log")
        return {"seconds": wall, "rss_mb": rss}

    def prepare_sampling(self):
        import numpy as np
        from safetensors.numpy import save_file
        config = json.load(open(f"{self.a.base}/unet/config.json"))
        side = config["sample_size"]
        rng = np.random.default_rng(2023)
        latents = rng.standard_normal((SAMPLE_IMAGES, config["in_channels"], side, side)).astype(np.float32)
        save_file({"latents": latents}, f"{self.work}/latents.safetensors")

    def sampling(self, side, r):
        out = f"{self.work}/sample-{side}-{r}"
        lat = f"{self.work}/latents.safetensors"
        if side == "ours":
            cmd = [TOOL, "sample", "--model", self.a.base, "--prompt", PROMPT, "--num_images", str(SAMPLE_IMAGES),
                   "--num_inference_steps", str(SAMPLE_STEPS), "--guidance_scale", str(GUIDANCE), "--scheduler",
                   "ddim", "--latents", lat, "--out", out, "--save_tensors"]
            wall, rss = run(cmd, out + ".log")
            return {"seconds": wall, "rss_mb": rss, "images_per_second": SAMPLE_IMAGES / wall}
        cmd = [self.py, __file__, "--sample_child", self.a.base, lat, out + ".npy"]
        wall, rss = run(cmd, out + ".log")
        call = json.loads(open(out + ".log").read().strip().splitlines()[-1])["pipeline_call_seconds"]
        return {"seconds": call, "process_seconds": wall, "rss_mb": rss, "images_per_second": SAMPLE_IMAGES / call}

    def sampling_agreement(self):
        import numpy as np
        from safetensors.numpy import load_file
        ours = load_file(f"{self.work}/sample-ours-0/samples.safetensors")["images"]
        theirs = np.load(f"{self.work}/sample-diffusers-0.npy")
        return float(np.abs(ours - theirs).max())

    def pretraining(self, side, r):
        out = f"{self.work}/step-{side}-{r}"
        config = f"{self.a.base}/unet/config.json"
        shape = ["--config", config, "--batch", "32", "--tokens", "24"]
        cmd = [BENCH, "unet", *shape] if side == "ours" else [self.py, "scripts/pytorch_unet_bench.py", *shape]
        wall, rss = run(cmd, out + ".log")
        line = json.loads(open(out + ".log").read().strip().splitlines()[-1])
        return {"seconds": line["train_step_ms"] / 1e3, "rss_mb": line["peak_rss_mb"]}


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--sample_child":
        return sample_child(*sys.argv[2:])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train_dreambooth", help="diffusers' examples/dreambooth/train_dreambooth.py (for dreambooth)")
    ap.add_argument("--base", default="Checkpoints/base")
    ap.add_argument("--subject", default="split-ball")
    ap.add_argument("--steps", type=int, default=600, help="DreamBooth steps (600, the trainer's default)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", default="dreambooth,sampling,pretraining")
    ap.add_argument("--work", help="keep inputs, outputs and logs here (default: a temporary folder)")
    a = ap.parse_args()
    jobs = [j for j in a.jobs.split(",") if j]
    if unknown := set(jobs) - {"dreambooth", "sampling", "pretraining"}:
        sys.exit(f"unknown jobs {sorted(unknown)} (dreambooth, sampling, pretraining)")
    if "dreambooth" in jobs and not (a.train_dreambooth and os.path.isfile(a.train_dreambooth)):
        sys.exit("dreambooth needs --train_dreambooth PATH/TO/examples/dreambooth/train_dreambooth.py")
    for tool in (TOOL, BENCH):
        if not os.access(tool, os.X_OK):
            sys.exit(f"{tool}: not built (swift build -c release)")
    if not os.path.isfile(f"{a.base}/model_index.json"):
        sys.exit(f"{a.base}: not a Stable Diffusion pipeline folder (model_index.json)")
    work = a.work or tempfile.mkdtemp(prefix="bench-compare-")
    os.makedirs(work, exist_ok=True)
    print(f"work folder: {work}", flush=True)
    j = Jobs(a, work)
    if "dreambooth" in jobs:
        j.prepare_dreambooth()
    if "sampling" in jobs:
        j.prepare_sampling()
    results = {(job, side): [] for job in jobs for side in ("ours", "diffusers")}
    for r in range(a.rounds):
        for job in jobs:
            for side in (("ours", "diffusers") if r % 2 == 0 else ("diffusers", "ours")):
                m = getattr(j, job)(side, r)
                results[(job, side)].append(m)
                print(f"round {r + 1}/{a.rounds} {job:12s} {side:9s} " +
                      " ".join(f"{k} {v:.3f}" for k, v in m.items()), flush=True)
    med = lambda job, side, key: statistics.median(m[key] for m in results[(job, side)])
    print(f"\nmedians of {a.rounds} rounds; ratio = ours / diffusers'")
    print(f"{'job':34s}{'ours':>12s}{'diffusers':>12s}{'ratio':>8s}")
    units = {"dreambooth": "wall s", "sampling": "images/s", "pretraining": "step s"}
    for job in jobs:
        key = "images_per_second" if job == "sampling" else "seconds"
        o, d = med(job, "ours", key), med(job, "diffusers", key)
        print(f"{job + ' (' + units[job] + ')':34s}{o:12.3f}{d:12.3f}{o / d:8.2f}")
        o, d = med(job, "ours", "rss_mb"), med(job, "diffusers", "rss_mb")
        print(f"{job + ' (peak RSS MB)':34s}{o:12.0f}{d:12.0f}{o / d:8.2f}")
    if "sampling" in jobs:
        print(f"sampling: largest difference between the two sides' images {j.sampling_agreement():.2e} "
              f"(pixels in [0, 1])")


if __name__ == "__main__":
    main()
