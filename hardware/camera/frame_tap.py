"""FrameTap: the size of the next frame a camera thread reads, for IT's "grab a frame" check.

A camera belongs to its frame thread (``CameraScanner``, ``FaceReader``); opening it a second
time from elsewhere would fail or steal it. ``FrameTap`` wraps the camera's ``OpenSource``, so
every frame the thread reads passes it; ``grab_frame`` (on any other thread) waits for the next
one and answers with its width and height. Only the size leaves: no pixels are copied or kept,
which matters for the face camera. The tap sees frames whether or not the reader decodes them.
"""

from __future__ import annotations

import threading

from hardware.camera.barcode_reader import Image
from hardware.camera.capture import CameraUnavailable, FrameSource, OpenSource


class _Request:
    __slots__ = ("done", "size")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.size: tuple[int, int] = (0, 0)


class FrameTap:
    """Wraps ``open_source``; pass ``tap.open`` to the camera thread instead."""

    def __init__(self, open_source: OpenSource) -> None:
        self._open_source = open_source
        self._lock = threading.Lock()
        self._waiting: list[_Request] = []

    def open(self) -> FrameSource:
        return _TappedSource(self._open_source(), self)

    def grab_frame(self, timeout_s: float) -> tuple[int, int]:
        """Width and height of the next frame read; CameraUnavailable when none comes in time."""
        request = _Request()
        with self._lock:
            self._waiting.append(request)
        if request.done.wait(timeout_s):
            return request.size
        with self._lock:
            if request in self._waiting:
                self._waiting.remove(request)
        if request.done.is_set():  # answered just as the wait ended
            return request.size
        raise CameraUnavailable(f"no frame from the camera within {timeout_s:.1f} s")

    def _seen(self, frame: Image) -> None:
        with self._lock:
            if not self._waiting:
                return
            waiting, self._waiting = self._waiting, []
        size = (int(frame.shape[1]), int(frame.shape[0]))
        for request in waiting:
            request.size = size
            request.done.set()


class _TappedSource:
    """A FrameSource that shows each frame's size to the tap on its way to the reader."""

    def __init__(self, source: FrameSource, tap: FrameTap) -> None:
        self._source = source
        self._tap = tap

    def read(self) -> Image | None:
        frame = self._source.read()
        if frame is not None:
            self._tap._seen(frame)
        return frame

    def close(self) -> None:
        self._source.close()
