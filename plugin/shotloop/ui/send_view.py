"""Send: pick shots, set the recipe within the model's limits, see the keyframes and the
cost, and send the batch through the send pass (on the client's worker thread)."""
from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path
from typing import Callable, Sequence

from qtpy.QtCore import QTimer, Signal
from qtpy.QtWidgets import (QDoubleSpinBox, QFileDialog, QFrame, QHBoxLayout, QLabel,
                            QLineEdit, QPushButton, QScrollArea, QSplitter, QVBoxLayout, QWidget)

from ..errors import ShotLoopError
from ..model import Endpoint, Job, JobRequest, KeyframeMode
from .background import Background
from .messages import error_line
from .previews import KeyframePreviews
from .profile import ProfileInfo
from .recipe_check import BatchEstimate, ShotPlan, estimate_batch, plan_shot
from .recipe_form import RecipeForm
from .services import MediaServices
from .session import PanelSession
from .shot_list import ShotEntry, ShotsProvider, ShotTable, entries_from_cut
from .widgets import ERROR_STYLE, OK_STYLE, section

log = logging.getLogger(__name__)

CUT_FILTER = "Cuts (*.otio *.otioz *.otiod *.edl *.xml *.fcpxml);;All files (*)"


class SendView(QWidget):
    sent = Signal(list)  # [(JobRequest, Job | ShotLoopError)]

    def __init__(self, session: PanelSession, background: Background, services: MediaServices,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.background = background
        self.services = services
        self.shots_provider: ShotsProvider | None = None
        self.store_root_provider: Callable[[], str] | None = None
        self._preview_key: tuple | None = None
        self._preview_dir = Path(tempfile.mkdtemp(prefix="shotloop-preview-"))
        self._sending = False
        self.plans: list[ShotPlan] = []
        self.estimate: BatchEstimate | None = None

        # shots
        self.use_selection = QPushButton("Use selection")
        self.open_cut = QPushButton("Open cut…")
        self.source_label = QLabel("No shots yet.")
        self.source_label.setWordWrap(True)
        self.table = ShotTable()
        self.root_edit = QLineEdit()
        self.root_edit.setPlaceholderText("agent default (SHOTLOOP_HOME/versions)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.use_selection)
        buttons.addWidget(self.open_cut)
        buttons.addStretch(1)
        root_row = QHBoxLayout()
        root_row.addWidget(QLabel("Versions folder"))
        root_row.addWidget(self.root_edit, 1)
        shots_layout = QVBoxLayout()
        shots_layout.setContentsMargins(0, 0, 0, 0)
        shots_layout.addLayout(buttons)
        shots_layout.addWidget(self.source_label)
        shots_layout.addWidget(self.table, 1)
        shots_layout.addLayout(root_row)
        shots_box = section("Shots", shots_layout)

        # recipe, previews, cost, send
        self.form = RecipeForm()
        recipe_box = section("Recipe", self.form)
        self.previews = KeyframePreviews()
        preview_box = section("Keyframes as sent", self.previews)
        self.batch_budget = QDoubleSpinBox()
        self.batch_budget.setRange(0, 10_000_000)
        self.batch_budget.setDecimals(0)
        self.batch_budget.setSingleStep(50)
        self.batch_budget.setSpecialValueText("none")
        self.batch_budget.setSuffix(" credits")
        self.cost_label = QLabel("")
        self.cost_label.setWordWrap(True)
        self.problems = QLabel("")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(ERROR_STYLE)
        self.send_button = QPushButton("Send")
        self.send_button.setMinimumHeight(32)
        self.result_label = QLabel("")
        self.result_label.setWordWrap(True)
        budget_row = QHBoxLayout()
        budget_row.addWidget(QLabel("Batch budget"))
        budget_row.addWidget(self.batch_budget)
        budget_row.addStretch(1)
        cost_layout = QVBoxLayout()
        cost_layout.setContentsMargins(0, 0, 0, 0)
        cost_layout.addLayout(budget_row)
        cost_layout.addWidget(self.cost_label)
        cost_box = section("Cost", cost_layout)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(recipe_box)
        right_layout.addWidget(preview_box)
        right_layout.addWidget(cost_box)
        right_layout.addWidget(self.problems)
        right_layout.addWidget(self.send_button)
        right_layout.addWidget(self.result_label)
        right_layout.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(right)
        splitter = QSplitter()
        splitter.addWidget(shots_box)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        QVBoxLayout(self).addWidget(splitter)

        self._recheck = QTimer(self)
        self._recheck.setSingleShot(True)
        self._recheck.setInterval(150)
        self._recheck.timeout.connect(self.refresh)
        self.form.changed.connect(self._recheck.start)
        self.table.selection_changed.connect(self._shots_changed)
        self.batch_budget.valueChanged.connect(self._recheck.start)
        self.use_selection.clicked.connect(self.load_selection)
        self.open_cut.clicked.connect(self._ask_cut)
        self.send_button.clicked.connect(self.send)
        session.profile_changed.connect(self._profile_changed)
        session.sent.connect(self._sent)
        session.send_failed.connect(self._send_failed)
        self.set_shots_provider(None)
        self.refresh()

    # ------------------------------------------------------------------ host wiring
    def set_shots_provider(self, provider: ShotsProvider | None,
                           store_root: Callable[[], str] | None = None) -> None:
        self.shots_provider = provider
        self.store_root_provider = store_root
        self.use_selection.setEnabled(provider is not None)
        self.use_selection.setToolTip("" if provider else "standalone: open a cut instead")

    # ------------------------------------------------------------------ shots
    def load_selection(self) -> None:
        if self.shots_provider is None:
            return
        try:
            selections = list(self.shots_provider())
        except ShotLoopError as err:
            self._say(err.message, error=True)
            return
        if self.store_root_provider is not None:
            try:
                self.root_edit.setText(self.store_root_provider() or "")
            except ShotLoopError as err:
                self._say(err.message, error=True)
        self.set_entries([ShotEntry.of_selection(s) for s in selections],
                         f"{len(selections)} shot(s) from the selection")

    def _ask_cut(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a cut", "", CUT_FILTER)
        if path:
            self.load_cut(path)

    def load_cut(self, path: str | Path) -> None:
        """Read a cut on a worker thread; its clips become the shots."""
        path = Path(path)
        self.source_label.setText(f"Reading {path.name}…")

        def done(entries: list[ShotEntry]) -> None:
            if not self.root_edit.text():
                self.root_edit.setText(str(path.parent / "shotloop"))
            self.set_entries(entries, f"{len(entries)} shot(s) from the cut {path.name}")

        self.background.run(lambda: entries_from_cut(path), done,
                            lambda err: self._say(err.message, error=True), key="cut")

    def set_entries(self, entries: Sequence[ShotEntry], source: str) -> None:
        self.source_label.setText(source)
        self.table.set_entries(entries)
        self.form.set_reference_shot(entries[0].shot if entries else None)

    def _shots_changed(self) -> None:
        current = self.table.current()
        self.form.set_reference_shot(current.shot if current else None)
        self._recheck.start()

    # ------------------------------------------------------------------ checking
    def _profile_changed(self, profile: ProfileInfo) -> None:
        self.form.set_profile(profile)
        self.refresh()

    def refresh(self) -> None:
        """Re-plan every checked shot, the batch estimate, and the previews."""
        entries = self.table.checked()
        recipe = self.form.recipe()
        limits = self.form.limits()
        self.plans = [plan_shot(e.shot, recipe, limits, auto_duration=self.form.auto_duration())
                      for e in entries]
        self.estimate = estimate_batch(self.plans, self.session.profile,
                                       self.batch_budget.value() or None)
        problems = [p for plan in self.plans for p in plan.problems] + list(self.estimate.problems)
        if self.session.profile is None:
            problems.insert(0, "Waiting for the agent (models, limits and balance)…")
        self.problems.setText("\n".join(problems[:8]) + (f"\n… and {len(problems) - 8} more"
                                                         if len(problems) > 8 else ""))
        self.cost_label.setText(self._cost_text())
        self.cost_label.setStyleSheet(ERROR_STYLE if self.estimate.problems else "")
        self.send_button.setEnabled(bool(self.plans) and not problems and not self._sending)
        self.send_button.setText(f"Send {len(self.plans)} shot(s)" if self.plans else "Send")
        self._update_preview()

    def _cost_text(self) -> str:
        assert self.estimate is not None
        lines = [self.estimate.line()]
        for plan in self.plans[:6]:
            lines.append(f"  {plan.shot.name}: {plan.recipe.duration} s → {plan.credits:,.0f} credits")
        if len(self.plans) > 6:
            lines.append(f"  … {len(self.plans) - 6} more")
        return "\n".join(lines)

    # ------------------------------------------------------------------ previews
    def _update_preview(self) -> None:
        entry = self.table.current()
        recipe = self.form.recipe()
        if entry is None:
            self._preview_key = None
            self.previews.show_message("Pick a shot to see its keyframes.")
            return
        if recipe.endpoint is not Endpoint.IMAGE_TO_VIDEO or recipe.keyframes is KeyframeMode.NONE:
            self._preview_key = None
            self.previews.show_message("This endpoint sends no keyframes"
                                       + (" (the agent sends an H.264 proxy of the plate)."
                                          if recipe.endpoint is Endpoint.VIDEO_TO_VIDEO else "."))
            return
        if self.services.keyframe_previews is None:
            self._preview_key = None
            self.previews.show_message("The agent makes the keyframes when it sends (sRGB, fitted to "
                                       f"{recipe.ratio}); open `shotloop ui` to preview them here.")
            return
        key = (entry.shot, recipe.keyframes, recipe.ratio, tuple(sorted((recipe.options or {}).items())))
        if key == self._preview_key:
            return
        self._preview_key = key
        self.previews.show_message(f"Making the {recipe.ratio} keyframes of {entry.shot.name}…")
        work = self._preview_dir / f"{entry.shot.name}_{recipe.ratio.replace(':', 'x')}_{recipe.keyframes.value}"
        make = self.services.keyframe_previews
        shot = entry.shot

        def failed(err: ShotLoopError) -> None:
            self._preview_key = None
            self.previews.show_message(f"No preview: {err.message}")

        self.background.run(lambda: make(shot, recipe, work),
                            lambda images: self.previews.show_images(
                                images, f"{shot.name}: {shot.colorspace} → sRGB, fitted to {recipe.ratio}"),
                            failed, key="preview")

    # ------------------------------------------------------------------ sending
    def requests(self) -> list[JobRequest]:
        root = self.root_edit.text().strip()
        if root:
            root = str(Path(root).expanduser().resolve())
        batch = time.strftime("ui-%Y%m%d-%H%M%S")
        by_name = {e.shot.name: e for e in self.table.checked()}
        return [JobRequest(shot=plan.shot, recipe=plan.recipe, edit=by_name[plan.shot.name].edit,
                           profile=self.session.profile_name, store_root=root, batch=batch)
                for plan in self.plans]

    def send(self) -> None:
        self.refresh()
        if not self.send_button.isEnabled():
            return
        requests = self.requests()
        self._sending = True
        self.send_button.setEnabled(False)
        self._say(f"Sending {len(requests)} shot(s)…")
        self.session.send(requests)

    def _sent(self, pairs: list) -> None:
        self._sending = False
        jobs = [r for _, r in pairs if isinstance(r, Job)]
        errors = [(req, r) for req, r in pairs if not isinstance(r, Job)]
        text = f"Sent {len(jobs)} of {len(pairs)} shot(s); follow them in Watch."
        if errors:
            text += "\n" + "\n".join(f"{req.shot.name}: {error_line(err)}" for req, err in errors)
        self._say(text, error=bool(errors))
        self.refresh()
        self.sent.emit(pairs)

    def _send_failed(self, lines: list) -> None:
        self._sending = False
        self._say("Nothing was sent:\n" + "\n".join(lines), error=True)
        self.refresh()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet(ERROR_STYLE if error else OK_STYLE)
