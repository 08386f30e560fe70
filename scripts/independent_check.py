#!/usr/bin/env python3
"""Independent check of `quadform synth`: random forms the toolkit never saw (random ranks and
scales, non-symmetric input, linear terms in and out of range(A), n up to 40) go in as JSON through
--input; the networks that come back are evaluated by this file's own evaluator of design.md §6
(pure Python, exact rational arithmetic on the printed weights) and compared with the form.

usage: scripts/independent_check.py [QUADFORM_BINARY] [TRIALS]
"""
import json, os, random, subprocess, sys, tempfile
from fractions import Fraction

def realize(net, x):
    """Definition 1.5.4 of the lecture notes, as design.md §6 describes the JSON."""
    act = net["activation"]
    def sigma(z):
        k = act["kind"]
        if k == "square": return z * z
        if k == "relu": return max(z, 0)
        if k == "identity": return z
        a, b, c = (Fraction(act[n]) for n in ("alpha", "beta", "gamma"))
        return a * z * z + b * z + c
    outs = [x]
    L = len(net["widths"]) - 1
    for k in range(1, L + 1):
        layer = net["layers"][k - 1]
        z = [sum(Fraction(w) * v for w, v in zip(row, outs[k - 1])) + Fraction(b)
             for row, b in zip(layer["weights"], layer["bias"])]
        for s in net.get("skips", []):
            if s["to"] == k:
                z = [zi + sum(Fraction(w) * v for w, v in zip(row, outs[s["from"]])) for zi, row in zip(z, s["weights"])]
        outs.append([sigma(v) for v in z] if k < L else z)
    return outs[-1]

def form_value(c, a, M, x):
    n = len(a)
    return Fraction(c) + sum(Fraction(a[i]) * x[i] for i in range(n)) + \
        sum(Fraction(M[i][j]) * x[i] * x[j] for i in range(n) for j in range(n))

def random_form(rng, n, k):
    # A = Σ λ_i v_i v_iᵀ with random (not orthogonal) v_i of mixed scale: rank k almost surely.
    vs = [[rng.gauss(0, 1) for _ in range(n)] for _ in range(k)]
    lams = [rng.choice([-1, 1]) * 10 ** rng.uniform(-2, 2) for _ in range(k)]
    A = [[sum(l * v[i] * v[j] for l, v in zip(lams, vs)) for j in range(n)] for i in range(n)]
    M = [row[:] for row in A]
    if rng.random() < 0.5:  # non-symmetric input, same symmetric part
        for i in range(n):
            for j in range(i + 1, n):
                s = rng.gauss(0, 1)
                M[i][j] += s; M[j][i] -= s
    mode = rng.choice(["generic", "range", "zero"]) if k > 0 else rng.choice(["generic", "zero"])
    if mode == "generic":
        a = [rng.gauss(0, 1) for _ in range(n)]
    elif mode == "range":
        coeffs = [rng.gauss(0, 1) for _ in range(k)]
        a = [sum(c * v[i] for c, v in zip(coeffs, vs)) for i in range(n)]
    else:
        a = [0.0] * n
    return rng.gauss(0, 3), a, M, mode

def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/quadform"
    trials = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    rng = random.Random(20261126)
    worst = 0.0
    failures = 0
    for t in range(trials):
        n = rng.choice([1, 2, 3, 5, 8, 13, 21, 40])
        k = rng.randint(0, n)
        c, a, M, mode = random_form(rng, n, k)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump({"constant": c, "linear": a, "quadratic": M}, f)
        out = subprocess.run([binary, "synth", "--input", f.name, "--format", "json"], capture_output=True, text=True)
        os.unlink(f.name)
        r = json.loads(out.stdout)
        expected_plain = k + 2 if mode == "generic" and k < n else k
        ok = r["rank"] == k and r["residual"]["neurons"] == k and r["plain"]["neurons"] == expected_plain
        for _ in range(5):
            x = [Fraction(rng.uniform(-1, 1)) for _ in range(n)]
            f_val = form_value(c, a, M, x)
            scale = abs(Fraction(c)) + sum(abs(Fraction(ai) * xi) for ai, xi in zip(a, x)) + \
                sum(abs(Fraction(M[i][j]) * x[i] * x[j]) for i in range(n) for j in range(n))
            for name in ("residual", "plain"):
                g = realize(r[name]["network"], x)[0]
                rel = float(abs(g - f_val) / max(scale, Fraction(1, 10**300)))
                worst = max(worst, rel)
                if rel > 1e-9: ok = False
        if not ok or out.returncode != 0:
            failures += 1
            print(f"FAIL trial {t}: n={n} k={k} mode={mode} rank={r['rank']} residual={r['residual']['neurons']} "
                  f"plain={r['plain']['neurons']} expected plain={expected_plain} exit={out.returncode}")
    print(f"{trials - failures} passed, {failures} failed")
    print(f"worst relative error |f - g| / (|c| + Σ|a_i x_i| + Σ|M_ij x_i x_j|): {worst:.3e}")
    sys.exit(1 if failures else 0)

if __name__ == "__main__":
    main()
