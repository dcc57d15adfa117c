"""Review: a shot's versions; play or scrub one; flip or wipe it against the plate or another
version; approve or reject with a note; replay; the recipe diff between two versions."""
from __future__ import annotations

import logging
from typing import Any

from qtpy.QtCore import Qt, QTimer, Signal
from qtpy.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                            QLineEdit, QPushButton, QSlider, QSplitter, QTableWidget,
                            QTableWidgetItem, QVBoxLayout, QWidget)

from ..codec import from_data
from ..model import ReviewStatus, Shot, Version
from .background import Background
from .frames import FrameStore, plate_loader, version_loader
from .services import MediaServices
from .session import PanelSession
from .version_strip import VersionStrip
from .viewer import CompareViewer
from .widgets import section

log = logging.getLogger(__name__)

PLATE = "plate"


def version_key(version: Version) -> str:
    return f"version:{version.path}"


class ReviewView(QWidget):
    replayed = Signal(object)  # Job

    def __init__(self, session: PanelSession, background: Background, services: MediaServices,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.services = services
        self.frames = FrameStore(background, self)
        self._plates: dict[str, Shot] = {}
        self._keys: tuple[str, str] = ("", "")
        self._notes = ("", "")

        # top: shot and versions
        self.shot_combo = QComboBox()
        self.shot_combo.setMinimumWidth(160)
        self.refresh_button = QPushButton("Refresh")
        self.status_label = QLabel("")
        top = QHBoxLayout()
        top.addWidget(QLabel("Shot"))
        top.addWidget(self.shot_combo)
        top.addWidget(self.refresh_button)
        top.addWidget(self.status_label, 1)
        self.strip = VersionStrip(background)

        # viewer and transport
        self.viewer = CompareViewer()
        self.play_button = QPushButton("Play")
        self.play_button.setCheckable(True)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.frame_label = QLabel("")
        self.frame_label.setMinimumWidth(110)
        transport = QHBoxLayout()
        transport.addWidget(self.play_button)
        transport.addWidget(self.slider, 1)
        transport.addWidget(self.frame_label)
        viewer_box = QWidget()
        viewer_layout = QVBoxLayout(viewer_box)
        viewer_layout.setContentsMargins(0, 0, 0, 0)
        viewer_layout.addWidget(self.viewer, 1)
        viewer_layout.addLayout(transport)

        # side: compare, review, diff
        self.b_combo = QComboBox()
        self.flip_button = QPushButton("Flip A/B")
        self.wipe_button = QPushButton("Wipe")
        self.wipe_button.setCheckable(True)
        compare_buttons = QHBoxLayout()
        compare_buttons.addWidget(self.flip_button)
        compare_buttons.addWidget(self.wipe_button)
        compare = QVBoxLayout()
        compare.setContentsMargins(0, 0, 0, 0)
        compare.addWidget(QLabel("A is the version picked above; B is:"))
        compare.addWidget(self.b_combo)
        compare.addLayout(compare_buttons)

        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("Note (kept in the ledger and version.json)")
        self.approve_button = QPushButton("Approve")
        self.reject_button = QPushButton("Reject")
        self.replay_button = QPushButton("Replay")
        self.replay_button.setToolTip("Send the same recipe and seed again as a new version")
        review_buttons = QHBoxLayout()
        review_buttons.addWidget(self.approve_button)
        review_buttons.addWidget(self.reject_button)
        review_buttons.addWidget(self.replay_button)
        review = QVBoxLayout()
        review.setContentsMargins(0, 0, 0, 0)
        review.addWidget(self.note_edit)
        review.addLayout(review_buttons)

        self.diff_button = QPushButton("Recipe diff A ↔ B")
        self.diff_label = QLabel("Pick a version as B to compare recipes.")
        self.diff_label.setWordWrap(True)
        self.diff_table = QTableWidget(0, 3)
        self.diff_table.setHorizontalHeaderLabels(["Field", "A", "B"])
        self.diff_table.verticalHeader().setVisible(False)
        self.diff_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.diff_table.setWordWrap(True)
        self.diff_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        diff = QVBoxLayout()
        diff.setContentsMargins(0, 0, 0, 0)
        diff.addWidget(self.diff_button)
        diff.addWidget(self.diff_label)
        diff.addWidget(self.diff_table, 1)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(section("Compare", compare))
        side_layout.addWidget(section("Review A", review))
        diff_box = section("Recipe diff", diff)
        side_layout.addWidget(diff_box, 1)
        side.setMinimumWidth(380)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(viewer_box)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.strip)
        layout.addWidget(splitter, 1)

        self._player = QTimer(self)
        self._player.timeout.connect(self._step)

        session.jobs_reset.connect(self.refresh_shots)
        session.job_changed.connect(lambda job: self._learn_shot(job.shot.name))
        session.versions_changed.connect(self._versions_changed)
        session.version_changed.connect(self._version_changed)
        self.shot_combo.currentIndexChanged.connect(self._shot_changed)
        self.refresh_button.clicked.connect(self._shot_changed)
        self.strip.version_selected.connect(self._a_changed)
        self.b_combo.currentIndexChanged.connect(self._b_changed)
        self.flip_button.clicked.connect(self.flip)
        self.wipe_button.toggled.connect(self._wipe_toggled)
        self.play_button.toggled.connect(self._play_toggled)
        self.slider.valueChanged.connect(self._show_frame)
        self.frames.changed.connect(self._frames_arrived)
        self.approve_button.clicked.connect(lambda: self.set_review(ReviewStatus.APPROVED))
        self.reject_button.clicked.connect(lambda: self.set_review(ReviewStatus.REJECTED))
        self.replay_button.clicked.connect(self.replay)
        self.diff_button.clicked.connect(self.show_diff)
        self._update_actions()

    # ------------------------------------------------------------------ shots
    def refresh_shots(self) -> None:
        for name in self.session.shots():
            self._learn_shot(name)

    def _learn_shot(self, name: str) -> None:
        if self.shot_combo.findText(name) < 0:
            self.shot_combo.addItem(name)

    def show_shot(self, name: str) -> None:
        self._learn_shot(name)
        index = self.shot_combo.findText(name)
        if index == self.shot_combo.currentIndex():
            self._shot_changed()
        else:
            self.shot_combo.setCurrentIndex(index)

    def current_shot(self) -> str:
        return self.shot_combo.currentText()

    def _shot_changed(self, *_: Any) -> None:
        shot = self.current_shot()
        if shot:
            self.status_label.setText(f"Loading the versions of {shot}…")
            self.session.load_versions(shot)

    def _versions_changed(self, shot: str) -> None:
        self._learn_shot(shot)
        if shot != self.current_shot():
            return
        versions = self.session.versions_of(shot)
        self.strip.set_versions(versions)
        self.status_label.setText(f"{len(versions)} version(s) of {shot}" if versions
                                  else f"{shot} has no published version yet.")
        self._fill_b_choices()

    def _version_changed(self, version: Version) -> None:
        if version.shot == self.current_shot():
            self.strip.update_version(version)

    # ------------------------------------------------------------------ A and B
    def version_a(self) -> Version | None:
        return self.strip.current_version()

    def version_b(self) -> Version | None:
        data = self.b_combo.currentData()
        return data if isinstance(data, Version) else None

    def _fill_b_choices(self) -> None:
        keep = self.b_combo.currentData()
        a = self.version_a()
        self.b_combo.blockSignals(True)
        self.b_combo.clear()
        self.b_combo.addItem("Plate (source)", PLATE)
        for version in self.strip.versions():
            if a is None or (version.label, version.number) != (a.label, a.number):
                self.b_combo.addItem(f"{version.label} v{version.number:03d} · seed {version.seed} · "
                                     f"{version.model} · {version.review.value}", version)
        index = 0
        if isinstance(keep, Version):
            for i in range(self.b_combo.count()):
                data = self.b_combo.itemData(i)
                if isinstance(data, Version) and (data.label, data.number) == (keep.label, keep.number):
                    index = i
        self.b_combo.setCurrentIndex(index)
        self.b_combo.blockSignals(False)
        self._b_changed()

    def select_b(self, version: Version) -> None:
        for i in range(self.b_combo.count()):
            data = self.b_combo.itemData(i)
            if isinstance(data, Version) and (data.label, data.number) == (version.label, version.number):
                self.b_combo.setCurrentIndex(i)

    def _a_changed(self, version: Version | None) -> None:
        self._fill_b_choices()
        if version is None:
            self._keys = ("", self._keys[1])
            self.viewer.set_images(None, None)
            self.viewer.set_message("No version selected.")
            self._update_actions()
            return
        self.note_edit.setText(version.note)
        loader, origin = version_loader(version, self.services)
        self.frames.load(version_key(version), loader, origin)
        self._keys = (version_key(version), self._keys[1])
        self.slider.blockSignals(True)
        self.slider.setRange(version.frame_range.first, version.frame_range.last)
        if not version.frame_range.first <= self.slider.value() <= version.frame_range.last:
            self.slider.setValue(version.frame_range.first)
        self.slider.blockSignals(False)
        self._player.setInterval(max(10, int(1000 / (version.fps or 24))))
        self._update_actions()
        self._show_frame()

    def _b_changed(self, *_: Any) -> None:
        b = self.version_b()
        if b is not None:
            loader, origin = version_loader(b, self.services)
            self.frames.load(version_key(b), loader, origin)
            self._keys = (self._keys[0], version_key(b))
        elif self.version_a() is not None:
            self._load_plate(self.version_a())
        self._update_actions()
        self._show_frame()

    def _load_plate(self, version: Version) -> None:
        job = self.session.jobs.get(version.job_id)
        shot = job.shot if job is not None else self._plates.get(version.path)
        if shot is None:
            self._keys = (self._keys[0], "")

            def got(record: dict) -> None:
                if record.get("shot"):
                    self._plates[version.path] = from_data(Shot, record["shot"])
                    if self.version_a() == version and self.version_b() is None:
                        self._load_plate(version)

            self.session.provenance(version, got)
            return
        loader, origin = plate_loader(shot, self.services)
        key = f"plate:{shot.source}:{shot.frame_range}"
        self._keys = (self._keys[0], key)
        if loader is None:
            self._notes = (self._notes[0], origin)
            self.frames.forget(key)
        else:
            self.frames.load(key, loader, origin)

    # ------------------------------------------------------------------ showing frames
    def current_frame(self) -> int:
        return self.slider.value()

    def _frames_arrived(self, key: str) -> None:
        if key in self._keys:
            self._show_frame()

    def _show_frame(self, *_: Any) -> None:
        frame = self.current_frame()
        a, b = self.version_a(), self.version_b()
        set_a, set_b = self.frames.get(self._keys[0]), self.frames.get(self._keys[1])
        image_a = set_a.nearest(frame) if set_a else None
        image_b = set_b.nearest(frame) if set_b else None
        self.viewer.set_images(image_a, image_b)
        b_name = b.name if b is not None else "plate"
        self.viewer.set_captions(a.name if a else "", b_name)
        notes = []
        for label, frame_set in (("A", set_a), ("B", set_b)):
            if frame_set is None:
                continue
            if frame_set.error:
                notes.append(f"{label}: {frame_set.error}")
            elif not frame_set.complete:
                notes.append(f"{label}: loading {frame_set.origin}… ({len(frame_set.images)} frames)")
            elif len(frame_set.images) <= 1 and "thumbnail" in frame_set.origin:
                notes.append(f"{label}: {frame_set.origin}")
        if set_b is None and self._notes[1] and b is None and self.viewer.mode != "a":
            notes.append(f"B: {self._notes[1]}")
        self.viewer.set_message("  ·  ".join(notes))
        if a is not None:
            self.frame_label.setText(f"{frame}  ({frame - a.frame_range.first + 1}/{a.frame_range.count})")

    # ------------------------------------------------------------------ compare and play
    def flip(self) -> None:
        """The A/B flip: show the other one."""
        self.wipe_button.setChecked(False)
        self.viewer.set_mode("b" if self.viewer.mode == "a" else "a")
        self._show_frame()

    def _wipe_toggled(self, on: bool) -> None:
        self.viewer.set_mode("wipe" if on else "a")
        self._show_frame()

    def _play_toggled(self, on: bool) -> None:
        self.play_button.setText("Pause" if on else "Play")
        if on:
            self._player.start()
        else:
            self._player.stop()

    def _step(self) -> None:
        value = self.slider.value() + 1
        self.slider.setValue(self.slider.minimum() if value > self.slider.maximum() else value)

    # ------------------------------------------------------------------ review actions
    def _update_actions(self) -> None:
        a = self.version_a()
        for button in (self.approve_button, self.reject_button, self.replay_button):
            button.setEnabled(a is not None)
        self.diff_button.setEnabled(a is not None and self.version_b() is not None)

    def set_review(self, status: ReviewStatus) -> None:
        version = self.version_a()
        if version is None:
            return
        self.status_label.setText(f"{version.name}: marking {status.value}…")
        self.session.review(version, status, self.note_edit.text().strip())

    def replay(self) -> None:
        version = self.version_a()
        if version is not None:
            self.status_label.setText(f"{version.name}: sending the same recipe again…")
            self.session.replay(version, self.replayed.emit)

    def show_diff(self) -> None:
        a, b = self.version_a(), self.version_b()
        if a is None or b is None:
            return
        self.diff_label.setText(f"Comparing the recipes of {a.name} (A) and {b.name} (B)…")
        self.session.recipe_diff(a, b, lambda rows: self._diff_ready(a, b, rows))

    def _diff_ready(self, a: Version, b: Version, rows: list) -> None:
        self.diff_table.setRowCount(len(rows))
        for row, (path, left, right) in enumerate(rows):
            for column, value in enumerate((path, left, right)):
                text = value if isinstance(value, str) and column == 0 else repr(value)
                item = QTableWidgetItem(text if len(text) < 200 else text[:197] + "…")
                item.setToolTip(text)
                self.diff_table.setItem(row, column, item)
        self.diff_table.resizeRowsToContents()
        self.diff_label.setText(f"{a.name} (A) ↔ {b.name} (B): "
                                + (f"{len(rows)} field(s) differ" if rows else "the recipes are the same"))
