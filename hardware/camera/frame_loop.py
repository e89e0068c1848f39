"""FrameLoop: one camera on its own thread: open, read frames, reopen when it goes away.

Shared by the barcode camera (``CameraScanner``) and the face camera (``FaceReader``); each
says what to do with a frame (``_process``), whether it wants one now (``_wants_frame``) and
what to do before the first open (``_prepare``). Frames are read one at a time, at most
``max_fps`` of them processed a second (the rest read and dropped), so a slow frame drops
frames rather than queueing them. A camera that cannot be opened or stops delivering is
reported through ``on_status(online, detail)``, changes only, and reopened every
``retry_seconds`` until ``close()``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from hardware.camera.barcode_reader import Image
from pos_app.errors import DeviceError

log = logging.getLogger(__name__)

StatusCallback = Callable[[bool, str], None]
"""Called on the frame thread with (online, detail) when the camera goes offline or comes back;
the composition root publishes it as DeviceStatusChanged."""


class FrameSource(Protocol):
    """An open camera. Used from the frame thread only."""

    def read(self) -> Image | None:
        """The next frame (BGR or grayscale); None when the camera stopped delivering."""
        ...

    def close(self) -> None: ...


OpenSource = Callable[[], FrameSource]
"""Opens the camera; raises CameraUnavailable (or OSError) when there is none."""


class FrameLoop:
    """The thread, the retry loop and the status of one camera; subclasses handle frames."""

    def __init__(self, open_source: OpenSource, *, on_status: StatusCallback | None,
                 retry_seconds: float, max_fps: float | None, name: str, label: str) -> None:
        self._open_source = open_source
        self._on_status = on_status
        self._retry_seconds = retry_seconds
        self._interval = 1.0 / max_fps if max_fps else 0.0
        self._next_frame = 0.0
        self._online: bool | None = None
        self._stop = threading.Event()
        self.name = name
        self._label = label
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
            log.warning("%s %s did not stop within %.1f s", self._label, self.name, timeout)
            return False
        return True

    # -- what a subclass decides ------------------------------------------------------------

    def _prepare(self) -> bool:
        """Before the first open, on the frame thread; False ends the thread."""
        return True

    def _opened(self) -> None:
        """The camera (re)opened: forget what earlier frames said."""

    def _wants_frame(self, asked_at: float) -> bool:
        """Whether to process a frame whose read began at ``asked_at`` (monotonic)."""
        return True

    def _process(self, frame: Image) -> None:
        raise NotImplementedError

    # -- the loop ---------------------------------------------------------------------------

    def _run(self) -> None:
        if not self._prepare():
            return
        while not self._stop.is_set():
            source = self._open()
            if source is not None:
                self._opened()
                self._set_status(True, f"{self._label} open")
                self._pump(source)
                self._release(source)
                if self._stop.is_set():
                    break
                self._set_status(False, f"{self._label} stopped delivering frames; reopening")
            self._stop.wait(self._retry_seconds)

    def _open(self) -> FrameSource | None:
        try:
            return self._open_source()
        except Exception as exc:
            # Logged when the camera goes away, not at every retry; a traceback only for
            # what is not a plain "no camera" (a bug or an unexpected library error).
            if self._online is not False:
                log.warning("%s %s unavailable: %s; retrying every %.1f s", self._label,
                            self.name, exc, self._retry_seconds,
                            exc_info=not isinstance(exc, DeviceError | OSError))
            self._set_status(False, f"{self._label} unavailable: {exc}")
        return None

    def _pump(self, source: FrameSource) -> None:
        while not self._stop.is_set():
            asked_at = time.monotonic()
            try:
                frame = source.read()
            except Exception:
                log.exception("%s %s: reading a frame failed", self._label, self.name)
                return
            if frame is None:
                return
            now = time.monotonic()
            if self._wants_frame(asked_at) and now >= self._next_frame:
                self._next_frame = now + self._interval
                self._process(frame)

    def _release(self, source: FrameSource) -> None:
        try:
            source.close()
        except Exception:
            log.exception("%s %s: closing the camera failed", self._label, self.name)

    def _set_status(self, online: bool, detail: str) -> None:
        if self._online is online:
            return  # report changes only: a camera that stays away is not news every retry
        self._online = online
        if self._on_status is None:
            return
        try:
            self._on_status(online, detail)
        except Exception:
            log.exception("%s %s: status handler failed", self._label, self.name)
