"""The shots to send: from the host's selection or from a cut (OTIO, EDL, FCP XML).

The host's ``shots_provider`` is called on the GUI (main) thread when the artist asks for
the selection: it only reads the scene. A cut is read on a worker thread.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from qtpy.QtCore import Qt, Signal
from qtpy.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from ..host import ShotSelection
from ..model import EditContext, Shot

COLUMNS = ("Shot", "Frames", "Length", "Resolution", "Colour space", "Notes")


@dataclass(frozen=True)
class ShotEntry:
    """A shot offered for sending, with where it came from."""

    shot: Shot
    edit: EditContext | None = None
    node_id: str = ""
    notes: tuple[str, ...] = ()

    @classmethod
    def of_selection(cls, selection: ShotSelection) -> "ShotEntry":
        notes = ("the host renders this input first",) if selection.needs_render else ()
        return cls(selection.shot, selection.edit, selection.node_id, notes)


ShotsProvider = Callable[[], Sequence[ShotSelection]]


def entries_from_cut(path: str | Path) -> list[ShotEntry]:
    """Every video clip of a cut as a ShotEntry (runs on a worker thread)."""
    from ..edit.read import read_cut
    from ..edit.shots import shots_from_cut

    cut = read_cut(path)
    entries = []
    for cut_shot in shots_from_cut(cut):
        notes = list(cut_shot.notes)
        if not cut_shot.media_exists:
            notes.append("media not found")
        entries.append(ShotEntry(cut_shot.shot, cut_shot.edit, cut_shot.shotloop_id, tuple(notes)))
    return entries


class ShotTable(QTableWidget):
    """Shots with a check box each; the checked ones are sent."""

    selection_changed = Signal()  # checked shots or the current row changed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self._entries: list[ShotEntry] = []
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.itemChanged.connect(lambda _item: self.selection_changed.emit())
        self.currentCellChanged.connect(lambda *_: self.selection_changed.emit())

    def set_entries(self, entries: Sequence[ShotEntry]) -> None:
        self.blockSignals(True)
        try:
            self._entries = list(entries)
            self.setRowCount(len(self._entries))
            for row, entry in enumerate(self._entries):
                shot = entry.shot
                seconds = shot.frame_range.count / shot.fps if shot.fps else 0.0
                cells = (shot.name, str(shot.frame_range),
                         f"{shot.frame_range.count} f · {seconds:.1f} s @ {shot.fps:g}",
                         str(shot.resolution), shot.colorspace, "; ".join(entry.notes))
                for column, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setToolTip(shot.source if column == 0 else text)
                    if column == 0:
                        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                        item.setCheckState(Qt.CheckState.Checked)
                    self.setItem(row, column, item)
            if self._entries:
                self.setCurrentCell(0, 0)
        finally:
            self.blockSignals(False)
        self.selection_changed.emit()

    def entries(self) -> list[ShotEntry]:
        return list(self._entries)

    def checked(self) -> list[ShotEntry]:
        return [entry for row, entry in enumerate(self._entries)
                if self.item(row, 0) is not None
                and self.item(row, 0).checkState() == Qt.CheckState.Checked]

    def set_checked(self, names: Sequence[str]) -> None:
        wanted = set(names)
        for row, entry in enumerate(self._entries):
            state = Qt.CheckState.Checked if entry.shot.name in wanted else Qt.CheckState.Unchecked
            self.item(row, 0).setCheckState(state)

    def current(self) -> ShotEntry | None:
        row = self.currentRow()
        if 0 <= row < len(self._entries):
            return self._entries[row]
        checked = self.checked()
        return checked[0] if checked else None
