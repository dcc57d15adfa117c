"""Watch: every job with its state, progress, time waiting and cost; cancel and retry;
the selected job's problem in words a person can act on."""
from __future__ import annotations

from collections import Counter

from qtpy.QtCore import QSortFilterProxyModel, Qt, QTimer, Signal
from qtpy.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel,
                            QPushButton, QTableView, QVBoxLayout, QWidget)

from ..model import Job, JobState
from .jobs_model import COLUMNS, JOB_ROLE, MESSAGE, PROGRESS, JobsModel, ProgressDelegate
from .messages import MODERATION_HINT, STATE_LABELS, error_line, is_moderation
from .session import PanelSession

RETRYABLE = (JobState.FAILED, JobState.SUBMIT_UNKNOWN)


class _ActiveFilter(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.active_only = False

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: N802
        if not self.active_only:
            return True
        job = self.sourceModel().job(row)
        return job is not None and not job.state.final


class WatchView(QWidget):
    show_versions = Signal(str)  # shot

    def __init__(self, session: PanelSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = JobsModel(self)
        self.proxy = _ActiveFilter(self)
        self.proxy.setSourceModel(self.model)

        self.summary = QLabel("No jobs yet.")
        self.active_only = QCheckBox("Active only")
        self.cancel_button = QPushButton("Cancel")
        self.retry_button = QPushButton("Retry")
        self.versions_button = QPushButton("Show versions")
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.active_only)
        bar.addWidget(self.cancel_button)
        bar.addWidget(self.retry_button)
        bar.addWidget(self.versions_button)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setItemDelegateForColumn(PROGRESS, ProgressDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PROGRESS, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(PROGRESS, 140)
        header.setSectionResizeMode(MESSAGE, QHeaderView.ResizeMode.Stretch)

        self.details = QLabel("")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setMinimumHeight(48)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.details)

        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self.model.tick)
        self._ticker.start()

        session.jobs_reset.connect(self._reset)
        session.job_changed.connect(self._changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.active_only.toggled.connect(self._filter)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.retry_button.clicked.connect(self.retry_selected)
        self.versions_button.clicked.connect(self._show_versions)
        self._selection_changed()

    # ------------------------------------------------------------------ feed
    def _reset(self) -> None:
        self.model.set_jobs(self.session.jobs.values())
        self._summarise()
        self._selection_changed()

    def _changed(self, job: Job) -> None:
        self.model.update_job(job)
        self._summarise()
        if self.selected() is not None and self.selected().job_id == job.job_id:
            self._selection_changed()

    def _summarise(self) -> None:
        jobs = self.model.jobs()
        if not jobs:
            self.summary.setText("No jobs yet.")
            return
        counts = Counter(job.state for job in jobs)
        active = sum(n for state, n in counts.items() if not state.final)
        parts = [f"{active} active"] if active else []
        parts += [f"{n} {STATE_LABELS[state].lower()}" for state, n in sorted(counts.items(), key=lambda kv: kv[0].value)
                  if state.final or state is JobState.SUBMIT_UNKNOWN]
        self.summary.setText(f"{len(jobs)} job(s): " + " · ".join(parts))

    def _filter(self, active_only: bool) -> None:
        self.proxy.active_only = active_only
        self.proxy.invalidateFilter()

    # ------------------------------------------------------------------ selection
    def selected(self) -> Job | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(JOB_ROLE) if rows else None

    def select_job(self, job_id: str) -> None:
        row = self.model.row_of(job_id)
        if row >= 0:
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            self.table.selectRow(index.row())

    def _selection_changed(self) -> None:
        job = self.selected()
        self.cancel_button.setEnabled(job is not None and not job.state.final)
        self.retry_button.setEnabled(job is not None and job.state in RETRYABLE)
        self.versions_button.setEnabled(job is not None)
        if job is None:
            self.details.setText("Select a job to see what happened to it.")
            self.details.setStyleSheet("")
            return
        head = f"{job.shot.name} · {job.recipe.model} · {STATE_LABELS[job.state]}"
        if job.remote_status:
            head += f" · service says {job.remote_status}"
        if job.state is JobState.PUBLISHED and job.version is not None:
            head += f" · published v{job.version:03d}"
        lines = [head]
        if job.error:
            lines.append(error_line(job.error))
            if is_moderation(job.error):
                lines.append(MODERATION_HINT)
            elif job.state is JobState.FAILED:
                lines.append("Retry sends it again as it is; change the recipe in Send for a new attempt.")
        elif job.state is JobState.SUBMIT_UNKNOWN:
            lines.append("The create call may have made a task (and may be billed). Check the service, "
                         "then Retry (may bill twice) or Cancel.")
        self.details.setText("\n".join(lines))
        self.details.setStyleSheet("color: #e0533d;" if job.error else "")

    # ------------------------------------------------------------------ actions
    def cancel_selected(self) -> None:
        job = self.selected()
        if job is not None and not job.state.final:
            self.cancel_button.setEnabled(False)
            self.session.cancel(job.job_id)

    def retry_selected(self) -> None:
        job = self.selected()
        if job is not None and job.state in RETRYABLE:
            self.retry_button.setEnabled(False)
            self.session.retry(job.job_id)

    def _show_versions(self) -> None:
        job = self.selected()
        if job is not None:
            self.show_versions.emit(job.shot.name)
