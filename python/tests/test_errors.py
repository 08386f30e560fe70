"""The CLI's failures arrive as exceptions with its message and exit status."""
from __future__ import annotations

import pathlib

import numpy as np
import pytest

import quadform


def test_bad_expression_carries_the_message_and_caret(binary: str) -> None:
    with pytest.raises(quadform.QuadformError) as caught:
        quadform.synth("x^2 + y^3")
    error = caught.value
    assert error.returncode == 2
    assert error.message.startswith("expression:1:")
    assert "has degree 3" in error.message
    assert "^^^" in error.message            # the caret line under the term
    assert error.stderr.startswith("quadform: error: ")
    assert error.command[0] == binary and "synth" in error.command
    assert "exit status 2" in str(error)


def test_missing_model_file(binary: str, tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "none.onnx"
    with pytest.raises(quadform.QuadformError) as caught:
        quadform.extract(missing)
    assert caught.value.returncode == 2
    assert str(missing) in caught.value.message and "no such file" in caught.value.message


def test_model_bytes_that_are_not_onnx(binary: str) -> None:
    with pytest.raises(quadform.QuadformError) as caught:
        quadform.extract(b"certainly not a protobuf")
    assert caught.value.returncode == 2 and caught.value.message


def test_verification_failure_raises_with_the_report(binary: str) -> None:
    # 1e-8 x² + x: the plain network completes the square with β = 5e7 and misses f by more than
    # τ·scale (ILL_CONDITIONED); the residual network carries x on its skip and passes.
    with pytest.raises(quadform.VerificationFailed) as caught:
        quadform.synth("1e-8*x^2 + x")
    error = caught.value
    assert error.returncode == 1 and "ILL_CONDITIONED" in error.message
    result = error.result
    assert isinstance(result, quadform.SynthResult)
    assert result.verdict == "ill_conditioned" and not result.passed
    assert result.checks["residual"].passed and result.checks["plain"].status == "ill_conditioned"
    # check=False returns the same result instead of raising.
    unchecked = quadform.synth("1e-8*x^2 + x", check=False)
    assert unchecked.verdict == "ill_conditioned" and unchecked.checks["residual"].passed


def test_bad_option_value(binary: str) -> None:
    with pytest.raises(quadform.QuadformError) as caught:
        quadform.synth("x^2", box=-1.0)
    assert caught.value.returncode == 2 and "--box" in caught.value.message


def test_arrays_are_checked_before_running(binary: str) -> None:
    with pytest.raises(ValueError, match="n × n"):
        quadform.synth(np.ones((2, 3)))
    with pytest.raises(ValueError, match="linear has 3 entries"):
        quadform.synth(np.eye(2), np.ones(3))
    with pytest.raises(ValueError, match="not finite"):
        quadform.synth(np.array([[np.nan]]))
