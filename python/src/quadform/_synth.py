"""``quadform.synth``: the minimal residual and plain networks of a quadratic form (design.md §2–§5)."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _binary
from ._errors import VerificationFailed, message_of
from ._report import NetworkCheck, network_member, verdict
from ._form import Form
from ._network import Network


@dataclass(frozen=True)
class SynthResult:
    """What ``quadform synth --format json`` reports, with the networks as :class:`Network`.

    ``rank`` is k; ``residual_neurons`` = k (theorem T1) and ``plain_neurons`` = k or k + 2
    (T2: k + 2 when the linear term leaves range(A), ``linear_in_range`` false). ``verdict`` is the
    verification's (``passed``, ``ill_conditioned``, ``approximate``, ``failed``), ``checks`` each
    network's. ``eigenvalues`` are A's (ascending; ``None`` in exact mode, where ``rank`` is exact).
    ``plain_approximate`` is the k + 1 plain network that only approximates f (``None`` when
    a ∈ range(A) or in exact mode). ``report`` is the whole JSON report.
    """

    form: Form
    exact: bool
    rank: int
    residual_neurons: int
    plain_neurons: int
    linear_in_range: bool
    residual: Network
    plain: Network
    plain_approximate: Optional[Network]
    eigenvalues: Optional[np.ndarray]
    verdict: str
    checks: Mapping[str, NetworkCheck]
    report: Mapping[str, Any]

    @property
    def passed(self) -> bool:
        """Whether every network passed verification."""
        return self.verdict == "passed"

    @classmethod
    def from_report(cls, report: Mapping[str, Any]) -> "SynthResult":
        """The result of a ``synth`` (or ``extract``) JSON report."""
        verification = report.get("verification") or {}
        residual = network_member(report, "residual")
        plain = network_member(report, "plain")
        if residual is None or plain is None:
            raise ValueError("the report has no residual or plain network")
        eigenvalues = report.get("eigenvalues")
        return cls(
            form=Form.from_json(report["form"]),
            exact=bool(report.get("exact", False)),
            rank=int(report["rank"]),
            residual_neurons=int(report["residual"]["neurons"]),
            plain_neurons=int(report["plain"]["neurons"]),
            linear_in_range=bool(report.get("linear_in_range")),
            residual=residual,
            plain=plain,
            plain_approximate=network_member(report, "plain_approximate"),
            eigenvalues=None if eigenvalues is None else np.array(eigenvalues, dtype=np.float64),
            verdict=verdict({"verification": verification}),
            checks={name: NetworkCheck.from_report(verification, name) for name in ("residual", "plain")},
            report=report,
        )


FormLike = Union[str, Form, Mapping[str, Any], Any]


def _entry(value: Any, exact: bool, where: str) -> Any:
    """One number of the form JSON: exact mode writes the exact rational of each value."""
    if isinstance(value, (np.generic,)):
        value = value.item()
    if isinstance(value, bool):
        raise ValueError(f"{where}: expected a number, found a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, (Fraction, str)):
        q = Fraction(value)
        if not exact:
            return float(q)
        return q.numerator if q.denominator == 1 else f"{q.numerator}/{q.denominator}"
    number = float(value)
    if not np.isfinite(number):
        raise ValueError(f"{where}: {number} is not finite")
    if not exact:
        return number
    q = Fraction(number)
    return q.numerator if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _form_json(quadratic: Any, linear: Any, constant: Any, variables: Optional[Sequence[str]],
               exact: bool) -> Dict[str, Any]:
    rows = np.asarray(quadratic, dtype=object)
    if rows.ndim != 2 or rows.shape[0] != rows.shape[1]:
        raise ValueError(f"quadratic must be an n × n matrix, found shape {rows.shape}")
    n = rows.shape[0]
    result: Dict[str, Any] = {
        "quadratic": [[_entry(rows[i, j], exact, f"quadratic[{i}][{j}]") for j in range(n)] for i in range(n)],
    }
    if linear is not None:
        a = np.asarray(linear, dtype=object).reshape(-1)
        if a.shape != (n,):
            raise ValueError(f"linear has {a.shape[0]} entries but quadratic is {n}×{n}")
        result["linear"] = [_entry(v, exact, f"linear[{i}]") for i, v in enumerate(a)]
    if constant is not None:
        result["constant"] = _entry(constant, exact, "constant")
    if variables:
        result["variables"] = list(variables)
    return result


def synth(form: FormLike, linear: Any = None, constant: Any = None, *,
          variables: Optional[Sequence[str]] = None, exact: bool = False,
          rank_tolerance: Optional[float] = None, accuracy: Optional[float] = None,
          box: Optional[float] = None, samples: Optional[int] = None,
          check: bool = True) -> SynthResult:
    """Synthesizes and verifies the minimal residual and plain networks of f (``quadform synth``).

    ``form`` is an expression (``"x1^2 + 3*x1*x2 - x3"``, the CLI's grammar; ``variables`` sets
    their order), a :class:`Form`, a form JSON mapping (design.md §6), or the matrix M as an n × n
    array, with ``linear`` a and ``constant`` c. With ``exact`` the synthesis is in rational
    arithmetic (design.md §4): array entries are taken as the exact values they hold (a float64
    0.1 is 3602879701896397/36028797018963968; give ``Fraction(1, 10)`` or an expression for 1/10).

    ``rank_tolerance``, ``accuracy``, ``box`` and ``samples`` are the CLI's options of the same
    names. Returns a :class:`SynthResult`. Bad input raises :class:`QuadformError` with the CLI's
    message and exit status 2; a network that fails verification raises
    :class:`VerificationFailed` (exit status 1) carrying the result, unless ``check`` is false.
    """
    arguments: List[str] = ["synth", "--format", "json", "--quiet"]
    if exact:
        arguments.append("--exact")
    for name, value in (("--rank-tolerance", rank_tolerance), ("--accuracy", accuracy), ("--box", box),
                        ("--samples", samples)):
        if value is not None:
            arguments += [name, repr(value) if isinstance(value, float) else str(value)]
    temporary: Optional[str] = None
    try:
        if isinstance(form, str):
            if linear is not None or constant is not None:
                raise ValueError("an expression carries its own linear term and constant; give linear and constant only with a matrix")
            if variables:
                arguments += ["--variables", ",".join(variables)]
            arguments += ["--", form]
        else:
            if isinstance(form, Form):
                document = form.to_json(exact=exact)
                if linear is not None or constant is not None:
                    raise ValueError("a Form carries its own linear term and constant")
            elif isinstance(form, Mapping):
                document = dict(form)
            else:
                document = _form_json(form, linear, constant, variables, exact)
            if variables and isinstance(form, (Form, Mapping)):
                document["variables"] = list(variables)
            handle, temporary = tempfile.mkstemp(prefix="quadform-form-", suffix=".json")
            with os.fdopen(handle, "w") as file:
                json.dump(document, file)
            arguments += ["--input", temporary]
        done = _binary.run(arguments, allow=(0, 1))
    finally:
        if temporary is not None:
            os.unlink(temporary)
    result = SynthResult.from_report(done.json())
    if done.returncode == 1 and check:
        raise VerificationFailed(message_of(done.stderr, 1), 1, done.command, done.stderr, result)
    return result
