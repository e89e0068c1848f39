"""ConfirmDialog: a yes/no question answered with Enter (yes) or Esc (no)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class ConfirmDialog(QDialog):
    """Window-modal; the caller opens it with ``open()`` and listens to ``accepted``."""

    def __init__(
        self,
        question: str,
        *,
        yes_text: str,
        no_text: str,
        danger: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(520)
        self._question = QLabel(question, self)
        self._question.setObjectName("Title")
        self._question.setWordWrap(True)
        self.yes_button = QPushButton(yes_text, self)
        self.yes_button.setObjectName("DangerButton" if danger else "ConfirmButton")
        self.yes_button.setDefault(True)
        self.yes_button.clicked.connect(self.accept)
        no = QPushButton(no_text, self)
        no.setObjectName("CancelButton")
        no.setAutoDefault(False)
        no.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(no)
        buttons.addWidget(self.yes_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(24)
        layout.addWidget(self._question)
        layout.addLayout(buttons)
        self.yes_button.setFocus()

    def question(self) -> str:
        return self._question.text()
