"""``quadform.compress``: every quadratic block of an ONNX model replaced by its compressed equivalent."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, List, Mapping, Optional, Tuple

from . import _binary
from ._errors import VerificationFailed, message_of
from ._files import ModelLike, model_path


def _optional_float(value: Any) -> Optional[float]:
    return None if value is None else float(value)


def _optional_int(value: Any) -> Optional[int]:
    return None if value is None else int(value)


@dataclass(frozen=True)
class CompressedBlock:
    """One maximal quadratic block: the subgraph from ``input_tensor`` to ``output_tensor`` that is
    of degree ≤ 2 in its input, replaced by square neurons and a linear skip.

    ``inputs`` and ``outputs`` are the block's n and m; ``width_before``/``width_after`` its hidden
    width and ``parameters_before``/``parameters_after`` its weights and biases, before and after.
    ``lower_bound`` is the proved lower bound on the width of any equivalent shared square layer
    (design.md §9), ``minimal`` whether the width after meets it; ``ranks`` are the outputs' ranks
    and ``construction`` the shared-layer construction used. ``verdict`` is the block's check (forms
    equal within the accuracy contract, or exactly with ``exact``), ``max_error`` the largest
    difference measured and ``scale`` the scale it is relative to (design.md §5); ``exact_equal``
    (exact mode) whether the written weights equal every output's exact form.
    """

    input_tensor: str
    output_tensor: str
    inputs: Optional[int]
    outputs: Optional[int]
    width_before: Optional[int]
    width_after: Optional[int]
    parameters_before: Optional[int]
    parameters_after: Optional[int]
    lower_bound: Optional[int]
    minimal: Optional[bool]
    verdict: str
    max_error: Optional[float]
    scale: Optional[float]
    ranks: Tuple[int, ...] = ()
    construction: str = ""
    nodes_replaced: Optional[int] = None
    exact_equal: Optional[bool] = None

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> "CompressedBlock":
        """A block of the compress JSON report."""
        return cls(
            input_tensor=str(value.get("input_tensor", "")),
            output_tensor=str(value.get("output_tensor", "")),
            inputs=_optional_int(value.get("inputs")),
            outputs=_optional_int(value.get("outputs")),
            width_before=_optional_int(value.get("width_before")),
            width_after=_optional_int(value.get("width_after")),
            parameters_before=_optional_int(value.get("parameters_before")),
            parameters_after=_optional_int(value.get("parameters_after")),
            lower_bound=_optional_int(value.get("lower_bound")),
            minimal=None if value.get("minimal") is None else bool(value.get("minimal")),
            verdict=str(value.get("verdict", "")).lower(),
            max_error=_optional_float(value.get("max_error")),
            scale=_optional_float(value.get("scale")),
            ranks=tuple(int(r) for r in value.get("ranks") or ()),
            construction=str(value.get("construction", "")),
            nodes_replaced=_optional_int(value.get("nodes_replaced")),
            exact_equal=None if value.get("exact_equal") is None else bool(value.get("exact_equal")),
        )


@dataclass(frozen=True)
class SkippedBlock:
    """A quadratic block left as it was, and why."""

    input_tensor: str
    output_tensor: str
    reason: str


@dataclass(frozen=True)
class CompressionResult:
    """What ``quadform compress IN.onnx OUT.onnx --format json`` reports: the two files, the
    model's parameters before and after, each compressed block, the blocks ``skipped`` (left as
    they were, with the reason), ``model_check`` (the original and compressed models compared at
    random points: ``points``, ``max_error``, ``scale``, ``accuracy``, ``verdict``), the models'
    ``precision``, and the verdict of every check. ``report`` is the whole JSON."""

    input: str
    output: str
    parameters_before: int
    parameters_after: int
    blocks: Tuple[CompressedBlock, ...]
    verdict: str
    report: Mapping[str, Any]
    precision: str = ""
    skipped: Tuple[SkippedBlock, ...] = ()
    model_check: Mapping[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Whether the compressed model passed its checks."""
        return self.verdict == "passed"

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> "CompressionResult":
        """The result of a compress JSON report."""
        blocks: List[Mapping[str, Any]] = list(value.get("blocks") or [])
        return cls(
            input=str(value.get("input", "")),
            output=str(value.get("output", "")),
            parameters_before=int(value.get("parameters_before", 0)),
            parameters_after=int(value.get("parameters_after", 0)),
            blocks=tuple(CompressedBlock.from_json(block) for block in blocks),
            verdict=str(value.get("verdict", "")).lower(),
            report=value,
            precision=str(value.get("precision", "")),
            skipped=tuple(SkippedBlock(str(b.get("input_tensor", "")), str(b.get("output_tensor", "")), str(b.get("reason", "")))
                          for b in value.get("skipped") or ()),
            model_check=dict(value.get("model_check") or {}),
        )


def compress(model: ModelLike, out_path: "str | os.PathLike[str]", exact: bool = False, *,
             float64: bool = False, rank_tolerance: Optional[float] = None, accuracy: Optional[float] = None,
             box: Optional[float] = None, samples: Optional[int] = None, check: bool = True) -> CompressionResult:
    """Compresses every quadratic block of an ONNX model (``quadform compress``) and writes the
    compressed model to ``out_path``.

    ``model`` is a path (``.onnx``), model bytes or an ``onnx.ModelProto``; ``out_path`` must end
    in ``.onnx``. ``exact`` synthesizes each block in rationals and checks it exactly; ``float64``
    writes a float32 model as float64 (float32 stays float32 otherwise); ``rank_tolerance``,
    ``accuracy``, ``box`` and ``samples`` are the CLI's options. Returns a :class:`CompressionResult`. Errors raise :class:`QuadformError` with the
    CLI's message (exit 2); a failed check raises :class:`VerificationFailed` carrying the result
    unless ``check`` is false.
    """
    arguments = ["compress", "--format", "json", "--quiet"]
    if exact:
        arguments.append("--exact")
    if float64:
        arguments.append("--float64")
    for name, value in (("--rank-tolerance", rank_tolerance), ("--accuracy", accuracy), ("--box", box),
                        ("--samples", samples)):
        if value is not None:
            arguments += [name, repr(value) if isinstance(value, float) else str(value)]
    with model_path(model) as path:
        done = _binary.run(arguments + ["--", path, os.fspath(out_path)], allow=(0, 1))
    result = CompressionResult.from_json(done.json())
    if done.returncode == 1 and check:
        raise VerificationFailed(message_of(done.stderr, 1), 1, done.command, done.stderr, result)
    return result
