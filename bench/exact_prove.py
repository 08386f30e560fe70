#!/usr/bin/env python3
"""Issue 27: `quadform prove --exact` and the modular rank of `synth --exact --timings` against
python-flint on the same integer forms A = U·diag(d)·Uᵀ (U: n × n/2, entries −5…5; d ±1…±3;
rank n/2; the forms of bench/exact_vs_sympy.py), with a linear term outside range(A).

Times, per n: `quadform prove --exact --input form.json` end to end (a separate process); the
`modular rank` phase of `synth --exact --timings` (one 31-bit prime, in-process); python-flint
in-process: fmpz_mat.rank, fmpq_mat.rref, fmpz_mat.nullspace and nmod_mat.rank modulo the same
prime.

Usage: bench/exact_prove.py --quadform PATH [--sizes 60,120,300]
"""
import argparse, json, os, random, re, subprocess, tempfile, time

def form(n, seed=1):
    rng = random.Random(seed)
    r = n // 2
    u = [[rng.randint(-5, 5) for _ in range(r)] for _ in range(n)]
    d = [rng.choice([-3, -2, -1, 1, 2, 3]) for _ in range(r)]
    a = [[sum(u[i][t] * d[t] * u[j][t] for t in range(r)) for j in range(n)] for i in range(n)]
    lin = [random.Random(seed * 7919 + 1).randint(-3, 3) for _ in range(n)]
    return a, lin, r

def timed(f):
    start = time.perf_counter()
    value = f()
    return time.perf_counter() - start, value

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--quadform", required=True)
    p.add_argument("--sizes", default="60,120,300")
    a = p.parse_args()
    import flint
    print("| n | k | prove --exact s | proved (residual/plain) | modular rank s (quadform) | flint nmod rank s | flint fmpz rank s | flint fmpq rref s | flint nullspace s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in map(int, a.sizes.split(",")):
        m, lin, r = form(n)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "form.json")
            with open(path, "w") as f:
                json.dump({"constant": 5, "linear": lin, "quadratic": m}, f)
            t_prove, run = timed(lambda: subprocess.run([a.quadform, "prove", "--exact", "--input", path, "--format", "json"], capture_output=True, text=True))
            proof = json.loads(run.stdout) if run.returncode == 0 else {}
            timing = subprocess.run([a.quadform, "synth", "--exact", "--input", path, "--timings", "--output", os.path.join(tmp, "r.txt")], capture_output=True, text=True)
            found = re.search(r"timing: modular rank \(1 prime\)\s+([\d.]+) s", timing.stderr)
            prime = (proof.get("synthesis", {}).get("modular_rank") or {}).get("prime", 1874518903)
        t_nmod, rank_p = timed(lambda: flint.nmod_mat(m, int(prime)).rank())
        t_rank, rank = timed(lambda: flint.fmpz_mat(m).rank())
        t_rref, _ = timed(lambda: flint.fmpq_mat(n, n, [x for row in m for x in row]).rref())
        t_null, _ = timed(lambda: flint.fmpz_mat(m).nullspace())
        counts = f"{proof.get('residual_minimum')}/{proof.get('plain_minimum')}" if proof else f"failed: {run.stderr.strip()[:80]}"
        print(f"| {n} | {rank} (mod p: {rank_p}) | {t_prove:.2f} | {counts} | {found.group(1) if found else '—'} | {t_nmod:.3f} | {t_rank:.2f} | {t_rref:.2f} | {t_null:.2f} |", flush=True)

if __name__ == "__main__":
    main()
