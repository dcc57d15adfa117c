"""The Qt widget Nuke builds for the ShotLoop pane (imported only by the panel's expression)."""
from __future__ import annotations

from shotloop.ui.panel import ShotLoopPanel

from . import runtime


class NukeShotLoopPanel(ShotLoopPanel):
    """The shared panel, fed with Nuke's selection and version store."""

    def __init__(self, parent=None) -> None:
        host = runtime.host()
        super().__init__(parent, shots_provider=host.selected_shots, store_root=host.store_root)
