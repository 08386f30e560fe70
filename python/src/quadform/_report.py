"""Pieces of quadform's JSON reports shared by synth and extract."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional

from ._network import Network


@dataclass(frozen=True)
class NetworkCheck:
    """One network's verification (design.md §5).

    ``status`` is ``"passed"``, ``"ill_conditioned"``, ``"approximate"`` or ``"failed"`` (exact
    mode: ``"passed"`` when expanding the network gives f exactly, else ``"failed"``).
    ``sample_error`` is the largest |g(x) − f(x)| at the sample points and ``scale`` f's scale
    (both ``None`` in exact mode, where the check is an equality); ``details`` holds every key the
    report gave.
    """

    status: str
    passed: bool
    sample_error: Optional[float]
    scale: Optional[float]
    details: Mapping[str, Any]

    @classmethod
    def from_report(cls, verification: Mapping[str, Any], member: str) -> "NetworkCheck":
        """The check of ``member`` (``residual`` or ``plain``) in a report's ``verification``."""
        if "method" in verification:  # exact: an equality of expansions
            equal = bool(verification.get(f"{member}_equal"))
            return cls("passed" if equal else "failed", equal, None, None, dict(verification))
        part = verification.get(member) or {}
        return cls(str(part.get("status", "failed")), bool(part.get("passed")), part.get("sample_error"),
                   part.get("scale"), dict(part))


def network_member(report: Mapping[str, Any], member: str) -> Optional[Network]:
    """The network at ``report[member]["network"]``, or ``None`` when the member is null."""
    part = report.get(member)
    if not isinstance(part, Mapping) or not isinstance(part.get("network"), Mapping):
        return None
    return Network.from_json(part["network"])


def verdict(report: Mapping[str, Any]) -> str:
    """The report's overall verdict in lower case: ``passed``, ``ill_conditioned``,
    ``approximate`` or ``failed``."""
    verification: Dict[str, Any] = report.get("verification") or {}
    status = report.get("status") or verification.get("status")
    if isinstance(status, str):
        return status.lower()
    passed = report.get("passed", verification.get("passed"))
    return "passed" if passed else "failed"
