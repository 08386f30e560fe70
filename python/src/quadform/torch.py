"""PyTorch helper: compress the quadratic blocks of a ``torch.nn.Module`` (optional; needs torch
and onnx: ``pip install "./python[torch]"``).

:func:`compress_module` exports the module to ONNX with ``torch.onnx.export``, runs
``quadform compress`` on it, and returns an :class:`OnnxModule`: a ``torch.nn.Module`` that holds
the compressed model's weights as parameters and runs its graph node by node in torch.
"""
from __future__ import annotations

import os
import re
import tempfile
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

try:
    import torch
    from torch import nn
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError("quadform.torch needs PyTorch: pip install torch (or pip install \"./python[torch]\")") from error
try:
    import onnx
    from onnx import numpy_helper
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError("quadform.torch needs the onnx package: pip install onnx") from error

from ._compress import CompressionResult, compress

_DTYPES = {1: torch.float32, 6: torch.int32, 7: torch.int64, 9: torch.bool, 10: torch.float16, 11: torch.float64}


def _attributes(node: "onnx.NodeProto") -> Dict[str, Any]:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _gemm(x: torch.Tensor, w: torch.Tensor, c: Optional[torch.Tensor] = None, *, alpha: float = 1.0,
          beta: float = 1.0, transA: int = 0, transB: int = 0) -> torch.Tensor:
    a = x.transpose(0, 1) if transA else x
    b = w.transpose(0, 1) if transB else w
    y = a @ b
    if alpha != 1.0:
        y = alpha * y
    if c is not None:
        y = y + (beta * c if beta != 1.0 else c)
    return y


def _reshape(x: torch.Tensor, shape: torch.Tensor, allowzero: int = 0) -> torch.Tensor:
    target = [int(s) for s in shape.tolist()]
    if not allowzero:
        target = [x.shape[i] if s == 0 else s for i, s in enumerate(target)]
    return x.reshape(target)


def _flatten(x: torch.Tensor, axis: int = 1) -> torch.Tensor:
    axis = axis if axis >= 0 else x.dim() + axis
    return x.reshape(int(torch.tensor(x.shape[:axis]).prod()), -1)


def _axes(node_inputs: List[Any], attributes: Dict[str, Any]) -> Optional[List[int]]:
    if len(node_inputs) > 1 and node_inputs[1] is not None:
        return [int(a) for a in node_inputs[1].tolist()]
    axes = attributes.get("axes")
    return None if axes is None else [int(a) for a in axes]


def _unsqueeze(inputs: List[Any], attributes: Dict[str, Any]) -> torch.Tensor:
    x = inputs[0]
    axes = sorted(a if a >= 0 else a + x.dim() + len(_axes(inputs, attributes) or []) for a in _axes(inputs, attributes) or [])
    for a in axes:
        x = x.unsqueeze(a)
    return x


def _squeeze(inputs: List[Any], attributes: Dict[str, Any]) -> torch.Tensor:
    x = inputs[0]
    axes = _axes(inputs, attributes)
    if axes is None:
        return x.squeeze()
    for a in sorted((a if a >= 0 else a + x.dim() for a in axes), reverse=True):
        x = x.squeeze(a)
    return x


def _cast(x: torch.Tensor, to: int) -> torch.Tensor:
    if to not in _DTYPES:
        raise NotImplementedError(f"Cast to ONNX type {to} is not supported")
    return x.to(_DTYPES[to])


def _clip(inputs: List[Any], attributes: Dict[str, Any]) -> torch.Tensor:
    low = inputs[1] if len(inputs) > 1 and inputs[1] is not None else attributes.get("min")
    high = inputs[2] if len(inputs) > 2 and inputs[2] is not None else attributes.get("max")
    return torch.clamp(inputs[0], min=low, max=high)


def _reduce(function: Callable[..., torch.Tensor]) -> Callable[[List[Any], Dict[str, Any]], torch.Tensor]:
    def run(inputs: List[Any], attributes: Dict[str, Any]) -> torch.Tensor:
        axes = _axes(inputs, attributes)
        keep = bool(attributes.get("keepdims", 1))
        if not axes:
            if attributes.get("noop_with_empty_axes", 0):
                return inputs[0]
            axes = list(range(inputs[0].dim()))
        return function(inputs[0], dim=axes, keepdim=keep)
    return run


