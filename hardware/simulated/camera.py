"""SimulatedCamera: plays image files as camera frames, for the demo store and the tests.

``SimulatedCamera(paths).open`` is an ``OpenSource`` for ``CameraScanner``. Each image is fitted
into a 640x480 frame (scaled, centred on light grey: zxing-cpp misses many codes framed by a
wide pure-white border, which a real camera never shows), repeated ``frames_per_image`` times,
at ``fps`` frames a second. ``unplug()`` makes the open camera stop delivering and further
opens fail until ``plug()``, as a pulled USB cable does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from hardware.camera.barcode_reader import Image
from hardware.camera.capture import CameraUnavailable
from hardware.camera.decode_cli import load_image

FRAME_SIZE = (640, 480)
BACKGROUND = 200  # light grey


def fit_frame(image: Image, size: tuple[int, int] = FRAME_SIZE) -> Image:
    """``image`` scaled to fit ``size`` (width, height), centred on a light grey frame."""
    width, height = size
    if image.ndim == 2:
        image = np.asarray(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    scale = min(width / image.shape[1], height / image.shape[0])
    new_w = max(1, min(width, round(image.shape[1] * scale)))
    new_h = max(1, min(height, round(image.shape[0] * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(image, (new_w, new_h), interpolation=interpolation)
    frame = np.full((height, width, 3), BACKGROUND, dtype=np.uint8)
    top, left = (height - new_h) // 2, (width - new_w) // 2
    frame[top : top + new_h, left : left + new_w] = resized
    return frame


class SimulatedCamera:
    """A camera whose scene is a list of images; can be unplugged and plugged back in."""

    def __init__(
        self,
        images: Sequence[Path | Image],
        *,
        frames_per_image: int = 1,
        fps: float | None = 30.0,
        loop: bool = True,
        size: tuple[int, int] | None = FRAME_SIZE,
    ) -> None:
        if not images or frames_per_image < 1:
            raise ValueError("a simulated camera needs images and frames_per_image >= 1")
        self.size = size
        self.frames = self._frames(images)
        self.frames_per_image = frames_per_image
        self.fps = fps
        self.loop = loop
        self.open_attempts = 0
        self._plugged = threading.Event()
        self._plugged.set()

    def show(self, images: Sequence[Path | Image]) -> None:
        """A new scene from the next frame on (someone else steps up to the camera)."""
        if not images:
            raise ValueError("a simulated camera needs images")
        self.frames = self._frames(images)

    def _frames(self, images: Sequence[Path | Image]) -> list[Image]:
        loaded = [load_image(i) if isinstance(i, Path) else i for i in images]
        return [fit_frame(i, self.size) if self.size else i for i in loaded]

    @property
    def plugged(self) -> bool:
        return self._plugged.is_set()

    def unplug(self) -> None:
        self._plugged.clear()

    def plug(self) -> None:
        self._plugged.set()

    def open(self) -> SimulatedFrameSource:
        """Start playing from the first image; CameraUnavailable while unplugged."""
        self.open_attempts += 1
        if not self.plugged:
            raise CameraUnavailable("simulated camera unplugged")
        return SimulatedFrameSource(self)


class SimulatedFrameSource:
    """One opening of a SimulatedCamera: its frames in order, paced at the camera's fps."""

    def __init__(self, camera: SimulatedCamera) -> None:
        self._camera = camera
        self._index = 0
        self._next_at = time.monotonic()
        self.closed = False

    def read(self) -> Image | None:
        camera = self._camera
        if camera.fps:
            delay = self._next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next_at = max(self._next_at, time.monotonic()) + 1.0 / camera.fps
        frames = camera.frames  # the scene now, after the wait; ``show`` may have changed it
        total = len(frames) * camera.frames_per_image
        if self.closed or not camera.plugged or (self._index >= total and not camera.loop):
            return None
        frame = frames[(self._index % total) // camera.frames_per_image]
        self._index += 1
        return frame

    def close(self) -> None:
        self.closed = True
