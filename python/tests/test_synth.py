"""synth: the networks that come back, evaluated in NumPy, reproduce f to the accuracy contract."""
from __future__ import annotations

from fractions import Fraction
from typing import Tuple

import numpy as np
import pytest

import quadform

EPS = np.finfo(np.float64).eps
TAU = 1e-10   # the accuracy contract for float64 input (design.md §5)


def planted_form(rng: np.random.Generator, n: int, k: int, linear: str) -> Tuple[np.ndarray, np.ndarray, float]:
    """M (non-symmetric, A = (M + Mᵀ)/2 of rank k, eigenvalues of both signs over four decades),
    a in range(A) (``range``), generic (``generic``) or zero, and c."""
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    lam = rng.choice([-1.0, 1.0], k) * 10 ** rng.uniform(-2, 2, k)
    a_sym = (q[:, :k] * lam) @ q[:, :k].T
    skew = rng.standard_normal((n, n))
    m = a_sym + (skew - skew.T) / 2
    if linear == "range":
        a = a_sym @ rng.standard_normal(n)
    elif linear == "generic":
        a = rng.standard_normal(n)
    else:
        a = np.zeros(n)
    return m, a, float(rng.normal(0, 3))


def magnitude(net: quadform.Network, x: np.ndarray) -> np.ndarray:
    """The network evaluated on |weights| and |x|: a bound of the terms its evaluation sums
    (square activation: (|W||x| + |b|)² ≥ (Wx + b)²), which rounding errors are relative to."""
    absolute = quadform.Network(
        net.widths, net.activation,
        tuple(quadform.Layer(np.abs(l.weights), np.abs(l.bias)) for l in net.layers),
        tuple(quadform.Skip(s.source, s.target, np.abs(s.weights)) for s in net.skips))
    return absolute(np.abs(x))[:, 0]


@pytest.mark.parametrize("n,k,linear", [(1, 1, "generic"), (3, 2, "generic"), (5, 3, "range"), (8, 8, "generic"),
                                        (8, 3, "zero"), (13, 5, "generic"), (21, 0, "generic")])
def test_networks_reproduce_f_at_random_points(binary: str, n: int, k: int, linear: str) -> None:
    rng = np.random.default_rng(1000 * n + k)
    m, a, c = planted_form(rng, n, k, linear)
    result = quadform.synth(m, a, c)
    assert result.verdict == "passed" and result.passed
    assert result.rank == k and result.residual_neurons == k
    leaves_range = linear == "generic" and k < n
    assert result.linear_in_range == (not leaves_range)
    assert result.plain_neurons == (k + 2 if leaves_range else k)
    assert result.residual.hidden_neurons == k and result.residual.skips and result.plain.is_plain
    assert result.eigenvalues is not None and result.eigenvalues.shape == (n,)
    np.testing.assert_array_equal(result.form.quadratic, m)

    x = rng.uniform(-1, 1, (200, n))
    f = c + x @ a + np.einsum("ni,ij,nj->n", x, m, x)
    np.testing.assert_allclose(result.form(x), f, rtol=0, atol=64 * n * EPS * np.abs(f).max(initial=1))
    scale = max(abs(c), np.abs(a).max(initial=0), np.abs((m + m.T) / 2).max(initial=0), np.abs(f).max())
    for net in (result.residual, result.plain):
        g = net(x)
        assert g.shape == (200, 1)
        error = np.abs(g[:, 0] - f)
        # The accuracy contract on the box, and the rounding model of the sums both sides evaluate.
        assert error.max() <= TAU * scale
        terms = magnitude(net, x) + abs(c) + np.abs(x) @ np.abs(a) + np.einsum("ni,ij,nj->n", np.abs(x), np.abs(m), np.abs(x))
        assert np.all(error <= 32 * (n + net.hidden_neurons + 2) * EPS * terms)
    assert result.residual(x[0]).shape == (1,)


def test_expression_with_variable_order(binary: str) -> None:
    result = quadform.synth("x^2 + 3*x*y - y", variables=["y", "x"])
    assert result.form.variables == ("y", "x")
    point = np.array([2.0, -1.5])            # y = 2, x = -1.5
    expected = (-1.5) ** 2 + 3 * (-1.5) * 2 - 2
    assert abs(result.form(point) - expected) <= 8 * EPS * 12
    assert abs(result.residual(point)[0] - expected) <= TAU * 12


def test_form_and_mapping_inputs_agree(binary: str) -> None:
    form = quadform.Form.of([[1.0, 2.0], [0.0, -3.0]], [1.0, 0.5], 2.0, variables=["u", "v"])
    from_form = quadform.synth(form)
    from_mapping = quadform.synth(form.to_json())
    assert from_form.form.variables == ("u", "v") == from_mapping.form.variables
    assert from_form.rank == from_mapping.rank == 2
    np.testing.assert_array_equal(from_form.residual.layers[0].weights, from_mapping.residual.layers[0].weights)


def test_options_reach_the_command(binary: str) -> None:
    # A rank tolerance above the small eigenvalue drops it: APPROXIMATE, exit 1.
    with pytest.raises(quadform.VerificationFailed) as caught:
        quadform.synth(np.diag([1.0, 1e-3]), rank_tolerance=0.01)
    assert caught.value.result.rank == 1 and caught.value.result.verdict == "approximate"
    assert quadform.synth(np.diag([1.0, 1e-3]), box=4.0, samples=5).report["verification"]["box_radius"] == 4


def test_exact_networks_equal_f_in_rationals(binary: str) -> None:
    rng = np.random.default_rng(7)
    vs = rng.integers(-3, 4, (3, 5))
    m = (vs.T * np.array([2, -1, 3])) @ vs                      # integer, rank 3 (checked below)
    a = rng.integers(-5, 6, 5)
    result = quadform.synth(m, a, Fraction(1, 3), exact=True)
    assert result.exact and result.verdict == "passed"
    assert result.rank == np.linalg.matrix_rank(m)
    for _ in range(5):
        x = [Fraction(int(v), 7) for v in rng.integers(-20, 21, 5)]
        f = Fraction(1, 3) + sum(int(a[i]) * x[i] for i in range(5)) + \
            sum(int(m[i, j]) * x[i] * x[j] for i in range(5) for j in range(5))
        assert result.residual.evaluate_exact(x) == [f]
        assert result.plain.evaluate_exact(x) == [f]


def test_exact_mode_takes_the_values_the_arrays_hold(binary: str) -> None:
    from_float = quadform.synth(np.array([[0.1]]), exact=True)
    assert from_float.form.exact is not None
    assert Fraction(from_float.form.exact["quadratic"][0][0]) == Fraction(0.1)
    from_fraction = quadform.synth(np.array([[Fraction(1, 10)]], dtype=object), exact=True)
    assert Fraction(from_fraction.form.exact["quadratic"][0][0]) == Fraction(1, 10)
    assert from_fraction.residual.evaluate_exact([1]) == [Fraction(1, 10)]
