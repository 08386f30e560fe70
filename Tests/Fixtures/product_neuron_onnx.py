"""ONNX models of product-neuron networks, written node for node as torch.onnx.export writes them.

    class Fan(nn.Module):                     # Fan et al.'s quadratic neuron layer
        def forward(self, x):
            return self.r(x) * self.g(x) + self.b(x * x)        # (W_r x + b_r)∘(W_g x + b_g) + W_b(x∘x) + c

    fan        Fan(n, h) → Linear(h, outputs)
    two-block  Fan(n, h) → Linear(h, m) → ReLU → (W₁z)∘(W₂z) + W₃z (QuadraLib) → Linear(h2, outputs)
    pinet      a degree-2 Π-net block (CCP): x₁ = U₁x, x₂ = (U₂x)∘x₁ + x₁, y = C x₂ + β
    cubic      (W₁x)∘(W₁x)∘(W₂x) → Linear: degree 3, which extract and compress must refuse or skip

torch is not installed here (nor in CI), so the graphs are built with the onnx package's helper.
Every quadratic block has a planted rank: the rows of its linear maps lie in the span of `rank`
random directions, and W_b's rows in the null space of the output Linear, so each output's A has
rank ≤ `rank` (exactly, with `--integer`; up to float32 rounding otherwise). Weights are float32
unless `--float64`.

    python product_neuron_onnx.py OUT.onnx --style fan --inputs 8 --neurons 16 --rank 4 --seed 7
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Graph:
    def __init__(self, dtype):
        self.dtype = dtype
        self.nodes, self.init = [], []

    def tensor(self, name, array):
        self.init.append(numpy_helper.from_array(np.ascontiguousarray(array).astype(self.dtype), name))
        return name

    def node(self, op, inputs, output, **attributes):
        self.nodes.append(helper.make_node(op, inputs, [output], name=("/" + output.replace("_output_0", "")).replace("//", "/"), **attributes))
        return output

    def linear(self, x, name, w, b):
        """torch's Linear on 2-D input: Gemm(x, W, b, transB=1)."""
        inputs = [x, self.tensor(name + ".weight", w)]
        if b is not None:
            inputs.append(self.tensor(name + ".bias", b))
        return self.node("Gemm", inputs, name + "/Gemm_output_0", alpha=1.0, beta=1.0, transB=1)


def planted(rng, rows, n, rank, integer):
    """A rows × n matrix whose rows lie in the span of `rank` directions."""
    if integer:
        return rng.integers(-2, 3, size=(rows, rank)).astype(np.float64) @ rng.integers(-3, 4, size=(rank, n)).astype(np.float64)
    basis = rng.standard_normal((rank, n))
    return rng.standard_normal((rows, rank)) @ basis / np.sqrt(rank)


def values(rng, shape, integer, scale=1.0):
    if integer:
        return rng.integers(-2, 3, size=shape).astype(np.float64)
    return rng.standard_normal(shape) * scale


def fan(g, rng, x, prefix, n, h, outputs, rank, integer):
    """Fan(n, h) → Linear(h, outputs); the basis is shared by W_r and W_g so each output has rank ≤ rank."""
    basis = rng.integers(-3, 4, size=(rank, n)).astype(np.float64) if integer else rng.standard_normal((rank, n)) / np.sqrt(rank)
    mix = lambda: (rng.integers(-2, 3, size=(h, rank)).astype(np.float64) if integer else rng.standard_normal((h, rank)))
    wr, wg = mix() @ basis, mix() @ basis
    out_w = values(rng, (outputs, h), integer, 1 / np.sqrt(h))
    if integer:
        # Integer rows with out_w · W_b = 0: the last `outputs` rows solve for the rest (out_w's last block made the identity).
        out_w[:, h - outputs:] = np.eye(outputs)
        free = values(rng, (h - outputs, n), integer)
        wb = np.vstack([free, -out_w[:, :h - outputs] @ free])
    else:
        projector = np.eye(h) - np.linalg.pinv(out_w) @ out_w
        wb = projector @ rng.standard_normal((h, n)) * 0.5
    r = g.linear(x, prefix + ".r", wr, values(rng, h, integer, 0.5))
    gate = g.linear(x, prefix + ".g", wg, values(rng, h, integer, 0.5))
    product = g.node("Mul", [r, gate], prefix + "/Mul_output_0")
    square = g.node("Mul", [x, x], prefix + "/Mul_1_output_0")
    bilinear = g.linear(square, prefix + ".b", wb, values(rng, h, integer, 0.1))
    total = g.node("Add", [product, bilinear], prefix + "/Add_output_0")
    return g.linear(total, prefix + ".out", out_w, values(rng, outputs, integer, 0.1))


