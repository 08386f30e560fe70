"""Python interface to quadform: minimal quadratic-activation networks for quadratic forms.

The functions run the ``quadform`` command-line tool (found through the ``QUADFORM_BIN``
environment variable, else on ``PATH``) and return its JSON reports as dataclasses whose networks
are NumPy-evaluable :class:`Network` values (docs/design.md §6):

- :func:`synth` — the minimal residual and plain networks of f(x) = c + aᵀx + xᵀMx, verified;
- :func:`extract` — the quadratic(s) a trained network computes, and their minimal networks;
- :func:`compress` — every quadratic block of an ONNX model replaced by its compressed form.

Failures raise :class:`QuadformError` (the CLI's message and exit status). ``quadform.torch``
(optional, needs PyTorch) compresses a ``torch.nn.Module``. Reference: docs/python.md.
"""
from ._binary import ENVIRONMENT_VARIABLE, find_binary
from ._compress import CompressedBlock, CompressionResult, SkippedBlock, compress
from ._errors import QuadformError, QuadformNotFoundError, VerificationFailed
from ._extract import ExtractResult, SharedLayer, extract
from ._form import Form
from ._network import Activation, Layer, Network, Skip
from ._report import NetworkCheck
from ._synth import SynthResult, synth

__all__ = [
    "Activation", "CompressedBlock", "CompressionResult", "ENVIRONMENT_VARIABLE", "ExtractResult", "Form",
    "Layer", "Network", "NetworkCheck", "QuadformError", "QuadformNotFoundError", "SharedLayer", "Skip", "SkippedBlock", "SynthResult",
    "VerificationFailed", "compress", "extract", "find_binary", "synth",
]

__version__ = "0.1.0"
