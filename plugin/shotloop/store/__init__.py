"""Where ShotLoop keeps things: the job ledger (SQLite) and the version store (files).

The agent owns both. ``Ledger`` records every job's committed state and the event feed;
``VersionStore`` hands out version numbers and publishes takes atomically;
``build_provenance`` makes the scrubbed record each take carries. Names are imported on
first use, so a host that only needs ``store.names`` does not load the rest.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Event": "events", "Ledger": "ledger", "safe_name": "names", "VersionStore": "versions",
    "build_provenance": "provenance", "recipe_diff": "provenance", "recipe_of": "provenance",
    "MISSING": "provenance",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
