#!/usr/bin/env bash
# MinHash signing and pair verification on this node's GPU next to the CPU twin on the same
# node, with dispatch and transfer counts. Needs no network: gamma (dist/gamma, $GAMMA, or the
# checkout's Bun with src/cli.ts) and the benchmark corpus (bench/data/corpus/, made here by
# bench/make-corpus.ts with the checkout's Bun when missing).
#   bench/gpu-node.sh [--allow-software]       env: MB (corpus size, default 100), OUT, GAMMA, CORPUS, FILTERS
# CORPUS: a glob of JSONL files (.jsonl, .gz or .zst; fields id and text) to use instead of the
# benchmark corpus, e.g. on a node without the checkout's node_modules; FILTERS: normalize's
# --filters (default: default; `none` keeps source code, which the prose filters drop); ID_FIELD:
# the id field of CORPUS (default id; doc_id for gamma's own outputs).
#   sbatch --gres=gpu:1 --cpus-per-task=16 bench/gpu-node.sh
# --allow-software runs on a software adapter (lavapipe) too: a trial of the script, not a figure.
set -euo pipefail
cd "$(dirname "$0")/.."
allow_software=0
[ "${1:-}" = "--allow-software" ] && allow_software=1
MB=${MB:-100}
OUT=${OUT:-bench/out/gpu-node}
BUN=node_modules/.bin/bun
if [ -n "${GAMMA:-}" ]; then gamma=("$GAMMA")
elif [ -x dist/gamma ]; then gamma=(dist/gamma)
elif [ -x "$BUN" ]; then gamma=("$BUN" src/cli.ts)
else echo "gpu-node: no gamma: build dist/gamma (npm run build) or set GAMMA=/path/to/gamma" >&2; exit 2; fi
# The report runs on the checkout's Bun, else on the one inside the gamma binary.
if [ -x "$BUN" ]; then report=("$BUN" bench/lib/gpu-node-report.ts); else report=(env BUN_BE_BUN=1 "${gamma[0]}" bench/lib/gpu-node-report.ts); fi
threads=$(nproc)

echo "== gamma doctor"
doctor=$("${gamma[@]}" doctor)
echo "$doctor"
if ! grep -q '^hardware: hardware adapter present' <<<"$doctor"; then
  if [ "$allow_software" = 0 ]; then
    echo "gpu-node: this node has no hardware GPU adapter (see the hardware line above); nothing to measure" >&2
    exit 1
  fi
  echo "gpu-node: WARNING: no hardware adapter; --allow-software: the GPU column is the software adapter's"
fi

corpus=${CORPUS:-bench/data/corpus/*.jsonl.zst}
if [ -z "${CORPUS:-}" ] && ! ls bench/data/corpus/part-*.jsonl.zst >/dev/null 2>&1; then
  echo "== corpus: bench/make-corpus.ts --mb $MB"
  [ -x "$BUN" ] || { echo "gpu-node: bench/data/corpus/ is missing and there is no $BUN to make it" >&2; exit 2; }
  "$BUN" bench/make-corpus.ts --out bench/data --mb "$MB"
fi

rm -rf "$OUT"
mkdir -p "$OUT"
echo "== normalize"
"${gamma[@]}" normalize --input "$corpus" --out-dir "$OUT/normalized" --source bench --domain mixed \
  --id-field "${ID_FIELD:-id}" --max-nul-fraction 0.05 --filters "${FILTERS:-default}" --cpu-threads "$threads" >/dev/null
for device in gpu cpu; do
  echo "== near dedup, --device $device, --cpu-threads $threads"
  start=$(date +%s.%N)
  "${gamma[@]}" dedup --mode near --device "$device" --cpu-threads "$threads" --decisions-only \
    --input "$OUT/normalized/**/*.jsonl.zst" --out-dir "$OUT/$device" >/dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", b - a }' > "$OUT/wall-$device.txt"
done
"${report[@]}" "$OUT"
