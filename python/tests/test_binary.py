"""How the binary is found: QUADFORM_BIN first, then PATH, and a clear error without either."""
from __future__ import annotations

import os
import pathlib

import pytest

import quadform


def test_quadform_bin_names_the_binary(binary: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUADFORM_BIN", binary)
    monkeypatch.setenv("PATH", "/nonexistent")
    assert quadform.find_binary() == binary
    assert quadform.synth("x^2 + y").rank == 1


def test_path_is_searched_without_the_variable(binary: str, tmp_path: pathlib.Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "quadform").symlink_to(os.path.abspath(binary))
    monkeypatch.delenv("QUADFORM_BIN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert quadform.find_binary() == str(tmp_path / "quadform")
    assert quadform.synth("x*y").plain_neurons == 2


def test_a_command_name_in_the_variable_is_looked_up_on_path(binary: str, tmp_path: pathlib.Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "quadform-dev").symlink_to(os.path.abspath(binary))
    monkeypatch.setenv("QUADFORM_BIN", "quadform-dev")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert quadform.find_binary() == str(tmp_path / "quadform-dev")


def test_no_binary_is_a_clear_error(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUADFORM_BIN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(quadform.QuadformNotFoundError) as caught:
        quadform.synth("x^2")
    assert "not on PATH" in caught.value.message and "QUADFORM_BIN" in caught.value.message
    assert caught.value.returncode is None


def test_a_missing_file_in_the_variable_is_named(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "no" / "quadform"
    monkeypatch.setenv("QUADFORM_BIN", str(missing))
    with pytest.raises(quadform.QuadformNotFoundError, match="no such file") as caught:
        quadform.find_binary()
    assert str(missing) in caught.value.message


def test_a_file_that_is_not_executable_is_refused(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = tmp_path / "quadform"
    text.write_text("not a program")
    monkeypatch.setenv("QUADFORM_BIN", str(text))
    with pytest.raises(quadform.QuadformNotFoundError, match="not an executable file"):
        quadform.find_binary()
