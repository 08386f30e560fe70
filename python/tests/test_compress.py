"""compress: a model with two quadratic blocks separated by a ReLU comes back smaller and computes
the same outputs (checked with onnx's reference evaluator)."""
from __future__ import annotations

import pathlib
import subprocess

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

import quadform
from onnx_models import square_network


@pytest.fixture(scope="module")
def compress_available(binary: str) -> None:
    """compress is issue 26's newest subcommand; a binary without it skips these tests, saying so."""
    listed = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    if "compress" not in listed:
        pytest.skip(f"{binary} has no compress subcommand")


def two_blocks(rng: np.random.Generator, dtype: type, integers: bool = False, planted: bool = True) -> onnx.ModelProto:
    """x (6) → Linear(6, 12) → x*x → Linear(12, 2) → ReLU → product neurons
    (Linear(2, 9)(z) ∘ Linear(2, 9)(z)) → Linear(9, 1): a square block and a product block. With
    ``planted``, the 12 square neurons' directions span a 2-dimensional subspace (as trained
    neurons often nearly do), so the first block shrinks too; with ``integers``, small integer
    weights (short rationals for the exact tests)."""
    elem = TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE
    shapes = {"W1": (12, 6), "b1": (12,), "W2": (2, 12), "b2": (2,), "R": (9, 2), "r": (9,), "G": (9, 2),
              "g": (9,), "W3": (1, 9), "b3": (1,)}
    draw = (lambda shape: rng.integers(-3, 4, shape)) if integers else rng.standard_normal
    arrays = {k: draw(s) for k, s in shapes.items()}
    if planted:
        arrays["W1"] = draw((12, 2)) @ draw((2, 6))
    inits = [numpy_helper.from_array(np.asarray(v).astype(dtype), k) for k, v in arrays.items()]
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["h"], transB=1),
             helper.make_node("Mul", ["h", "h"], ["s"]),
             helper.make_node("Gemm", ["s", "W2", "b2"], ["y1"], transB=1),
             helper.make_node("Relu", ["y1"], ["z"]),
             helper.make_node("Gemm", ["z", "R", "r"], ["a"], transB=1),
             helper.make_node("Gemm", ["z", "G", "g"], ["b"], transB=1),
             helper.make_node("Mul", ["a", "b"], ["p"]),
             helper.make_node("Gemm", ["p", "W3", "b3"], ["y"], transB=1)]
    graph = helper.make_graph(nodes, "two_blocks", [helper.make_tensor_value_info("x", elem, ["batch", 6])],
                              [helper.make_tensor_value_info("y", elem, ["batch", 1])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_two_blocks_separated_by_a_relu(compress_available: None, tmp_path: pathlib.Path, dtype: type) -> None:
    rng = np.random.default_rng(26)
    model = two_blocks(rng, dtype)
    source, target = tmp_path / "model.onnx", tmp_path / "small.onnx"
    onnx.save(model, str(source))
    result = quadform.compress(source, target)
    assert result.passed and result.verdict == "passed"
    assert result.input == str(source) and result.output == str(target)
    assert len(result.blocks) == 2
    assert result.parameters_after < result.parameters_before
    assert result.parameters_before == sum(t.size for t in map(numpy_helper.to_array, model.graph.initializer))
    assert result.parameters_before - result.parameters_after == \
        sum(b.parameters_before - b.parameters_after for b in result.blocks)   # type: ignore[operator]
    for block in result.blocks:
        assert block.verdict == "passed"
        assert block.width_after is not None and block.lower_bound is not None and block.width_before is not None
        assert block.lower_bound <= block.width_after
        assert block.minimal == (block.lower_bound == block.width_after)
    widths_before = sorted(b.width_before for b in result.blocks)   # type: ignore[type-var]
    assert widths_before == [9, 12] and not result.skipped
    first = next(b for b in result.blocks if b.width_before == 12)
    assert first.ranks == (2, 2) and first.lower_bound == 2           # the planted subspace
    assert result.model_check.get("verdict", "").lower() == "passed"

    small = onnx.load(str(target))
    onnx.checker.check_model(small)
    stored = {numpy_helper.to_array(t).dtype for t in small.graph.initializer}
    assert stored == {np.dtype(dtype)}                              # float32 stays float32
    x = rng.uniform(-1, 1, (200, 6)).astype(dtype)
    before = ReferenceEvaluator(model).run(None, {"x": x})[0]
    after = ReferenceEvaluator(small).run(None, {"x": x})[0]
    tolerance = 1e-9 if dtype == np.float64 else 1e-4
    assert np.abs(before - after).max() <= tolerance * np.abs(before).max()


def test_exact_mode_and_model_bytes(compress_available: None, tmp_path: pathlib.Path) -> None:
    model = two_blocks(np.random.default_rng(3), np.float64, integers=True)
    result = quadform.compress(model.SerializeToString(), tmp_path / "small.onnx", exact=True)
    assert result.passed and len(result.blocks) == 2
    assert all(block.verdict == "passed" and block.exact_equal is not None for block in result.blocks)
    assert result.parameters_after < result.parameters_before
    small = onnx.load(str(tmp_path / "small.onnx"))
    x = np.random.default_rng(4).uniform(-1, 1, (100, 6))
    before = ReferenceEvaluator(model).run(None, {"x": x})[0]
    after = ReferenceEvaluator(small).run(None, {"x": x})[0]
    assert np.abs(before - after).max() <= 1e-9 * np.abs(before).max()


def test_a_block_that_would_not_shrink_is_left_as_it_was(compress_available: None, tmp_path: pathlib.Path) -> None:
    # Linear(6, 3) → x*x → Linear(3, 1): rank 3 and a linear term outside range(A), so the
    # compressed form needs 3 neurons and a 6-weight skip, more than the block's 25 parameters:
    # compress keeps the block and says why.
    rng = np.random.default_rng(5)
    u, b, w = rng.standard_normal((3, 6)), rng.standard_normal(3), rng.standard_normal(3)
    model = square_network(u, b, w, 0.5, None, np.float64)
    result = quadform.compress(model, tmp_path / "small.onnx")
    assert result.passed and not result.blocks and len(result.skipped) == 1
    assert (result.skipped[0].input_tensor, result.skipped[0].output_tensor) == ("x", "y")
    assert result.skipped[0].reason
    assert result.parameters_after == result.parameters_before == 25


def test_compress_errors(compress_available: None, tmp_path: pathlib.Path) -> None:
    with pytest.raises(quadform.QuadformError) as caught:
        quadform.compress(b"not a model", tmp_path / "out.onnx")
    assert caught.value.returncode == 2 and caught.value.message
    assert not (tmp_path / "out.onnx").exists()
