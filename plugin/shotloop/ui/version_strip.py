"""A shot's versions as thumbnails with version, seed, model and review status."""
from __future__ import annotations

from typing import Sequence

from qtpy.QtCore import QSize, Qt, Signal
from qtpy.QtGui import QColor, QIcon, QImage, QPainter, QPixmap
from qtpy.QtWidgets import QListView, QListWidget, QListWidgetItem, QWidget

from ..model import ReviewStatus, Version
from .background import Background
from .frames import read_image

THUMB = QSize(160, 90)
VERSION_ROLE = int(Qt.ItemDataRole.UserRole) + 10
STATUS_COLOURS = {ReviewStatus.APPROVED: QColor(106, 191, 105), ReviewStatus.REJECTED: QColor(224, 83, 61),
                  ReviewStatus.PENDING: QColor(150, 150, 150)}


def caption(version: Version) -> str:
    return f"v{version.number:03d} · {version.review.value}\nseed {version.seed} · {version.model}"


class VersionStrip(QListWidget):
    version_selected = Signal(object)  # Version | None

    def __init__(self, background: Background, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._background = background
        self._thumbs: dict[str, QImage] = {}
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setIconSize(THUMB)
        self.setGridSize(QSize(THUMB.width() + 24, THUMB.height() + 44))
        self.setFixedHeight(THUMB.height() + 60)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.currentItemChanged.connect(lambda current, _previous: self.version_selected.emit(
            current.data(VERSION_ROLE) if current is not None else None))

    def set_versions(self, versions: Sequence[Version]) -> None:
        keep = self.current_version()
        self.blockSignals(True)
        try:
            self.clear()
            for version in versions:
                item = QListWidgetItem()
                self.addItem(item)
                self._fill(item, version)
        finally:
            self.blockSignals(False)
        target = None
        if keep is not None:
            target = self._item_for(keep.label, keep.number)
        if target is None and self.count():
            target = self.item(self.count() - 1)  # the newest
        if target is not None:
            self.setCurrentItem(target)
        else:
            self.version_selected.emit(None)

    def update_version(self, version: Version) -> None:
        item = self._item_for(version.label, version.number)
        if item is not None:
            self._fill(item, version)
            if item is self.currentItem():
                self.version_selected.emit(version)

    def current_version(self) -> Version | None:
        item = self.currentItem()
        return item.data(VERSION_ROLE) if item is not None else None

    def versions(self) -> list[Version]:
        return [self.item(i).data(VERSION_ROLE) for i in range(self.count())]

    def select(self, label: str, number: int) -> None:
        item = self._item_for(label, number)
        if item is not None:
            self.setCurrentItem(item)

    def _item_for(self, label: str, number: int) -> QListWidgetItem | None:
        for i in range(self.count()):
            version = self.item(i).data(VERSION_ROLE)
            if version.label == label and version.number == number:
                return self.item(i)
        return None

    def _fill(self, item: QListWidgetItem, version: Version) -> None:
        item.setData(VERSION_ROLE, version)
        item.setText(caption(version))
        item.setToolTip(f"{version.name}\n{version.path}\n{version.note}".strip())
        if version.review is not ReviewStatus.PENDING:
            item.setForeground(STATUS_COLOURS[version.review])
        thumb = self._thumbs.get(version.thumbnail)
        item.setIcon(QIcon(self._badge(thumb, version.review)))
        if thumb is None and version.thumbnail:
            path = version.thumbnail
            self._background.run(lambda: read_image(path, THUMB.width()),
                                 lambda image, p=path, v=version: self._thumb_loaded(p, image, v))

    def _thumb_loaded(self, path: str, image: QImage, version: Version) -> None:
        if image.isNull():
            return
        self._thumbs[path] = image
        item = self._item_for(version.label, version.number)
        if item is not None:
            current = item.data(VERSION_ROLE)
            item.setIcon(QIcon(self._badge(image, current.review)))

    @staticmethod
    def _badge(image: QImage | None, status: ReviewStatus) -> QPixmap:
        """The thumbnail (or a blank) with a status bar along its bottom edge."""
        pixmap = QPixmap(THUMB)
        pixmap.fill(QColor(30, 30, 32))
        painter = QPainter(pixmap)
        if image is not None and not image.isNull():
            scaled = image.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                  Qt.TransformationMode.SmoothTransformation)
            painter.drawImage((THUMB.width() - scaled.width()) // 2,
                              (THUMB.height() - scaled.height()) // 2, scaled)
        else:
            painter.setPen(QColor(120, 120, 120))
            painter.drawText(pixmap.rect(), int(Qt.AlignmentFlag.AlignCenter), "no thumbnail")
        painter.fillRect(0, THUMB.height() - 6, THUMB.width(), 6, STATUS_COLOURS.get(status, QColor(150, 150, 150)))
        painter.end()
        return pixmap
