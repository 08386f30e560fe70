#!/usr/bin/env python3
"""Issue 27: `quadform prove --exact` against python-flint on the same integer forms
A = U·diag(d)·Uᵀ (U: n × n/2, entries −5…5; d ±1…±3; rank n/2; the forms of
bench/exact_vs_sympy.py), with a linear term outside range(A) (`--linear out`, T2's k + 2 case)
or inside it (`--linear in`, a = U·w).

Times, per n:
  - `quadform prove --exact --input form.json --format json` end to end (a separate process:
    start, JSON reading and the report included), with `--certificate auto` (multimodular from
    n = 60) and, up to --reduction-up-to, `--certificate reduction` (the fraction-free path);
  - from the multimodular report: the primes the Hadamard bound needed and the certificate's own
    seconds (integer matrix, all primes, minors);
  - python-flint in-process on the same matrix: nmod_mat.rank modulo the first prime (one prime,
    what quadform does per prime), fmpz_mat.rank, fmpq_mat.rref and fmpz_mat.nullspace.

With --repeat R the auto run is repeated R times and the median is shown (min–max beside it):
the machine of docs/performance.md is shared, and a single run can be 2× off.

Usage: bench/exact_prove.py --quadform PATH [--sizes 60,120,300,600] [--linear out|in]
                            [--reduction-up-to 300] [--flint-exact-up-to 600] [--sympy-up-to 120] [--repeat 1]
"""
import argparse, json, os, random, subprocess, tempfile, time

def form(n, seed=1, inside=False):
    rng = random.Random(seed)
    r = n // 2
    u = [[rng.randint(-5, 5) for _ in range(r)] for _ in range(n)]
    d = [rng.choice([-3, -2, -1, 1, 2, 3]) for _ in range(r)]
    a = [[sum(u[i][t] * d[t] * u[j][t] for t in range(r)) for j in range(n)] for i in range(n)]
    if inside:
        w = [random.Random(seed * 7919 + 2).randint(-3, 3) for _ in range(r)]
        lin = [sum(u[i][t] * w[t] for t in range(r)) for i in range(n)]
    else:
        lin = [random.Random(seed * 7919 + 1).randint(-3, 3) for _ in range(n)]
    return a, lin, r

def timed(f):
    start = time.perf_counter()
    value = f()
    return time.perf_counter() - start, value

def prove(quadform, path, method):
    t, run = timed(lambda: subprocess.run([quadform, "prove", "--exact", "--input", path, "--format", "json",
                                           "--certificate", method], capture_output=True, text=True))
    return t, (json.loads(run.stdout) if run.returncode == 0 else {"error": run.stderr.strip()[:100]})

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--quadform", required=True)
    p.add_argument("--sizes", default="60,120,300,600")
    p.add_argument("--linear", choices=["out", "in"], default="out")
    p.add_argument("--reduction-up-to", type=int, default=300)
    p.add_argument("--flint-exact-up-to", type=int, default=600)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--sympy-up-to", type=int, default=120)
    a = p.parse_args()
    import flint
    print("| n | k | prove --exact s (auto) | proved residual / plain | primes | certificate s | prove --certificate reduction s | flint nmod rank s (1 prime) | flint fmpz rank s | flint fmpq rref s | flint fmpz nullspace s | sympy rank + rref s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in map(int, a.sizes.split(",")):
        m, lin, r = form(n, inside=a.linear == "in")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "form.json")
            with open(path, "w") as f:
                json.dump({"constant": 5, "linear": lin, "quadratic": m}, f)
            runs = [prove(a.quadform, path, "auto") for _ in range(a.repeat)]
            times = sorted(t for t, _ in runs)
            t_auto, proof = times[len(times) // 2], runs[0][1]
            spread = f" ({times[0]:.3f}–{times[-1]:.3f})" if a.repeat > 1 else ""
            t_red = None
            if n <= a.reduction_up_to:
                t_red, reduced = prove(a.quadform, path, "reduction")
                if reduced.get("residual_minimum") != proof.get("residual_minimum") or reduced.get("plain_minimum") != proof.get("plain_minimum"):
                    t_red = f"DISAGREES ({reduced.get('residual_minimum')}/{reduced.get('plain_minimum')})"
        cert = proof.get("certificate") or {}
        prime = (cert.get("prime_values") or [1874518903])[0]
        t_nmod, rank_p = timed(lambda: flint.nmod_mat(m, int(prime)).rank())
        if n <= a.flint_exact_up_to:
            t_rank, rank = timed(lambda: flint.fmpz_mat(m).rank())
            t_rref, _ = timed(lambda: flint.fmpq_mat(n, n, [x for row in m for x in row]).rref())
            t_null, _ = timed(lambda: flint.fmpz_mat(m).nullspace())
            flint_cells = f"{t_rank:.3f} | {t_rref:.3f} | {t_null:.3f}"
        else:
            rank, flint_cells = rank_p, "— | — | —"
        if n <= a.sympy_up_to:
            from sympy import QQ
            from sympy.polys.matrices import DomainMatrix
            dm = DomainMatrix([[QQ(x) for x in row] for row in m], (n, n), QQ)
            t_sympy, _ = timed(lambda: (dm.rank(), dm.rref()))
            sympy_cell = f"{t_sympy:.3f}"
        else:
            sympy_cell = "—"
        counts = f"{proof.get('residual_minimum')} / {proof.get('plain_minimum')}" if "error" not in proof else f"failed: {proof['error']}"
        red = "—" if t_red is None else (t_red if isinstance(t_red, str) else f"{t_red:.2f}")
        print(f"| {n} | {rank} (mod p: {rank_p}) | {t_auto:.3f}{spread} | {counts} | {cert.get('primes', '—')} | {cert.get('seconds', '—')} | {red} | {t_nmod:.4f} | {flint_cells} | {sympy_cell} |", flush=True)

if __name__ == "__main__":
    main()
