#!/usr/bin/env bash
# quadform against NumPy: the figures of issue 5, side by side, with the BLAS and thread count.
#
#   bench/run.sh                 everything (n = 2000 alternating rounds, small synth, eval on
#                                10^6 points, n = 10000 time and peak RSS)
#   ROUNDS=7 bench/run.sh        more alternating rounds at n = 2000 (default 5)
#   SKIP_10000=1 bench/run.sh    leave out the n = 10000 run (it takes minutes)
#   NUMPY_10000=0 bench/run.sh   n = 10000 for quadform only, not numpy
#   SKIP_STATIC=1 bench/run.sh   do not build the --static-swift-stdlib binary (small synth only)
#   ONLY_2000=1 bench/run.sh     only the n = 2000 rounds: `synth --quadratic A2000.npy` with no
#                                options (the default driver) against np.load + eigh
#
# It creates bench/.venv (python3 -m venv, pip install numpy), builds quadform in release mode,
# writes its data under bench/work/ (both gitignored) and prints a report; the figures in
# docs/performance.md come from it. OPENBLAS_NUM_THREADS is passed through unchanged: set it to
# compare single-threaded runs; unset, both OpenBLAS builds use every core.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK="$ROOT/bench/work"
VENV="$ROOT/bench/.venv"
mkdir -p "$WORK"

if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating $VENV (python3 -m venv, pip install numpy)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet numpy
fi
PY="$VENV/bin/python"

echo "== building quadform (swift build -c release)"
swift build -c release 2>&1 | tail -1
BIN="$ROOT/.build/release/quadform"

# The same sources with the Swift runtime and Foundation linked statically (SwiftPM's
# --static-swift-stdlib): only process start differs, which is what a small synth measures.
STATIC_ARGS=()
if [ "${SKIP_STATIC:-0}" != "1" ]; then
    echo "== building a second binary with --static-swift-stdlib (bench/work/build-static)"
    swift build -c release --static-swift-stdlib --scratch-path "$WORK/build-static" 2>&1 | tail -1
    STATIC_ARGS=(--quadform-static "$WORK/build-static/release/quadform")
fi

if ! [ -x /usr/bin/time ]; then
    echo "/usr/bin/time is missing (apt-get install time); the n = 10000 peak RSS needs it" >&2
fi

ONLY_ARGS=()
if [ "${ONLY_2000:-0}" = "1" ]; then ONLY_ARGS=(--only-2000); fi
exec "$PY" "$ROOT/bench/compare.py" --quadform "$BIN" --work "$WORK" "${STATIC_ARGS[@]}" "${ONLY_ARGS[@]}"
