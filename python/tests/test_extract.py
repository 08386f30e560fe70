"""extract on ONNX files made with the onnx package: planted ranks, the forms the weights define,
and minimal networks that compute the original network."""
from __future__ import annotations

import pathlib

import numpy as np
import pytest

import quadform
from onnx_models import (evaluate_exact_square_network, evaluate_square_network, planted, product_network, reference_form,
                         square_network, stored)


@pytest.mark.parametrize("dtype,n,m,r", [(np.float64, 6, 16, 2), (np.float32, 8, 32, 3), (np.float64, 10, 12, 10)])
@pytest.mark.parametrize("skip", [True, False])
def test_planted_rank_and_form(binary: str, dtype: type, n: int, m: int, r: int, skip: bool,
                               tmp_path: pathlib.Path) -> None:
    rng = np.random.default_rng(n * m + r + skip)
    u, b, w = planted(rng, n, m, r), rng.standard_normal(m), rng.standard_normal(m)
    v = rng.standard_normal(n) if skip else None
    b2 = 0.25
    model = square_network(u, b, w, b2, v, dtype)
    path = tmp_path / "model.onnx"
    path.write_bytes(model.SerializeToString())

    result = quadform.extract(path)
    assert result.passed and len(result.outputs) == 1
    assert result.rank == r and result.outputs[0].residual_neurons == r
    assert result.original_neurons == m and result.original["precision"] == ("float32" if dtype == np.float32 else "float64")

    # The form is the one the stored weights define, to the rounding of its sums.
    u, b, w, v64 = stored(dtype, u, b, w, v if skip else np.zeros(n))
    a_ref, lin_ref, c_ref, magnitude = reference_form(u, b, w, float(np.asarray(b2).astype(dtype)), v64)
    eps = np.finfo(np.float64).eps
    np.testing.assert_array_less(np.abs(result.form.symmetric - a_ref), 8 * m * eps * magnitude + 1e-300)
    assert np.abs(result.form.linear - lin_ref).max() <= 8 * m * eps * (np.abs(lin_ref).max() + 2 * np.abs(w * b) @ np.abs(u).max(axis=1))
    assert abs(result.form.constant - c_ref) <= 8 * m * eps * (abs(c_ref) + np.abs(w) @ (b * b))

    # Both minimal networks compute the original network on random inputs, to the accuracy of
    # the weights' precision relative to the output's scale (design.md §5: τ = 1e-4 for float32).
    x = rng.uniform(-1, 1, (100, n))
    original = evaluate_square_network(u, b, w, b2, v64, x)
    scale = max(np.abs(original).max(), np.abs(a_ref).max(), np.abs(lin_ref).max(), abs(c_ref))
    tau = 1e-4 if dtype == np.float32 else 1e-10
    for net in (result.residual, result.plain):
        assert np.abs(net(x)[:, 0] - original).max() <= tau * scale
    assert result.plain.hidden_neurons in (r, r + 2) and result.residual.hidden_neurons == r


def test_model_bytes_and_model_proto(binary: str) -> None:
    rng = np.random.default_rng(11)
    u, b, w = planted(rng, 5, 9, 2), rng.standard_normal(9), rng.standard_normal(9)
    model = square_network(u, b, w, 1.0, None, np.float64)
    from_bytes = quadform.extract(model.SerializeToString())
    from_proto = quadform.extract(model)
    assert from_bytes.rank == from_proto.rank == 2
    np.testing.assert_array_equal(from_bytes.form.quadratic, from_proto.form.quadratic)


def test_exact_extraction_of_integer_weights(binary: str) -> None:
    # Integer weights are exact in float64, so the exact rank is the planted one.
    rng = np.random.default_rng(5)
    u = rng.integers(-3, 4, (7, 2)) @ rng.integers(-3, 4, (2, 6))
    b, w = rng.integers(-2, 3, 7).astype(float), rng.integers(1, 4, 7) * rng.choice([-1.0, 1.0], 7)
    model = square_network(u.astype(float), b, w, 0.0, None, np.float64)
    result = quadform.extract(model, exact=True)
    assert result.passed and result.outputs[0].exact
    assert result.rank == np.linalg.matrix_rank((u.T * w) @ u)
    x = [1, -2, 3, 0, 5, -1]
    assert result.residual.evaluate_exact(x)[0] == int(evaluate_square_network(u, b, w, 0.0, None, np.array([x], float))[0])