def quadralib(g, rng, z, prefix, m, h, outputs, rank, integer):
    """(W₁z)∘(W₂z) + W₃z → Linear(h, outputs), W₁ and W₂ of rank `rank` on a shared basis."""
    basis = rng.integers(-3, 4, size=(rank, m)).astype(np.float64) if integer else rng.standard_normal((rank, m)) / np.sqrt(rank)
    mix = lambda: (rng.integers(-2, 3, size=(h, rank)).astype(np.float64) if integer else rng.standard_normal((h, rank)))
    a = g.node("MatMul", [z, g.tensor(prefix + ".w1_t", (mix() @ basis).T)], prefix + "/MatMul_output_0")
    b = g.node("MatMul", [z, g.tensor(prefix + ".w2_t", (mix() @ basis).T)], prefix + "/MatMul_1_output_0")
    c = g.node("MatMul", [z, g.tensor(prefix + ".w3_t", values(rng, (h, m), integer, 0.3).T)], prefix + "/MatMul_2_output_0")
    product = g.node("Mul", [a, b], prefix + "/Mul_output_0")
    total = g.node("Add", [product, c], prefix + "/Add_output_0")
    return g.linear(total, prefix + ".out", values(rng, (outputs, h), integer, 1 / np.sqrt(h)), values(rng, outputs, integer, 0.1))


def build(style, n, h, outputs, rank, seed, integer, float64):
    rng = np.random.default_rng(seed)
    g = Graph(np.float64 if float64 else np.float32)
    if style == "fan":
        y = fan(g, rng, "x", "fan", n, h, outputs, rank, integer)
    elif style == "two-block":
        middle = 6
        first = fan(g, rng, "x", "block1", n, h, middle, rank, integer)
        relu = g.node("Relu", [first], "/relu/Relu_output_0")
        y = quadralib(g, rng, relu, "block2", middle, h, outputs, rank, integer)
    elif style == "pinet":
        basis = planted(rng, rank, n, rank, integer)
        u1, u2 = values(rng, (h, rank), integer) @ basis, values(rng, (h, rank), integer) @ basis
        x1 = g.node("MatMul", ["x", g.tensor("U1_t", u1.T)], "/U1/MatMul_output_0")
        x2a = g.node("MatMul", ["x", g.tensor("U2_t", u2.T)], "/U2/MatMul_output_0")
        product = g.node("Mul", [x2a, x1], "/Mul_output_0")
        x2 = g.node("Add", [product, x1], "/Add_output_0")
        y = g.linear(x2, "C", values(rng, (outputs, h), integer, 1 / np.sqrt(h)), values(rng, outputs, integer, 0.1))
    else:  # cubic
        w1, w2 = values(rng, (h, n), integer), values(rng, (h, n), integer)
        a = g.linear("x", "a", w1, None)
        b = g.linear("x", "b", w2, None)
        square = g.node("Mul", [a, a], "/Mul_output_0")
        cube = g.node("Mul", [square, b], "/Mul_1_output_0")
        y = g.linear(cube, "out", values(rng, (outputs, h), integer), None)
    g.nodes.append(helper.make_node("Identity", [y], ["output"], name="/Identity"))
    element = TensorProto.DOUBLE if float64 else TensorProto.FLOAT
    graph = helper.make_graph(g.nodes, "main_graph",
                              [helper.make_tensor_value_info("x", element, ["batch_size", n])],
                              [helper.make_tensor_value_info("output", element, ["batch_size", outputs])],
                              g.init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="pytorch", producer_version="2.5.0")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("output")
    p.add_argument("--style", choices=["fan", "two-block", "pinet", "cubic"], default="fan")
    p.add_argument("--inputs", type=int, default=8)
    p.add_argument("--neurons", type=int, default=16)
    p.add_argument("--outputs", type=int, default=1)
    p.add_argument("--rank", type=int, default=4)
    p.add_argument("--integer", action="store_true")
    p.add_argument("--float64", action="store_true")
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    onnx.save(build(a.style, a.inputs, a.neurons, a.outputs, a.rank, a.seed, a.integer, a.float64), a.output)


if __name__ == "__main__":
    main()
