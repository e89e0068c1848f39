"""``pos decode IMAGE...``: the barcodes in image files, one JSON object per line.

Each symbol found prints ``{"file": ..., "format": ..., "text": ...}`` with the text exactly as
decoded (newlines and control characters end up escaped by JSON, non-ASCII kept as is). The
files go through the same ``BarcodeReader`` as camera frames. A file that cannot be read is
reported on stderr and the others are still decoded; the exit status is then 1, else 0 (also
when a readable image holds no barcode, which is noted on stderr).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TextIO

import cv2
import numpy as np

from hardware.camera.barcode_reader import BarcodeReader, Image

log = logging.getLogger(__name__)


def load_image(path: Path) -> Image:
    """An image file as a BGR array; ValueError when it is missing or not an image.

    Reads the bytes and decodes them, so Chinese file names work on Windows too (cv2.imread
    cannot open non-ASCII paths there).
    """
    try:
        data = np.frombuffer(path.read_bytes(), dtype=np.uint8)
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from exc
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if image is None:
        raise ValueError(f"cannot read {path}: not an image OpenCV can decode")
    return np.asarray(image, dtype=np.uint8)


def decode_files(
    paths: list[Path],
    out: TextIO,
    *,
    err: TextIO | None = None,
    reader: BarcodeReader | None = None,
) -> int:
    """Print every symbol in every file to ``out``; return 1 if any file was unreadable."""
    err = err if err is not None else sys.stderr
    reader = reader or BarcodeReader()
    status = 0
    for path in paths:
        try:
            image = load_image(path)
        except ValueError as exc:
            print(f"pos decode: {exc}", file=err)
            status = 1
            continue
        symbols = reader.decode(image)
        if not symbols:
            print(f"pos decode: no barcode found in {path}", file=err)
        for symbol in symbols:
            record = {"file": str(path), "format": symbol.format, "text": symbol.text}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
    return status
