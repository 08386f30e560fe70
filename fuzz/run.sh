#!/usr/bin/env bash
# Usage: fuzz/run.sh TARGET SECONDS    (TARGET: expression, npy or json)
# Builds the target if needed and runs libFuzzer at nice 19 for SECONDS, starting from the
# committed seeds in fuzz/seeds/TARGET. The growing corpus, crash artifacts and the log stay in
# fuzz/.work (ignored by git). Exit status: 0 when nothing was found, non-zero otherwise.
set -euo pipefail
TARGET=${1:?usage: fuzz/run.sh TARGET SECONDS (TARGET: expression, npy, json)}
SECONDS_TO_RUN=${2:?usage: fuzz/run.sh TARGET SECONDS}
case "$TARGET" in expression|npy|json) ;; *) echo "unknown target '$TARGET' (expression, npy, json)" >&2; exit 2;; esac
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$HERE/.work"
BIN="$WORK/bin/fuzz-$TARGET"
if [ ! -x "$BIN" ] || [ -n "$(find "$HERE/../Sources/QuadForm" "$HERE/Harness.swift" -newer "$BIN" -print -quit)" ]; then
  nice -n 19 "$HERE/build.sh" "$TARGET"
fi
mkdir -p "$WORK/corpus/$TARGET" "$WORK/artifacts/$TARGET"
export OPENBLAS_NUM_THREADS=1
before=$(ls "$WORK/artifacts/$TARGET" | wc -l)
# Fork mode keeps going after a crash, timeout or out-of-memory, so one run collects every finding.
nice -n 19 "$BIN" "$WORK/corpus/$TARGET" "$HERE/seeds/$TARGET" \
  -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
  -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=3072 -max_len=4096 \
  -artifact_prefix="$WORK/artifacts/$TARGET/" >"$WORK/$TARGET.log" 2>&1 || true
tail -n 3 "$WORK/$TARGET.log"
found=$(( $(ls "$WORK/artifacts/$TARGET" | wc -l) - before ))
echo "fuzz-$TARGET: ran ${SECONDS_TO_RUN}s, $found new artifact(s) in $WORK/artifacts/$TARGET"
[ "$found" -eq 0 ]
