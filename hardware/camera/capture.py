"""Camera scanner: frames from a camera on their own thread, decoded and published as scans.

``CameraScanner.start()`` returns at once; its frame thread opens the camera, reads frames,
decodes each with ``BarcodeReader`` (a few ms at 640x480), filters the reads with
``FrameAcceptor`` and hands each accepted code to ``on_scan`` as
``BarcodeScanned(text, source="camera")``. A camera that is missing, unplugged or stops
delivering frames is reported through ``on_status(online, detail)`` and reopened every
``retry_seconds`` until ``close()``; the sale never waits for it.

Frames are read one at a time, so a slow decode drops frames rather than queueing them; at
most ``max_decode_fps`` frames a second are decoded (the rest are read and dropped): a frame
with no code costs about 20 ms of one core, so a 30 fps camera decoded in full would keep a
core of a two-core till busy. Two consecutive decoded frames confirm a code, about 0.15 s.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import cv2
import numpy as np

from hardware.camera.barcode_reader import BarcodeReader, FrameAcceptor, Image
from hardware.camera.frame_loop import FrameLoop, FrameSource, OpenSource, StatusCallback
from pos_app.errors import DeviceError
from pos_app.events import BarcodeScanned

log = logging.getLogger(__name__)

ScanCallback = Callable[[BarcodeScanned], None]
"""Called on the frame thread with each accepted code (the composition root: bus.publish)."""


class CameraUnavailable(DeviceError):
    """The camera cannot be opened: absent, unplugged, busy or not permitted."""


class OpenCvCamera:
    """A FrameSource over cv2.VideoCapture (a device index, a file or a stream URL)."""

    def __init__(self, capture: cv2.VideoCapture) -> None:
        self._capture = capture

    @classmethod
    def open(cls, device: int | str = 0, *, width: int = 640, height: int = 480) -> OpenCvCamera:
        capture = cv2.VideoCapture(device)
        if not capture.isOpened():
            capture.release()
            raise CameraUnavailable(f"camera {device!r} could not be opened")
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # decode the newest frame, not a stale queue
        return cls(capture)

    def read(self) -> Image | None:
        ok, frame = self._capture.read()
        return np.asarray(frame, dtype=np.uint8) if ok else None

    def close(self) -> None:
        self._capture.release()


def opencv_camera(device: int | str = 0, *, width: int = 640, height: int = 480) -> OpenSource:
    """The OpenSource for a real camera, for CameraScanner."""
    return lambda: OpenCvCamera.open(device, width=width, height=height)


class CameraScanner(FrameLoop):
    """One camera, its frame thread, and the reads it accepts as scans."""

    def __init__(
        self,
        open_source: OpenSource,
        on_scan: ScanCallback,
        *,
        on_status: StatusCallback | None = None,
        reader: BarcodeReader | None = None,
        acceptor: FrameAcceptor | None = None,
        retry_seconds: float = 3.0,
        max_decode_fps: float | None = 15.0,
        name: str = "camera",
    ) -> None:
        super().__init__(open_source, on_status=on_status, retry_seconds=retry_seconds,
                         max_fps=max_decode_fps, name=name, label="camera")
        self._on_scan = on_scan
        self._reader = reader or BarcodeReader()
        self._acceptor = acceptor or FrameAcceptor()
        self._decode_failing = False

    def _opened(self) -> None:
        self._acceptor.reset()

    def _process(self, frame: Image) -> None:
        try:
            symbols = self._reader.decode(frame)
            self._decode_failing = False
        except Exception:
            if not self._decode_failing:  # once per run of failures, not 15 times a second
                log.exception("camera %s: decoding frames fails; the camera goes on", self.name)
            self._decode_failing = True
            symbols = []  # nothing read in this frame
        for symbol in self._acceptor.feed(symbols):
            log.debug("camera %s accepted %s from %s", self.name, symbol.format, symbol.source)
            try:
                self._on_scan(BarcodeScanned(symbol.text, source="camera"))
            except Exception:
                log.exception("camera %s: scan handler failed", self.name)


__all__ = ["CameraScanner", "CameraUnavailable", "FrameSource", "OpenCvCamera", "OpenSource",
           "ScanCallback", "StatusCallback", "opencv_camera"]
