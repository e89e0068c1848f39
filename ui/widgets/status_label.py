"""StatusLabel: one line of feedback whose look follows its severity (info, success, error)."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtWidgets import QLabel, QWidget


class Severity(StrEnum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


class StatusLabel(QLabel):
    """The stylesheet colours it by the dynamic property ``severity``; an error is big and red."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StatusLabel")
        self.setWordWrap(True)
        self._severity = Severity.INFO
        self.setProperty("severity", self._severity.value)

    @property
    def severity(self) -> Severity:
        return self._severity

    def show_message(self, text: str, severity: Severity = Severity.INFO) -> None:
        self.setText(text)
        if severity is not self._severity:
            self._severity = severity
            self.setProperty("severity", severity.value)
            # A dynamic property change needs a re-polish for the stylesheet to notice it.
            self.style().unpolish(self)
            self.style().polish(self)

    def clear_message(self) -> None:
        self.show_message("", Severity.INFO)
