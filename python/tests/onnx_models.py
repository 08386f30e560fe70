"""ONNX models built with the onnx package, node for node as torch.onnx.export writes them."""
from __future__ import annotations

from typing import List, Optional, Tuple

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def square_network(u: np.ndarray, b: np.ndarray, w: np.ndarray, b2: "float | np.ndarray", v: Optional[np.ndarray],
                   dtype: type = np.float32) -> onnx.ModelProto:
    """``Linear(n, m) → x*x → Linear(m, k)`` plus an optional ``Linear(n, k)`` skip added to the
    output: Gemm(transB=1), Mul, Gemm(transB=1), Gemm, Add; input ``x`` of shape (batch, n). ``w``
    is (m,) for one output or (k, m), ``b2`` a number or (k,), ``v`` (n,) or (k, n)."""
    m, n = u.shape
    w = np.asarray(w).reshape(-1, m)
    outputs = w.shape[0]
    elem = TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE
    inits = [numpy_helper.from_array(u.astype(dtype), "fc1.weight"), numpy_helper.from_array(b.astype(dtype), "fc1.bias"),
             numpy_helper.from_array(w.astype(dtype), "fc2.weight"),
             numpy_helper.from_array(np.asarray(b2, dtype=dtype).reshape(outputs), "fc2.bias")]
    nodes = [helper.make_node("Gemm", ["x", "fc1.weight", "fc1.bias"], ["h"], transB=1),
             helper.make_node("Mul", ["h", "h"], ["s"]),
             helper.make_node("Gemm", ["s", "fc2.weight", "fc2.bias"], ["y0" if v is not None else "y"], transB=1)]
    if v is not None:
        inits.append(numpy_helper.from_array(np.asarray(v).reshape(outputs, n).astype(dtype), "skip.weight"))
        nodes += [helper.make_node("Gemm", ["x", "skip.weight"], ["k"], transB=1),
                  helper.make_node("Add", ["y0", "k"], ["y"])]
    graph = helper.make_graph(nodes, "square_network", [helper.make_tensor_value_info("x", elem, ["batch", n])],
                              [helper.make_tensor_value_info("y", elem, ["batch", outputs])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


def planted(rng: np.random.Generator, n: int, m: int, r: int) -> np.ndarray:
    """m neuron directions (rows) in a random r-dimensional subspace of Rⁿ."""
    return rng.standard_normal((m, r)) @ rng.standard_normal((r, n))


def reference_form(u: np.ndarray, b: np.ndarray, w: np.ndarray, b2: float,
                   v: Optional[np.ndarray]) -> Tuple[np.ndarray, np.ndarray, float, np.ndarray]:
    """design.md §3's coefficient matching in float64: A = Σ w_j u_ju_jᵀ, a = v + Σ 2w_jb_j u_j,
    c = b2 + Σ w_jb_j²; and the magnitude Σ|w_j||u_j||u_j|ᵀ the sums' rounding is relative to."""
    u, b, w = (np.asarray(t, dtype=np.float64) for t in (u, b, w))
    a_matrix = (u.T * w) @ u
    linear = (0 if v is None else np.asarray(v, dtype=np.float64)) + (2 * w * b) @ u
    return a_matrix, np.asarray(linear, dtype=np.float64), float(b2) + float(w @ (b * b)), (np.abs(u).T * np.abs(w)) @ np.abs(u)


def evaluate_square_network(u, b, w, b2, v, x: np.ndarray) -> np.ndarray:
    """The original network in float64 on the weights it stores."""
    u, b, w = (np.asarray(t, dtype=np.float64) for t in (u, b, w))
    h = x @ u.T + b
    return (h * h) @ w + float(b2) + (0 if v is None else x @ np.asarray(v, dtype=np.float64))


def stored(dtype: type, *arrays: np.ndarray) -> List[np.ndarray]:
    """The arrays as the model stores them (rounded to ``dtype``), back in float64."""
    return [np.asarray(a).astype(dtype).astype(np.float64) for a in arrays]


def product_network(r: np.ndarray, br: np.ndarray, g: np.ndarray, bg: np.ndarray, b: np.ndarray,
                    w: np.ndarray, c: float, dtype: type = np.float64) -> onnx.ModelProto:
    """Fan et al.'s quadratic neurons, y = wᵀ((R x + b_r) ∘ (G x + b_g) + B (x ∘ x)) + c, as
    Gemm(transB=1) branches, Mul, Mul(x, x), MatMul, Add and a last Gemm."""
    m, n = r.shape
    elem = TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE
    arrays = {"R": r, "br": br, "G": g, "bg": bg, "Bt": b.T, "w": w.reshape(1, m), "c": np.array([c])}
    inits = [numpy_helper.from_array(np.asarray(v).astype(dtype), k) for k, v in arrays.items()]
    nodes = [helper.make_node("Gemm", ["x", "R", "br"], ["a"], transB=1),
             helper.make_node("Gemm", ["x", "G", "bg"], ["b"], transB=1),
             helper.make_node("Mul", ["a", "b"], ["ab"]),
             helper.make_node("Mul", ["x", "x"], ["xx"]),
             helper.make_node("MatMul", ["xx", "Bt"], ["bx"]),
             helper.make_node("Add", ["ab", "bx"], ["s"]),
             helper.make_node("Gemm", ["s", "w", "c"], ["y"], transB=1)]
    graph = helper.make_graph(nodes, "product_neurons", [helper.make_tensor_value_info("x", elem, ["batch", n])],
                              [helper.make_tensor_value_info("y", elem, ["batch", 1])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


def evaluate_exact_square_network(u, b, w, b2, v, point) -> List["Fraction"]:
    """The (n, m, k) square network with skip at one point, in rationals (the weights' exact values)."""
    from fractions import Fraction
    x = [Fraction(p) for p in point]
    h = [sum((Fraction(float(uij)) * xj for uij, xj in zip(row, x)), Fraction(0)) + Fraction(float(bi)) for row, bi in zip(u, b)]
    return [sum((Fraction(float(wij)) * hj * hj for wij, hj in zip(wrow, h)), Fraction(0)) + Fraction(float(ci))
            + sum((Fraction(float(vij)) * xj for vij, xj in zip(vrow, x)), Fraction(0)) for wrow, ci, vrow in zip(w, b2, v)]