#: The ONNX operators an :class:`OnnxModule` runs: each takes the node's inputs (``None`` for an
#: omitted optional one) and its attributes.
OPERATORS: Dict[str, Callable[[List[Any], Dict[str, Any]], Any]] = {
    "Gemm": lambda i, a: _gemm(i[0], i[1], i[2] if len(i) > 2 else None, **a),
    "MatMul": lambda i, a: i[0] @ i[1],
    "Add": lambda i, a: i[0] + i[1],
    "Sub": lambda i, a: i[0] - i[1],
    "Mul": lambda i, a: i[0] * i[1],
    "Div": lambda i, a: i[0] / i[1],
    "Neg": lambda i, a: -i[0],
    "Pow": lambda i, a: torch.pow(i[0], i[1]),
    "Sqrt": lambda i, a: torch.sqrt(i[0]),
    "Exp": lambda i, a: torch.exp(i[0]),
    "Log": lambda i, a: torch.log(i[0]),
    "Abs": lambda i, a: torch.abs(i[0]),
    "Relu": lambda i, a: torch.relu(i[0]),
    "LeakyRelu": lambda i, a: torch.nn.functional.leaky_relu(i[0], a.get("alpha", 0.01)),
    "Sigmoid": lambda i, a: torch.sigmoid(i[0]),
    "Tanh": lambda i, a: torch.tanh(i[0]),
    "Softmax": lambda i, a: torch.softmax(i[0], dim=a.get("axis", -1)),
    "Clip": _clip,
    "Identity": lambda i, a: i[0],
    "Cast": lambda i, a: _cast(i[0], a["to"]),
    "Reshape": lambda i, a: _reshape(i[0], i[1], a.get("allowzero", 0)),
    "Flatten": lambda i, a: _flatten(i[0], a.get("axis", 1)),
    "Transpose": lambda i, a: i[0].permute(*(a["perm"] if "perm" in a else reversed(range(i[0].dim())))),
    "Unsqueeze": _unsqueeze,
    "Squeeze": _squeeze,
    "ReduceSum": _reduce(torch.sum),
    "ReduceMean": _reduce(torch.mean),
    "Concat": lambda i, a: torch.cat([t for t in i if t is not None], dim=a["axis"]),
}


class OnnxModule(nn.Module):
    """An ONNX model as a ``torch.nn.Module``: its floating-point initializers are parameters
    (named after the initializers, other characters than letters, digits and ``_`` replaced by
    ``_``), its integer initializers and Constant nodes buffers, and ``forward`` runs the graph's nodes in order with the
    operators of :data:`OPERATORS`. One graph output gives a tensor, several a tuple.

    ``compression`` is the :class:`~quadform.CompressionResult` when the module came from
    :func:`compress_module`.
    """

    def __init__(self, model: Union["onnx.ModelProto", str, "os.PathLike[str]"]) -> None:
        super().__init__()
        if not isinstance(model, onnx.ModelProto):
            model = onnx.load(os.fspath(model))
        graph = model.graph
        unsupported = sorted({n.op_type for n in graph.node if n.domain not in ("", "ai.onnx") or (n.op_type not in OPERATORS and n.op_type != "Constant")})
        if unsupported:
            raise NotImplementedError(f"OnnxModule does not run the ONNX operator(s) {', '.join(unsupported)} "
                                      f"(it runs: {', '.join(sorted(OPERATORS))})")
        self._names: Dict[str, str] = {}
        self.weights = nn.ParameterDict()
        taken = set()
        for initializer in graph.initializer:
            array = numpy_helper.to_array(initializer).copy()
            key = re.sub(r"[^0-9A-Za-z_]", "_", initializer.name) or "w"
            while key in taken:
                key += "_"
            taken.add(key)
            self._names[initializer.name] = key
            tensor = torch.from_numpy(array)
            if tensor.is_floating_point():
                self.weights[key] = nn.Parameter(tensor)
            else:
                self.register_buffer(f"const_{key}", tensor)
        initialized = {i.name for i in graph.initializer}
        self.input_names: Tuple[str, ...] = tuple(i.name for i in graph.input if i.name not in initialized)
        self.output_names: Tuple[str, ...] = tuple(o.name for o in graph.output)
        self._nodes: List[Tuple[str, List[str], List[str], Dict[str, Any]]] = []
        for node in graph.node:
            attributes = _attributes(node)
            if node.op_type == "Constant":
                value = attributes.get("value")
                if value is None:
                    raise NotImplementedError(f"Constant node {node.name or node.output[0]}: only the value attribute is supported")
                key = re.sub(r"[^0-9A-Za-z_]", "_", node.output[0]) or "c"
                while key in taken:
                    key += "_"
                taken.add(key)
                self._names[node.output[0]] = key
                self.register_buffer(f"const_{key}", torch.from_numpy(numpy_helper.to_array(value).copy()))
                continue
            self._nodes.append((node.op_type, list(node.input), list(node.output), attributes))

    def _tensor(self, name: str) -> torch.Tensor:
        key = self._names[name]
        if key in self.weights:
            return self.weights[key]
        return getattr(self, f"const_{key}")

    def forward(self, *inputs: torch.Tensor) -> Union[torch.Tensor, Tuple[torch.Tensor, ...]]:
        """Runs the graph on ``inputs`` (in the order of the graph's inputs)."""
        if len(inputs) != len(self.input_names):
            raise ValueError(f"the model takes {len(self.input_names)} input(s) {list(self.input_names)}, got {len(inputs)}")
        values: Dict[str, Any] = dict(zip(self.input_names, inputs))
        for op, names, outputs, attributes in self._nodes:
            arguments = [None if not name else values[name] if name in values else self._tensor(name) for name in names]
            result = OPERATORS[op](arguments, attributes)
            values[outputs[0]] = result
        results = tuple(values[name] if name in values else self._tensor(name) for name in self.output_names)
        return results[0] if len(results) == 1 else results


