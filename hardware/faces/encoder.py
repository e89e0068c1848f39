"""Faces in a camera frame: YuNet finds them, SFace embeds them (OpenCV's own DNN, offline).

``OpenCvFaceEncoder.encode(frame)`` returns every face of at least ``min_face_px`` (smaller
ones are too far from the camera to embed well), largest first, each with its box, detector
score and embedding: SFace's 128 floats after ``alignCrop`` (the 5 landmarks), L2-normalised,
as 512 bytes of little-endian float32. Detection runs on the frame shrunk to ``detect_width``
(320 px: 4-9 ms instead of 11-30 ms at 640x480 on a 2-core machine); one embedding takes
18-33 ms (OpenCV 4.14, more when the other core is busy); loading both models about 350 ms.

OpenCV 4.11+ is needed for these int8 files; on 5.0 ``FaceRecognizerSF.feature`` fails on this
SFace file (shared/hardware/face.md), so the project pins 4.x. An encoder is used by one thread.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt

from hardware.camera.barcode_reader import Image
from hardware.faces.models import MODEL_ID, SFACE, YUNET, load_model
from pos_app.errors import DeviceError
from pos_app.ports.faces import DetectedFace, FaceBox

log = logging.getLogger(__name__)

SCORE_THRESHOLD: Final = 0.8
"""YuNet confidence below which a detection is dropped (the zoo's demo uses 0.9)."""
NMS_THRESHOLD: Final = 0.3
TOP_K: Final = 5000
MIN_FACE_PX: Final = 48
"""Smaller faces are detected but not embedded: SFace works on a 112x112 crop."""
DETECT_WIDTH: Final = 320
"""Frames are shrunk to this width for detection only (YuNet finds faces of 10-300 px):
at 640x480 it saves three quarters of the detection time; alignment and embedding use the
full frame."""

Detection = npt.NDArray[np.float32]
"""One YuNet row: x, y, w, h, 5 landmarks (x, y), score."""


class FaceEncodingError(DeviceError):
    """OpenCV failed on a frame (not "no face": that is an empty list)."""


def _buffer(data: bytes) -> npt.NDArray[np.uint8]:
    return np.frombuffer(data, dtype=np.uint8)


def to_bgr(image: Image) -> Image:
    """A contiguous 8-bit BGR frame from a BGR, BGRA or grayscale one."""
    if image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 1):
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if image.ndim == 3 and image.shape[2] == 4:
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError(f"expected an 8-bit BGR, BGRA or grayscale frame, got {image.shape}")
    return np.ascontiguousarray(image)


def embedding_bytes(feature: npt.NDArray[Any]) -> bytes | None:
    """SFace's output as 512 bytes, L2-normalised; None when it is degenerate."""
    vector = np.asarray(feature, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(vector))
    if vector.size != 128 or not np.isfinite(norm) or norm < 1e-6:
        return None
    return (vector / norm).astype("<f4").tobytes()


class OpenCvFaceEncoder:
    """A FaceEncoder over cv2.FaceDetectorYN (YuNet) and cv2.FaceRecognizerSF (SFace)."""

    model_id: Final = MODEL_ID

    def __init__(
        self,
        detector: Any,
        recogniser: Any,
        *,
        min_face_px: int = MIN_FACE_PX,
        max_faces: int = 5,
        detect_width: int = DETECT_WIDTH,
    ) -> None:
        self._detector = detector
        self._recogniser = recogniser
        self._input_size: tuple[int, int] | None = None
        self.min_face_px = min_face_px
        self.max_faces = max_faces
        self.detect_width = detect_width

    @classmethod
    def load(
        cls,
        directory: Path | None = None,
        *,
        score_threshold: float = SCORE_THRESHOLD,
        min_face_px: int = MIN_FACE_PX,
        max_faces: int = 5,
        detect_width: int = DETECT_WIDTH,
    ) -> OpenCvFaceEncoder:
        """Both models from ``directory`` (default resources/models), SHA-256 checked first."""
        yunet, sface = load_model(YUNET, directory), load_model(SFACE, directory)
        empty = np.empty(0, dtype=np.uint8)
        try:
            detector = cv2.FaceDetectorYN.create(
                "onnx", _buffer(yunet), empty, (320, 320), score_threshold, NMS_THRESHOLD, TOP_K
            )
            recogniser = cv2.FaceRecognizerSF.create("onnx", _buffer(sface), empty)
        except cv2.error as exc:
            raise FaceEncodingError(
                f"OpenCV {cv2.__version__} cannot load the face models: {exc}"
            ) from exc
        return cls(
            detector,
            recogniser,
            min_face_px=min_face_px,
            max_faces=max_faces,
            detect_width=detect_width,
        )

    def detect(self, image: Image) -> list[Detection]:
        """YuNet's detections in frame pixels, largest face first (BGR, BGRA or grayscale)."""
        frame = to_bgr(image)
        scale = min(1.0, self.detect_width / frame.shape[1]) if self.detect_width > 0 else 1.0
        if scale < 1.0:
            size = (round(frame.shape[1] * scale), round(frame.shape[0] * scale))
            frame = np.asarray(cv2.resize(frame, size, interpolation=cv2.INTER_AREA))
        faces = self._run_detector(frame)
        rows = [np.asarray(row, dtype=np.float32) for row in faces]
        for row in rows:
            row[:14] /= scale  # box and landmarks back to the full frame; row[14] is the score
        return sorted(rows, key=lambda row: float(row[2] * row[3]), reverse=True)

    def _run_detector(self, frame: Image) -> list[Detection]:
        size = (frame.shape[1], frame.shape[0])
        try:
            if size != self._input_size:
                self._detector.setInputSize(size)
                self._input_size = size
            _, faces = self._detector.detect(frame)
        except cv2.error as exc:
            raise FaceEncodingError(f"face detection failed: {exc}") from exc
        return [] if faces is None else list(faces)

    def encode(self, image: Image) -> list[DetectedFace]:
        """Every large-enough face, largest first, with its embedding."""
        frame = to_bgr(image)
        found: list[DetectedFace] = []
        for row in self.detect(frame)[: self.max_faces]:
            x, y, width, height = (round(float(value)) for value in row[:4])
            box = FaceBox(x, y, width, height)
            if min(box.width, box.height) < self.min_face_px:
                continue
            embedding = self._embed(frame, row)
            if embedding is not None:
                found.append(DetectedFace(box, float(row[14]), embedding))
        return found

    def _embed(self, frame: Image, row: Detection) -> bytes | None:
        try:
            aligned = self._recogniser.alignCrop(frame, row)
            return embedding_bytes(self._recogniser.feature(aligned))
        except cv2.error as exc:
            raise FaceEncodingError(f"face embedding failed: {exc}") from exc
