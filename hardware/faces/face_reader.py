"""FaceReader: a face camera on its own thread, reporting the nearest face while asked to.

Privacy first: frames are looked at only inside a watch window the screen opens when a member
chooses to be recognised or enrolled (``watch(seconds)``), never for every passer-by; outside it
frames are read and dropped. No frame is kept or written anywhere: only the embedding of the
largest face leaves this thread, through ``on_face(FaceSighting)`` (the composition root
publishes it as FaceSeen). At most ``max_fps`` frames a second are encoded (~35 ms each).

The camera is any ``OpenSource`` (``hardware.camera.capture.opencv_camera`` or a
``SimulatedCamera.open``); one that is missing or stops delivering is reported through
``on_status(online, detail)`` and reopened every ``retry_seconds``. The models load on this
thread (~350 ms), so ``start()`` returns at once; models that fail their SHA-256 check are
reported offline and the thread ends, as no retry can mend them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from hardware.camera.barcode_reader import Image
from hardware.camera.capture import FrameSource, OpenSource, StatusCallback
from pos_app.errors import DeviceError
from pos_app.ports.faces import FaceCallback, FaceEncoder, FaceSighting

log = logging.getLogger(__name__)

LoadEncoder = Callable[[], FaceEncoder[Image]]
"""Builds the encoder on the camera thread, e.g. ``OpenCvFaceEncoder.load``."""


class FaceReader:
    """One face camera, its thread, and the faces it reports while watching."""

    def __init__(
        self,
        open_source: OpenSource,
        load_encoder: LoadEncoder,
        on_face: FaceCallback,
        *,
        on_status: StatusCallback | None = None,
        retry_seconds: float = 3.0,
        max_fps: float = 5.0,
        name: str = "face_camera",
    ) -> None:
        self._open_source = open_source
        self._load_encoder = load_encoder
        self._on_face = on_face
        self._on_status = on_status
        self._retry_seconds = retry_seconds
        self._interval = 1.0 / max_fps if max_fps > 0 else 0.0
        self._next_encode = 0.0
        self._watch_until = 0.0
        self._watch_lock = threading.Lock()
        self._online: bool | None = None
        self._encode_failing = False
        self._stop = threading.Event()
        self.name = name
        self._thread = threading.Thread(target=self._run, name=f"device-{name}", daemon=True)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def online(self) -> bool:
        return bool(self._online)

    @property
    def watching(self) -> bool:
        with self._watch_lock:
            return time.monotonic() < self._watch_until

    def start(self) -> None:
        """Start the camera thread and return at once."""
        self._thread.start()

    def watch(self, seconds: float) -> None:
        """Look for faces for the next ``seconds`` (a member asked to be recognised)."""
        with self._watch_lock:
            self._watch_until = time.monotonic() + max(0.0, seconds)

    def stop_watching(self) -> None:
        with self._watch_lock:
            self._watch_until = 0.0

    def close(self, timeout: float = 5.0) -> bool:
        """Stop and release the camera; True once the thread has ended."""
        self._stop.set()
        if not self._thread.is_alive() or threading.current_thread() is self._thread:
            return not self._thread.is_alive()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("face camera %s did not stop within %.1f s", self.name, timeout)
            return False
        return True

    def _run(self) -> None:
        encoder = self._encoder()
        if encoder is None:
            return
        while not self._stop.is_set():
            source = self._open()
            if source is not None:
                self._set_status(True, "face camera open")
                self._pump(source, encoder)
                self._release(source)
                if self._stop.is_set():
                    break
                self._set_status(False, "face camera stopped delivering frames; reopening")
            self._stop.wait(self._retry_seconds)

    def _encoder(self) -> FaceEncoder[Image] | None:
        try:
            return self._load_encoder()
        except DeviceError as exc:
            log.error("face camera %s: %s", self.name, exc)
            self._set_status(False, str(exc))
        except Exception:
            log.exception("face camera %s: loading the face models failed", self.name)
            self._set_status(False, "face models could not be loaded")
        return None

    def _open(self) -> FrameSource | None:
        try:
            return self._open_source()
        except Exception as exc:
            if self._online is not False:
                expected = isinstance(exc, DeviceError | OSError)
                log.warning(
                    "face camera %s unavailable: %s; retrying every %.1f s",
                    self.name,
                    exc,
                    self._retry_seconds,
                    exc_info=not expected,
                )
            self._set_status(False, f"face camera unavailable: {exc}")
        return None

    def _pump(self, source: FrameSource, encoder: FaceEncoder[Image]) -> None:
        while not self._stop.is_set():
            try:
                frame = source.read()
            except Exception:
                log.exception("face camera %s: reading a frame failed", self.name)
                return
            if frame is None:
                return
            now = time.monotonic()
            if self.watching and now >= self._next_encode:
                self._next_encode = now + self._interval
                self._process(frame, encoder)

    def _process(self, frame: Image, encoder: FaceEncoder[Image]) -> None:
        try:
            faces = encoder.encode(frame)
            self._encode_failing = False
        except Exception:
            if not self._encode_failing:  # once per run of failures, not five times a second
                log.exception("face camera %s: encoding frames fails; it goes on", self.name)
            self._encode_failing = True
            return
        if not faces:
            return
        try:
            self._on_face(FaceSighting(self.name, faces[0], len(faces)))
        except Exception:
            log.exception("face camera %s: face handler failed", self.name)

    def _release(self, source: FrameSource) -> None:
        try:
            source.close()
        except Exception:
            log.exception("face camera %s: closing the camera failed", self.name)

    def _set_status(self, online: bool, detail: str) -> None:
        if self._online is online:
            return
        self._online = online
        if self._on_status is None:
            return
        try:
            self._on_status(online, detail)
        except Exception:
            log.exception("face camera %s: status handler failed", self.name)
