#!/usr/bin/env bash
# How fast a small quadform process starts and answers (issue 28: "a small synth process is back
# under 16 ms on a quiet machine"); a benchmark, not a timed test. Prints, for the release build:
#
#   * the wall time of `quadform synth "x^2 + y" > /dev/null` and of `quadform --version`, over N
#     runs each after 3 warm-up runs (median, mean, min, max), with hyperfine when it is
#     installed and a bash loop on `date +%s%N` otherwise;
#   * the shared libraries the binary loads (`ldd … | wc -l`), the main cost of a small process.
#
#   bench/startup.sh             N = 50 runs each; builds the release binary if it is missing
#   RUNS=200 bench/startup.sh    more runs
#   BINARY=path bench/startup.sh another binary (an installed quadform, a static-stdlib build)
#   NO_HYPERFINE=1 bench/startup.sh  the bash loop even when hyperfine is installed
#
# Run it on a quiet machine (the load average is printed first): on a busy 2-core VM the figures
# follow the other processes, not quadform. docs/performance.md records its figures.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-50}
BINARY=${BINARY:-.build/release/quadform}
if [ ! -x "$BINARY" ]; then
    echo "== building quadform in release mode (swift build -c release --product quadform)"
    swift build -c release --product quadform >&2
fi

echo "== quadform startup benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "binary          $BINARY ($(du -h "$BINARY" | cut -f1))"
echo "machine         $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "BLAS threads    OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-unset}"
echo "shared libs     $(ldd "$BINARY" | wc -l) (ldd $BINARY | wc -l)"
echo "runs            $RUNS each, after 3 warm-up runs"

# Median, mean, min and max in milliseconds of the nanosecond durations on standard input.
summarize() {
    sort -n | awk '{ v[NR] = $1 / 1e6; s += v[NR] }
        END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "median %.2f ms, mean %.2f ms, min %.2f ms, max %.2f ms (%d runs)\n", m, s / NR, v[1], v[NR], NR }'
}

# measure LABEL COMMAND: times COMMAND (a shell command line) RUNS times.
measure() {
    local label=$1 command=$2
    if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine > /dev/null; then
        local json
        json=$(mktemp)
        hyperfine --shell=none --warmup 3 --runs "$RUNS" --export-json "$json" --style none \
            "$command" > /dev/null 2>&1 || hyperfine --warmup 3 --runs "$RUNS" --export-json "$json" --style none "$command" > /dev/null
        printf '%-15s ' "$label"
        python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))["results"][0]; t = sorted(r["times"])
print("median %.2f ms, mean %.2f ms, min %.2f ms, max %.2f ms (%d runs, hyperfine)" % (r["median"] * 1e3, r["mean"] * 1e3, t[0] * 1e3, t[-1] * 1e3, len(t)))' "$json"
        rm -f "$json"
    else
        for _ in 1 2 3; do bash -c "$command" > /dev/null 2>&1 || true; done
        local i start end
        printf '%-15s ' "$label"
        for ((i = 0; i < RUNS; i++)); do
            start=$(date +%s%N)
            "${@:3}" > /dev/null 2>&1 || true
            end=$(date +%s%N)
            echo $((end - start))
        done | summarize
    fi
}

measure "synth" "$BINARY synth 'x^2 + y'" "$BINARY" synth "x^2 + y"
measure "--version" "$BINARY --version" "$BINARY" --version
