"""Networks of docs/design.md §6, evaluated in NumPy.

A network is a fully-connected ResNet (design.md §1, Definition 1.5.4 of the lecture notes)::

    x_k = act_k(W_k x_{k-1} + B_k + sum over (r, k) in S of V_{r,k} x_r),   realization(x_0) = x_L,

with the activation on layers 1 … L−1 and the identity on layer L.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

Number = Union[int, float, str]


def _number(value: Any, where: str) -> Tuple[float, bool]:
    """A JSON number, or an exact ``"p/q"`` string rounded once: the value and whether it was a string."""
    if isinstance(value, bool):
        raise ValueError(f"{where}: expected a number, found a boolean")
    if isinstance(value, (int, float)):
        return float(value), False
    if isinstance(value, str):
        try:
            return float(Fraction(value)), True
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            raise ValueError(f"{where}: {value!r} is not a number or a \"p/q\" fraction ({error})") from None
    raise ValueError(f"{where}: expected a number, found {type(value).__name__}")


def _matrix(rows: Any, shape: Tuple[int, int], where: str) -> Tuple[np.ndarray, bool]:
    if not isinstance(rows, list) or len(rows) != shape[0]:
        raise ValueError(f"{where}: expected {shape[0]} rows")
    values = np.empty(shape, dtype=np.float64)
    exact = False
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != shape[1]:
            raise ValueError(f"{where}[{i}]: expected {shape[1]} entries")
        for j, entry in enumerate(row):
            values[i, j], string = _number(entry, f"{where}[{i}][{j}]")
            exact = exact or string
    return values, exact


@dataclass(frozen=True)
class Activation:
    """σ, applied componentwise on the hidden layers (design.md §6).

    ``kind`` is ``"square"`` (z²), ``"relu"`` (max(z, 0)), ``"identity"`` (z) or ``"quadratic"``
    (αz² + βz + γ, computed as (αz + β)z + γ as quadform does).
    """

    kind: str = "square"
    alpha: Optional[float] = None
    beta: Optional[float] = None
    gamma: Optional[float] = None

    def __post_init__(self) -> None:
        if self.kind not in ("square", "relu", "identity", "quadratic"):
            raise ValueError(f"unknown activation {self.kind!r} (known: square, relu, identity, quadratic)")
        if self.kind == "quadratic" and (self.alpha is None or self.beta is None or self.gamma is None):
            raise ValueError("a quadratic activation needs alpha, beta and gamma")
        if self.kind == "quadratic" and self.alpha == 0:
            raise ValueError("alpha must not be 0 (s would not be quadratic)")

    def __call__(self, z: np.ndarray) -> np.ndarray:
        """σ(z), componentwise."""
        if self.kind == "square":
            return np.asarray(z * z)
        if self.kind == "relu":
            return np.asarray(np.maximum(z, 0))
        if self.kind == "identity":
            return z
        assert self.alpha is not None and self.beta is not None and self.gamma is not None
        return np.asarray((self.alpha * z + self.beta) * z + self.gamma)

    def exact(self, z: Fraction) -> Fraction:
        """σ(z) in rational arithmetic (α, β, γ taken as the exact values of their floats)."""
        if self.kind == "square":
            return z * z
        if self.kind == "relu":
            return max(z, Fraction(0))
        if self.kind == "identity":
            return z
        assert self.alpha is not None and self.beta is not None and self.gamma is not None
        return (Fraction(self.alpha) * z + Fraction(self.beta)) * z + Fraction(self.gamma)

    @classmethod
    def from_json(cls, value: Any) -> "Activation":
        """The activation of a network JSON's ``activation`` member."""
        if not isinstance(value, dict) or not isinstance(value.get("kind"), str):
            raise ValueError("activation: expected an object with a string \"kind\"")
        if value["kind"] != "quadratic":
            return cls(value["kind"])
        return cls("quadratic", *(_number(value.get(name), f"activation.{name}")[0] for name in ("alpha", "beta", "gamma")))

    def to_json(self) -> Dict[str, Any]:
        """The ``activation`` member of design.md §6."""
        if self.kind != "quadratic":
            return {"kind": self.kind}
        return {"kind": "quadratic", "alpha": self.alpha, "beta": self.beta, "gamma": self.gamma}


