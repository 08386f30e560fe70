"""Finding and running the ``quadform`` binary."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any, Optional, Sequence

from ._errors import QuadformError, QuadformNotFoundError

#: The environment variable that names the binary (a path, or a command name looked up on PATH).
ENVIRONMENT_VARIABLE = "QUADFORM_BIN"


def find_binary() -> str:
    """The path of the ``quadform`` binary to run.

    ``QUADFORM_BIN`` wins when set (a path to an executable, or a command name looked up on
    ``PATH``); otherwise ``quadform`` on ``PATH``. Raises :class:`QuadformNotFoundError` saying
    which was tried when there is none.
    """
    named = os.environ.get(ENVIRONMENT_VARIABLE)
    if named:
        if os.sep in named or (os.altsep and os.altsep in named):
            if os.path.isfile(named) and os.access(named, os.X_OK):
                return named
            why = "no such file" if not os.path.exists(named) else "not an executable file"
            raise QuadformNotFoundError(f"{ENVIRONMENT_VARIABLE}={named}: {why}; set it to the quadform "
                                        "binary (e.g. .build/debug/quadform after `swift build`)")
        found = shutil.which(named)
        if found is None:
            raise QuadformNotFoundError(f"{ENVIRONMENT_VARIABLE}={named}: no such command on PATH; set it "
                                        "to the path of the quadform binary")
        return found
    found = shutil.which("quadform")
    if found is None:
        raise QuadformNotFoundError("the quadform binary was not found: it is not on PATH and "
                                    f"{ENVIRONMENT_VARIABLE} is not set; install quadform "
                                    "(scripts/install.sh) or set "
                                    f"{ENVIRONMENT_VARIABLE}=/path/to/quadform")
    return found


@dataclass(frozen=True)
class Completed:
    """A finished run: its argument list, exit status and both outputs."""

    command: Sequence[str]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """Standard output parsed as JSON; a :class:`QuadformError` when it is not JSON."""
        try:
            return json.loads(self.stdout)
        except ValueError as error:
            raise QuadformError(f"quadform printed no JSON report ({error}); standard error: "
                                f"{self.stderr.strip() or '(empty)'}", self.returncode, self.command,
                                self.stderr) from None


def run(arguments: Sequence[str], *, allow: Sequence[int] = (0,), binary: Optional[str] = None) -> Completed:
    """Runs ``quadform ARGUMENTS`` and returns its outputs.

    An exit status outside ``allow`` raises :class:`QuadformError` with the CLI's message and
    status; a binary that cannot be started raises :class:`QuadformNotFoundError`.
    """
    executable = binary or find_binary()
    command = [executable, *arguments]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True)
    except OSError as error:
        raise QuadformNotFoundError(f"{executable}: cannot run ({error.strerror or error})", None, command) from None
    stdout = done.stdout.decode("utf-8", errors="replace")
    stderr = done.stderr.decode("utf-8", errors="replace")
    if done.returncode not in allow:
        raise QuadformError.from_stderr(stderr, done.returncode, command)
    return Completed(command, done.returncode, stdout, stderr)
