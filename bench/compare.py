"""Timing harness of bench/run.sh: quadform against NumPy, measured alternately in one run.

Every figure is a wall time of a separate process (what a user waits for), measured with
time.perf_counter around subprocess.run. For NumPy, the child also prints the time of its own
work (np.load + eigh, or load + matmuls + save) without interpreter start and `import numpy`,
so both the fair end-to-end figure and the stricter in-process one are shown.
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

import numpy as np

ROUNDS = int(os.environ.get("ROUNDS", "5"))
SKIP_10000 = os.environ.get("SKIP_10000", "0") == "1"
NUMPY_10000 = os.environ.get("NUMPY_10000", "1") == "1"


def run(cmd, **kw):
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return elapsed, done


def numpy_child(code, env=None):
    """Runs `code` in a fresh interpreter; the code prints its in-process seconds last."""
    elapsed, done = run([sys.executable, "-c", code], env=env)
    inner = float(done.stdout.strip().split()[-1])
    return elapsed, inner


def describe_machine(quadform):
    print("== machine")
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    print(f"cpu: {cpu}, {os.cpu_count()} logical cores, memory {mem}")
    print(f"os: {platform.platform()}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"OPENBLAS_NUM_THREADS = {os.environ.get('OPENBLAS_NUM_THREADS', '(unset: OpenBLAS uses every core)')}")
    _, done = run([quadform, "synth", "x1^2 + x2", "--format", "json"])
    blas = json.loads(done.stdout)["blas"]
    print(f"quadform BLAS/LAPACK: {blas['config']}, {blas['threads']} threads")
    print(f"    blas {blas['blas_library']}, lapack {blas['lapack_library']}")
    numpy_blas = "?"
    try:
        b = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
        numpy_blas = f"{b.get('name', '?')} {b.get('version', '?')} ({' '.join(b.get('openblas configuration', '').split())})"
    except TypeError:
        pass
    print(f"numpy {np.__version__}, BLAS/LAPACK: {numpy_blas}, threads: "
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'OpenBLAS default (every core)')}")


def paired(ours, theirs, label, throughput=False):
    """The rounds alternate, so round r of each side ran in the same minutes of a shared machine:
    the median of the per-round ratios cancels slow and fast phases that the ratio of medians does
    not, and the count says how often quadform was the faster of the pair. Ratios are of times
    (quadform / numpy), or of throughputs (numpy time / quadform time) when `throughput`."""
    ratios = [(b / a) if throughput else (a / b) for a, b in zip(ours, theirs)]
    won = sum(a <= b for a, b in zip(ours, theirs))
    return f"{label}: median of per-round ratios {statistics.median(ratios):.2f}, quadform faster in {won} of {len(ratios)} rounds"


def summary(values):
    return f"median {statistics.median(values):7.3f} s  min {min(values):7.3f} s  max {max(values):7.3f} s"


def bench_2000(quadform, work, env=None, rounds=ROUNDS, label=""):
    n = 2000
    path = os.path.join(work, f"A{n}.npy")
    if not os.path.exists(path):
        rng = np.random.default_rng(2000)
        g = rng.standard_normal((n, n))
        np.save(path, (g + g.T) / 2)
    print(f"\n== n = {n}: dense symmetric matrix, {rounds} alternating rounds{label}")
    eigh_code = (
        "import time, numpy as np\n"
        "t = time.perf_counter()\n"
        f"a = np.load({path!r})\n"
        "w, v = np.linalg.eigh(a)\n"
        "print(time.perf_counter() - t)\n"
    )
    out = os.path.join(work, "out2000.txt")
    cmd = [quadform, "synth", "--quadratic", path, "--output", out]  # no options: the default driver (auto)
    numpy_wall, numpy_inner, ours, phases = [], [], [], []
    for r in range(rounds):
        wall, inner = numpy_child(eigh_code, env)
        numpy_wall.append(wall)
        numpy_inner.append(inner)
        t, _ = run(cmd, env=env)
        ours.append(t)
        _, done = run(cmd + ["--timings"], env=env)
        phases.append(done.stderr)
        print(f"round {r + 1}: numpy eigh process {wall:6.3f} s (load+eigh {inner:6.3f} s)   quadform synth {t:6.3f} s"
              f"   load {os.getloadavg()[0]:.2f}")
    print(f"numpy: process          {summary(numpy_wall)}")
    print(f"numpy: np.load + eigh   {summary(numpy_inner)}")
    print(f"quadform synth (end to end, process) {summary(ours)}")
    print(f"ratio quadform / numpy load+eigh (medians): {statistics.median(ours) / statistics.median(numpy_inner):.2f}")
    print(f"ratio quadform / numpy process   (medians): {statistics.median(ours) / statistics.median(numpy_wall):.2f}")
    print(paired(ours, numpy_wall, "quadform / numpy process  "))
    print(paired(ours, numpy_inner, "quadform / numpy load+eigh"))
    print("quadform phases of the last --timings run:")
    print("".join("    " + line + "\n" for line in phases[-1].strip().splitlines()), end="")
    # Same driver on both sides, in-process: the decomposition alone.
    decomposition = [float(re.search(r"decompose \(LAPACKE dsyevd\)\s+([0-9.]+)", p).group(1)) for p in phases]
    print(f"quadform dsyevd alone  {summary(decomposition)}")
    return path


def bench_drivers(quadform, path):
    print("\n== n = 2000: the three LAPACKE drivers, one synth each (decomposition time from --timings)")
    for driver in ["dsyev", "dsyevd", "dsyevr"]:
        _, done = run([quadform, "synth", "--quadratic", path, "--driver", driver,
                       "--output", os.devnull, "--timings"])
        seconds = re.search(r"decompose \(LAPACKE \w+\)\s+([0-9.]+)", done.stderr).group(1)
        total = re.search(r"total \(after process start\)\s+([0-9.]+)", done.stderr).group(1)
        print(f"    {driver:7s} decomposition {float(seconds):6.3f} s, synth total {float(total):6.3f} s")
    # The floor for any "selected eigenpairs only" method (dsyevr range V): the reduction to
    # tridiagonal form, which eigenvalues-only eigvalsh also pays.
    code = (
        "import time, numpy as np\n"
        f"a = np.load({path!r})\n"
        "t = time.perf_counter(); np.linalg.eigvalsh(a); e = time.perf_counter() - t\n"
        "t = time.perf_counter(); np.linalg.eigh(a); print(e, time.perf_counter() - t)\n"
    )
    _, done = run([sys.executable, "-c", code])
    values_only, full = map(float, done.stdout.split())
    print(f"    numpy eigvalsh (eigenvalues only) {values_only:6.3f} s against eigh {full:6.3f} s in the same process")


def bench_small(quadform, static):
    print("\n== small synth: quadform synth \"x1^2 + x2\" (target < 20 ms), 30 runs each, alternating")
    binaries = [("swift build -c release", quadform)]
    if static:
        binaries.append(("swift build -c release --static-swift-stdlib", static))
    times = {name: [] for name, _ in binaries}
    startup = {name: [] for name, _ in binaries}
    for _ in range(30):
        for name, binary in binaries:
            times[name].append(run([binary, "synth", "x1^2 + x2"])[0])
            startup[name].append(run([binary, "--help"])[0])
    for name, _ in binaries:
        print(f"{name}:")
        print(f"    synth \"x1^2 + x2\"  median {1000 * statistics.median(times[name]):5.1f} ms  "
              f"min {1000 * min(times[name]):5.1f} ms  max {1000 * max(times[name]):5.1f} ms")
        print(f"    --help (start-up)  median {1000 * statistics.median(startup[name]):5.1f} ms")


def bench_eval(quadform, work):
    n, k, m = 32, 16, 1_000_000
    print(f"\n== eval: residual network of a random form (n = {n}, k = {k}) on {m} points, {ROUNDS} alternating rounds")
    net_path = os.path.join(work, "net.json")
    x_path = os.path.join(work, "X.npy")
    y_path = os.path.join(work, "Y.npy")
    y_numpy = os.path.join(work, "Y_numpy.npy")
    _, done = run([quadform, "synth", "--random", str(n), "--rank", str(k), "--format", "json"])
    with open(net_path, "w") as f:
        json.dump(json.loads(done.stdout)["residual"]["network"], f)
    if not os.path.exists(x_path):
        np.save(x_path, np.random.default_rng(3).uniform(-1, 1, size=(m, n)))
    numpy_code = (
        "import json, time, numpy as np\n"
        f"net = json.load(open({net_path!r}))\n"
        "W1 = np.array(net['layers'][0]['weights']); B1 = np.array(net['layers'][0]['bias'])\n"
        "W2 = np.array(net['layers'][1]['weights']); B2 = np.array(net['layers'][1]['bias'])\n"
        "V = np.array(net['skips'][0]['weights'])\n"
        "t = time.perf_counter()\n"
        f"X = np.load({x_path!r})\n"
        "H = X @ W1.T + B1\n"
        "H *= H\n"
        "Y = H @ W2.T + X @ V.T + B2\n"
        f"np.save({y_numpy!r}, Y)\n"
        "print(time.perf_counter() - t)\n"
    )
    ours, numpy_wall, numpy_inner = [], [], []
    for r in range(ROUNDS):
        wall, inner = numpy_child(numpy_code)
        numpy_wall.append(wall)
        numpy_inner.append(inner)
        t, _ = run([quadform, "eval", net_path, "--points", x_path, "--output", y_path])
        ours.append(t)
        print(f"round {r + 1}: numpy process {wall:6.3f} s (load+matmul+save {inner:6.3f} s)   quadform eval {t:6.3f} s")
    diff = np.max(np.abs(np.load(y_path) - np.load(y_numpy)))
    scale = np.max(np.abs(np.load(y_numpy)))
    print(f"max |quadform − numpy| = {diff:.3g} (values up to {scale:.3g})")
    print(f"numpy: process                  {summary(numpy_wall)}")
    print(f"numpy: load + matmuls + save    {summary(numpy_inner)}")
    print(f"quadform eval (process)         {summary(ours)}")
    tq, tn, tw = statistics.median(ours), statistics.median(numpy_inner), statistics.median(numpy_wall)
    print(f"throughput: quadform {m / tq / 1e6:.2f} M points/s, numpy {m / tn / 1e6:.2f} M points/s in-process, "
          f"{m / tw / 1e6:.2f} M points/s as a process")
    print(f"quadform / numpy throughput: {tn / tq:.2f} (in-process numpy), {tw / tq:.2f} (numpy process)")
    print(paired(ours, numpy_inner, "throughput quadform / numpy in-process", throughput=True))
    print(paired(ours, numpy_wall, "throughput quadform / numpy process   ", throughput=True))


def bench_10000(quadform, work):
    n = 10000
    path = os.path.join(work, f"A{n}.npy")
    if not os.path.exists(path):
        rng = np.random.default_rng(10000)
        a = rng.standard_normal((n, n))
        a += a.T
        a *= 0.5
        np.save(path, a)
        del a
    print(f"\n== n = {n}: one run each, /usr/bin/time -v")
    out = os.path.join(work, "out10000.txt")

    def timed(cmd):
        _, done = run(["/usr/bin/time", "-v"] + cmd)
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
        wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", done.stderr).group(1)
        return wall, rss, done

    wall, rss, done = timed([quadform, "synth", "--quadratic", path, "--driver", "dsyevd", "--output", out, "--timings"])
    print(f"quadform synth --driver dsyevd: wall {wall}, peak RSS {rss / 1024 / 1024:.2f} GiB, load {os.getloadavg()[0]:.2f}")
    print("".join("    " + line + "\n" for line in done.stderr.splitlines() if line.startswith("timing:")), end="")
    with open(out) as f:
        print("    " + next(line for line in f if line.startswith("verification")).strip())
    if NUMPY_10000:
        code = f"import numpy as np\na = np.load({path!r})\nw, v = np.linalg.eigh(a)\nprint(0)\n"
        wall, rss, _ = timed([sys.executable, "-c", code])
        print(f"numpy np.load + eigh (process): wall {wall}, peak RSS {rss / 1024 / 1024:.2f} GiB")


def bench_low_rank(quadform, work, rounds=3):
    n = 2000
    print(f"\n== n = {n}, low rank: --driver dsyevd against --driver selected (eigenvectors for |λ| > tolerance only), {rounds} alternating rounds")
    for k in (100, 1000, 2000):
        path = os.path.join(work, f"A{n}.npy") if k == n else os.path.join(work, f"A{n}_rank{k}.npy")
        if not os.path.exists(path):
            rng = np.random.default_rng(k)
            g = rng.standard_normal((n, k))
            signs = np.where(rng.standard_normal(k) < 0, -1.0, 1.0)
            a = (g * signs) @ g.T / k
            np.save(path, (a + a.T) / 2)
        times = {"dsyevd": [], "selected": []}
        for _ in range(rounds):
            for driver in times:
                _, done = run([quadform, "synth", "--quadratic", path, "--driver", driver, "--output", os.devnull, "--timings"])
                times[driver].append(float(re.search(r"decompose \(LAPACKE \w+\)\s+([0-9.]+)", done.stderr).group(1)))
        d, s = statistics.median(times["dsyevd"]), statistics.median(times["selected"])
        print(f"    k = {k:4d}: decomposition dsyevd {d:6.3f} s, selected {s:6.3f} s  (selected / dsyevd = {s / d:.2f})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quadform", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--quadform-static")
    parser.add_argument("--only-2000", action="store_true",
                        help="only the n = 2000 alternating rounds (synth with no options against np.load + eigh)")
    args = parser.parse_args()
    describe_machine(args.quadform)
    if args.only_2000:
        bench_2000(args.quadform, args.work)
        print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return
    bench_small(args.quadform, args.quadform_static)
    path = bench_2000(args.quadform, args.work)
    single = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    bench_2000(args.quadform, args.work, env=single, rounds=3, label=", OPENBLAS_NUM_THREADS=1 on both sides")
    bench_drivers(args.quadform, path)
    bench_low_rank(args.quadform, args.work)
    _, help_text = run([args.quadform, "--help"])
    if " eval " in help_text.stdout or "\n  eval" in help_text.stdout:
        bench_eval(args.quadform, args.work)
    else:
        print("\n== eval: this quadform has no eval command; skipped")
    if not SKIP_10000:
        bench_10000(args.quadform, args.work)
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
