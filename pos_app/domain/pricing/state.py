"""The engine's working values: the basket in canonical order and the mutable per-line state
one evaluation works on. Internal to the pricing package.

Lines are sorted by (SKU, line id) so that nothing depends on scan order; indices are
positions in that order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pos_app.domain.pricing.adjustments import PricingLine, PricingMember
from pos_app.domain.pricing.offers import Offer


class Basket:
    """Lines in canonical order with base prices in fen: the member price where the member
    gets one, else the list price. ``unit`` is per piece (the whole amount for a weighed or
    labelled line)."""

    __slots__ = (
        "amount",
        "category",
        "grams",
        "labelled",
        "lines",
        "listed",
        "sku",
        "unit",
        "units",
    )

    def __init__(self, lines: Sequence[PricingLine], member: PricingMember | None) -> None:
        self.lines = tuple(sorted(lines, key=lambda line: (line.sku, line.line_id)))
        if len({line.line_id for line in self.lines}) != len(self.lines):
            raise ValueError("line ids must be unique")
        member_prices = member is not None and member.member_prices
        self.listed, self.amount, self.units, self.unit = [], [], [], []
        for line in self.lines:
            listed = line.amount.fen
            member_amount = line.member_amount() if member_prices else None
            amount = listed if member_amount is None else member_amount.fen
            units = line.units
            self.listed.append(listed)
            self.amount.append(amount)
            self.units.append(units)
            self.unit.append(amount // units)
        self.sku = [line.sku for line in self.lines]
        self.category = [line.category for line in self.lines]
        self.grams = [line.grams for line in self.lines]
        self.labelled = [line.label_amount is not None for line in self.lines]


@dataclass(frozen=True, slots=True)
class App:
    """One application of an offer in an evaluation: how often, and its message params."""

    offer: Offer
    applications: int
    params: dict[str, str]


Row = tuple[int, int, int, int, int, bool, bool, bool, tuple[str, ...]]
Snapshot = tuple[list[Row], int, int]


@dataclass(frozen=True, slots=True)
class Result:
    """What applying some offers did to some lines: the lines' rows afterwards, and the
    entries and applications made (entries point into ``apps``)."""

    lines: tuple[int, ...]
    rows: list[Row]
    entries: list[tuple[int, int, int]]
    apps: list[App]


class State:
    """Per line: units still free for promotions (not claimed by a non-stackable one), units
    grouped by stackable multi-buys, ``fnet`` (what the free units still cost), ``pay`` (what
    the whole line still costs), ``touched`` (a promotion discounted the free units),
    ``promoted`` (any promotion on the line), ``closed`` (a non-stackable spend-and-save took
    it) and the exclusivity groups already used on it. ``entries`` are (line, fen, app)."""

    __slots__ = (
        "apps",
        "closed",
        "entries",
        "fnet",
        "free",
        "grouped",
        "groups",
        "pay",
        "promoted",
        "spend_base",
        "touched",
    )

    def __init__(self, basket: Basket) -> None:
        count = len(basket.lines)
        self.free = list(basket.units)
        self.grouped = [0] * count
        self.fnet = list(basket.amount)
        self.pay = list(basket.amount)
        self.touched = [False] * count
        self.promoted = [False] * count
        self.closed = [False] * count
        self.groups: list[tuple[str, ...]] = [()] * count
        self.entries: list[tuple[int, int, int]] = []
        self.apps: list[App] = []
        self.spend_base = list(basket.amount)
        """What spend-and-save thresholds read: ``fnet`` as item offers left it (no
        order-level saving), so order-level promotions never lower each other's thresholds."""

    def copy(self) -> State:
        other = State.__new__(State)
        for name in State.__slots__:
            value = getattr(self, name)
            setattr(other, name, list(value))
        return other

    def snapshot(self, lines: Sequence[int]) -> Snapshot:
        rows = [
            (
                self.free[i],
                self.grouped[i],
                self.fnet[i],
                self.spend_base[i],
                self.pay[i],
                self.touched[i],
                self.promoted[i],
                self.closed[i],
                self.groups[i],
            )
            for i in lines
        ]
        return rows, len(self.entries), len(self.apps)

    def restore(self, lines: Sequence[int], snapshot: Snapshot) -> None:
        rows, entries, apps = snapshot
        for i, row in zip(lines, rows, strict=True):
            (
                self.free[i],
                self.grouped[i],
                self.fnet[i],
                self.spend_base[i],
                self.pay[i],
                self.touched[i],
                self.promoted[i],
                self.closed[i],
                self.groups[i],
            ) = row
        del self.entries[entries:]
        del self.apps[apps:]

    def capture(self, lines: Sequence[int], snapshot: Snapshot) -> Result:
        """The effect on ``lines`` since ``snapshot`` was taken."""
        rows = self.snapshot(lines)[0]
        _, entries, apps = snapshot
        return Result(
            tuple(lines),
            rows,
            [(i, fen, app - apps) for i, fen, app in self.entries[entries:]],
            self.apps[apps:],
        )

    def replay(self, result: Result) -> None:
        self.restore(result.lines, (result.rows, len(self.entries), len(self.apps)))
        offset = len(self.apps)
        self.apps.extend(result.apps)
        self.entries.extend((i, fen, app + offset) for i, fen, app in result.entries)
