#!/usr/bin/env bash
# Fine-tune one built-in subject with our trainer and with diffusers' own
# examples/dreambooth/train_dreambooth.py, with the same flags, and print each one's wall time and
# the judges' numbers (`dreambooth evaluate-subject`) for both outputs.
#
#   TRAIN_DREAMBOOTH=…/diffusers/examples/dreambooth/train_dreambooth.py \
#   PYTHON=…/venv/bin/python  bash scripts/compare_dreambooth_with_diffusers.sh [BASE] [SUBJECT]
#
# BASE is a Stable Diffusion pipeline folder (default Checkpoints/base, which must have vae/ and
# model_index.json); SUBJECT a built-in subject (default split-ball). Flags shared by both runs,
# from the environment: STEPS (600), BATCH (4), LR (3e-4), the trainer's defaults; CLASS_IMAGES (100), PRIOR (1: prior
# preservation with weight 1), SEED (0). train_dreambooth.py's defaults that differ from ours are
# passed explicitly (its warm-up of 500 steps becomes 0; its learning rate of 5e-6 becomes LR).
# Both read the same five instance PNGs and the same class images, drawn once by `dreambooth
# sample` before either run starts, so neither run's time includes them.
#
# Optional developer script, not a dependency of the package: PYTHON needs torch, diffusers,
# transformers, accelerate and torchvision (a CUDA torchvision under CPU torch works: see
# scripts/run_train_dreambooth.py). Get train_dreambooth.py from the diffusers release that PYTHON has
# (git clone --branch v$(python -c 'import diffusers; print(diffusers.__version__)')
# https://github.com/huggingface/diffusers). Run from the repository root after
# `swift build -c release`. WORK (default a temporary folder) keeps the inputs and both outputs.
set -euo pipefail

BASE=${1:-Checkpoints/base}
SUBJECT=${2:-split-ball}
STEPS=${STEPS:-600}
BATCH=${BATCH:-4}
LR=${LR:-3e-4}
CLASS_IMAGES=${CLASS_IMAGES:-100}
PRIOR=${PRIOR:-1}
SEED=${SEED:-0}
PYTHON=${PYTHON:-python3}
TOOL=${TOOL:-.build/release/dreambooth}

fail() { echo "compare_dreambooth_with_diffusers.sh: $*" >&2; exit 1; }
[ -n "${TRAIN_DREAMBOOTH:-}" ] || fail "set TRAIN_DREAMBOOTH to diffusers' examples/dreambooth/train_dreambooth.py"
[ -f "$TRAIN_DREAMBOOTH" ] || fail "$TRAIN_DREAMBOOTH: no such file"
[ -x "$TOOL" ] || fail "$TOOL: not built (swift build -c release)"
[ -f "$BASE/model_index.json" ] && [ -d "$BASE/vae" ] || fail "$BASE: not a Stable Diffusion pipeline folder (model_index.json, vae/)"
"$PYTHON" -c 'import torch, diffusers, transformers, accelerate' 2>/dev/null \
  || fail "$PYTHON: needs torch, diffusers, transformers and accelerate"

WORK=${WORK:-$(mktemp -d)}
mkdir -p "$WORK"
echo "work folder: $WORK"
# The inputs: the subject's five instance images (PNGs only: train_dreambooth.py opens every file
# of its folders as an image) and the class images, drawn once.
rm -rf "$WORK/instances" "$WORK/class-draw" "$WORK/class-images"
"$TOOL" world --subject "$SUBJECT" --count 5 --out "$WORK/instance-export" >/dev/null
NOUN=$("$PYTHON" -c 'import json, sys; print(json.loads(open(sys.argv[1]).readline())["class"])' \
  "$WORK/instance-export/metadata.jsonl")
mkdir -p "$WORK/instances" "$WORK/class-images"
cp "$WORK/instance-export"/*.png "$WORK/instances/"
PRIOR_FLAGS=()
if [ "$PRIOR" = 1 ]; then
  "$TOOL" sample --model "$BASE" --prompt "a $NOUN" --num_images "$CLASS_IMAGES" --seed "$SEED" \
    --out "$WORK/class-draw" >/dev/null 2>&1
  for f in "$WORK/class-draw"/[0-9]*.png; do cp "$f" "$WORK/class-images/class-$(basename "$f")"; done
  PRIOR_FLAGS=(--with_prior_preservation --prior_loss_weight 1.0 --class_data_dir "$WORK/class-images"
    --class_prompt "a $NOUN" --num_class_images "$CLASS_IMAGES")
fi
SHARED=(--pretrained_model_name_or_path "$BASE" --instance_data_dir "$WORK/instances"
  --instance_prompt "a sks $NOUN" "${PRIOR_FLAGS[@]}" --resolution 32 --train_batch_size "$BATCH"
  --learning_rate "$LR" --lr_scheduler constant --lr_warmup_steps 0 --max_train_steps "$STEPS"
  --max_grad_norm 1.0 --seed "$SEED")

seconds() { "$PYTHON" -c 'import time; print(f"{time.time():.3f}")'; }
rm -rf "$WORK/ours" "$WORK/diffusers"
t0=$(seconds)
# train_dreambooth.py's objective: our defaults' pivotal tuning and min-SNR weighting off (the PNG-only
# instance folder has no captions or masks, so those defaults do nothing here).
"$TOOL" train "${SHARED[@]}" --no_train_text_encoder_ti --snr_gamma 0 --output_dir "$WORK/ours" > "$WORK/ours.log" 2>&1 || { tail "$WORK/ours.log"; fail "our trainer failed"; }
t1=$(seconds)
"$PYTHON" scripts/run_train_dreambooth.py "$TRAIN_DREAMBOOTH" "${SHARED[@]}" --output_dir "$WORK/diffusers" \
  --mixed_precision no --checkpointing_steps 1000000 --report_to tensorboard > "$WORK/diffusers.log" 2>&1 \
  || { tail "$WORK/diffusers.log"; fail "train_dreambooth.py failed"; }
t2=$(seconds)

for who in ours diffusers; do
  "$TOOL" evaluate-subject --model "$WORK/$who" --subject "$SUBJECT" --class_noun "$NOUN" \
    --checkpoints "$(dirname "$BASE")" --report "$WORK/$who-metrics.json" > /dev/null 2>&1 \
    || fail "evaluate-subject failed on $WORK/$who"
done
"$PYTHON" - "$WORK" "$t0" "$t1" "$t2" <<'PY'
import json, sys
work, t0, t1, t2 = sys.argv[1], *map(float, sys.argv[2:])
ours, theirs = (json.load(open(f"{work}/{w}-metrics.json")) for w in ("ours", "diffusers"))
print(f"{'':22s}{'ours':>10s}{'train_dreambooth.py':>22s}")
print(f"{'wall time (s)':22s}{t1 - t0:10.1f}{t2 - t1:22.1f}")
for key in ("dino", "clipI", "clipT", "lookKept", "classKept", "contextMatch", "propertyChanged", "styleMatch",
            "pres", "drift", "div"):
    print(f"{key:22s}{ours[key]:10.3f}{theirs[key]:22.3f}")
print(f"time ratio (train_dreambooth.py / ours): {(t2 - t1) / (t1 - t0):.2f}")
PY
