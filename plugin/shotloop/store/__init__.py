"""Where ShotLoop keeps things: the job ledger (SQLite) and the version store (files).

The agent owns both. ``Ledger`` records every job's committed state and the event feed;
``VersionStore`` hands out version numbers and publishes takes atomically;
``build_provenance`` makes the scrubbed record each take carries.
"""
from .events import Event
from .ledger import Ledger
from .names import safe_name
from .provenance import MISSING, build_provenance, recipe_diff, recipe_of
from .versions import VersionStore

__all__ = ["Event", "Ledger", "VersionStore", "safe_name", "build_provenance", "recipe_diff",
           "recipe_of", "MISSING"]
