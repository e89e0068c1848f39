"""FKeyBar: a row of big buttons, each showing its key ("F2") above what it does."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget


class FKeyBar(QWidget):
    """Buttons never take the focus, so a click leaves it in the code entry for the next scan."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FKeyBar")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self._buttons: dict[str, QPushButton] = {}

    def add(self, key_label: str, action: QAction) -> QPushButton:
        button = QPushButton(f"{key_label}\n{action.text()}", self)
        button.setObjectName("FKeyButton")
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(action.trigger)
        self._layout.addWidget(button)
        self._buttons[key_label] = button
        return button

    def button(self, key_label: str) -> QPushButton:
        return self._buttons[key_label]

    def labels(self) -> list[str]:
        return [button.text() for button in self._buttons.values()]
