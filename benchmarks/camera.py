"""camera_decode_frame: BarcodeReader.decode on 640x480 camera frames, and zxing's blackbox sets.

The frames are zxing's test images (../shared/testdata/barcodes/, see its README) fitted into
640x480 on light grey, as the simulated camera shows them: up to ``PER_SET`` images of every
barcode set plus every no-barcode image, so both kinds of frame a till camera sees are timed.
The baseline is zxing-cpp alone (its default options) on the same frames.

``python -m benchmarks.camera`` prints, per set, the images decoded to zxing's expected text
at 0 and 180 degrees against zxing's try-harder threshold, and the median ms per image for
zxing-cpp only, pyzbar only and both (the reader) — the figures the camera acceptance asks for.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import zxingcpp

from hardware.camera.barcode_reader import BarcodeReader, Decoded, DecoderName, Image
from hardware.camera.decode_cli import load_image
from hardware.simulated.camera import fit_frame

PER_SET = 8
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
SET_FORMATS = {
    "code128": "Code128",
    "ean13": "EAN13",
    "ean8": "EAN8",
    "upca": "UPCA",
    "upce": "UPCE",
    "rss14": "DataBar",
    "rssexpanded": "DataBarExpanded",
    "rssexpandedstacked": "DataBarExpanded",
    "qrcode": "QRCode",
}
# zxing's try-harder pass thresholds at 0 and 180 degrees (testdata README, from zxing's
# *BlackBox*TestCase.java); the falsepositives-* sets must give no result at all.
THRESHOLDS = {
    "code128-1": (7, 7), "code128-2": (39, 39), "code128-3": (2, 2),
    "ean13-1": (32, 32), "ean13-2": (17, 17), "ean13-3": (55, 55), "ean13-4": (13, 13),
    "ean13-5": (0, 0), "ean8-1": (8, 8),
    "upca-2": (36, 36), "upca-3": (9, 9), "upca-5": (23, 23), "upca-6": (0, 0),
    "upce-1": (3, 3), "upce-2": (35, 35), "upce-3": (8, 8),
    "rss14-1": (6, 6), "rss14-2": (8, 8), "rssexpanded-1": (35, 35),
    "rssexpanded-3": (117, 117), "rssexpandedstacked-1": (65, 65), "rssexpandedstacked-2": (7, 7),
    "qrcode-1": (17, 17), "qrcode-2": (32, 31), "qrcode-3": (38, 36), "qrcode-4": (36, 35),
    "qrcode-5": (19, 19), "qrcode-6": (15, 13),
}  # fmt: skip
DECODER_CHOICES: dict[str, tuple[DecoderName, ...]] = {
    "zxing": ("zxing",),
    "zbar": ("zbar",),
    "both": ("zxing", "zbar"),
}


def testdata_dir() -> Path:
    default = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "barcodes"
    return Path(os.environ.get("POS_BARCODE_TESTDATA", default))


@dataclass(frozen=True, slots=True)
class BlackboxImage:
    """One test image and what zxing's tests expect of it (format None: no barcode at all)."""

    path: Path
    image: Image
    expected_format: str | None
    expected_text: str | None
    symbology_identifier: str | None


def blackbox_sets(root: Path | None = None) -> list[Path]:
    root = root or testdata_dir()
    return sorted(p for p in root.glob("*/*") if p.is_dir())


def load_set(folder: Path) -> tuple[list[BlackboxImage], list[Path]]:
    """The images of one set and the files OpenCV cannot load (known quirks, README)."""
    expected_format = SET_FORMATS.get(folder.name.rsplit("-", 1)[0])
    images: list[BlackboxImage] = []
    unreadable: list[Path] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        try:
            image = load_image(path)
        except ValueError:
            unreadable.append(path)
            continue
        base = path.name.split(".", 1)[0]  # zxing: the file name up to its first dot
        text_file = folder / f"{base}.txt"
        # Bytes, not read_text(): the expected text keeps its CR/LF exactly.
        text = text_file.read_bytes().decode("utf-8") if text_file.exists() else None
        meta = _metadata(folder / f"{base}.metadata.txt")
        fmt = expected_format if text is not None else None
        images.append(BlackboxImage(path, image, fmt, text, meta.get("SYMBOLOGY_IDENTIFIER")))
    return images, unreadable


