"""``quadform.extract``: the quadratic a trained network computes, and its minimal networks."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Mapping, Optional, Tuple

from . import _binary
from ._errors import VerificationFailed, message_of
from ._files import ModelLike, model_path
from ._report import verdict
from ._form import Form
from ._network import Network
from ._synth import SynthResult


@dataclass(frozen=True)
class SharedLayer:
    """The one hidden layer shared by all m outputs of a network (design.md §9).

    ``network`` computes every output (widths (n, ``width``, m), square neurons, a linear skip
    where the outputs need one). ``lower_bound`` = max(dim Σ range(A_i), dim span{A_i}) bounds the
    width of any shared square layer from below; ``minimal`` is true only where ``width`` meets it
    (the minimal shared width is a symmetric tensor-rank question in general). ``construction``
    names the construction that gave ``width``; ``verdict`` is its check; ``details`` holds every
    key of the report's ``shared_layer``.
    """

    width: int
    lower_bound: int
    minimal: bool
    range_dimension: Optional[int]
    span_dimension: Optional[int]
    construction: str
    verdict: str
    network: Optional[Network]
    details: Mapping[str, Any]

    @classmethod
    def from_report(cls, value: Mapping[str, Any]) -> "SharedLayer":
        """The ``shared_layer`` member of an m-output extract report."""
        network = value.get("network")
        return cls(
            width=int(value["width"]),
            lower_bound=int(value["lower_bound"]),
            minimal=bool(value.get("minimal")),
            range_dimension=None if value.get("range_dimension") is None else int(value["range_dimension"]),
            span_dimension=None if value.get("span_dimension") is None else int(value["span_dimension"]),
            construction=str(value.get("construction", "")),
            verdict=str(value.get("status") or ("passed" if value.get("passed") else "failed")).lower(),
            network=Network.from_json(network) if isinstance(network, Mapping) else None,
            details=value,
        )


@dataclass(frozen=True)
class ExtractResult:
    """What ``quadform extract --format json`` reports.

    ``outputs`` holds, per output of the network, the :class:`SynthResult` of its quadratic: its
    form (``outputs[i].form``), rank, minimal counts, residual and plain networks and their checks.
    ``shared`` is the :class:`SharedLayer` of a network with several outputs (``None`` for one).
    ``original`` describes the network read (``neurons``, ``widths``, ``precision``, …, and its own
    check against f); ``verdict`` is the whole run's (``passed`` only when every network passed
    and the original agrees with them). ``report`` is the whole JSON report.
    """

    outputs: Tuple[SynthResult, ...]
    shared: Optional[SharedLayer]
    original: Mapping[str, Any]
    verdict: str
    report: Mapping[str, Any]

    @property
    def passed(self) -> bool:
        """Whether every check passed."""
        return self.verdict == "passed"

    @property
    def forms(self) -> Tuple[Form, ...]:
        """Each output's quadratic f_i(x) = c_i + a_iᵀx + xᵀA_ix."""
        return tuple(output.form for output in self.outputs)

    @property
    def ranks(self) -> Tuple[int, ...]:
        """Each output's rank k_i."""
        return tuple(output.rank for output in self.outputs)

    @property
    def original_neurons(self) -> int:
        """Hidden neurons of the network that was read."""
        return int(self.original.get("neurons", 0))

    def _single(self) -> SynthResult:
        if len(self.outputs) != 1:
            raise ValueError(f"the network has {len(self.outputs)} outputs; use outputs[i]")
        return self.outputs[0]

    @property
    def form(self) -> Form:
        """The quadratic of a one-output network."""
        return self._single().form

    @property
    def rank(self) -> int:
        """The rank k of a one-output network's quadratic."""
        return self._single().rank

    @property
    def residual(self) -> Network:
        """The minimal residual network of a one-output network (k neurons + linear skip)."""
        return self._single().residual

    @property
    def plain(self) -> Network:
        """The minimal plain network of a one-output network (k or k + 2 neurons)."""
        return self._single().plain

    @classmethod
    def from_report(cls, report: Mapping[str, Any]) -> "ExtractResult":
        """The result of an ``extract`` JSON report: one output's synth report with ``original``,
        or, for several outputs, ``outputs[i].synthesis`` and ``shared_layer``."""
        parts: List[Mapping[str, Any]]
        shared: Optional[SharedLayer] = None
        if isinstance(report.get("outputs"), list):
            parts = [part.get("synthesis", part) for part in report["outputs"]]
            if isinstance(report.get("shared_layer"), Mapping):
                shared = SharedLayer.from_report(report["shared_layer"])
        else:
            parts = [report]
        return cls(tuple(SynthResult.from_report(part) for part in parts), shared, report.get("original") or {},
                   verdict(report), report)


def extract(model: ModelLike, exact: bool = False, *, rank_tolerance: Optional[float] = None,
            accuracy: Optional[float] = None, box: Optional[float] = None,
            samples: Optional[int] = None, network: Optional[str] = None,
            suffix: str = ".onnx", check: bool = True) -> ExtractResult:
    """Reads a trained network and returns the quadratic it computes and its minimal networks
    (``quadform extract``; docs/interop.md).

    ``model`` is a path (``.onnx``, ``.safetensors``, ``.npz``, ``.json``), model bytes (written to
    a temporary file ending in ``suffix``), or an ``onnx.ModelProto``. ``exact`` takes the stored
    weights as exact rationals (design.md §4). ``network`` picks a member of a report or
    ``--save-networks`` file. Errors raise :class:`QuadformError` with the CLI's message (exit 2);
    a failed check raises :class:`VerificationFailed` carrying the result unless ``check`` is false.
    """
    arguments = ["extract", "--format", "json", "--quiet"]
    if exact:
        arguments.append("--exact")
    for name, value in (("--rank-tolerance", rank_tolerance), ("--accuracy", accuracy), ("--box", box),
                        ("--samples", samples), ("--network", network)):
        if value is not None:
            arguments += [name, repr(value) if isinstance(value, float) else str(value)]
    with model_path(model, suffix) as path:
        done = _binary.run(arguments + ["--", path], allow=(0, 1))
    result = ExtractResult.from_report(done.json())
    if done.returncode == 1 and check:
        raise VerificationFailed(message_of(done.stderr, 1), 1, done.command, done.stderr, result)
    return result
