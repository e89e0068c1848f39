"""TopBar: where and who: store, terminal, cashier, status widgets, and a hint on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget


class TopBar(QWidget):
    def __init__(
        self, *, store: str, terminal: str, hint: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("TopBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._store = QLabel(store, self)
        self._terminal = QLabel(terminal, self)
        self._cashier = QLabel("", self)
        self._hint = QLabel(hint, self)
        self._layout = layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.setSpacing(32)
        for label in (self._store, self._terminal, self._cashier):
            layout.addWidget(label)
        layout.addStretch(1)
        layout.addWidget(self._hint)

    def add_status(self, widget: QWidget) -> None:
        """A status widget (the device status bar) on the right, just before the hint."""
        self._layout.insertWidget(self._layout.count() - 1, widget)

    def set_cashier(self, text: str) -> None:
        self._cashier.setText(text)

    def texts(self) -> list[str]:
        return [label.text() for label in (self._store, self._terminal, self._cashier)]
