"""The face models we ship in ``resources/models/``, checked by SHA-256 before OpenCV sees them.

Both come from OpenCV's model zoo (YuNet: MIT, SFace: Apache-2.0; notices beside the files) and
are never downloaded at run time. The bytes that were hashed are the bytes handed to OpenCV
(``cv2.*.create`` from a buffer), so a file swapped after the check is never loaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from pos_app.errors import DeviceError
from pos_app.resources import resources_dir


@dataclass(frozen=True, slots=True)
class ModelFile:
    name: str
    sha256: str


YUNET: Final = ModelFile(
    "face_detection_yunet_2023mar_int8bq.onnx",
    "49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10",
)
SFACE: Final = ModelFile(
    "face_recognition_sface_2021dec_int8bq.onnx",
    "fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee",
)
MODEL_ID: Final = "sface-2021dec-int8bq"
"""Stored beside every embedding: embeddings of another model are not comparable."""


class FaceModelError(DeviceError):
    """A face model file is missing, unreadable, or not the file we ship."""


def models_dir() -> Path:
    return resources_dir() / "models"


def load_model(model: ModelFile, directory: Path | None = None) -> bytes:
    """The model's bytes once their SHA-256 is the one we ship; FaceModelError otherwise."""
    path = (directory or models_dir()) / model.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FaceModelError(
            f"face model {model.name} cannot be read from {path.parent}: {exc.strerror or exc}"
        ) from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != model.sha256:
        raise FaceModelError(
            f"face model {path} is not the shipped file (SHA-256 {digest}, "
            f"expected {model.sha256}); refusing to load it"
        )
    return data
