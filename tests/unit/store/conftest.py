"""Fixtures shared by the store tests."""
from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from . import _workers


@pytest.fixture
def spawn(monkeypatch: pytest.MonkeyPatch):
    """A spawn context whose children can import ``_workers`` under the name it has here
    (pytest's importlib mode gives test packages names that are not on sys.path)."""
    depth = len(_workers.__name__.split("."))
    monkeypatch.syspath_prepend(str(Path(_workers.__file__).resolve().parents[depth - 1]))
    return multiprocessing.get_context("spawn")
