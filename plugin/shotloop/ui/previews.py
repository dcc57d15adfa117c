"""Keyframe previews: the images exactly as they will be sent (sRGB, fitted to the ratio)."""
from __future__ import annotations

from typing import Sequence

from qtpy.QtCore import Qt
from qtpy.QtGui import QImage, QPixmap
from qtpy.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

TILE_WIDTH = 240


class KeyframePreviews(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tiles: list[tuple[QLabel, QLabel]] = []
        self._row = QHBoxLayout()
        self._row.setContentsMargins(0, 0, 0, 0)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._row)
        layout.addWidget(self.message)
        for _ in range(2):
            image, caption = QLabel(), QLabel()
            image.setFixedSize(TILE_WIDTH, TILE_WIDTH * 9 // 16)
            image.setAlignment(Qt.AlignmentFlag.AlignCenter)
            image.setStyleSheet("background: #18181a; border: 1px solid #333;")
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            column = QVBoxLayout()
            column.addWidget(image)
            column.addWidget(caption)
            self._row.addLayout(column)
            self._tiles.append((image, caption))
        self._row.addStretch(1)
        self.images: list[tuple[str, QImage]] = []
        self.show_message("Pick a shot to see its keyframes.")

    def show_images(self, images: Sequence[tuple[str, QImage]], note: str = "") -> None:
        self.images = list(images)
        for index, (tile, caption) in enumerate(self._tiles):
            if index < len(self.images):
                role, image = self.images[index]
                pixmap = QPixmap.fromImage(image).scaled(
                    tile.size(), Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation)
                tile.setPixmap(pixmap)
                caption.setText(f"{role} · {image.width()}×{image.height()} sRGB")
                tile.setVisible(True)
                caption.setVisible(True)
            else:
                tile.clear()
                caption.clear()
                tile.setVisible(index == 0 and not self.images)
                caption.setVisible(False)
        self.message.setText(note)

    def show_message(self, text: str) -> None:
        self.images = []
        for index, (tile, caption) in enumerate(self._tiles):
            tile.clear()
            tile.setText("" if index else "no preview")
            tile.setVisible(index == 0)
            caption.clear()
        self.message.setText(text)
