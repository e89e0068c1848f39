"""Decode the barcodes in one camera frame or image, and decide which reads to accept.

``BarcodeReader.decode`` runs zxing-cpp over the whole frame (all formats, its defaults: try
rotated, downscaled and inverted; local-average binarizer) and only when that finds nothing
pyzbar (libzbar0) with the UPC symbologies requested, so that it does not report UPC-A as
EAN-13. Measured on zxing's test images on a two-core machine (``python -m benchmarks.camera``):
785 images with a code, zxing-cpp alone reads 693, pyzbar alone 657, both 723; a 640x480 frame
with a code takes ~7 ms (median), one without a code ~20 ms (zxing ~10 + zbar ~13), the
worst ~35 ms. Tunings tried and left out: a second zxing pass with the global-histogram
binarizer (+2 images, +7 ms per empty frame), pyzbar on a 2x upscale (+4 images, +27 ms),
pyzbar on a half-size frame (keeps 8 of its 30 extra images), no rotated search (halves
zxing's time but misses codes held sideways). ``CameraScanner`` caps the decode rate instead.

Texts follow zxing's (Java) conventions, whichever decoder read the code: UPC-A is 12 digits
and UPC-E 8 (both as printed), DataBar Omni/Stacked/Limited is the 14-digit GTIN, DataBar
Expanded is in human-readable form ``(01)…(3103)…``, Code 128 keeps its GS separators, and
everything else is the decoded text exactly, control characters and CR/LF included.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import cv2
import numpy as np
import numpy.typing as npt
import zxingcpp

try:
    from pyzbar import pyzbar  # type: ignore[import-untyped]
except ImportError:  # no libzbar (see toolchain.md, PyInstaller): zxing-cpp reads on alone
    pyzbar = None

log = logging.getLogger(__name__)

DecoderName = Literal["zxing", "zbar"]
Point = tuple[int, int]
Image = npt.NDArray[np.uint8]

GS: Final = "\x1d"
SINGLE_READ_FORMATS: Final = frozenset(
    {"QRCode", "MicroQRCode", "RMQRCode", "DataMatrix", "Aztec", "PDF417", "MaxiCode"}
)
"""2D symbologies with Reed-Solomon error correction: one read is trusted."""

_ZXING_FORMATS: Final = {
    "DataBarOmni": "DataBar",
    "DataBarStk": "DataBar",
    "DataBarStkOmni": "DataBar",
    "DataBarLtd": "DataBarLimited",
    "DataBarExp": "DataBarExpanded",
    "DataBarExpStk": "DataBarExpanded",
    "Code39Std": "Code39",
    "Code39Ext": "Code39",
    "ITF14": "ITF",
    "AztecCode": "Aztec",
    "AztecRune": "Aztec",
    "QRCodeModel1": "QRCode",
    "QRCodeModel2": "QRCode",
    "CompactPDF417": "PDF417",
}
# The fallback reads what a supermarket meets. Left out: ISBN (it repeats every EAN-13 starting
# 978/979), add-ons (ignored as zxing-cpp does), and ITF, Codabar, Code 39/93 and zbar's partial
# PDF417: short ITF reads were zbar's false positives on zxing's EAN images; zxing-cpp still
# reads all of them.
_ZBAR_FORMATS: Final = {
    "EAN13": "EAN13",
    "EAN8": "EAN8",
    "UPCA": "UPCA",
    "UPCE": "UPCE",
    "DATABAR": "DataBar",
    "DATABAR_EXP": "DataBarExpanded",
    "CODE128": "Code128",
    "QRCODE": "QRCode",
}
_ZBAR_SYMBOLS: Final = [s for s in pyzbar.ZBarSymbol if s.name in _ZBAR_FORMATS] if pyzbar else []

# GS1 General Specifications §7.8.5: AI length and the predefined data lengths by the AI's
# first two digits; every other element string ends at a GS (FNC1) or at the end.
_THREE_DIGIT_AIS: Final = frozenset({"23", "24", "25", "40", "41", "42", "71"})
_FOUR_DIGIT_AIS: Final = frozenset(
    {"31", "32", "33", "34", "35", "36", "39", "43", "70", "72", "80", "81", "82"}
)
_FIXED_DATA_LENGTH: Final = {
    "00": 18, "01": 14, "02": 14, "03": 14, "04": 16, "20": 2, "41": 13,
    **{str(p): 6 for p in range(11, 20)},
    **{str(p): 6 for p in range(31, 37)},
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Decoded:
    """One symbol read from one image; ``position`` is its outline in image pixels."""

    format: str
    text: str
    raw: bytes
    source: DecoderName
    position: tuple[Point, ...]
    symbology_identifier: str = ""
    """AIM identifier such as ``]E0`` or ``]Q1``; empty when the decoder does not say (zbar)."""


def gs1_hri(element_string: str) -> str | None:
    """``(01)…(17)…`` from a GS1 element string (FNC1 as GS); None when it is not one."""
    parts: list[str] = []
    rest = element_string
    while rest:
        if rest[0] == GS:
            rest = rest[1:]
            continue
        prefix = rest[:2]
        ai_length = 3 if prefix in _THREE_DIGIT_AIS else 4 if prefix in _FOUR_DIGIT_AIS else 2
        ai = rest[:ai_length]
        fixed = _FIXED_DATA_LENGTH.get(prefix)
        end = ai_length + fixed if fixed else _field_end(rest, ai_length)
        data = rest[ai_length:end]
        if len(ai) < ai_length or not (ai.isascii() and ai.isdigit()) or not data:
            return None
        if fixed and len(data) < fixed:
            return None
        parts.append(f"({ai}){data}")
        rest = rest[end:]
    return "".join(parts) or None


def _field_end(text: str, start: int) -> int:
    end = text.find(GS, start)
    return len(text) if end < 0 else end


def upca_to_upce(upca: str) -> str | None:
    """The 8-digit UPC-E form of a 12-digit UPC-A, or None when it has none (UPC-E rules)."""
    if len(upca) != 12 or upca[0] not in "01":
        return None
    maker, item = upca[1:6], upca[6:11]
    if maker[3:] == "00" and maker[2] in "012" and item[:2] == "00":
        body = maker[:2] + item[2:] + maker[2]
    elif maker[3:] == "00" and item[:3] == "000":
        body = maker[:3] + item[3:] + "3"
    elif maker[4] == "0" and item[:4] == "0000":
        body = maker[:4] + item[4] + "4"
    elif item[:4] == "0000" and item[4] in "56789":
        body = maker + item[4]
    else:
        return None
    return upca[0] + body + upca[11]


def normalise(format_name: str, text: str) -> tuple[str, str]:
    """Format and text in zxing's conventions, whichever decoder read them (module docstring)."""
    if format_name in ("EAN13", "UPCA") and len(text) == 13 and text[0] == "0":
        return "UPCA", text[1:]  # an EAN-13 starting 0 is a UPC-A
    if format_name == "UPCE" and len(text) == 13:
        return "UPCE", upca_to_upce(text[1:]) or text
    if format_name in ("DataBar", "DataBarLimited") and len(text) == 16 and text[:2] == "01":
        return format_name, text[2:]
    if format_name == "DataBarExpanded":
        return format_name, gs1_hri(text) or text
    return format_name, text


