#!/usr/bin/env python3
"""Times `quadform synth --exact` (synthesis + exact verification, end to end) against SymPy's
DomainMatrix rank + rref over QQ, and python-flint's fmpq_mat.rref when installed, on the same
integer forms A = U·diag(d)·Uᵀ (U: n × n/2, entries in −5…5; d in ±1…±3; rank n/2). With
`--linear outside` the form also gets a linear term with entries in −3…3 (almost surely outside
range(A), so the plain network needs k + 2 neurons and a_N is computed); SymPy and flint still time
the rank and rref of A alone.

Usage: bench/exact_vs_sympy.py [--quadform PATH] [--sizes 20,40,60,...] [--seed S] [--linear none|outside]
Prints one row per n: seconds of each, the ratio quadform / SymPy, the exact rank found, the
largest numerator and denominator digits of the networks' weights, and the Hadamard bound of A's
k×k minors in digits (from quadform's report).
"""
import argparse, json, os, random, subprocess, sys, tempfile, time

def form(n, seed):
    rng = random.Random(seed)
    r = n // 2
    u = [[rng.randint(-5, 5) for _ in range(r)] for _ in range(n)]
    d = [rng.choice([-3, -2, -1, 1, 2, 3]) for _ in range(r)]
    a = [[sum(u[i][t] * d[t] * u[j][t] for t in range(r)) for j in range(n)] for i in range(n)]
    return a, r

def linear_term(n, seed):
    rng = random.Random(seed * 7919 + 1)
    return [rng.randint(-3, 3) for _ in range(n)]

def time_sympy(a):
    from sympy import QQ
    from sympy.polys.matrices import DomainMatrix
    start = time.perf_counter()
    m = DomainMatrix([[QQ(x) for x in row] for row in a], (len(a), len(a)), QQ)
    rank = m.rank()
    m.rref()
    return time.perf_counter() - start, rank

def time_flint(a):
    try:
        import flint
    except ImportError:
        return None, None
    start = time.perf_counter()
    m = flint.fmpq_mat(len(a), len(a), [x for row in a for x in row])
    r, rank = m.rref()
    return time.perf_counter() - start, rank

def time_quadform(binary, a, linear=None):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "form.json")
        with open(path, "w") as f:
            json.dump({"quadratic": a} if linear is None else {"constant": 5, "linear": linear, "quadratic": a}, f)
        start = time.perf_counter()
        run = subprocess.run([binary, "synth", "--exact", "--input", path, "--format", "json"], capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if run.returncode != 0:
            sys.exit(f"quadform failed (exit {run.returncode}): {run.stderr.strip()}")
        report = json.loads(run.stdout)
    sizes = report["sizes"]
    passed = report["verification"]["passed"] and report["certificate"]["holds"]
    return seconds, report["rank"], passed, sizes, report["plain"]["neurons"]

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quadform", default=".build/release/quadform")
    parser.add_argument("--sizes", default="20,40,60,80,120,160,200")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--linear", choices=["none", "outside"], default="none")
    args = parser.parse_args()
    print(f"{'n':>4} {'k':>4} {'plain':>5} {'quadform s':>11} {'SymPy s':>9} {'ratio':>7} {'flint s':>8} "
          f"{'rank ok':>7} {'num digits':>10} {'den digits':>10} {'Hadamard':>8} {'num/H':>6}")
    for n in [int(x) for x in args.sizes.split(",")]:
        a, r = form(n, args.seed + n)
        linear = linear_term(n, args.seed + n) if args.linear == "outside" else None
        tq, rank, passed, sizes, plain = time_quadform(args.quadform, a, linear)
        ts, srank = time_sympy(a)
        tf, frank = time_flint(a)
        ok = rank == srank == r and passed and (frank is None or frank == r) and plain == (r if linear is None else r + 2)
        h = sizes["hadamard_digits"]
        num = sizes["largest_numerator_digits"]
        print(f"{n:>4} {r:>4} {plain:>5} {tq:>11.3f} {ts:>9.3f} {tq / ts:>7.2f} {'-' if tf is None else f'{tf:.3f}':>8} "
              f"{'yes' if ok else 'NO':>7} {num:>10} {sizes['largest_denominator_digits']:>10} {h:>8} {num / max(h, 1):>6.2f}",
              flush=True)

if __name__ == "__main__":
    main()
