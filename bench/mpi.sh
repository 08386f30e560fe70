#!/usr/bin/env bash
# quadform-mpi against quadform synth and NumPy's eigh (issue 18): wall time and peak memory per
# process for dense forms of n = 2000 … 8000 on P = 1 and 2 MPI processes (this machine has 2 cores).
#
#   bench/mpi.sh                 n = 2000 4000 8000 (minutes: run it once)
#   SIZES="2000 4000" bench/mpi.sh
#   QUADFORM_BIN_DIR=/path/release bench/mpi.sh   use release binaries built elsewhere
#
# Each configuration runs once, one OpenBLAS thread per process (OPENBLAS_NUM_THREADS=1), so
# P = 2 uses both cores and P = 1, quadform and NumPy one. Peak memory is /usr/bin/time's maximum
# resident set size of each process. The forms: A = Q diag(λ) Qᵀ with full rank, a random linear
# term, written as .npy under bench/work/ (gitignored). Results go to standard output.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK="$ROOT/bench/work"
VENV="$ROOT/bench/.venv"
mkdir -p "$WORK"
SIZES="${SIZES:-2000 4000 8000}"
export OPENBLAS_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating $VENV (python3 -m venv, pip install numpy)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet numpy
fi
PY="$VENV/bin/python"

if [ -n "${QUADFORM_BIN_DIR:-}" ]; then
    BIN="$QUADFORM_BIN_DIR"                      # release binaries built elsewhere
else
    echo "== building (swift build -c release)"
    swift build -c release 2>&1 | tail -1
    BIN="$ROOT/.build/release"
fi

echo "== machine: $(nproc) cores, $(grep MemTotal /proc/meminfo | awk '{print int($2/1048576)" GiB"}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $(mpirun --version | head -1), ScaLAPACK $(dpkg-query -W -f='${Version}' libscalapack-openmpi2.2 2>/dev/null || echo '?'), OPENBLAS_NUM_THREADS=1"
printf "%-6s %-24s %9s %9s  %s\n" n run "wall s" "decomp s" "peak RSS per process (MiB)"

peak() { awk '{printf "%s%d", (NR > 1 ? " " : ""), $NF / 1024}' "$@"; }

for n in $SIZES; do
    "$PY" - "$n" "$WORK" <<'PYEOF'
import sys, numpy as np
n, work = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(n)
q, _ = np.linalg.qr(rng.standard_normal((n, n)))
lam = rng.uniform(0.5, 2, n) * rng.choice([-1, 1], n)
a = (q * lam) @ q.T
a = (a + a.T) / 2
np.save(f"{work}/mpi-A{n}.npy", a)
np.save(f"{work}/mpi-a{n}.npy", rng.standard_normal(n))
PYEOF
    A="$WORK/mpi-A$n.npy"; a="$WORK/mpi-a$n.npy"

    rm -f "$WORK"/mem.*
    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$WORK/mem.0" "$BIN/quadform" synth --quadratic "$A" --linear "$a" --driver dsyevd \
        --timings --output "$WORK/single.txt" 2> "$WORK/single.err"
    wall=$(echo "$(date +%s.%N) - $start" | bc)
    dec=$(grep -m1 'decompose' "$WORK/single.err" | awk '{print $(NF-1)}')
    printf "%-6s %-24s %9.2f %9s  %s\n" "$n" "quadform synth dsyevd" "$wall" "$dec" "$(peak "$WORK"/mem.0)"

    for p in 1 2; do
        rm -f "$WORK"/mem.*
        start=$(date +%s.%N)
        mpirun --allow-run-as-root -np "$p" --mca btl self,vader \
            sh -c '/usr/bin/time -f "%M" -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' "$WORK/mem" \
            "$BIN/quadform-mpi" synth --quadratic "$A" --linear "$a" --timings --output "$WORK/mpi$p.txt" 2> "$WORK/mpi$p.err"
        wall=$(echo "$(date +%s.%N) - $start" | bc)
        dec=$(grep -m1 'decompose' "$WORK/mpi$p.err" | awk '{print $(NF-1)}')
        printf "%-6s %-24s %9.2f %9s  %s\n" "$n" "quadform-mpi P = $p" "$wall" "$dec" "$(peak "$WORK"/mem.*)"
        grep -E '^(rank|verification)' "$WORK/mpi$p.txt" | sed 's/^/         /'
    done

    rm -f "$WORK"/mem.*
    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$WORK/mem.0" "$PY" -c "
import sys, time, numpy as np
a = np.load('$A'); t = time.perf_counter(); w, v = np.linalg.eigh(a); print(time.perf_counter() - t)" > "$WORK/numpy.out"
    wall=$(echo "$(date +%s.%N) - $start" | bc)
    printf "%-6s %-24s %9.2f %9.2f  %s\n" "$n" "numpy load + eigh" "$wall" "$(cat "$WORK/numpy.out")" "$(peak "$WORK"/mem.0)"
    rm -f "$A" "$a"
done
