"""Small widget helpers shared by the views."""
from __future__ import annotations

from qtpy.QtGui import QFont
from qtpy.QtWidgets import QFrame, QLabel, QLayout, QVBoxLayout, QWidget

ERROR_STYLE = "color: #e0533d;"
OK_STYLE = "color: #6abf69;"


def section(title: str, content: QWidget | QLayout) -> QWidget:
    """A titled block. Not a QGroupBox: its title is left out of Qt's height-for-width
    pass, which squeezes the content of word-wrapping layouts in a scroll area."""
    box = QFrame()
    box.setFrameShape(QFrame.Shape.StyledPanel)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(10, 6, 10, 10)
    heading = QLabel(title)
    font = QFont(heading.font())
    font.setBold(True)
    heading.setFont(font)
    layout.addWidget(heading)
    if isinstance(content, QLayout):
        layout.addLayout(content)
    else:
        layout.addWidget(content)
    return box