def export(model: nn.Module, example_input: Union[torch.Tensor, Tuple[torch.Tensor, ...]], path: str) -> None:
    """Writes ``model`` to ONNX at ``path`` with ``torch.onnx.export`` (inputs ``x`` or ``x0, x1, …``,
    the first axis dynamic). The TorchScript exporter is used where torch has it (it writes Gemm,
    MatMul, Mul, Add nodes as quadform reads them); otherwise the torch.export-based one."""
    inputs = example_input if isinstance(example_input, tuple) else (example_input,)
    names = ["x"] if len(inputs) == 1 else [f"x{i}" for i in range(len(inputs))]
    was_training = model.training
    model.eval()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                torch.onnx.export(model, inputs, path, input_names=names,
                                  dynamic_axes={name: {0: "batch"} for name in names}, dynamo=False)
            except TypeError:  # a torch without the dynamo argument: the TorchScript exporter is the only one
                torch.onnx.export(model, inputs, path, input_names=names,
                                  dynamic_axes={name: {0: "batch"} for name in names})
    finally:
        model.train(was_training)


def compress_module(model: nn.Module, example_input: Union[torch.Tensor, Tuple[torch.Tensor, ...]], *,
                    exact: bool = False, keep: Optional[str] = None) -> OnnxModule:
    """The module with every quadratic block compressed (``quadform compress``, docs/python.md).

    ``model`` is exported to ONNX with ``example_input`` (see :func:`export`), compressed, and the
    compressed model loaded back as an :class:`OnnxModule` (weights as parameters, in the dtype of
    the export; ``.compression`` holds the :class:`~quadform.CompressionResult`). ``exact`` checks
    each block exactly. ``keep`` names a folder to keep ``model.onnx`` and ``compressed.onnx`` in;
    by default they are written to a temporary folder and removed. Errors raise
    :class:`~quadform.QuadformError` with the CLI's message.
    """
    with tempfile.TemporaryDirectory(prefix="quadform-torch-") as scratch:
        folder = keep or scratch
        os.makedirs(folder, exist_ok=True)
        original = os.path.join(folder, "model.onnx")
        compressed = os.path.join(folder, "compressed.onnx")
        export(model, example_input, original)
        result: CompressionResult = compress(original, compressed, exact=exact)
        module = OnnxModule(onnx.load(compressed))
    module.compression = result  # type: ignore[assignment]
    return module


__all__ = ["OPERATORS", "OnnxModule", "compress_module", "export"]
