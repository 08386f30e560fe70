#!/usr/bin/env python3
"""Compress a trained product-neuron network with quadform.torch.compress_module (docs/python.md).

The model is Fan et al.'s quadratic neuron layer, (W_r x + b_r) ∘ (W_g x + b_g) + W_b (x ∘ x), with
32 neurons, a Linear to 4 outputs, a ReLU, a second product layer of 16 neurons and a Linear to one
output: two quadratic blocks (input → the 4 outputs, ReLU's output → the output) separated by the
ReLU. It is trained for a few hundred Adam steps on a target that is quadratic in a 3-dimensional
projection of the input, then compressed; the compressed module is compared with the trained one
on random inputs.

Needs torch, onnx, numpy and the quadform package (pip install "./python[torch]") and the
quadform binary (QUADFORM_BIN or PATH):

    QUADFORM_BIN=.build/debug/quadform python examples/torch_compress.py
"""
import torch
from torch import nn

from quadform.torch import compress_module


class ProductLayer(nn.Module):
    """Fan et al.'s quadratic neurons: (W_r x + b_r) ∘ (W_g x + b_g) + W_b (x ∘ x)."""

    def __init__(self, inputs: int, neurons: int) -> None:
        super().__init__()
        self.r = nn.Linear(inputs, neurons)
        self.g = nn.Linear(inputs, neurons)
        self.b = nn.Linear(inputs, neurons, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.r(x) * self.g(x) + self.b(x * x)


def main() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(ProductLayer(8, 32), nn.Linear(32, 4), nn.ReLU(), ProductLayer(4, 16), nn.Linear(16, 1))
    projection = torch.randn(8, 3)
    x = torch.randn(512, 8)
    target = ((x @ projection) ** 2).sum(dim=1, keepdim=True) - (x @ projection)[:, :1]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(300):
        optimizer.zero_grad()
        loss = torch.mean((model(x) - target) ** 2)
        loss.backward()
        optimizer.step()
    print(f"trained: 300 Adam steps, mean squared error {loss.item():.3g} (the target's variance {target.var().item():.3g})")

    small = compress_module(model, x[:1])
    report = small.compression
    parameters = sum(p.numel() for p in model.parameters())
    print(f"parameters: {parameters} in torch, {report.parameters_before} → {report.parameters_after} in the ONNX graph")
    for block in report.blocks:
        print(f"block {block.input_tensor} → {block.output_tensor}: width {block.width_before} → {block.width_after}"
              f" ({block.construction}; lower bound {block.lower_bound}, minimal {block.minimal}), parameters {block.parameters_before}"
              f" → {block.parameters_after}, {block.verdict}")
    print(f"verdict: {report.verdict}")

    test = torch.randn(1000, 8)
    with torch.no_grad():
        before, after = model(test), small(test)
    difference = (before - after).abs().max().item() / before.abs().max().item()
    print(f"max |trained − compressed| / max |trained| on 1000 random inputs: {difference:.2g}"
          f" (float32: {'within' if difference < 1e-4 else 'NOT within'} 1e-4)")


if __name__ == "__main__":
    main()
