"""Serial scale protocols as typed records: frames parsed and built, weights in integer grams.

The common parts of every protocol, and Toledo continuous. Protocols here are 7-bit ASCII, so
the parity bit (bit 7) is masked off when reading, whatever the port's framing.

**Toledo continuous** (托利多连续输出), name ``toledo``: sent continuously (10-20 frames a second)
by Mettler Toledo indicators and the many Chinese indicators and retail scales that copy it;
indicators in demand mode send the same frame when they receive their print command
(model-specific, e.g. ``P``), which is then the request::

    STX SWA SWB SWC W W W W W W [T T T T T T] CR [CHK]

    STX   0x02
    SWA   bits 0-2 decimal point: 0 XXXX00, 1 XXXXX0, 2 XXXXXX, 3 XXXXX.X, 4 XXXX.XX,
          5 XXX.XXX, 6 XX.XXXX, 7 X.XXXXX; bits 3-4 increment 01 x1, 10 x2, 11 x5; bit 5 = 1
    SWB   bit 0 net; bit 1 negative; bit 2 out of range (over capacity, or under zero when
          negative); bit 3 in motion; bit 4 kg (0 = lb); bit 5 = 1; bit 6 not zeroed since
          power-up
    SWC   bits 0-2 unit: 000 lb/kg as SWB bit 4, 001 g, others (t, oz, ...) not sold by;
          bit 3 print request; bit 4 expanded x10 display (a service mode); bit 5 = 1
    W     displayed weight, 6 ASCII digits (leading blanks allowed), no sign, no point
    T     tare weight, 6 digits (absent in the "short" format)
    CHK   optional: two's complement of the sum of the low 7 bits of STX..CR, masked to 7 bits

The constant bits differ between makers and are not checked. Names ``toledo-short`` (no tare
field) and ``toledo-checksum`` (checksum verified) select the variants.

The NCI SCP-01 protocol is in nci.py; ``hardware.scale.PROTOCOLS`` names them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol

from pos_app.errors import DeviceError
from pos_app.ports.scale import WeightReading, WeightStatus

STX: Final = 0x02
ETX: Final = 0x03
CR: Final = 0x0D
SEVEN_BITS: Final = bytes(i & 0x7F for i in range(256))


class ProtocolError(DeviceError):
    """Bytes that are not a frame of the protocol (line noise, wrong baud rate or protocol)."""


class ScaleProtocol(Protocol):
    @property
    def name(self) -> str: ...

    def request(self) -> bytes:
        """What to send for one weight request; empty when the scale talks by itself."""
        ...

    def take_frame(self, buffer: bytearray) -> bytes | None:
        """Remove the first frame candidate from ``buffer`` (dropping what comes before it);
        None while it is incomplete."""
        ...

    def reading(self, frame: bytes) -> WeightReading:
        """The reading a frame carries; raises ProtocolError when it is not a valid frame."""
        ...


def grams_from(value: int, exponent: int) -> int | None:
    """``value`` x 10**exponent grams when that is a whole number of grams, else None."""
    if exponent >= 0:
        return value * _power_of_ten(exponent)
    whole, rest = divmod(abs(value), _power_of_ten(-exponent))
    return None if rest else (whole if value >= 0 else -whole)


def _power_of_ten(exponent: int) -> int:
    """10**exponent for exponent >= 0, typed as the int it is."""
    return int("1" + "0" * exponent)


class ToledoUnit(StrEnum):
    LB = "lb"
    KG = "kg"
    G = "g"
    OTHER = "other"


_INCREMENT_BITS: Final = {1: 0b01, 2: 0b10, 5: 0b11}
_INCREMENTS: Final = {0b00: 1, 0b01: 1, 0b10: 2, 0b11: 5}
_UNIT_CODES: Final = {ToledoUnit.LB: 0, ToledoUnit.KG: 0, ToledoUnit.G: 1, ToledoUnit.OTHER: 7}
_DIGITS: Final = re.compile(r" *[0-9]+")


@dataclass(frozen=True, slots=True)
class ToledoFrame:
    """One Toledo continuous frame; ``weight`` and ``tare`` are the 6 digits as numbers."""

    weight: int
    decimals: int = 5
    increment: int = 1
    unit: ToledoUnit = ToledoUnit.KG
    negative: bool = False
    out_of_range: bool = False
    motion: bool = False
    net: bool = False
    power_up: bool = False
    print_request: bool = False
    expanded: bool = False
    tare: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.weight <= 999_999 or not 0 <= (self.tare or 0) <= 999_999:
            raise ValueError("Toledo weights are 6 digits")
        if not 0 <= self.decimals <= 7 or self.increment not in _INCREMENT_BITS:
            raise ValueError("decimals must be 0-7 and increment 1, 2 or 5")

    def encode(self, *, checksum: bool = False) -> bytes:
        swa = 0x20 | self.decimals | _INCREMENT_BITS[self.increment] << 3
        metric = self.unit in (ToledoUnit.KG, ToledoUnit.G)
        flags = (self.net, self.negative, self.out_of_range, self.motion, metric)
        swb = 0x20 | sum(int(on) << bit for bit, on in enumerate(flags)) | self.power_up << 6
        swc = 0x20 | _UNIT_CODES[self.unit] | self.print_request << 3 | self.expanded << 4
        tare = b"" if self.tare is None else b"%06d" % self.tare
        frame = bytes([STX, swa, swb, swc]) + b"%06d" % self.weight + tare + bytes([CR])
        return frame + bytes([toledo_checksum(frame)]) if checksum else frame

    @classmethod
    def decode(cls, frame: bytes, *, with_tare: bool = True, checksum: bool = False) -> ToledoFrame:
        data = frame.translate(SEVEN_BITS)
        cr_at = 16 if with_tare else 10
        if len(data) != cr_at + 1 + checksum or data[0] != STX or data[cr_at] != CR:
            raise ProtocolError(f"not a Toledo frame: {frame!r}")
        if checksum and data[-1] != toledo_checksum(data[:-1]):
            raise ProtocolError(f"Toledo checksum mismatch: {frame!r}")
        swa, swb, swc = data[1:4]
        unit_code = swc & 0b111
        if unit_code == 0:
            unit = ToledoUnit.KG if swb & 0x10 else ToledoUnit.LB
        else:
            unit = ToledoUnit.G if unit_code == 1 else ToledoUnit.OTHER
        return cls(
            weight=_six_digits(data[4:10]),
            decimals=swa & 0b111,
            increment=_INCREMENTS[swa >> 3 & 0b11],
            unit=unit,
            negative=bool(swb & 0x02),
            out_of_range=bool(swb & 0x04),
            motion=bool(swb & 0x08),
            net=bool(swb & 0x01),
            power_up=bool(swb & 0x40),
            print_request=bool(swc & 0x08),
            expanded=bool(swc & 0x10),
            tare=_six_digits(data[10:16]) if with_tare else None,
        )

    def grams(self) -> int | None:
        """The signed displayed weight in grams; None in lb or other units, or below 1 g."""
        if self.unit not in (ToledoUnit.KG, ToledoUnit.G):
            return None
        exponent = 2 - self.decimals + (3 if self.unit is ToledoUnit.KG else 0)
        return grams_from(-self.weight if self.negative else self.weight, exponent)

    def reading(self) -> WeightReading:
        grams = self.grams()
        if grams is None or self.power_up or self.expanded:
            return WeightReading.failed()
        if self.out_of_range:
            status = WeightStatus.UNDERZERO if self.negative else WeightStatus.OVERLOAD
        elif self.motion:
            status = WeightStatus.MOTION
        else:
            status = WeightStatus.UNDERZERO if grams < 0 else WeightStatus.STABLE
        return WeightReading.of(grams, status)


def toledo_checksum(data: bytes) -> int:
    return -sum(b & 0x7F for b in data) & 0x7F


def _six_digits(field: bytes) -> int:
    text = field.decode("ascii")
    if not _DIGITS.fullmatch(text):
        raise ProtocolError(f"not a 6-digit weight: {field!r}")
    return int(text)


@dataclass(frozen=True, slots=True)
class ToledoContinuous:
    """Toledo continuous frames; ``command`` is the print command of an indicator in demand
    mode (empty: the scale streams, and the next whole frame after the request is taken)."""

    with_tare: bool = True
    checksum: bool = False
    command: bytes = b""
    name: str = "toledo"

    def request(self) -> bytes:
        return self.command

    def take_frame(self, buffer: bytearray) -> bytes | None:
        cr_at = 16 if self.with_tare else 10
        length = cr_at + 1 + self.checksum
        while True:
            start = bytes(buffer).translate(SEVEN_BITS).find(STX)
            if start < 0:
                buffer.clear()
                return None
            del buffer[:start]
            if len(buffer) < length:
                return None
            if buffer[cr_at] & 0x7F == CR:
                frame = bytes(buffer[:length])
                del buffer[:length]
                return frame
            del buffer[:1]  # an STX-valued byte that starts no frame: resynchronise

    def reading(self, frame: bytes) -> WeightReading:
        return ToledoFrame.decode(frame, with_tare=self.with_tare, checksum=self.checksum).reading()
