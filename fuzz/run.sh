#!/usr/bin/env bash
# Usage: fuzz/run.sh TARGET SECONDS     one target for SECONDS
#        fuzz/run.sh all SECONDS        every target, one after the other, SECONDS each
# TARGET: expression, json-form, json-network, npy, npz, onnx, safetensors. Builds fuzz/.work/bin/fuzz-quadform when a
# source is newer than it, then runs libFuzzer at nice 19 from the committed seeds in
# fuzz/seeds/SEEDS (json-form and json-network share fuzz/seeds/json). The growing corpus, crash
# artifacts and the log stay in fuzz/.work (ignored by git). Exit status: 0 when nothing was
# found, 1 otherwise, 2 on usage errors.
set -euo pipefail
ALL="expression json-form json-network npy npz onnx safetensors"
TARGET=${1:?usage: fuzz/run.sh TARGET|all SECONDS (TARGET: $ALL)}
SECONDS_TO_RUN=${2:?usage: fuzz/run.sh TARGET|all SECONDS}
HERE="$(cd "$(dirname "$0")" && pwd)"
if [ "$TARGET" = all ]; then
  status=0
  for t in $ALL; do "$HERE/run.sh" "$t" "$SECONDS_TO_RUN" || status=1; done
  exit $status
fi
case " $ALL " in *" $TARGET "*) ;; *) echo "unknown target '$TARGET' ($ALL, all)" >&2; exit 2;; esac
case "$TARGET" in json-*) SEEDS=json;; *) SEEDS=$TARGET;; esac
WORK="$HERE/.work"
BIN="$WORK/bin/fuzz-$TARGET"
if [ ! -x "$WORK/bin/fuzz-quadform" ] || [ ! -e "$BIN" ] || \
   [ -n "$(find "$HERE/../Sources/QuadForm" "$HERE/Harness.swift" -newer "$WORK/bin/fuzz-quadform" -print -quit)" ]; then
  nice -n 19 "$HERE/build.sh"
fi
mkdir -p "$WORK/corpus/$TARGET" "$WORK/artifacts/$TARGET"
export OPENBLAS_NUM_THREADS=1
before=$(ls "$WORK/artifacts/$TARGET" | wc -l)
# Fork mode keeps going after a crash, timeout or out-of-memory, so one run collects every finding.
nice -n 19 "$BIN" "$WORK/corpus/$TARGET" "$HERE/seeds/$SEEDS" \
  -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
  -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
  -artifact_prefix="$WORK/artifacts/$TARGET/" >"$WORK/$TARGET.log" 2>&1 || true
tail -n 3 "$WORK/$TARGET.log"
found=$(( $(ls "$WORK/artifacts/$TARGET" | wc -l) - before ))
echo "fuzz-$TARGET: ran ${SECONDS_TO_RUN}s, $found new artifact(s) in $WORK/artifacts/$TARGET"
[ "$found" -eq 0 ] || exit 1
