"""Shared fixtures: the quadform binary the tests run (QUADFORM_BIN, else quadform on PATH)."""
from __future__ import annotations

import os
import pathlib

import pytest

import quadform

#: The repository checkout (examples/ holds the network JSON files design.md §1 states values for).
ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def binary() -> str:
    """The quadform binary; without one the tests are skipped, saying why (under CI=true they fail)."""
    try:
        return quadform.find_binary()
    except quadform.QuadformNotFoundError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and no quadform binary: {error}")
        pytest.skip(str(error))


@pytest.fixture(scope="session")
def examples() -> pathlib.Path:
    """The repository's examples/ folder."""
    return ROOT / "examples"
