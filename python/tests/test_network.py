"""Network evaluation follows design.md §1/§6 exactly: activation on hidden layers only, every skip
(r, k) added into layer k's pre-activation; checked against the stated values and `quadform eval`."""
from __future__ import annotations

import json
import pathlib
import subprocess

import numpy as np
import pytest

import quadform


def load(path: pathlib.Path) -> quadform.Network:
    return quadform.Network.from_json(json.loads(path.read_text()))


def test_example_1_5_6_and_exercise_1_5_1(examples: pathlib.Path) -> None:
    # design.md §1: realization(5) = 28 (Example 1.5.6), realization(−1) = −7 (Exercise 1.5.1).
    example = load(examples / "example-1.5.6.json")
    assert example.activation.kind == "relu" and example.widths == (1, 1, 2, 2, 1)
    assert example([5.0]).tolist() == [28.0]
    exercise = load(examples / "exercise-1.5.1.json")
    assert [(s.source, s.target) for s in exercise.skips] == [(0, 3), (1, 3)]
    assert exercise([-1.0]).tolist() == [-7.0]
    assert exercise(np.array([[-1.0], [5.0]])).shape == (2, 1)


def random_network(rng: np.random.Generator, widths, activation: quadform.Activation, skips) -> quadform.Network:
    layers = tuple(quadform.Layer(rng.standard_normal((widths[k], widths[k - 1])), rng.standard_normal(widths[k]))
                   for k in range(1, len(widths)))
    return quadform.Network(tuple(widths), activation, layers,
                            tuple(quadform.Skip(r, k, rng.standard_normal((widths[k], widths[r]))) for r, k in skips))


@pytest.mark.parametrize("name", ["example-1.5.6.json", "exercise-1.5.1.json", "quadratic-activation-residual.json",
                                  "residual-square.json", "plain-k-plus-1-t100.json", "random-deep"])
def test_numpy_evaluation_equals_quadform_eval(binary: str, examples: pathlib.Path, tmp_path: pathlib.Path,
                                               name: str) -> None:
    rng = np.random.default_rng(3)
    if name == "random-deep":
        net = random_network(rng, (3, 4, 2, 5, 2), quadform.Activation("quadratic", 0.5, -1.0, 0.25),
                             [(0, 2), (1, 4), (0, 4), (2, 3)])
        path = tmp_path / "net.json"
        path.write_text(json.dumps(net.to_json()))
    else:
        path = examples / name
        net = load(path)
    x = rng.uniform(-2, 2, (50, net.input_width))
    np.save(tmp_path / "x.npy", x)
    subprocess.run([binary, "eval", str(path), "--points", str(tmp_path / "x.npy"), "--output",
                    str(tmp_path / "y.npy"), "--quiet"], check=True, capture_output=True)
    expected = np.load(tmp_path / "y.npy")
    got = net(x)
    assert got.shape == expected.shape == (50, net.output_width)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(got, expected, rtol=0, atol=64 * sum(net.widths) * np.finfo(float).eps * scale)


def test_round_trip_and_counts() -> None:
    rng = np.random.default_rng(4)
    net = random_network(rng, (3, 4, 1), quadform.Activation("square"), [(0, 2)])
    again = quadform.Network.from_json(json.loads(json.dumps(net.to_json())))
    x = rng.standard_normal((7, 3))
    np.testing.assert_array_equal(net(x), again(x))
    assert net.hidden_neurons == 4 and net.parameters == 4 * 4 + 1 * 5 + 3
    assert not net.is_plain and net.depth == 2


def test_shape_errors() -> None:
    with pytest.raises(ValueError, match="widths describe 2 layers"):
        quadform.Network((2, 2, 1), quadform.Activation(), (quadform.Layer(np.zeros((2, 2)), np.zeros(2)),))
    with pytest.raises(ValueError, match="must satisfy"):
        random_network(np.random.default_rng(0), (2, 2, 1), quadform.Activation(), [(2, 2)])
    net = random_network(np.random.default_rng(0), (2, 2, 1), quadform.Activation(), [])
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        net(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="unknown activation"):
        quadform.Activation("tanh")
