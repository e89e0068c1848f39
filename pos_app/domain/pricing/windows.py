"""When a promotion runs: a window of instants, weekdays, days of the month and a daily time
range, read in the store's time zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

_EPOCH = datetime.min.replace(tzinfo=UTC)


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
    instants: tuple[timedelta | None, timedelta | None] = field(
        init=False, repr=False, compare=False
    )
    """``starts`` and ``ends`` as ``instant`` makes them, worked out once."""

    def __post_init__(self) -> None:
        for moment in (self.starts, self.ends):
            if moment is not None and moment.utcoffset() is None:
                raise ValueError("window instants must be timezone-aware")
        if not self.weekdays <= frozenset(range(1, 8)):
            raise ValueError("weekdays are 1 (Monday) to 7 (Sunday)")
        if not self.days_of_month <= frozenset(range(1, 32)):
            raise ValueError("days of the month are 1 to 31")
        object.__setattr__(self, "instants", (instant(self.starts), instant(self.ends)))

    def contains(self, local: datetime) -> bool:
        """Whether the offer runs at ``local``: an aware instant in the store's time zone."""
        return self.contains_moment(Moment.of(local))

    def contains_moment(self, moment: Moment) -> bool:
        """``contains`` with the instant's local facts worked out once for many windows."""
        if (self.starts is not None and _before(moment, self.starts, self.instants[0])) or (
            self.ends is not None and not _before(moment, self.ends, self.instants[1])
        ):
            return False
        if self.weekdays and moment.weekday not in self.weekdays:
            return False
        if self.days_of_month and moment.day not in self.days_of_month:
            return False
        if self.from_time is None and self.until_time is None:  # no daily range: every hour
            return True
        clock = moment.clock
        start, end = self.from_time or time.min, self.until_time
        if end is None:
            return clock >= start
        return start <= clock < end if start <= end else (clock >= start or clock < end)


@dataclass(frozen=True, slots=True)
class Moment:
    """An aware instant in the store's time zone with its ISO weekday, day of the month and
    wall-clock time (naive), as windows read them, and the instant as ``instant`` makes it."""

    local: datetime
    weekday: int
    day: int
    clock: time
    instant: timedelta | None

    @classmethod
    def of(cls, local: datetime) -> Moment:
        return cls(
            local, local.isoweekday(), local.day, local.time().replace(tzinfo=None), instant(local)
        )


def instant(moment: datetime | None) -> timedelta | None:
    """An aware datetime as the time from year 1 in UTC (None for None or a naive one):
    such values order as the datetimes do when their zones differ (compared as UTC), without
    the two offsets ``datetime`` works out for every such comparison, and never overflow."""
    offset = None if moment is None else moment.utcoffset()
    if moment is None or offset is None:
        return None
    return moment.replace(tzinfo=UTC) - _EPOCH - offset  # its wall clock as UTC, less its offset


def _before(moment: Moment, bound: datetime, bound_instant: timedelta | None) -> bool:
    """``moment.local < bound``. Datetimes sharing one tzinfo object compare by wall clock
    (cheap already, and not always as UTC: a zone with summer time), so only those with
    different zones compare by instant."""
    local = moment.local
    if local.tzinfo is bound.tzinfo or moment.instant is None or bound_instant is None:
        return local < bound
    return moment.instant < bound_instant
