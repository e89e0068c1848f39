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
import threading
import time
from collections.abc import Callable
from typing import Protocol

import cv2
import numpy as np

from hardware.camera.barcode_reader import BarcodeReader, FrameAcceptor, Image
from pos_app.errors import DeviceError
from pos_app.events import BarcodeScanned

log = logging.getLogger(__name__)

ScanCallback = Callable[[BarcodeScanned], None]
"""Called on the frame thread with each accepted code (the composition root: bus.publish)."""

StatusCallback = Callable[[bool, str], None]
"""Called on the frame thread with (online, detail) when the camera goes offline or comes back;
the composition root publishes it as DeviceStatusChanged."""


class CameraUnavailable(DeviceError):
    """The camera cannot be opened: absent, unplugged, busy or not permitted."""


class FrameSource(Protocol):
    """An open camera. Used from the frame thread only."""

    def read(self) -> Image | None:
        """The next frame (BGR or grayscale); None when the camera stopped delivering."""
        ...

    def close(self) -> None: ...


OpenSource = Callable[[], FrameSource]
"""Opens the camera; raises CameraUnavailable (or OSError) when there is none."""


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


class CameraScanner:
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
        self._open_source = open_source
        self._on_scan = on_scan
        self._on_status = on_status
        self._reader = reader or BarcodeReader()
        self._acceptor = acceptor or FrameAcceptor()
        self._retry_seconds = retry_seconds
        self._decode_interval = 1.0 / max_decode_fps if max_decode_fps else 0.0
        self._next_decode = 0.0
        self._decode_failing = False
        self.name = name
        self._online: bool | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"device-{name}", daemon=True)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def online(self) -> bool:
        """True while the camera is open and delivering frames."""
        return bool(self._online)

    def start(self) -> None:
        """Start the frame thread and return at once."""
        self._thread.start()

    def close(self, timeout: float = 5.0) -> bool:
        """Stop reading and release the camera; True once the frame thread has ended."""
        self._stop.set()
        if not self._thread.is_alive() or threading.current_thread() is self._thread:
            return not self._thread.is_alive()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("camera %s did not stop within %.1f s", self.name, timeout)
            return False
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            source = self._open()
            if source is not None:
                self._acceptor.reset()
                self._set_status(True, "camera open")
                self._pump(source)
                self._release(source)
                if self._stop.is_set():
                    break
                self._set_status(False, "camera stopped delivering frames; reopening")
            self._stop.wait(self._retry_seconds)

    def _open(self) -> FrameSource | None:
        try:
            return self._open_source()
        except Exception as exc:
            # Logged when the camera goes away, not at every retry; a traceback only for
            # what is not a plain "no camera" (a bug or an unexpected library error).
            if self._online is not False:
                expected = isinstance(exc, DeviceError | OSError)
                log.warning(
                    "camera %s unavailable: %s; retrying every %.1f s",
                    self.name,
                    exc,
                    self._retry_seconds,
                    exc_info=not expected,
                )
            self._set_status(False, f"camera unavailable: {exc}")
        return None

    def _pump(self, source: FrameSource) -> None:
        while not self._stop.is_set():
            try:
                frame = source.read()
            except Exception:
                log.exception("camera %s: reading a frame failed", self.name)
                return
            if frame is None:
                return
            now = time.monotonic()
            if now >= self._next_decode:
                self._next_decode = now + self._decode_interval
                self._process(frame)

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

    def _release(self, source: FrameSource) -> None:
        try:
            source.close()
        except Exception:
            log.exception("camera %s: closing the camera failed", self.name)

    def _set_status(self, online: bool, detail: str) -> None:
        if self._online is online:
            return  # report changes only: a camera that stays away is not news every retry
        self._online = online
        if self._on_status is None:
            return
        try:
            self._on_status(online, detail)
        except Exception:
            log.exception("camera %s: status handler failed", self.name)
