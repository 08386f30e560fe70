"""Quadratic forms f(x) = c + aᵀx + xᵀMx (docs/design.md §1, the form JSON of §6)."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

import numpy as np


def _float(value: Any) -> float:
    return float(Fraction(value)) if isinstance(value, str) else float(value)


@dataclass(frozen=True)
class Form:
    """f(x) = c + aᵀx + xᵀMx with n variables.

    ``quadratic`` is M as given (n × n, not necessarily symmetric; only A = (M + Mᵀ)/2 matters),
    ``linear`` is a, ``constant`` c, ``variables`` the names (x1 … xn when not given). Exact
    reports write ``"p/q"`` strings: they are rounded once to float64 here, and ``exact`` keeps the
    form JSON as written.
    """

    quadratic: np.ndarray
    linear: np.ndarray
    constant: float = 0.0
    variables: Tuple[str, ...] = ()
    exact: Optional[Mapping[str, Any]] = None

    def __post_init__(self) -> None:
        n = self.quadratic.shape[0] if self.quadratic.ndim == 2 else -1
        if self.quadratic.shape != (n, n):
            raise ValueError(f"quadratic must be a square matrix, found shape {self.quadratic.shape}")
        if self.linear.shape != (n,):
            raise ValueError(f"linear has shape {self.linear.shape}; quadratic is {n}×{n}")
        if self.variables and len(self.variables) != n:
            raise ValueError(f"{len(self.variables)} variable names for {n} variables")

    @classmethod
    def of(cls, quadratic: Any, linear: Any = None, constant: float = 0.0,
           variables: Optional[Sequence[str]] = None) -> "Form":
        """The form with matrix ``quadratic`` (n × n), ``linear`` (n; default zeros) and ``constant``."""
        m = np.array(quadratic, dtype=np.float64, ndmin=2)
        a = np.zeros(m.shape[0]) if linear is None else np.array(linear, dtype=np.float64).reshape(-1)
        return cls(m, a, float(constant), tuple(variables or ()))

    @property
    def n(self) -> int:
        """The number of variables."""
        return int(self.linear.shape[0])

    @property
    def symmetric(self) -> np.ndarray:
        """A = (M + Mᵀ)/2, formed as 0.5·m_ij + 0.5·m_ji as quadform does."""
        return 0.5 * self.quadratic + 0.5 * self.quadratic.T

    def __call__(self, x: Any) -> np.ndarray:
        """f at each row of ``x`` (shape (N, n) gives (N,); one point (n,) gives a scalar array)."""
        points = np.asarray(x, dtype=np.float64)
        single = points.ndim == 1
        if single:
            points = points[np.newaxis, :]
        if points.ndim != 2 or points.shape[1] != self.n:
            raise ValueError(f"expected points of shape (N, {self.n}) or ({self.n},), found {np.shape(x)}")
        values = self.constant + points @ self.linear + np.einsum("ni,ij,nj->n", points, self.quadratic, points)
        return np.asarray(values[0] if single else values)

    def scale(self, box: float = 1.0) -> float:
        """A size of f on the box [−box, box]ⁿ: the largest of |c|, ‖a‖∞·box, max|A_ij|·box² and
        Σ|a_i|·box + Σ|A_ij|·box² + |c| (a bound of |f| there). Tolerances of comparisons with f
        are relative to it (design.md §5)."""
        a = self.symmetric
        bound = abs(self.constant) + np.abs(self.linear).sum() * box + np.abs(a).sum() * box * box
        return float(max(abs(self.constant), np.abs(self.linear).max(initial=0) * box,
                         np.abs(a).max(initial=0) * box * box, bound))

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> "Form":
        """A form from the JSON of design.md §6 (``constant``, ``linear``, ``quadratic``, ``variables``)."""
        rows = value["quadratic"]
        n = len(rows)
        m = np.array([[_float(v) for v in row] for row in rows], dtype=np.float64).reshape(n, n)
        linear = value.get("linear")
        a = np.zeros(n) if linear is None else np.array([_float(v) for v in linear], dtype=np.float64)
        c = _float(value.get("constant", 0))
        strings = any(isinstance(v, str) for row in rows for v in row) or \
            any(isinstance(v, str) for v in (linear or [])) or isinstance(value.get("constant"), str)
        return cls(m, a, c, tuple(value.get("variables") or ()), dict(value) if strings else None)

    def to_json(self, exact: bool = False) -> Dict[str, Any]:
        """The form JSON of design.md §6. With ``exact``, every float is written as the exact
        rational its double holds (``"p/q"``, or an integer), so ``synth --exact`` works on the
        values the arrays hold, not on their shortest decimals."""
        if self.exact is not None:
            return dict(self.exact)
        def number(v: float) -> Any:
            if not np.isfinite(v):
                raise ValueError(f"the form has a non-finite entry {v}")
            if not exact:
                return float(v)
            q = Fraction(float(v))
            return int(q) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"
        result: Dict[str, Any] = {
            "constant": number(self.constant),
            "linear": [number(v) for v in self.linear],
            "quadratic": [[number(v) for v in row] for row in self.quadratic],
        }
        if self.variables:
            result["variables"] = list(self.variables)
        return result
