"""The job table's model (newest first) and its progress-bar delegate."""
from __future__ import annotations

import time
from typing import Any, Iterable

from qtpy.QtCore import QAbstractTableModel, QModelIndex, Qt
from qtpy.QtGui import QColor
from qtpy.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionProgressBar

from ..model import Job, JobState
from .messages import cost_text, format_seconds, is_moderation, job_message, state_text, waiting_seconds

COLUMNS = ("Shot", "State", "Progress", "Waiting", "Credits", "Model", "Message")
SHOT, STATE, PROGRESS, WAITING, COST, MODEL, MESSAGE = range(len(COLUMNS))
JOB_ROLE = int(Qt.ItemDataRole.UserRole) + 1
PROGRESS_ROLE = int(Qt.ItemDataRole.UserRole) + 2

STATE_COLOURS = {JobState.FAILED: QColor(224, 83, 61), JobState.SUBMIT_UNKNOWN: QColor(230, 160, 40),
                 JobState.PUBLISHED: QColor(106, 191, 105), JobState.CANCELLED: QColor(140, 140, 140)}


class JobsModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._jobs: list[Job] = []
        self._rows: dict[str, int] = {}

    # ------------------------------------------------------------------ content
    def set_jobs(self, jobs: Iterable[Job]) -> None:
        self.beginResetModel()
        self._jobs = sorted(jobs, key=lambda j: (j.created_at, j.job_id), reverse=True)
        self._reindex()
        self.endResetModel()

    def update_job(self, job: Job) -> None:
        row = self._rows.get(job.job_id)
        if row is None:
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._jobs.insert(0, job)
            self._reindex()
            self.endInsertRows()
            return
        self._jobs[row] = job
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _reindex(self) -> None:
        self._rows = {job.job_id: row for row, job in enumerate(self._jobs)}

    def job(self, row: int) -> Job | None:
        return self._jobs[row] if 0 <= row < len(self._jobs) else None

    def row_of(self, job_id: str) -> int:
        return self._rows.get(job_id, -1)

    def jobs(self) -> list[Job]:
        return list(self._jobs)

    def tick(self) -> None:
        """Refresh the waiting times of jobs still on their way."""
        for row, job in enumerate(self._jobs):
            if not job.state.final:
                index = self.index(row, WAITING)
                self.dataChanged.emit(index, index)

    # ------------------------------------------------------------------ Qt model API
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._jobs)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        job = self.job(index.row())
        if job is None:
            return None
        column = index.column()
        if role == JOB_ROLE:
            return job
        if role == PROGRESS_ROLE:
            return job.progress
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(job, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == MESSAGE:
                return job_message(job) or None
            if column == SHOT:
                return f"{job.shot.source}\njob {job.job_id} · batch {job.batch}"
        if role == Qt.ItemDataRole.ForegroundRole and column in (STATE, MESSAGE):
            if column == MESSAGE and is_moderation(job.error):
                return QColor(224, 83, 61)
            return STATE_COLOURS.get(job.state)
        return None

    @staticmethod
    def _text(job: Job, column: int) -> str:
        if column == SHOT:
            return job.shot.name
        if column == STATE:
            return state_text(job)
        if column == PROGRESS:
            return f"{job.progress * 100:.0f}%"
        if column == WAITING:
            return format_seconds(waiting_seconds(job, time.time()))
        if column == COST:
            return cost_text(job)
        if column == MODEL:
            return f"{job.recipe.model} · {job.recipe.duration} s · seed {job.recipe.seed}"
        return job_message(job)


class ProgressDelegate(QStyledItemDelegate):
    """Draws the progress column as a progress bar."""

    def paint(self, painter, option, index) -> None:
        value = index.data(PROGRESS_ROLE)
        if value is None:
            super().paint(painter, option, index)
            return
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(3, 4, -3, -4)
        bar.minimum = 0
        bar.maximum = 100
        bar.progress = int(round(float(value) * 100))
        bar.text = f"{bar.progress}%"
        bar.textVisible = True
        style = option.widget.style() if option.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter)
