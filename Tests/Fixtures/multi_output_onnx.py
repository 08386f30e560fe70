"""ONNX models of a quadratic layer with several outputs, written the way torch.onnx.export writes

    class Net(nn.Module):                    # what the fixture stands for
        def __init__(self, n, m, outputs):
            super().__init__()
            self.fc1 = nn.Linear(n, m)
            self.fc2 = nn.Linear(m, outputs)
            self.skip = nn.Linear(n, outputs)
        def forward(self, x):
            h = self.fc1(x)
            return self.fc2(h * h) + self.skip(x)

torch is not installed here, so the graph is built with the onnx package's helper, node for node as
the exporter writes it (Gemm with transB=1 → Mul(h, h) → Gemm, Gemm skip, Add), like
torch_style_onnx.py. The first layer's rows are combinations of `rank` random directions, so every
output's quadratic part has its range in one `rank`-dimensional subspace: dim Σ range(A_i) = rank,
each A_i of rank `rank`, and dim span{A_i} = min(outputs, rank(rank+1)/2) for generic weights.
Weights are float64 (DOUBLE) unless --float32; --integer makes them small integers and quarters.

    python multi_output_onnx.py OUT.onnx --inputs 10 --neurons 20 --outputs 3 --rank 4 --seed 7
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def weights(n, m, outputs, rank, seed, integer):
    rng = np.random.default_rng(seed)
    if integer:
        basis = rng.integers(-3, 4, size=(rank, n)).astype(np.float64)
        w1 = rng.integers(-2, 3, size=(m, rank)).astype(np.float64) @ basis
        b1 = rng.integers(-2, 3, size=m).astype(np.float64)
        w2 = rng.integers(-2, 3, size=(outputs, m)).astype(np.float64) / 4
        b2 = rng.integers(-2, 3, size=outputs).astype(np.float64) / 2
        ws = rng.integers(-2, 3, size=(outputs, n)).astype(np.float64) / 2
        bs = rng.integers(-2, 3, size=outputs).astype(np.float64) / 4
    else:
        basis = rng.standard_normal((rank, n))
        w1 = rng.standard_normal((m, rank)) @ basis / np.sqrt(rank)
        b1 = rng.standard_normal(m) * 0.5
        w2 = rng.standard_normal((outputs, m)) / np.sqrt(m)
        b2 = rng.standard_normal(outputs) * 0.1
        ws = rng.standard_normal((outputs, n)) * 0.3
        bs = rng.standard_normal(outputs) * 0.1
    return w1, b1, w2, b2, ws, bs


def build(n, m, outputs, rank, seed, integer, float32):
    dtype = np.float32 if float32 else np.float64
    element = TensorProto.FLOAT if float32 else TensorProto.DOUBLE
    w1, b1, w2, b2, ws, bs = (a.astype(dtype) for a in weights(n, m, outputs, rank, seed, integer))
    init = [numpy_helper.from_array(w1, "fc1.weight"), numpy_helper.from_array(b1, "fc1.bias"),
            numpy_helper.from_array(w2, "fc2.weight"), numpy_helper.from_array(b2, "fc2.bias"),
            numpy_helper.from_array(ws, "skip.weight"), numpy_helper.from_array(bs, "skip.bias")]
    nodes = [
        helper.make_node("Gemm", ["x", "fc1.weight", "fc1.bias"], ["/fc1/Gemm_output_0"], name="/fc1/Gemm", alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Mul", ["/fc1/Gemm_output_0", "/fc1/Gemm_output_0"], ["/Mul_output_0"], name="/Mul"),
        helper.make_node("Gemm", ["/Mul_output_0", "fc2.weight", "fc2.bias"], ["/fc2/Gemm_output_0"], name="/fc2/Gemm", alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Gemm", ["x", "skip.weight", "skip.bias"], ["/skip/Gemm_output_0"], name="/skip/Gemm", alpha=1.0, beta=1.0, transB=1),
        helper.make_node("Add", ["/fc2/Gemm_output_0", "/skip/Gemm_output_0"], ["output"], name="/Add"),
    ]
    graph = helper.make_graph(
        nodes, "main_graph",
        [helper.make_tensor_value_info("x", element, ["batch_size", n])],
        [helper.make_tensor_value_info("output", element, ["batch_size", outputs])],
        init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="pytorch", producer_version="2.5.0")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("output")
    p.add_argument("--inputs", type=int, default=10)
    p.add_argument("--neurons", type=int, default=20)
    p.add_argument("--outputs", type=int, default=3)
    p.add_argument("--rank", type=int, default=4)
    p.add_argument("--integer", action="store_true")
    p.add_argument("--float32", action="store_true")
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    onnx.save(build(a.inputs, a.neurons, a.outputs, a.rank, a.seed, a.integer, a.float32), a.output)


if __name__ == "__main__":
    main()
