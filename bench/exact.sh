#!/usr/bin/env bash
# Exact mode's figures (issue 16): `synth --exact` end to end against SymPy's DomainMatrix rank +
# rref (and python-flint's fmpq_mat.rref) on the same integer forms, with and without a linear
# term outside range(A), and GMP against attaswift/BigInt on the same arithmetic.
#
#   bench/exact.sh                         n = 20 … 200, both linear cases, GMP vs BigInt
#   SIZES=60,120 bench/exact.sh            other sizes
#   QUICK=1 bench/exact.sh                 n = 20, 60 and the small GMP/BigInt cases only
#
# It creates bench/.venv-exact (python3 -m venv; pip install sympy python-flint), builds
# `quadform` and `exact-arithmetic-bench` in release mode and prints the tables of
# docs/performance.md ("Exact mode"). Each quadform run is a separate process timed from outside
# (process start included); SymPy and flint are timed in-process, without interpreter start.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="$PWD/bench/.venv-exact"
if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating $VENV (python3 -m venv, pip install sympy python-flint)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet sympy
    "$VENV/bin/pip" install --quiet python-flint || echo "(python-flint not installable here: its column stays empty)"
fi
echo "== swift build -c release (quadform, exact-arithmetic-bench)"
swift build -c release --product quadform >/dev/null
swift build -c release --product exact-arithmetic-bench >/dev/null
SIZES=${SIZES:-20,40,60,80,120,160,200}
QUICKFLAG=()
if [ "${QUICK:-0}" = 1 ]; then SIZES=20,60; QUICKFLAG=(--quick); fi
echo "== machine: $(nproc) cores, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$VENV/bin/python" -c "import sympy; print('== SymPy', sympy.__version__)"
"$VENV/bin/python" -c "import flint; print('== python-flint', flint.__version__)" 2>/dev/null || true
echo "== synth --exact vs SymPy, quadratic part only (a = 0)"
"$VENV/bin/python" bench/exact_vs_sympy.py --quadform .build/release/quadform --sizes "$SIZES"
echo "== synth --exact vs SymPy, linear term outside range(A) (plain = k + 2; SymPy still times A alone)"
"$VENV/bin/python" bench/exact_vs_sympy.py --quadform .build/release/quadform --sizes "$SIZES" --linear outside
echo "== GMP against attaswift/BigInt"
.build/release/exact-arithmetic-bench "${QUICKFLAG[@]}"
