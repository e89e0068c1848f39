"""Idle adverts on the customer display: after the screen has shown its welcome for a while,
the store's images (resources/adverts/*.png) take turns until somebody is served again.

``AdvertRotator`` owns the two timers (idle, then one slide every ``slide_ms``) and says when to
show or leave the adverts through ``show_advert``; ``AdvertView`` paints the current image
scaled to fit, never stretched. Nothing waits: files are read once, at construction, on the
main thread (a handful of small PNGs).
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

log = logging.getLogger(__name__)

ADVERT_AFTER_MS = 20_000
SLIDE_MS = 8_000


def load_adverts(folder: Path | None) -> list[tuple[str, QPixmap]]:
    """(file name, image) of every readable PNG in ``folder``, by name; none without a folder."""
    if folder is None or not folder.is_dir():
        return []
    adverts: list[tuple[str, QPixmap]] = []
    for path in sorted(folder.glob("*.png")):
        image = QPixmap(str(path))
        if image.isNull():
            log.warning("advert %s is not a readable image; skipped", path.name)
            continue
        adverts.append((path.name, image))
    return adverts


class AdvertView(QWidget):
    """One advert, as large as fits, centred on the window's own background."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QPixmap | None = None
        self._name = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    @property
    def name(self) -> str:
        """The file name of the advert on show ("" before the first)."""
        return self._name

    def set_image(self, name: str, image: QPixmap) -> None:
        self._name, self._image = name, image
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._image is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        scaled = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        left = (self.width() - scaled.width()) // 2
        top = (self.height() - scaled.height()) // 2
        painter.drawPixmap(QRect(left, top, scaled.width(), scaled.height()), self._image)
        painter.end()


class AdvertRotator(QObject):
    """Idle for ``after_ms`` -> ``show_advert(True)`` and a new image every ``slide_ms``;
    ``wake()`` (a scan, a payment, a QR) stops it at once. ``after_ms`` <= 0 or no images:
    never shows anything."""

    show_advert = Signal(bool)

    def __init__(
        self,
        view: AdvertView,
        adverts: list[tuple[str, QPixmap]],
        *,
        after_ms: int = ADVERT_AFTER_MS,
        slide_ms: int = SLIDE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._adverts = adverts
        self._next = 0
        self._showing = False
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(max(after_ms, 0))
        self._idle.timeout.connect(self._begin)
        self._slides = QTimer(self)
        self._slides.setInterval(max(slide_ms, 500))
        self._slides.timeout.connect(self._advance)
        self._enabled = after_ms > 0 and bool(adverts)

    @property
    def showing(self) -> bool:
        return self._showing

    @property
    def count(self) -> int:
        return len(self._adverts)

    def idle(self) -> None:
        """The welcome is on screen: count down to the first advert (again)."""
        if self._enabled and not self._showing:
            self._idle.start()

    def wake(self) -> None:
        """Somebody is being served: no adverts until the next ``idle()``."""
        self._idle.stop()
        self._slides.stop()
        if self._showing:
            self._showing = False
            self.show_advert.emit(False)

    def _begin(self) -> None:
        self._showing = True
        self._advance()
        self._slides.start()
        self.show_advert.emit(True)

    def _advance(self) -> None:
        name, image = self._adverts[self._next % len(self._adverts)]
        self._next += 1
        self._view.set_image(name, image)