@dataclass(frozen=True)
class Layer:
    """One affine layer k: ``weights`` W_k (l_k × l_{k−1}) and ``bias`` B_k (l_k)."""

    weights: np.ndarray
    bias: np.ndarray


@dataclass(frozen=True)
class Skip:
    """A skip connection (r, k) ∈ S: layer ``source`` = r feeds layer ``target`` = k through
    ``weights`` V_{r,k} (l_k × l_r). (The JSON calls r and k ``from`` and ``to``.)"""

    source: int
    target: int
    weights: np.ndarray


@dataclass(frozen=True)
class Network:
    """A network of design.md §6 with float64 weights, evaluable on batches (``net(x)``).

    ``exact`` holds the network JSON as quadform wrote it when some weight was an exact ``"p/q"``
    string (``synth --exact``, ``extract --exact``): the float64 weights are those rationals rounded
    once, and :meth:`evaluate_exact` computes with the rationals themselves.
    """

    widths: Tuple[int, ...]
    activation: Activation
    layers: Tuple[Layer, ...]
    skips: Tuple[Skip, ...] = ()
    exact: Optional[Mapping[str, Any]] = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        widths = self.widths
        if len(widths) < 2 or any(w < 0 for w in widths):
            raise ValueError(f"widths {list(widths)}: need at least an input and an output width, none negative")
        if len(self.layers) != len(widths) - 1:
            raise ValueError(f"widths describe {len(widths) - 1} layers, found {len(self.layers)}")
        for k, layer in enumerate(self.layers, start=1):
            if layer.weights.shape != (widths[k], widths[k - 1]) or layer.bias.shape != (widths[k],):
                raise ValueError(f"layer {k}: weights {layer.weights.shape} and bias {layer.bias.shape}, "
                                 f"widths say ({widths[k]}, {widths[k - 1]}) and ({widths[k]},)")
        seen = set()
        for i, skip in enumerate(self.skips):
            if not 0 <= skip.source < skip.target <= self.depth:
                raise ValueError(f"skips[{i}]: ({skip.source}, {skip.target}) must satisfy 0 ≤ from < to ≤ {self.depth}")
            if (skip.source, skip.target) in seen:
                raise ValueError(f"skips[{i}]: ({skip.source}, {skip.target}) appears twice in S")
            seen.add((skip.source, skip.target))
            if skip.weights.shape != (widths[skip.target], widths[skip.source]):
                raise ValueError(f"skips[{i}]: weights {skip.weights.shape}, widths say "
                                 f"({widths[skip.target]}, {widths[skip.source]})")

    @property
    def depth(self) -> int:
        """L, the number of affine layers."""
        return len(self.layers)

    @property
    def input_width(self) -> int:
        """l_0, the number of inputs."""
        return self.widths[0]

    @property
    def output_width(self) -> int:
        """l_L, the number of outputs."""
        return self.widths[-1]

    @property
    def hidden_neurons(self) -> int:
        """Neurons with an activation: l_1 + … + l_{L−1}."""
        return sum(self.widths[1:-1])

    @property
    def parameters(self) -> int:
        """Weights and biases, skips included (as quadform counts them)."""
        layers = sum(self.widths[k] * (self.widths[k - 1] + 1) for k in range(1, len(self.widths)))
        return layers + sum(skip.weights.size for skip in self.skips)

    @property
    def is_plain(self) -> bool:
        """Whether S = ∅."""
        return not self.skips

    def __call__(self, x: Any) -> np.ndarray:
        """The realization x_L of each input: ``x`` of shape (N, l_0) gives (N, l_L); one input of
        shape (l_0,) gives (l_L,). Computed in float64, summing W_k x + B_k and then each skip
        entering layer k in the order of ``skips``, as quadform's evaluator does."""
        points = np.asarray(x, dtype=np.float64)
        single = points.ndim == 1
        if single:
            points = points[np.newaxis, :]
        if points.ndim != 2 or points.shape[1] != self.input_width:
            raise ValueError(f"expected inputs of shape (N, {self.input_width}) or ({self.input_width},), "
                             f"found {np.shape(x)}")
        outputs: List[np.ndarray] = [points]
        for k, layer in enumerate(self.layers, start=1):
            z = outputs[k - 1] @ layer.weights.T + layer.bias
            for skip in self.skips:
                if skip.target == k:
                    z = z + outputs[skip.source] @ skip.weights.T
            outputs.append(self.activation(z) if k < self.depth else z)
        return outputs[-1][0] if single else outputs[-1]

    def evaluate_exact(self, x: Sequence[Any]) -> List[Fraction]:
        """The realization of one input in exact rational arithmetic: the ``"p/q"`` weights of an
        exact network as written, float weights as the exact values of their doubles; ``x`` entries
        may be ints, floats, Fractions or ``"p/q"`` strings."""
        source = self.exact if self.exact is not None else self.to_json()
        rational = Fraction
        point = [rational(v) for v in x]
        if len(point) != self.input_width:
            raise ValueError(f"expected {self.input_width} inputs, found {len(point)}")
        outputs: List[List[Fraction]] = [point]
        layers = source["layers"]
        for k in range(1, self.depth + 1):
            layer = layers[k - 1]
            z = [sum((rational(w) * v for w, v in zip(row, outputs[k - 1])), Fraction(0)) + rational(b)
                 for row, b in zip(layer["weights"], layer["bias"])]
            for skip in source.get("skips", []):
                if skip["to"] == k:
                    z = [zi + sum((rational(w) * v for w, v in zip(row, outputs[skip["from"]])), Fraction(0))
                         for zi, row in zip(z, skip["weights"])]
            outputs.append([self.activation.exact(v) for v in z] if k < self.depth else z)
        return outputs[-1]

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> "Network":
        """Reads a network JSON (design.md §6); ``"p/q"`` weights are rounded once to float64 and
        the JSON is kept in ``exact``. Raises ``ValueError`` naming the path of a bad entry."""
        if not isinstance(value, Mapping) or "widths" not in value:
            raise ValueError("not a network JSON (design.md §6): missing key \"widths\"")
        widths = tuple(int(w) for w in value["widths"])
        activation = Activation.from_json(value.get("activation"))
        exact = False
        layers = []
        items = value.get("layers", [])
        if len(items) != len(widths) - 1:
            raise ValueError(f"layers: widths describe {len(widths) - 1} layers, found {len(items)}")
        for i, item in enumerate(items):
            weights, e1 = _matrix(item.get("weights"), (widths[i + 1], widths[i]), f"layers[{i}].weights")
            bias_rows, e2 = _matrix([item.get("bias")], (1, widths[i + 1]), f"layers[{i}].bias")
            exact = exact or e1 or e2
            layers.append(Layer(weights, bias_rows[0]))
        skips = []
        for i, item in enumerate(value.get("skips", [])):
            source, target = int(item["from"]), int(item["to"])
            if not 0 <= source < target < len(widths):
                raise ValueError(f"skips[{i}]: ({source}, {target}) must satisfy 0 ≤ from < to ≤ {len(widths) - 1}")
            weights, e3 = _matrix(item.get("weights"), (widths[target], widths[source]), f"skips[{i}].weights")
            exact = exact or e3
            skips.append(Skip(source, target, weights))
        return cls(widths, activation, tuple(layers), tuple(skips), dict(value) if exact else None)

    def to_json(self) -> Dict[str, Any]:
        """The network JSON of design.md §6 (the exact JSON when the network came with one), as
        ``quadform eval`` and ``quadform convert`` read it."""
        if self.exact is not None:
            return dict(self.exact)
        return {
            "widths": list(self.widths),
            "activation": self.activation.to_json(),
            "layers": [{"weights": layer.weights.tolist(), "bias": layer.bias.tolist()} for layer in self.layers],
            "skips": [{"from": s.source, "to": s.target, "weights": s.weights.tolist()} for s in self.skips],
        }
