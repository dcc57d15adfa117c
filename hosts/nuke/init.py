# ShotLoop: runs in every Nuke session (GUI, nuke -t, renders). No UI here.
#
# ShotLoop's Python package (shotloop) and its light dependencies (requests, opentimelineio,
# pyblish-base) must be importable by Nuke's Python: install them for Nuke's Python version into
# a folder and point SHOTLOOP_PYTHONPATH at it (see README.md).
import logging
import os
import sys

for _entry in reversed([p for p in os.environ.get("SHOTLOOP_PYTHONPATH", "").split(os.pathsep) if p]):
    if _entry not in sys.path:
        sys.path.insert(0, _entry)

try:
    import shotloop_nuke

    shotloop_nuke.install()
except ImportError as _exc:  # never break Nuke's startup because ShotLoop is not installed right
    logging.getLogger("shotloop").warning("ShotLoop is not available in this Nuke: %s", _exc)