def _metadata(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def passes(case: BlackboxImage, symbols: Sequence[Decoded]) -> bool:
    """zxing's rule: a symbol of the set's format with exactly the expected text (and AIM
    identifier, where the metadata names one and the decoder reports one); for a no-barcode
    image, nothing found at all. zxing ignores a second symbol in the frame; so do we."""
    if case.expected_format is None:
        return not symbols
    return any(
        s.format == case.expected_format
        and s.text == case.expected_text
        and (
            not s.symbology_identifier
            or case.symbology_identifier in (None, s.symbology_identifier)
        )
        for s in symbols
    )


def rotated(image: Image, degrees: int) -> Image:
    return image if degrees == 0 else np.asarray(cv2.rotate(image, cv2.ROTATE_180), np.uint8)


def timed(decode: Callable[[Image], object], frames: Sequence[Image]) -> list[float]:
    samples: list[float] = []
    for frame in frames:
        started = time.perf_counter()
        decode(frame)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def benchmark_frames() -> tuple[list[Image], int]:
    """640x480 frames: up to PER_SET per barcode set, then all no-barcode images."""
    with_code: list[Image] = []
    without: list[Image] = []
    for folder in blackbox_sets():
        cases, _ = load_set(folder)
        if cases and cases[0].expected_format is None:
            without += [fit_frame(c.image) for c in cases]
        else:
            with_code += [fit_frame(c.image) for c in cases[:PER_SET]]
    return with_code + without, len(with_code)


def camera_decode_frame() -> tuple[str, list[float], str, str, list[float]]:
    frames, with_code = benchmark_frames()
    if not frames:
        raise RuntimeError(f"no test images under {testdata_dir()}")
    reader = BarcodeReader()
    timed(reader.decode, frames[:20])  # warm up caches and the libraries' lazy set-up
    samples = timed(reader.decode, frames)
    baseline = timed(zxingcpp.read_barcodes, frames)
    read = sum(1 for frame in frames[:with_code] if reader.decode(frame))
    false = sum(1 for frame in frames[with_code:] if reader.decode(frame))
    setup = (
        f"BarcodeReader.decode (zxing-cpp, then pyzbar when it finds nothing) on {len(frames)} "
        f"640x480 BGR frames: {with_code} from zxing's test sets (up to {PER_SET} per set, "
        f"letterboxed on light grey; a code read on {read}) and {len(frames) - with_code} "
        f"without a barcode ({false} with a false read)"
    )
    return ("camera_decode_frame", samples, setup, "zxing-cpp read_barcodes alone", baseline)


def blackbox_report() -> list[str]:
    """One line per set: decoded/total at 0 and 180 degrees, threshold, median ms per decoder."""
    lines = ["set: both 0/180 deg (threshold) | zxing 0 | zbar 0 | median ms zxing/zbar/both"]
    readers = {name: BarcodeReader(choice) for name, choice in DECODER_CHOICES.items()}
    for folder in blackbox_sets():
        cases, unreadable = load_set(folder)
        counts: dict[str, int] = {}
        medians: dict[str, float] = {}
        for name, reader in readers.items():
            for degrees in (0, 180):
                ok = [passes(c, reader.decode(rotated(c.image, degrees))) for c in cases]
                counts[f"{name}{degrees}"] = sum(ok)
            medians[name] = statistics.median(timed(reader.decode, [c.image for c in cases]))
        limit = THRESHOLDS.get(folder.name, (len(cases), len(cases)))
        skipped = f" ({len(unreadable)} unloadable)" if unreadable else ""
        lines.append(
            f"{folder.parent.name}/{folder.name}: {counts['both0']}/{counts['both180']} of "
            f"{len(cases)}{skipped} ({limit[0]}/{limit[1]}) | {counts['zxing0']} | "
            f"{counts['zbar0']} | {medians['zxing']:.2f}/{medians['zbar']:.2f}/"
            f"{medians['both']:.2f}"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(blackbox_report()))