def to_gray(image: Image) -> Image:
    """A contiguous 8-bit grayscale view of a grayscale, BGR or BGRA frame."""
    if image.ndim == 3 and image.shape[2] == 3:
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    if image.ndim == 3 and image.shape[2] == 4:
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY), dtype=np.uint8)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim != 2 or image.dtype != np.uint8:
        raise ValueError(f"expected an 8-bit grayscale, BGR or BGRA image, got {image.shape}")
    return np.ascontiguousarray(image)


def decode_zxing(gray: Image) -> list[Decoded]:
    """zxing-cpp over the whole image, all formats; plain text mode keeps payloads exact."""
    found: list[Decoded] = []
    for symbol in zxingcpp.read_barcodes(gray, text_mode=zxingcpp.TextMode.Plain):
        name = symbol.format.name
        fmt, text = normalise(_ZXING_FORMATS.get(name, name), symbol.text)
        p = symbol.position
        corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
        found.append(
            Decoded(
                format=fmt,
                text=text,
                raw=bytes(symbol.bytes),
                source="zxing",
                position=tuple((c.x, c.y) for c in corners),
                symbology_identifier=symbol.symbology_identifier,
            )
        )
    return found


def decode_zbar(gray: Image) -> list[Decoded]:
    """pyzbar with the UPC symbologies requested, so UPC-A is not reported as EAN-13."""
    found: list[Decoded] = []
    for symbol in pyzbar.decode(gray, symbols=_ZBAR_SYMBOLS):
        fmt, text = normalise(_ZBAR_FORMATS.get(symbol.type, symbol.type), _zbar_text(symbol))
        found.append(
            Decoded(
                format=fmt,
                text=text,
                raw=bytes(symbol.data),
                source="zbar",
                position=tuple((int(pt.x), int(pt.y)) for pt in symbol.polygon),
            )
        )
    return found


