"""quadform.torch, where torch is installed (it is not part of CI: docs/python.md)."""
from __future__ import annotations

import pathlib
import subprocess

import pytest

torch = pytest.importorskip("torch", reason="torch is not installed (quadform.torch is optional)")
onnx = pytest.importorskip("onnx")

from quadform.torch import OnnxModule, export  # noqa: E402


class Product(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.r, self.g, self.out = torch.nn.Linear(6, 8), torch.nn.Linear(6, 8), torch.nn.Linear(8, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.relu(self.r(x) * self.g(x)) + x.sum(dim=1, keepdim=True) ** 2)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_an_exported_module_runs_the_same_in_onnx_module(tmp_path: pathlib.Path, dtype: torch.dtype) -> None:
    torch.manual_seed(0)
    model = Product().to(dtype)
    export(model, torch.randn(2, 6, dtype=dtype), str(tmp_path / "m.onnx"))
    loaded = OnnxModule(str(tmp_path / "m.onnx"))
    x = torch.randn(50, 6, dtype=dtype)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), model(x), rtol=0, atol=16 * torch.finfo(dtype).eps * model(x).abs().max().item())
    assert all(p.dtype == dtype for p in loaded.parameters())
    assert sum(p.numel() for p in loaded.parameters()) == sum(p.numel() for p in model.parameters())


def test_unsupported_operators_are_named(tmp_path: pathlib.Path) -> None:
    from onnx import TensorProto, helper
    graph = helper.make_graph([helper.make_node("Erf", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    with pytest.raises(NotImplementedError, match="Erf"):
        OnnxModule(helper.make_model(graph))


def test_compress_module(binary: str) -> None:
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    if "compress" not in help_text:
        pytest.skip("this quadform has no compress subcommand")
    from quadform.torch import compress_module

    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(6, 12), _Square(), torch.nn.Linear(12, 2), torch.nn.ReLU(),
                                torch.nn.Linear(2, 9), _Square(), torch.nn.Linear(9, 1)).double()
    small = compress_module(model, torch.randn(1, 6, dtype=torch.float64))
    report = small.compression
    # The first block (12 neurons in general position, 2 outputs of rank 6) cannot shrink and is
    # kept; the second (9 neurons on 2 inputs) becomes at most 2 + 2 square neurons.
    assert report.passed and len(report.blocks) + len(report.skipped) == 2 and report.blocks
    assert report.parameters_after < report.parameters_before
    x = torch.randn(200, 6, dtype=torch.float64)
    with torch.no_grad():
        before, after = model(x), small(x)
    assert (before - after).abs().max().item() <= 1e-9 * before.abs().max().item()


class _Square(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * x
