"""QrView: a QR code drawn as crisp modules at whatever size the widget gets."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

QUIET_ZONE = 4
"""Modules of white border every QR needs to be read (ISO/IEC 18004)."""


class QrView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._modules: list[list[bool]] = []
        self._text = ""
        self.setMinimumSize(160, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    @property
    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        """Encode ``text`` (ASCII payloads stay small: see toolchain.md, QR payloads)."""
        code = qrcode.QRCode(border=QUIET_ZONE, error_correction=qrcode.constants.ERROR_CORRECT_M)
        code.add_data(text)
        code.make(fit=True)
        self._modules = [[bool(cell) for cell in row] for row in code.get_matrix()]
        self._text = text
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self._modules:
            count = len(self._modules)
            module = max(1, min(self.width(), self.height()) // count)
            left = (self.width() - module * count) // 2
            top = (self.height() - module * count) // 2
            # White only under the code (its quiet zone included), the page colour around it.
            painter.fillRect(QRect(left, top, module * count, module * count), QColor("white"))
            for y, row in enumerate(self._modules):
                for x, dark in enumerate(row):
                    if dark:
                        painter.fillRect(QRect(left + x * module, top + y * module, module,
                                               module), Qt.GlobalColor.black)
        painter.end()
