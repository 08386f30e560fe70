"""ONNX models written the way torch.onnx.export writes a one-hidden-layer square network.

    class Net(nn.Module):                    # what the fixtures stand for
        def __init__(self, n, m, skip):
            super().__init__()
            self.fc1 = nn.Linear(n, m)
            self.fc2 = nn.Linear(m, 1)
            self.skip = nn.Linear(n, 1) if skip else None
        def forward(self, x):
            h = self.fc1(x)
            y = self.fc2(h * h)              # or h ** 2 (Pow)
            return y + self.skip(x) if self.skip else y

torch is not installed here (nor in CI), so the graphs are built with the onnx package's helper,
node for node as the exporter writes them: `gemm` style is Gemm(transB=1) → Mul(h, h) → Gemm
(torch's default for Linear on 2-D input), `matmul` style is MatMul with the transposed weight
(an initializer named `onnx::MatMul_N`) → Add(bias) → Pow(h, Constant 2.0) → MatMul → Add.
Weights are float32, the batch dimension is dynamic, initializers are named like parameters.

The first layer's rows are combinations of `rank` random directions, so f has rank `rank`:
exactly, with `--integer` (small integer weights, exact in float32), or up to float32 rounding
of the weights otherwise (which the float32 rank tolerance of `quadform extract` absorbs).

    python torch_style_onnx.py OUT.onnx --inputs 8 --neurons 32 --rank 3 --style gemm --skip --seed 7
"""
import argparse

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def weights(n, m, rank, seed, integer):
    rng = np.random.default_rng(seed)
    if integer:
        basis = rng.integers(-3, 4, size=(rank, n)).astype(np.float64)
        mix = rng.integers(-2, 3, size=(m, rank)).astype(np.float64)
        w1 = mix @ basis
        b1 = rng.integers(-2, 3, size=m).astype(np.float64)
        w2 = rng.integers(-2, 3, size=(1, m)).astype(np.float64) / 4
        b2 = np.array([1.5])
        ws = rng.integers(-2, 3, size=(1, n)).astype(np.float64) / 2
        bs = np.array([0.25])
    else:
        basis = rng.standard_normal((rank, n))
        mix = rng.standard_normal((m, rank))
        w1 = mix @ basis / np.sqrt(rank)
        b1 = rng.standard_normal(m) * 0.5
        w2 = rng.standard_normal((1, m)) / np.sqrt(m)
        b2 = rng.standard_normal(1) * 0.1
        ws = rng.standard_normal((1, n)) * 0.3
        bs = rng.standard_normal(1) * 0.1
    f32 = lambda a: a.astype(np.float32)
    return f32(w1), f32(b1), f32(w2), f32(b2), f32(ws), f32(bs)


def build(n, m, rank, style, skip, seed, integer, pow_exponent=2.0):
    w1, b1, w2, b2, ws, bs = weights(n, m, rank, seed, integer)
    init = []
    nodes = []
    if style == "gemm":
        init += [numpy_helper.from_array(w1, "fc1.weight"), numpy_helper.from_array(b1, "fc1.bias"),
                 numpy_helper.from_array(w2, "fc2.weight"), numpy_helper.from_array(b2, "fc2.bias")]
        nodes.append(helper.make_node("Gemm", ["x", "fc1.weight", "fc1.bias"], ["/fc1/Gemm_output_0"], name="/fc1/Gemm", alpha=1.0, beta=1.0, transB=1))
        nodes.append(helper.make_node("Mul", ["/fc1/Gemm_output_0", "/fc1/Gemm_output_0"], ["/Mul_output_0"], name="/Mul"))
        out = "output" if not skip else "/fc2/Gemm_output_0"
        nodes.append(helper.make_node("Gemm", ["/Mul_output_0", "fc2.weight", "fc2.bias"], [out], name="/fc2/Gemm", alpha=1.0, beta=1.0, transB=1))
        if skip:
            init += [numpy_helper.from_array(ws, "skip.weight"), numpy_helper.from_array(bs, "skip.bias")]
            nodes.append(helper.make_node("Gemm", ["x", "skip.weight", "skip.bias"], ["/skip/Gemm_output_0"], name="/skip/Gemm", alpha=1.0, beta=1.0, transB=1))
            nodes.append(helper.make_node("Add", ["/fc2/Gemm_output_0", "/skip/Gemm_output_0"], ["output"], name="/Add"))
    else:
        init += [numpy_helper.from_array(np.ascontiguousarray(w1.T), "onnx::MatMul_12"), numpy_helper.from_array(b1, "fc1.bias"),
                 numpy_helper.from_array(np.ascontiguousarray(w2.T), "onnx::MatMul_13"), numpy_helper.from_array(b2, "fc2.bias")]
        nodes.append(helper.make_node("MatMul", ["x", "onnx::MatMul_12"], ["/fc1/MatMul_output_0"], name="/fc1/MatMul"))
        nodes.append(helper.make_node("Add", ["fc1.bias", "/fc1/MatMul_output_0"], ["/fc1/Add_output_0"], name="/fc1/Add"))
        nodes.append(helper.make_node("Constant", [], ["/Constant_output_0"], name="/Constant",
                                      value=numpy_helper.from_array(np.array(pow_exponent, dtype=np.float32))))
        nodes.append(helper.make_node("Pow", ["/fc1/Add_output_0", "/Constant_output_0"], ["/Pow_output_0"], name="/Pow"))
        nodes.append(helper.make_node("MatMul", ["/Pow_output_0", "onnx::MatMul_13"], ["/fc2/MatMul_output_0"], name="/fc2/MatMul"))
        out = "output" if not skip else "/fc2/Add_output_0"
        nodes.append(helper.make_node("Add", ["fc2.bias", "/fc2/MatMul_output_0"], [out], name="/fc2/Add"))
        if skip:
            init += [numpy_helper.from_array(np.ascontiguousarray(ws.T), "onnx::MatMul_14"), numpy_helper.from_array(bs, "skip.bias")]
            nodes.append(helper.make_node("MatMul", ["x", "onnx::MatMul_14"], ["/skip/MatMul_output_0"], name="/skip/MatMul"))
            nodes.append(helper.make_node("Add", ["skip.bias", "/skip/MatMul_output_0"], ["/skip/Add_output_0"], name="/skip/Add"))
            nodes.append(helper.make_node("Add", ["/fc2/Add_output_0", "/skip/Add_output_0"], ["output"], name="/Add"))
    graph = helper.make_graph(
        nodes, "main_graph",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch_size", n])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch_size", 1])],
        init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="pytorch", producer_version="2.5.0")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("output")
    p.add_argument("--inputs", type=int, default=8)
    p.add_argument("--neurons", type=int, default=32)
    p.add_argument("--rank", type=int, default=3)
    p.add_argument("--style", choices=["gemm", "matmul"], default="gemm")
    p.add_argument("--skip", action="store_true")
    p.add_argument("--integer", action="store_true")
    p.add_argument("--pow-exponent", type=float, default=2.0)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    onnx.save(build(a.inputs, a.neurons, a.rank, a.style, a.skip, a.seed, a.integer, a.pow_exponent), a.output)


if __name__ == "__main__":
    main()
