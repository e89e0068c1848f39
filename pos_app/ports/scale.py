"""Port for the weighing scale: ask for a weight now, get the answer later.

``request_weight()`` returns at once; the scale's own thread answers every request with exactly
one ``WeightReading`` through the ``WeightCallback`` given to the adapter (the composition root
wires it to the bus as ``WeightRead``). Weights are integer grams, never float. Only a STABLE
reading is a weight to sell by; an unchanged re-read is the same weight again, not zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class WeightStatus(StrEnum):
    STABLE = "stable"
    MOTION = "motion"
    """The scale is still settling; ``grams`` is the moving value when the scale sends one."""
    OVERLOAD = "overload"
    """Over capacity."""
    UNDERZERO = "underzero"
    """Below zero (the platter was lifted or zeroed with something on it)."""
    ERROR = "error"
    """No usable answer: the scale is offline, silent, unreadable or reports a fault."""


@dataclass(frozen=True, slots=True)
class WeightReading:
    """One answer to one request. Invariant: ``stable`` is true exactly when status is STABLE."""

    grams: int
    stable: bool
    status: WeightStatus

    def __post_init__(self) -> None:
        if not isinstance(self.grams, int) or isinstance(self.grams, bool):
            raise TypeError(f"weights are integer grams, got {type(self.grams).__name__}")
        if self.stable != (self.status is WeightStatus.STABLE):
            raise ValueError(f"stable={self.stable} contradicts status {self.status}")

    @classmethod
    def of(cls, grams: int, status: WeightStatus) -> WeightReading:
        return cls(grams, status is WeightStatus.STABLE, status)

    @classmethod
    def failed(cls) -> WeightReading:
        """The answer to a request the scale could not answer (offline, silent, unreadable)."""
        return cls(0, False, WeightStatus.ERROR)

    @property
    def usable(self) -> bool:
        """A weight to sell by: stable and something on the platter."""
        return self.stable and self.grams > 0


WeightCallback = Callable[[WeightReading], None]
"""Called on the scale's thread with the answer to each request_weight()."""

DeviceStatusCallback = Callable[[bool, str], None]
"""Called on the device's thread with (online, detail) when the device goes offline or comes
back; the composition root publishes it as DeviceStatusChanged."""


class Scale(Protocol):
    def request_weight(self) -> None:
        """Ask for the current weight and return at once; the answer arrives as a reading."""
        ...
