"""Exceptions raised by the quadform package."""
from __future__ import annotations

from typing import Any, Optional, Sequence

_PREFIX = "quadform: error: "


class QuadformError(Exception):
    """The ``quadform`` command failed.

    ``message`` is what the command printed on standard error (without its ``quadform: error:``
    prefix; a caret line under an expression is kept), ``returncode`` its exit status (2 for bad
    input or usage, 1 for a network that failed verification; ``None`` when the command could not
    be started), ``command`` the argument list that ran.
    """

    def __init__(self, message: str, returncode: Optional[int] = None,
                 command: Sequence[str] = (), stderr: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.returncode = returncode
        self.command = list(command)
        self.stderr = stderr

    @classmethod
    def from_stderr(cls, stderr: str, returncode: int, command: Sequence[str]) -> "QuadformError":
        """The error for a run that exited with ``returncode`` after printing ``stderr``."""
        return cls(message_of(stderr, returncode), returncode, command, stderr)

    def __str__(self) -> str:
        status = "" if self.returncode is None else f" (exit status {self.returncode})"
        return f"{self.message}{status}"


class QuadformNotFoundError(QuadformError):
    """No ``quadform`` binary: ``QUADFORM_BIN`` names none, and none is on ``PATH``."""


class VerificationFailed(QuadformError):
    """A network did not pass verification (exit status 1; design.md §5).

    The command still wrote its report: ``result`` holds it, parsed as the function that raised
    would have returned it, so the networks that did pass (often the residual one) stay at hand.
    """

    def __init__(self, message: str, returncode: Optional[int], command: Sequence[str],
                 stderr: str, result: Any) -> None:
        super().__init__(message, returncode, command, stderr)
        self.result = result


def message_of(stderr: str, returncode: int) -> str:
    """The CLI's message in ``stderr``: the ``quadform: error:`` lines without their prefix."""
    lines = stderr.rstrip("\n").splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(_PREFIX)), None)
    if start is None:
        text = "\n".join(line for line in lines if line.strip())
        return text or f"quadform exited with status {returncode} and printed no message"
    kept = [lines[start][len(_PREFIX):]] + lines[start + 1:]
    return "\n".join(kept)
