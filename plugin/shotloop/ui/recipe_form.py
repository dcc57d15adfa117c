"""The recipe form: model, prompt, ratio, duration, keyframes, seed and label.

Only what the chosen model allows is offered (its ratios, durations and keyframe
positions come from the agent's profile), and the prompt's length is counted as the
service counts it (UTF-16 units) while the artist types.
"""
from __future__ import annotations

import random

from qtpy.QtCore import QRegularExpression, Signal
from qtpy.QtGui import QRegularExpressionValidator
from qtpy.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                            QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from ..model import Endpoint, KeyframeMode, Recipe, Shot
from .profile import ModelLimits, ProfileInfo
from .recipe_check import SEED_MAX, closest_ratio, utf16_length

ENDPOINT_LABELS = {"image_to_video": "Image to video", "text_to_video": "Text to video",
                   "video_to_video": "Video to video"}
KEYFRAME_LABELS = {KeyframeMode.FIRST: "First frame", KeyframeMode.FIRST_LAST: "First + last frame",
                   KeyframeMode.NONE: "None (prompt only)"}
AUTO = "auto"


class RecipeForm(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._profile: ProfileInfo | None = None
        self._shot: Shot | None = None
        self._updating = False

        self.endpoint = QComboBox()
        self.model = QComboBox()
        self.limits_label = QLabel("Waiting for the agent's profile…")
        self.limits_label.setWordWrap(True)
        self.limits_label.setObjectName("limits")
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText("Describe the shot to generate")
        self.prompt.setFixedHeight(96)
        self.prompt_count = QLabel("0 / 1000")
        self.ratio = QComboBox()
        self.duration = QComboBox()
        self.keyframes = QComboBox()
        self.seed = QLineEdit("0")
        self.seed.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,10}"), self))
        self.seed_random = QPushButton("Random")
        self.label = QLineEdit("gen")

        seed_row = QHBoxLayout()
        seed_row.setContentsMargins(0, 0, 0, 0)
        seed_row.addWidget(self.seed, 1)
        seed_row.addWidget(self.seed_random)
        prompt_box = QWidget()
        prompt_layout = QVBoxLayout(prompt_box)
        prompt_layout.setContentsMargins(0, 0, 0, 0)
        prompt_layout.setSpacing(2)
        prompt_layout.addWidget(self.prompt)
        prompt_layout.addWidget(self.prompt_count)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Endpoint", self.endpoint)
        form.addRow("Model", self.model)
        form.addRow("Limits", self.limits_label)
        form.addRow("Prompt", prompt_box)
        form.addRow("Ratio", self.ratio)
        form.addRow("Duration", self.duration)
        form.addRow("Keyframes", self.keyframes)
        form.addRow("Seed", seed_row)
        form.addRow("Label", self.label)

        self.endpoint.currentIndexChanged.connect(self._endpoint_changed)
        self.model.currentIndexChanged.connect(self._model_changed)
        self.prompt.textChanged.connect(self._prompt_changed)
        for combo in (self.ratio, self.duration, self.keyframes):
            combo.currentIndexChanged.connect(self._emit)
        self.seed.textChanged.connect(self._emit)
        self.label.textChanged.connect(self._emit)
        self.seed_random.clicked.connect(lambda: self.seed.setText(str(random.randint(0, SEED_MAX))))

    # ------------------------------------------------------------------ inputs
    def set_profile(self, profile: ProfileInfo) -> None:
        self._profile = profile
        keep = self.endpoint.currentData()
        self._updating = True
        self.endpoint.clear()
        for endpoint in profile.endpoints():
            self.endpoint.addItem(ENDPOINT_LABELS.get(endpoint, endpoint), endpoint)
        index = self.endpoint.findData(keep)
        self.endpoint.setCurrentIndex(max(index, 0))
        self._updating = False
        self._endpoint_changed()

    def set_reference_shot(self, shot: Shot | None) -> None:
        """The shot whose aspect picks the default ratio."""
        first_time = self._shot is None
        self._shot = shot
        if first_time and shot is not None:
            self._fill_model_options(prefer_closest=True)

    # ------------------------------------------------------------------ outputs
    def limits(self) -> ModelLimits | None:
        if self._profile is None:
            return None
        return self._profile.limits(self.endpoint.currentData() or "", self.model.currentData() or "")

    def auto_duration(self) -> bool:
        return self.duration.currentData() in (AUTO, None)

    def recipe(self) -> Recipe:
        seed_text = self.seed.text().strip()
        duration = self.duration.currentData()
        keyframes = KeyframeMode(self.keyframes.currentData() or KeyframeMode.NONE.value)
        endpoint = Endpoint(self.endpoint.currentData() or Endpoint.IMAGE_TO_VIDEO.value)
        if endpoint is not Endpoint.IMAGE_TO_VIDEO:
            keyframes = KeyframeMode.NONE
        return Recipe(model=self.model.currentData() or "", prompt=self.prompt.toPlainText(),
                      endpoint=endpoint, keyframes=keyframes,
                      seed=int(seed_text) if seed_text else 0,
                      ratio=self.ratio.currentData() or "1280:720",
                      duration=int(duration) if isinstance(duration, int) else 5,
                      label=self.label.text().strip())

    def set_recipe(self, recipe: Recipe) -> None:
        """Fill the form from a recipe (e.g. the one of a version to start from)."""
        self._select(self.endpoint, recipe.endpoint.value)
        self._select(self.model, recipe.model)
        self.prompt.setPlainText(recipe.prompt)
        self._select(self.ratio, recipe.ratio)
        self._select(self.duration, recipe.duration)
        self._select(self.keyframes, KeyframeMode(recipe.keyframes).value)
        self.seed.setText(str(recipe.seed))
        self.label.setText(recipe.label)

    # ------------------------------------------------------------------ reactions
    @staticmethod
    def _select(combo: QComboBox, data: object) -> None:
        index = combo.findData(data)
        if index >= 0:
            combo.setCurrentIndex(index)

    def _emit(self) -> None:
        if not self._updating:
            self.changed.emit()

    def _endpoint_changed(self) -> None:
        if self._updating or self._profile is None:
            return
        keep = self.model.currentData()
        self._updating = True
        self.model.clear()
        for spec in self._profile.models_for(self.endpoint.currentData() or ""):
            self.model.addItem(spec.model, spec.model)
        index = self.model.findData(keep)
        self.model.setCurrentIndex(max(index, 0))
        self._updating = False
        self._model_changed()

    def _model_changed(self) -> None:
        if self._updating:
            return
        self._fill_model_options(prefer_closest=False)

    def _fill_model_options(self, *, prefer_closest: bool) -> None:
        limits = self.limits()
        self._updating = True
        try:
            keep_ratio, keep_duration, keep_keys = (self.ratio.currentData(), self.duration.currentData(),
                                                    self.keyframes.currentData())
            self.ratio.clear()
            self.duration.clear()
            self.keyframes.clear()
            if limits is None:
                self.limits_label.setText("No model is enabled for this endpoint in the profile.")
                return
            self.limits_label.setText(limits.summary())
            for ratio in limits.ratios:
                self.ratio.addItem(ratio.replace(":", " × "), ratio)
            if limits.ratios:
                wanted = keep_ratio if keep_ratio in limits.ratios and not prefer_closest else (
                    closest_ratio(self._shot, limits) if self._shot else limits.ratios[0])
                self._select(self.ratio, wanted)
            self.duration.addItem("Auto (shortest covering each shot)", AUTO)
            for seconds in limits.durations:
                self.duration.addItem(f"{seconds} s", seconds)
            self._select(self.duration, keep_duration)
            if limits.endpoint == "image_to_video":
                modes = [KeyframeMode.FIRST] + ([KeyframeMode.FIRST_LAST] if limits.takes_last_keyframe else [])
            else:
                modes = [KeyframeMode.NONE]
            for mode in modes:
                self.keyframes.addItem(KEYFRAME_LABELS[mode], mode.value)
            self._select(self.keyframes, keep_keys)
        finally:
            self._updating = False
            self._prompt_changed()

    def _prompt_changed(self) -> None:
        limits = self.limits()
        maximum = limits.prompt_max if limits else 1000
        length = utf16_length(self.prompt.toPlainText())
        over = length > maximum
        required = " · required" if limits and (limits.needs_prompt or limits.endpoint == "text_to_video") else ""
        self.prompt_count.setText(f"{length} / {maximum} characters (UTF-16){required}"
                                  + (f" — {length - maximum} over" if over else ""))
        self.prompt_count.setStyleSheet("color: #e0533d; font-weight: bold;" if over else "")
        self._emit()
