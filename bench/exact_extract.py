#!/usr/bin/env python3
"""Issue 27: `quadform extract --exact` on trained-layer-size quadratic networks (float32 weights,
linear skip) against python-flint on the same matrices, and the modular rank of `prove --exact`.

For each case the script writes an ONNX network with Tests/Fixtures/torch_style_onnx.py
(`--integer`: exact planted rank; without it: float32 roundings, full rank in exact arithmetic),
runs `quadform extract --exact --format json` as a separate process (process start included), and
times on the same weights, in-process:
  - flint fmpz_mat.rank of the n×n integer matrix s·A, A = Σ_j w_j u_j u_jᵀ (the direct approach);
  - flint fmpz_mat.rank of the m×n integer row matrix U (the factor-space approach's first step);
  - flint nmod_mat.rank of s·A modulo the prime quadform used (the word-size physical limit).

Usage: bench/exact_extract.py --quadform PATH [--python-fixture PY] [--cases 784:128:40:int,...]
"""
import argparse, json, os, subprocess, sys, tempfile, time
from fractions import Fraction

def load(path):
    import onnx
    from onnx import numpy_helper
    model = onnx.load(path)
    return {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}

def integer_rows(u):
    """Rows scaled to integers by a power of two each (exact for float32/float64 entries)."""
    rows, exps = [], []
    for row in u:
        fr = [Fraction(float(x)) for x in row]
        e = max((f.denominator.bit_length() - 1 for f in fr), default=0)
        rows.append([int(f * (1 << e)) for f in fr])
        exps.append(e)
    return rows, exps

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--quadform", required=True)
    p.add_argument("--fixture-python", default=sys.executable)
    p.add_argument("--cases", default="196:64:20:int,784:128:40:int,784:128:40:float,392:128:60:int")
    p.add_argument("--skip-dense-flint-above", type=int, default=400,
                   help="time flint's dense n×n rank only up to this n (it is minutes beyond)")
    a = p.parse_args()
    import flint
    fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "torch_style_onnx.py")
    print("| n | m | planted | weights | quadform rank | residual/plain | extract --exact s | phases (report) | flint rank(U) s | flint nmod rank(s·A) s | flint fmpz rank(s·A) s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for case in a.cases.split(","):
        n, m, r, kind = case.split(":")
        n, m, r = int(n), int(m), int(r)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "layer.onnx")
            args = [a.fixture_python, fixture, path, "--inputs", str(n), "--neurons", str(m), "--rank", str(r), "--skip", "--seed", "7"]
            if kind == "int":
                args.append("--integer")
            subprocess.run(args, check=True)
            start = time.perf_counter()
            run = subprocess.run([a.quadform, "extract", path, "--exact", "--format", "json"], capture_output=True, text=True)
            seconds = time.perf_counter() - start
            if run.returncode != 0:
                sys.exit(f"quadform failed ({run.returncode}): {run.stderr.strip()[:400]}")
            report = json.loads(run.stdout)
            fact = report.get("factored", {})
            phases = "; ".join(f"{k} {v:.3f}" for k, v in fact.get("timings", {}).items())
            prime = fact.get("modular_rank", {}).get("prime", 1874518903)
            t = load(path)
            w1 = t["fc1.weight"].astype(float)  # m × n (gemm style)
            w2 = t["fc2.weight"].astype(float).reshape(-1)
            rows, exps = integer_rows(w1)
            start = time.perf_counter()
            rank_u = flint.fmpz_mat(rows).rank()
            t_u = time.perf_counter() - start
            # s·A with A = Σ w_j u_j u_jᵀ: integer after one common scale.
            terms = [(Fraction(float(w2[j])) / (1 << (2 * exps[j])), rows[j]) for j in range(m) if w2[j] != 0]
            scale = 1
            for c, _ in terms:
                scale = scale * c.denominator // __import__("math").gcd(scale, c.denominator)
            import numpy as np
            coeffs = [int(c * scale) for c, _ in terms]
            ua = np.array([row for _, row in terms], dtype=object)
            sa = (ua.T * np.array(coeffs, dtype=object)) @ ua
            start = time.perf_counter()
            nmod_rank = flint.nmod_mat(sa.tolist(), prime).rank()
            t_nmod = time.perf_counter() - start
            t_fmpz = "—"
            if n <= a.skip_dense_flint_above:
                start = time.perf_counter()
                flint.fmpz_mat(sa.tolist()).rank()
                t_fmpz = f"{time.perf_counter() - start:.2f}"
            print(f"| {n} | {m} | {r} | {'small integers' if kind == 'int' else 'float32'} | {report['rank']} (nmod: {nmod_rank}, rank U: {rank_u}) | "
                  f"{report['residual']['neurons']}/{report['plain']['neurons']} | {seconds:.2f} | {phases} | {t_u:.3f} | {t_nmod:.3f} | {t_fmpz} |",
                  flush=True)

if __name__ == "__main__":
    main()
