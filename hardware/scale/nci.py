"""NCI SCP-01 (the Weigh-Tronix/NCI POS scale protocol; the "NCI" mode of POS scales).

Request and answers, name ``nci``::

    host:  W CR
    scale: LF <weight><unit> CR LF [S] <status bytes> CR ETX    stable weight
           LF [S] <status bytes> CR ETX                         in motion, out of range, error
           LF ? CR ETX                                          request not understood

    weight    display characters, e.g. ``01.234`` (minus sign and blanks allowed)
    unit      ``KG``, ``G`` (``LB`` and ``OZ`` are parsed but not sold by), any case
    status 1  bit 0 in motion; bit 1 at zero; bit 2 RAM error; bit 3 EEPROM error; bits 4-5 = 1
    status 2  bit 0 under capacity; bit 1 over capacity; bit 2 ROM error; bit 3 calibration
              error; bits 4-5 = 1; bit 6 another status byte follows
    status 3+ optional; in byte 3 bit 3 is an initial-zero error, bit 2 net weight

Status bytes are read up to the CR rather than by following bit 6, so an answer with an extra
status byte is read the same either way. 7-bit ASCII: the parity bit is masked off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from hardware.scale.protocols import ETX, SEVEN_BITS, ProtocolError, grams_from
from pos_app.ports.scale import WeightReading, WeightStatus


@dataclass(frozen=True, slots=True)
class NciWeight:
    """A displayed weight: ``value`` counts the last digit's units; ``decimals`` after the point."""

    value: int
    decimals: int
    unit: str

    def __post_init__(self) -> None:
        if self.decimals < 0 or not re.fullmatch(r"[A-Z]{1,3}", self.unit):
            raise ValueError("decimals must be >= 0 and the unit 1-3 capital letters")

    def text(self) -> str:
        digits = f"{abs(self.value):0{self.decimals + 1}d}"
        if self.decimals:
            digits = f"{digits[: -self.decimals]}.{digits[-self.decimals :]}"
        return f"{'-' if self.value < 0 else ''}{digits}{self.unit}"

    def grams(self) -> int | None:
        if self.unit == "KG":
            return grams_from(self.value, 3 - self.decimals)
        return grams_from(self.value, -self.decimals) if self.unit == "G" else None


_NCI_ANSWER: Final = re.compile(
    rb"\n(?:(?P<weight>[^\r\n]*)\r\n)?(?P<prefix>S?)(?P<status>[\x30-\x3f\x70-\x7f]{2,})\r\x03\Z"
)
_NCI_WEIGHT: Final = re.compile(r" *(-?) *([0-9]+)(?:\.([0-9]+))? *([A-Za-z]{1,3}) *")


@dataclass(frozen=True, slots=True)
class NciResponse:
    """An NCI answer: the weight (None in a status-only answer) and the status bits.

    ``extra_status`` holds bits 0-3 of status bytes 3 onwards; ``prefix`` is the ``S`` some
    firmware puts before the status bytes.
    """

    weight: NciWeight | None
    motion: bool = False
    at_zero: bool = False
    ram_error: bool = False
    eeprom_error: bool = False
    under_capacity: bool = False
    over_capacity: bool = False
    rom_error: bool = False
    calibration_error: bool = False
    extra_status: tuple[int, ...] = ()
    prefix: bool = True

    def __post_init__(self) -> None:
        if not all(0 <= nibble <= 0x0F for nibble in self.extra_status):
            raise ValueError("extra status bytes carry 4 bits each")

    def encode(self) -> bytes:
        first = (self.motion, self.at_zero, self.ram_error, self.eeprom_error)
        second = (self.under_capacity, self.over_capacity, self.rom_error, self.calibration_error)
        nibbles = [_bits(first), _bits(second), *self.extra_status]
        status = bytes(
            0x30 | nibble | (0x40 if 0 < i < len(nibbles) - 1 else 0)
            for i, nibble in enumerate(nibbles)
        )
        weight = b"" if self.weight is None else self.weight.text().encode("ascii") + b"\r\n"
        return b"\n" + weight + (b"S" if self.prefix else b"") + status + b"\r\x03"

    @classmethod
    def decode(cls, frame: bytes) -> NciResponse:
        match = _NCI_ANSWER.search(frame.translate(SEVEN_BITS))
        if match is None:
            raise ProtocolError(f"not an NCI answer: {frame!r}")
        first, second, *extra = (b & 0x0F for b in match["status"])
        return cls(
            weight=None if match["weight"] is None else _nci_weight(match["weight"]),
            motion=bool(first & 1),
            at_zero=bool(first & 2),
            ram_error=bool(first & 4),
            eeprom_error=bool(first & 8),
            under_capacity=bool(second & 1),
            over_capacity=bool(second & 2),
            rom_error=bool(second & 4),
            calibration_error=bool(second & 8),
            extra_status=tuple(extra),
            prefix=bool(match["prefix"]),
        )

    @property
    def fault(self) -> bool:
        initial_zero_error = bool(self.extra_status and self.extra_status[0] & 0x08)
        errors = (self.ram_error, self.eeprom_error, self.rom_error, self.calibration_error)
        return any(errors) or initial_zero_error

    def reading(self) -> WeightReading:
        grams = None if self.weight is None else self.weight.grams()
        if self.fault:
            return WeightReading.failed()
        if self.over_capacity:
            return WeightReading.of(grams or 0, WeightStatus.OVERLOAD)
        if self.under_capacity:
            return WeightReading.of(grams or 0, WeightStatus.UNDERZERO)
        if self.motion:
            return WeightReading.of(grams or 0, WeightStatus.MOTION)
        if grams is None:
            return WeightReading.failed()
        return WeightReading.of(grams, WeightStatus.UNDERZERO if grams < 0 else WeightStatus.STABLE)


def _bits(flags: tuple[bool, ...]) -> int:
    return sum(int(on) << bit for bit, on in enumerate(flags))


def _nci_weight(field: bytes) -> NciWeight:
    match = _NCI_WEIGHT.fullmatch(field.decode("ascii"))
    if match is None:
        raise ProtocolError(f"not an NCI weight: {field!r}")
    sign, whole, fraction, unit = match.groups()
    fraction = fraction or ""
    value = int(whole + fraction) * (-1 if sign else 1)
    return NciWeight(value, len(fraction), unit.upper())


@dataclass(frozen=True, slots=True)
class NciScp01:
    """NCI SCP-01: ``W`` CR asks; one answer ending in ETX comes back."""

    name: str = "nci"

    def request(self) -> bytes:
        return b"W\r"

    def take_frame(self, buffer: bytearray) -> bytes | None:
        end = bytes(buffer).translate(SEVEN_BITS).find(ETX)
        if end < 0:
            return None
        frame = bytes(buffer[: end + 1])
        del buffer[: end + 1]
        return frame

    def reading(self, frame: bytes) -> WeightReading:
        return NciResponse.decode(frame).reading()