def test_the_example_model(binary: str, examples: pathlib.Path) -> None:
    # examples/trained-32.onnx: 32 float32 neurons in a 3-dimensional subspace (notebooks/07).
    result = quadform.extract(examples / "trained-32.onnx")
    assert (result.rank, result.outputs[0].residual_neurons, result.outputs[0].plain_neurons) == (3, 3, 5)
    assert result.original["widths"] == [8, 32, 1]


def test_product_neurons_with_a_planted_rank(binary: str) -> None:
    """Fan et al.'s (R x + b_r) ∘ (G x + b_g) + B (x ∘ x) with R, G in a 2-dimensional subspace and
    Σ w_j B_j = 0: A = Σ w_j (r_j g_jᵀ + g_j r_jᵀ)/2 has rank ≤ 2, and the weights give exactly it."""
    rng = np.random.default_rng(26)
    n, m, rank = 7, 20, 2
    basis = rng.standard_normal((rank, n))
    r, g = rng.standard_normal((m, rank)) @ basis, rng.standard_normal((m, rank)) @ basis
    br, bg, w = rng.standard_normal(m), rng.standard_normal(m), rng.choice([-1.0, 1.0], m) * rng.uniform(0.5, 2, m)
    b = rng.standard_normal((m, n))
    b[-1] = -(w[:-1] @ b[:-1]) / w[-1]                         # the B-terms cancel: Σ w_j B_j = 0
    result = quadform.extract(product_network(r, br, g, bg, b, w, 0.5))
    assert result.passed and result.rank == rank and result.outputs[0].residual_neurons == rank
    x = rng.uniform(-1, 1, (100, n))
    original = ((x @ r.T + br) * (x @ g.T + bg) + (x * x) @ b.T) @ w + 0.5
    scale = np.abs(original).max()
    for net in (result.residual, result.plain):
        assert np.abs(net(x)[:, 0] - original).max() <= 1e-10 * scale


@pytest.mark.parametrize("exact", [False, True])
def test_three_outputs_with_planted_ranks(binary: str, exact: bool) -> None:
    """Linear(10, 18) → x*x → Linear(18, 3) + skip: output i reads only its 6 neurons, whose
    directions span a random r_i-dimensional subspace (r = 1, 2, 3). Each output has rank r_i; the
    ranges add up to dimension 6 = the lower bound of a shared layer, which the per-output
    construction meets; the shared network computes the original."""
    rng = np.random.default_rng(3)
    n, ranks = 10, (1, 2, 3)
    u = np.vstack([rng.integers(-3, 4, (6, r)) @ rng.integers(-3, 4, (r, n)) for r in ranks]).astype(float)
    w = np.zeros((3, 18))
    for i in range(3):
        w[i, 6 * i:6 * (i + 1)] = rng.integers(1, 5, 6) * rng.choice([-1.0, 1.0], 6)
    b, b2, v = rng.integers(-2, 3, 18).astype(float), np.array([0.5, -1.0, 2.0]), rng.integers(-3, 4, (3, n)).astype(float)
    result = quadform.extract(square_network(u, b, w, b2, v, np.float64), exact=exact)
    assert result.passed and len(result.outputs) == 3
    assert result.ranks == ranks
    assert tuple(o.residual_neurons for o in result.outputs) == ranks
    shared = result.shared
    assert shared is not None and shared.network is not None
    assert shared.range_dimension == 6 and shared.span_dimension == 3
    assert shared.lower_bound == 6 == shared.width and shared.minimal and shared.verdict == "passed"
    assert shared.network.widths == (n, 6, 3)
    x = rng.uniform(-1, 1, (200, n))
    original = (x @ u.T + b) ** 2 @ w.T + b2 + x @ v.T
    assert np.abs(shared.network(x) - original).max() <= 1e-9 * np.abs(original).max()
    for i, output in enumerate(result.outputs):
        assert np.abs(output.residual(x)[:, 0] - original[:, i]).max() <= 1e-9 * np.abs(original[:, i]).max()
    if exact:
        point = [1, -2, 0, 3, 1, -1, 2, 0, 1, 1]
        expected = evaluate_exact_square_network(u, b, w, b2, v, point)
        assert shared.network.evaluate_exact(point) == expected
    with pytest.raises(ValueError, match="3 outputs"):
        result.form
