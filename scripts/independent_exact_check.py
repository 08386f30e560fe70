#!/usr/bin/env python3
"""Independent check of `quadform synth --exact` (Python's standard library only): random rational
forms the toolkit never saw — integer, fractional and zero-diagonal matrices, rank deficient or
not, non-symmetric input, linear terms in and out of range(A), n up to 30 — go in as JSON through
--input. This file decides rank A and whether a ∈ range(A) by its own Gauss–Jordan elimination
over fractions, evaluates the returned networks with its own evaluator of design.md §6 at random
rational points, and requires g(x) = f(x) exactly, the neuron counts of design.md §3 (residual k,
plain k or k + 2), an integer null-vector certificate z (Az = 0, zᵀa ≠ 0) when a ∉ range(A), and
`eval --exact` agreeing with f.

usage: scripts/independent_exact_check.py [QUADFORM_BINARY] [TRIALS]
"""
import json, os, random, subprocess, sys, tempfile
from fractions import Fraction

from independent_check import realize


def rank(rows):
    """Rank of a list of rows of Fractions (Gauss–Jordan)."""
    m = [row[:] for row in rows]
    r = 0
    cols = len(m[0]) if m else 0
    for c in range(cols):
        pivot = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
        if pivot is None:
            continue
        m[r], m[pivot] = m[pivot], m[r]
        for i in range(len(m)):
            if i != r and m[i][c] != 0:
                f = m[i][c] / m[r][c]
                m[i] = [x - f * y for x, y in zip(m[i], m[r])]
        r += 1
    return r


def random_fraction(rng, big):
    p = rng.randint(-9, 9)
    q = rng.randint(1, 7) if rng.random() < 0.5 else 1
    return Fraction(p * (10 ** rng.randint(0, 12) if big else 1), q)


def random_form(rng):
    n = rng.choice([1, 2, 3, 4, 6, 9, 14, 20, 30])
    kind = rng.choice(["lowrank", "lowrank", "zerodiag", "random"])
    big = rng.random() < 0.2
    if kind == "lowrank":
        k = rng.randint(0, n)
        us = [[random_fraction(rng, big) for _ in range(n)] for _ in range(k)]
        ds = [Fraction(rng.choice([-3, -2, -1, 1, 2, 3]), rng.randint(1, 4)) for _ in range(k)]
        A = [[sum(d * u[i] * u[j] for d, u in zip(ds, us)) for j in range(n)] for i in range(n)]
    elif kind == "zerodiag":
        A = [[Fraction(0)] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                if rng.random() < 0.4:
                    A[i][j] = A[j][i] = random_fraction(rng, big)
        us = []
    else:
        A = [[Fraction(0)] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                A[i][j] = A[j][i] = random_fraction(rng, big) if rng.random() < 0.6 else Fraction(0)
        us = []
    M = [row[:] for row in A]
    if rng.random() < 0.4:  # non-symmetric input with the same symmetric part
        for i in range(n):
            for j in range(i + 1, n):
                s = random_fraction(rng, False)
                M[i][j] += s
                M[j][i] -= s
    mode = rng.choice(["generic", "range", "zero"])
    if mode == "generic":
        a = [random_fraction(rng, False) for _ in range(n)]
    elif mode == "range":
        y = [Fraction(rng.randint(-3, 3), rng.randint(1, 3)) for _ in range(n)]
        a = [sum(A[i][j] * y[j] for j in range(n)) for i in range(n)]
    else:
        a = [Fraction(0)] * n
    return random_fraction(rng, False), a, M, A


def text(x):
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/quadform"
    trials = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    rng = random.Random(20261201)
    failures = 0
    outside_count = rank_deficient = 0
    for t in range(trials):
        c, a, M, A = random_form(rng)
        n = len(a)
        k = rank(A)
        outside = rank(A + [a]) > k  # a ∉ range(A) = row space of the symmetric A
        outside_count += outside
        rank_deficient += k < n
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "form.json")
            with open(path, "w") as f:
                json.dump({"constant": text(c), "linear": [text(v) for v in a], "quadratic": [[text(v) for v in row] for row in M]}, f)
            nets = os.path.join(tmp, "nets.json")
            out = subprocess.run([binary, "synth", "--exact", "--input", path, "--format", "json", "--save-networks", nets],
                                 capture_output=True, text=True)
            problems = []
            if out.returncode != 0:
                problems.append(f"exit {out.returncode}: {out.stderr.strip()[:200]}")
                r = None
            else:
                r = json.loads(out.stdout)
            if r is not None:
                expected_plain = k + 2 if outside else k
                if r["rank"] != k:
                    problems.append(f"rank {r['rank']}, expected {k}")
                if r["residual"]["neurons"] != k or r["plain"]["neurons"] != expected_plain:
                    problems.append(f"neurons {r['residual']['neurons']}/{r['plain']['neurons']}, expected {k}/{expected_plain}")
                if not (r["verification"]["passed"] and r["certificate"]["holds"]):
                    problems.append("report says verification or certificate failed")
                if outside:
                    z = [Fraction(v) for v in r["certificate"]["null_vector"]]
                    if any(v.denominator != 1 for v in z) or any(sum(A[i][j] * z[j] for j in range(n)) != 0 for i in range(n)) \
                            or sum(zi * ai for zi, ai in zip(z, a)) == 0:
                        problems.append("null-vector certificate does not hold")
                points = [[Fraction(rng.randint(-20, 20), rng.randint(1, 9)) for _ in range(n)] for _ in range(4)]
                for x in points:
                    f_val = c + sum(a[i] * x[i] for i in range(n)) + sum(M[i][j] * x[i] * x[j] for i in range(n) for j in range(n))
                    for name in ("residual", "plain"):
                        g = realize(r[name]["network"], x)[0]
                        if g != f_val:
                            problems.append(f"{name} network: g(x) − f(x) = {g - f_val}")
                at = ";".join(",".join(text(v) for v in x) for x in points)
                ev = subprocess.run([binary, "eval", nets, "--network", "plain", "--exact", "--at", at, "--format", "json"],
                                    capture_output=True, text=True)
                if ev.returncode != 0:
                    problems.append(f"eval --exact exit {ev.returncode}: {ev.stderr.strip()[:200]}")
                else:
                    for x, p in zip(points, json.loads(ev.stdout)["points"]):
                        f_val = c + sum(a[i] * x[i] for i in range(n)) + sum(M[i][j] * x[i] * x[j] for i in range(n) for j in range(n))
                        if Fraction(p["y"]) != f_val:
                            problems.append(f"eval --exact: {p['y']} ≠ f(x) = {f_val}")
        if problems:
            failures += 1
            print(f"FAIL trial {t}: n={n} k={k} a∉range={outside}: " + "; ".join(problems[:3]))
    print(f"{trials - failures} passed, {failures} failed (synth --exact against this file's own elimination and evaluator; "
          f"{rank_deficient} rank-deficient forms, {outside_count} with a ∉ range(A))")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
