"""Fixtures for the scoring tests: the default scheme, its raw data, and a small scheme."""

from __future__ import annotations

import copy
import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

# The project may not be installed in the virtualenv; then test the checkout itself.
if importlib.util.find_spec("scoring") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scoring import Scheme, load_scheme
from scoring.loader import SCHEMES_DIR
from scoring_helpers import mini_data as _mini_data


@pytest.fixture(scope="session")
def scheme() -> Scheme:
    return load_scheme("default", version=1)


@pytest.fixture
def default_data() -> dict:
    """The default scheme file parsed, to be broken on purpose by a test."""
    with (SCHEMES_DIR / "default-v1.toml").open("rb") as fh:
        return copy.deepcopy(tomllib.load(fh))


@pytest.fixture
def mini_data() -> dict:
    """A small scheme with unequal weights, the shape a dialogue-proposal scheme might take."""
    return _mini_data()
