"""Real-time printer status: DLE EOT n requests and what their one-byte answers mean.

ESC/POS (Epson "DLE EOT", also on the common Chinese clones): every answer byte has bit 1 and
bit 4 set and bits 0 and 7 clear, which is how an answer is told from noise.

- n = 1, printer status: bit 3 offline.
- n = 2, offline cause: bit 2 cover open, bit 3 paper fed by the button, bit 5 printing
  stopped at the paper end, bit 6 error.
- n = 4, roll paper sensor: bits 2-3 paper near its end, bits 5-6 paper out.

The printer answers these even while offline or in an error state, before any queued data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

DLE_EOT = b"\x10\x04"
PRINTER_STATUS = DLE_EOT + b"\x01"
OFFLINE_CAUSE = DLE_EOT + b"\x02"
PAPER_SENSOR = DLE_EOT + b"\x04"
REQUESTS: tuple[bytes, ...] = (PRINTER_STATUS, OFFLINE_CAUSE, PAPER_SENSOR)
"""Sent in this order; ``parse_status`` takes the answers in the same order."""

_FIXED_MASK, _FIXED_BITS = 0x93, 0x12
_OFFLINE = 0x08
_COVER_OPEN, _STOPPED_AT_PAPER_END, _ERROR = 0x04, 0x20, 0x40
_NEAR_END, _PAPER_OUT = 0x0C, 0x60


class PrinterProblem(StrEnum):
    """What keeps a printer from printing, or soon will; the values are message-key suffixes."""

    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    ERROR = "error"
    OFFLINE = "offline"
    NO_REPLY = "no_reply"
    UNREACHABLE = "unreachable"


BLOCKING = frozenset(PrinterProblem) - {PrinterProblem.PAPER_LOW}
"""Everything but low paper stops printing."""


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    problems: frozenset[PrinterProblem] = frozenset()

    @property
    def online(self) -> bool:
        """True when a receipt would print now (low paper still prints)."""
        return not self.problems & BLOCKING

    @property
    def detail(self) -> str:
        """ "ok", or the problems in a fixed order joined by ",", e.g. "cover_open,paper_out"."""
        names = [problem.value for problem in PrinterProblem if problem in self.problems]
        return ",".join(names) or "ok"


def is_status_byte(byte: int) -> bool:
    return byte & _FIXED_MASK == _FIXED_BITS


def parse_status(answers: Sequence[bytes]) -> PrinterStatus:
    """The status from the answers to ``REQUESTS`` (b"" where none came)."""
    if len(answers) != len(REQUESTS):
        raise ValueError(f"expected {len(REQUESTS)} answers, got {len(answers)}")
    printer, cause, paper = (_status_byte(answer) for answer in answers)
    if printer is None:
        return PrinterStatus(frozenset({PrinterProblem.NO_REPLY}))
    problems: set[PrinterProblem] = set()
    if cause is not None:
        if cause & _COVER_OPEN:
            problems.add(PrinterProblem.COVER_OPEN)
        if cause & _STOPPED_AT_PAPER_END:
            problems.add(PrinterProblem.PAPER_OUT)
        if cause & _ERROR:
            problems.add(PrinterProblem.ERROR)
    if paper is not None:
        if paper & _PAPER_OUT:
            problems.add(PrinterProblem.PAPER_OUT)
        elif paper & _NEAR_END:
            problems.add(PrinterProblem.PAPER_LOW)
    if printer & _OFFLINE and not problems & BLOCKING:
        problems.add(PrinterProblem.OFFLINE)  # offline for a reason the printer did not give
    return PrinterStatus(frozenset(problems))


def _status_byte(answer: bytes) -> int | None:
    """The last well-formed status byte of an answer (earlier ones are stale)."""
    return next((byte for byte in reversed(answer) if is_status_byte(byte)), None)


UNREACHABLE = PrinterStatus(frozenset({PrinterProblem.UNREACHABLE}))
