#!/bin/bash
# One autoencoder configuration trained apart from the shipped models and judged: the world's held-out
# reconstructions (PSNR, the attribute judge) and what matters to DreamBooth, the look judge on
# reconstructions of every built-in subject and probe in every context (subject_look_kept_*; the
# trainer cannot learn more of a look than the decoder can draw). The runs that chose the autoencoder
# recipe (issue 22) are made of these.
#
#   scripts/sweep_autoencoder.sh NAME [-- pretrain flags...]
#   e.g. scripts/sweep_autoencoder.sh looks09 -- --random_looks 0.9 --autoencoder_steps 4000
#
# The run lands in .sweep/ae-NAME/ (ck/base/vae, ck/autoencoder-training/report.json, the resumable
# work folder, log); a finished run is only reported again. DREAMBOOTH_THREADS sets its threads.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=$1; shift
if [ "${1:-}" = "--" ]; then shift; fi
B=${DREAMBOOTH:-.build/release/dreambooth}
out=.sweep/ae-$NAME
mkdir -p "$out/ck"
ln -sfn "$PWD/Checkpoints/judges" "$out/ck/judges"
if [ ! -f "$out/ck/autoencoder-training/report.json" ]; then
  "$B" pretrain --stage autoencoder --out "$out/ck" --work "$out/work" "$@" > "$out/log" 2>&1
fi
python3 - "$out/ck/autoencoder-training/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
world = " ".join(f"{a} {r['reconstructed_accuracy_' + a]:.3f}" for a in ("class", "color", "pattern", "context", "style"))
print(f"world: PSNR {r['psnr_db']:.2f} dB, the judge on reconstructions: {world}")
for k in sorted(k for k in r if k.startswith("subject_look_kept_") and "original" not in k):
    s = k[len("subject_look_kept_"):]
    print(f"  {s:16s} look kept {r[k]:.2f} (renders {r.get('subject_look_kept_original_' + s, float('nan')):.2f}), "
          f"PSNR {r['subject_psnr_db_' + s]:.2f} dB")
PY
