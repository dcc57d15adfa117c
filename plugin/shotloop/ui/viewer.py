"""An image viewer that compares two frames: A only, B only (the A/B flip), or a wipe.

In wipe mode A is left of the line and B right of it; dragging moves the line. Both are
drawn into the same rectangle (A's aspect), so a version and its plate line up.
"""
from __future__ import annotations

from qtpy.QtCore import QPointF, QRectF, Qt, Signal
from qtpy.QtGui import QColor, QFont, QImage, QPainter, QPen
from qtpy.QtWidgets import QSizePolicy, QWidget

MODES = ("a", "b", "wipe")


class CompareViewer(QWidget):
    wipe_moved = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(False)
        self._a: QImage | None = None
        self._b: QImage | None = None
        self._captions = ("", "")
        self._mode = "a"
        self._wipe = 0.5
        self._message = ""

    # ------------------------------------------------------------------ state
    @property
    def mode(self) -> str:
        return self._mode

    @property
    def wipe(self) -> float:
        return self._wipe

    def set_images(self, a: QImage | None, b: QImage | None) -> None:
        self._a, self._b = a, b
        self.update()

    def set_captions(self, a: str, b: str) -> None:
        self._captions = (a, b)
        self.update()

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"viewer mode {mode!r} is not one of {MODES}")
        self._mode = mode
        self.update()

    def set_wipe(self, position: float) -> None:
        self._wipe = min(1.0, max(0.0, position))
        self.update()

    def set_message(self, text: str) -> None:
        self._message = text
        self.update()

    # ------------------------------------------------------------------ drawing
    def _target(self, image: QImage) -> QRectF:
        area = QRectF(self.rect()).adjusted(8, 28, -8, -8)
        if image.width() <= 0 or image.height() <= 0 or area.width() <= 0 or area.height() <= 0:
            return area
        scale = min(area.width() / image.width(), area.height() / image.height())
        w, h = image.width() * scale, image.height() * scale
        return QRectF(area.center().x() - w / 2, area.center().y() - h / 2, w, h)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.fillRect(self.rect(), QColor(24, 24, 26))
        base = self._a if self._a is not None and not self._a.isNull() else self._b
        if base is None or base.isNull():
            self._draw_text(painter, self._message or "Nothing to show")
            painter.end()
            return
        target = self._target(base)
        shown_a = self._mode in ("a", "wipe")
        shown_b = self._mode in ("b", "wipe")
        if shown_a and self._a is not None and not self._a.isNull():
            painter.drawImage(target, self._a)
        if shown_b and self._b is not None and not self._b.isNull():
            if self._mode == "wipe":
                split = target.left() + target.width() * self._wipe
                clip = QRectF(split, target.top(), target.right() - split, target.height())
                painter.save()
                painter.setClipRect(clip)
                painter.drawImage(target, self._b)
                painter.restore()
            else:
                painter.drawImage(target, self._b)
        if self._mode == "wipe":
            split = target.left() + target.width() * self._wipe
            painter.setPen(QPen(QColor(255, 204, 0), 2))
            painter.drawLine(QPointF(split, target.top()), QPointF(split, target.bottom()))
        self._draw_captions(painter)
        if self._message:
            self._draw_text(painter, self._message, bottom=True)
        painter.end()

    def _draw_captions(self, painter: QPainter) -> None:
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(235, 235, 235))
        a, b = self._captions
        box = QRectF(self.rect()).adjusted(10, 4, -10, 0)
        box.setHeight(22)
        if self._mode in ("a", "wipe") and a:
            painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), f"A  {a}")
        if self._mode in ("b", "wipe") and b:
            painter.drawText(box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), f"B  {b}")

    def _draw_text(self, painter: QPainter, text: str, *, bottom: bool = False) -> None:
        painter.setPen(QColor(200, 200, 200))
        box = QRectF(self.rect()).adjusted(16, 16, -16, -16)
        flags = Qt.AlignmentFlag.AlignHCenter | (Qt.AlignmentFlag.AlignBottom if bottom
                                                 else Qt.AlignmentFlag.AlignVCenter)
        painter.drawText(box, int(flags | Qt.TextFlag.TextWordWrap), text)

    # ------------------------------------------------------------------ wipe dragging
    def _drag(self, x: float) -> None:
        base = self._a if self._a is not None and not self._a.isNull() else self._b
        if self._mode != "wipe" or base is None or base.isNull():
            return
        target = self._target(base)
        if target.width() > 0:
            self.set_wipe((x - target.left()) / target.width())
            self.wipe_moved.emit(self._wipe)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._drag(event.position().x() if hasattr(event, "position") else event.x())

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._drag(event.position().x() if hasattr(event, "position") else event.x())
