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
from hardware.camera.frame_loop import FrameLoop, OpenSource, StatusCallback
from pos_app.errors import DeviceError
from pos_app.ports.faces import FaceCallback, FaceEncoder, FaceSighting

log = logging.getLogger(__name__)

LoadEncoder = Callable[[], FaceEncoder[Image]]
"""Builds the encoder on the camera thread, e.g. ``OpenCvFaceEncoder.load``."""


class FaceReader(FrameLoop):
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
        super().__init__(open_source, on_status=on_status, retry_seconds=retry_seconds,
                         max_fps=max_fps if max_fps > 0 else None, name=name,
                         label="face camera")
        self._load_encoder = load_encoder
        self._encoder: FaceEncoder[Image] | None = None
        self._on_face = on_face
        self._watch_since = self._watch_until = 0.0
        self._window = 0  # the current (or last) watch window's number
        self._frame_window = 0  # the window the frame being processed was read in
        self._watch_lock = threading.Lock()
        self._encode_failing = False

    @property
    def watching(self) -> bool:
        with self._watch_lock:
            return time.monotonic() < self._watch_until

    def watch(self, seconds: float) -> int:
        """Look for faces for the next ``seconds`` (a member asked to be recognised). Returns
        the window's number, which every FaceSighting from its frames carries; calling again
        while watching makes the window longer and keeps its number."""
        with self._watch_lock:
            now = time.monotonic()
            if now >= self._watch_until:
                self._window += 1
                self._watch_since = now
            self._watch_until = now + max(0.0, seconds)
            return self._window

    def stop_watching(self) -> None:
        with self._watch_lock:
            self._watch_until = 0.0

    def _prepare(self) -> bool:
        """The models, checked and loaded on this thread; without them the thread ends, as no
        retry can mend them."""
        try:
            self._encoder = self._load_encoder()
        except DeviceError as exc:
            log.error("face camera %s: %s", self.name, exc)
            self._set_status(False, str(exc))
        except Exception:
            log.exception("face camera %s: loading the face models failed", self.name)
            self._set_status(False, "face models could not be loaded")
        return self._encoder is not None

    def _wants_frame(self, asked_at: float) -> bool:
        """Only frames read inside the watch window: one the camera gave just before it
        opened may show the previous customer, still at the counter a moment ago."""
        with self._watch_lock:
            wanted = self._watch_since <= asked_at and time.monotonic() < self._watch_until
            self._frame_window = self._window
        return wanted

    def _process(self, frame: Image) -> None:
        encoder = self._encoder
        assert encoder is not None  # _prepare loaded it before the first frame
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
            self._on_face(FaceSighting(self.name, faces[0], len(faces), self._frame_window))
        except Exception:
            log.exception("face camera %s: face handler failed", self.name)
