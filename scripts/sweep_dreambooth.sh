#!/bin/bash
# One DreamBooth configuration on every built-in subject and every probe (Subject.probes), two runs
# at a time on one thread each, each measured with `dreambooth evaluate-subject`; prints a line per
# subject and the mean. The sweep that chooses the trainer's defaults (issue 22) is made of these.
#
#   scripts/sweep_dreambooth.sh NAME [--captions] [-- train flags...]
#     --captions   instance photos with their contexts in their captions (world --full_captions,
#                  train --caption_column text) and class prompts in every context
#
# Runs land in .sweep/NAME/SUBJECT/ (eval.json, train.log, seconds); class images are shared per
# noun and protocol in .sweep/class-*; a finished subject is not rerun.
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=$1; shift
CAPTIONS=0
if [ "${1:-}" = "--captions" ]; then CAPTIONS=1; shift; fi
if [ "${1:-}" = "--" ]; then shift; fi
FLAGS=("$@")
B=${DREAMBOOTH:-.build/release/dreambooth}
SUBJECTS=${SUBJECTS:-"split-ball teal-cup dotted-box checkered-heart split-star grey-fish dotted-tree"}
declare -A NOUN=([split-ball]=ball [teal-cup]=cup [dotted-box]=box [checkered-heart]=heart [split-star]=star
  [grey-fish]=fish [dotted-tree]=tree)
export DREAMBOOTH_THREADS=1

one() {
  local s=$1 n=${NOUN[$1]} out=.sweep/$NAME/$1
  [ -f "$out/eval.json" ] && return 0
  mkdir -p "$out"
  local world=(--subject "$s" --count 4) train=(--class_prompt "a $n")
  if [ $CAPTIONS = 1 ]; then
    world+=(--full_captions)
    train+=(--caption_column text)
    for c in "on grass" "on sand" "in snow" "on water" "at night" "in a city"; do train+=(--class_prompt "a $n $c"); done
  fi
  [ -d "$out/data" ] || "$B" world "${world[@]}" --out "$out/data" > /dev/null
  local start=$(date +%s.%N)
  "$B" train --instance_data_dir "$out/data" --instance_prompt "a sks $n" "${train[@]}" \
    --class_data_dir ".sweep/class-$CAPTIONS-$n" --with_prior_preservation --output_dir "$out/model" \
    ${FLAGS[@]+"${FLAGS[@]}"} > "$out/train.log" 2>&1
  echo "$(date +%s.%N) - $start" | bc > "$out/seconds"
  "$B" evaluate-subject --model "$out/model" --subject "$s" --report "$out/eval.json" > "$out/eval.log" 2>&1
  rm -rf "$out"/model/checkpoint-*
}

i=0
for s in $SUBJECTS; do
  one "$s" &
  i=$((i + 1))
  if [ $((i % 2)) = 0 ]; then wait; fi
done
wait
python3 - ".sweep/$NAME" <<'PY'
import glob, json, os, sys
rows = []
get = lambda e, k: float('nan') if e.get(k) is None else e[k]
for f in sorted(glob.glob(sys.argv[1] + "/*/eval.json")):
    e = json.load(open(f)); rows.append(e)
    ctx = e.get("perPromptContext") or {}
    print(f"{f.split('/')[-2]:16s} context {e['contextMatch']:.2f} (min {min(ctx.values()) if ctx else float('nan'):.2f})"
          f" class {e['classKept']:.2f} look {e['lookKept']:.2f} drift {get(e, 'contextDrift'):.2f}"
          f" DIV {get(e, 'contextDIV'):.3f} PRES {e['pres']:.3f}")
if rows:
    m = lambda k: sum(r[k] for r in rows) / len(rows)
    print(f"{'mean':16s} context {m('contextMatch'):.2f} class {m('classKept'):.2f} look {m('lookKept'):.2f}")
PY