def _zbar_text(symbol: Any) -> str:
    # zbar hands over text as UTF-8 (QR converted from its guessed charset); Latin-1 keeps
    # any other byte string intact rather than failing the frame.
    data: bytes = symbol.data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_DECODERS: Final[dict[DecoderName, Callable[[Image], list[Decoded]]]] = {
    "zxing": decode_zxing,
    "zbar": decode_zbar,
}


class BarcodeReader:
    """Decodes one frame: each decoder in turn until one finds something (zxing, then zbar)."""

    def __init__(self, decoders: Sequence[DecoderName] = ("zxing", "zbar")) -> None:
        if pyzbar is None and "zbar" in decoders:
            log.warning("pyzbar cannot load libzbar; decoding without it")
            decoders = [name for name in decoders if name != "zbar"]
        unknown = [name for name in decoders if name not in _DECODERS]
        if unknown or not decoders:
            raise ValueError(f"unknown or no decoders: {list(decoders)}")
        self.decoders = tuple(decoders)

    def decode(self, image: Image) -> list[Decoded]:
        """Every symbol in ``image`` (grayscale, BGR or BGRA); empty when there is none."""
        gray = to_gray(image)
        for name in self.decoders:
            found = _DECODERS[name](gray)
            if found:
                return found
        return []


class FrameAcceptor:
    """Turns per-frame reads into scans: confirmed, and once per appearance in view.

    A 1D product code can misread and still pass its check digit, so it is accepted when the
    same text was also read in the previous frame, or when ``is_known(text)`` (the catalogue)
    says so. 2D codes with error correction (QR payloads) are accepted on one read. An accepted
    code is not accepted again until it has been missing for ``release_frames`` frames in a
    row. Pure logic: no clock, no threads; ``is_known`` should be quick (it runs per new code).
    """

    def __init__(
        self, is_known: Callable[[str], bool] | None = None, *, release_frames: int = 15
    ) -> None:
        if release_frames < 1:
            raise ValueError("release_frames must be at least 1")
        self._is_known = is_known
        self._release_frames = release_frames
        self._previous: frozenset[str] = frozenset()
        self._held: dict[str, int] = {}  # accepted text -> frames since it was last seen

    def feed(self, symbols: Iterable[Decoded]) -> list[Decoded]:
        """Take one frame's reads; return the symbols accepted in this frame, in read order."""
        seen: dict[str, Decoded] = {}
        for symbol in symbols:
            seen.setdefault(symbol.text, symbol)
        accepted = [s for text, s in seen.items() if text not in self._held and self._accepts(s)]
        for text in list(self._held):
            missing = 0 if text in seen else self._held[text] + 1
            if missing >= self._release_frames:
                del self._held[text]
            else:
                self._held[text] = missing
        for symbol in accepted:
            self._held[symbol.text] = 0
        self._previous = frozenset(seen)
        return accepted

    def reset(self) -> None:
        """Forget everything, e.g. after the camera was reopened."""
        self._previous = frozenset()
        self._held.clear()

    def _accepts(self, symbol: Decoded) -> bool:
        if symbol.format in SINGLE_READ_FORMATS or symbol.text in self._previous:
            return True
        return self._is_known is not None and self._is_known(symbol.text)
