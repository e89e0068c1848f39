"""When a promotion runs: a window of instants, weekdays, days of the month and a daily time
range, read in the store's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time


@dataclass(frozen=True, slots=True)
class Window:
    """When an offer runs. ``starts``/``ends`` are aware instants (end exclusive); weekdays
    (ISO, 1 = Monday), days of the month and the daily time range are read in the store's time
    zone. A daily range whose end is before its start crosses midnight."""

    starts: datetime | None = None
    ends: datetime | None = None
    weekdays: frozenset[int] = frozenset()
    days_of_month: frozenset[int] = frozenset()
    from_time: time | None = None
    until_time: time | None = None

    def __post_init__(self) -> None:
        for moment in (self.starts, self.ends):
            if moment is not None and moment.utcoffset() is None:
                raise ValueError("window instants must be timezone-aware")
        if not self.weekdays <= frozenset(range(1, 8)):
            raise ValueError("weekdays are 1 (Monday) to 7 (Sunday)")
        if not self.days_of_month <= frozenset(range(1, 32)):
            raise ValueError("days of the month are 1 to 31")

    def contains(self, local: datetime) -> bool:
        """Whether the offer runs at ``local``: an aware instant in the store's time zone."""
        return self.contains_moment(Moment.of(local))

    def contains_moment(self, moment: Moment) -> bool:
        """``contains`` with the instant's local facts worked out once for many windows."""
        local = moment.local
        if (self.starts is not None and local < self.starts) or (
            self.ends is not None and local >= self.ends
        ):
            return False
        if self.weekdays and moment.weekday not in self.weekdays:
            return False
        if self.days_of_month and moment.day not in self.days_of_month:
            return False
        clock = moment.clock
        start, end = self.from_time or time.min, self.until_time
        if end is None:
            return clock >= start
        return start <= clock < end if start <= end else (clock >= start or clock < end)


@dataclass(frozen=True, slots=True)
class Moment:
    """An aware instant in the store's time zone with its ISO weekday, day of the month and
    wall-clock time (naive), as windows read them."""

    local: datetime
    weekday: int
    day: int
    clock: time

    @classmethod
    def of(cls, local: datetime) -> Moment:
        return cls(local, local.isoweekday(), local.day, local.time().replace(tzinfo=None))
