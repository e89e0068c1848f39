"""The engine's working values: the basket in canonical order and the mutable per-line state
one evaluation works on. Internal to the pricing package.

Lines are sorted by (SKU, line id) so that nothing depends on scan order; indices are
positions in that order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from pos_app.domain.money import Money
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

    def __init__(
        self, lines: Sequence[PricingLine], member: PricingMember | None, *, ordered: bool = False
    ) -> None:
        """``ordered``: ``lines`` already came from ``canonical``."""
        self.lines = tuple(lines) if ordered else canonical(lines)
        member_prices = member is not None and member.member_prices
        self.listed, self.amount, self.units, self.unit = _prices(self.lines, member_prices)
        self.sku = [line.sku for line in self.lines]
        self.category = [line.category for line in self.lines]
        self.grams = [line.grams for line in self.lines]
        self.labelled = [line.label_amount is not None for line in self.lines]


def _prices(
    lines: Sequence[PricingLine], member_prices: bool
) -> tuple[list[int], list[int], list[int], list[int]]:
    """Per line: ``amounts`` (list amount, base amount, units) and the base price per unit.
    A line by the piece with no member price to apply (most lines) is worked here, as
    ``amounts`` would: its list amount is its base amount, its quantity its units."""
    listed: list[int] = []
    amount: list[int] = []
    units: list[int] = []
    unit: list[int] = []
    for line in lines:
        if (
            line.label_amount is None
            and line.grams is None
            and not (member_prices and line.member_price is not None)
        ):
            count = line.quantity
            base = listed_amount = line.unit_price.fen * count
        else:
            listed_amount, base, count = amounts(line, member_prices)
        listed.append(listed_amount)
        amount.append(base)
        units.append(count)
        unit.append(base // count)
    return listed, amount, units, unit


_SKU = attrgetter("sku")
_LINE_ID = attrgetter("line_id")


def canonical(lines: Sequence[PricingLine]) -> tuple[PricingLine, ...]:
    """The lines in (SKU, line id) order; their ids must be unique. (By line id, then by SKU
    with a stable sort: the same order as one sort on the pair, without making the pairs.)"""
    by_id = sorted(lines, key=_LINE_ID)
    by_id.sort(key=_SKU)
    ordered = tuple(by_id)
    if len(set(map(_LINE_ID, ordered))) != len(ordered):
        raise ValueError("line ids must be unique")
    return ordered


def amounts(line: PricingLine, member_prices: bool) -> tuple[int, int, int]:
    """(list amount, base amount, units) in fen: ``line.amount``, ``line.member_amount()``
    where the member gets it, and ``line.units``, worked in integers."""
    grams, label = line.grams, line.label_amount
    if label is not None:
        return label.fen, label.fen, 1
    unit_price = line.unit_price.fen
    listed = unit_price * line.quantity if grams is None else per_grams_fen(unit_price, grams)
    member = line.member_price
    if not member_prices or member is None or member.fen >= unit_price:
        return listed, listed, 1 if grams is not None else line.quantity
    if grams is None:
        return listed, member.fen * line.quantity, line.quantity
    return listed, per_grams_fen(member.fen, grams), 1


_EXACT_PER_GRAMS = 10**26


def per_grams_fen(per_kg: int, grams: int) -> int:
    """``Money(per_kg).per_grams(grams).fen`` in integers: half up, once. (Money's Decimal
    product is exact at these sizes, and half up on a non-negative amount is the floor of
    it plus a half.)"""
    product = per_kg * grams
    if 0 <= product < _EXACT_PER_GRAMS:
        return (product + 500) // 1000
    return Money(per_kg).per_grams(grams).fen


class App(NamedTuple):
    """One application of an offer in an evaluation: how often, and its message params."""

    offer: Offer
    applications: int
    params: dict[str, str]


Columns = tuple[Sequence[Any], ...]
"""The per-line columns of ``State`` (in ``LINE_COLUMNS`` order) read at some lines."""
Snapshot = tuple[Columns, int, int]

LINE_COLUMNS = (
    "free",
    "grouped",
    "fnet",
    "spend_base",
    "pay",
    "touched",
    "promoted",
    "closed",
    "groups",
)


@dataclass(frozen=True, slots=True)
class Result:
    """What applying some offers did to some lines: the lines' columns afterwards, and the
    entries and applications made (entries point into ``apps`` as if it were appended to
    ``base`` earlier applications)."""

    lines: tuple[int, ...]
    rows: Columns
    entries: list[tuple[int, int, int]]
    apps: list[App]
    base: int


def _reader(lines: Sequence[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    if len(lines) == 1:
        only = lines[0]
        return lambda column: (column[only],)
    if not lines:
        return lambda column: ()
    return itemgetter(*lines)


class State:
    """Per line: units still free for promotions (not claimed by a non-stackable one), units
    grouped by stackable multi-buys, ``fnet`` (what the free units still cost), ``pay`` (what
    the whole line still costs), ``touched`` (a promotion discounted the free units),
    ``promoted`` (any promotion on the line), ``closed`` (a non-stackable spend-and-save took
    it) and the exclusivity groups already used on it. ``entries`` are (line, fen, app).

    ``snapshot``, ``restore`` and ``capture`` take line indices in ascending order without
    repeats; a run of consecutive lines (the order stage's usual case) is read and written as
    slices."""

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
        """Every list copied, attribute by attribute (cheaper than by name in a loop;
        ``tests/domain/pricing/test_state.py`` checks that every slot is copied)."""
        other = State.__new__(State)
        other.free, other.grouped = self.free[:], self.grouped[:]
        other.fnet, other.spend_base, other.pay = self.fnet[:], self.spend_base[:], self.pay[:]
        other.touched, other.promoted = self.touched[:], self.promoted[:]
        other.closed, other.groups = self.closed[:], self.groups[:]
        other.entries, other.apps = self.entries[:], self.apps[:]
        return other

    def reset(self, basket: Basket, lines: Iterable[int]) -> None:
        """Put ``lines`` back as no offer had touched them (entries are left alone)."""
        for i in lines:
            self.free[i] = basket.units[i]
            self.grouped[i] = 0
            self.fnet[i] = self.pay[i] = self.spend_base[i] = basket.amount[i]
            self.touched[i] = self.promoted[i] = self.closed[i] = False
            self.groups[i] = ()

    def _columns(self) -> tuple[list[Any], ...]:
        return (
            self.free,
            self.grouped,
            self.fnet,
            self.spend_base,
            self.pay,
            self.touched,
            self.promoted,
            self.closed,
            self.groups,
        )

    def snapshot(self, lines: Sequence[int]) -> Snapshot:
        if lines and lines[-1] - lines[0] + 1 == len(lines):
            run = slice(lines[0], lines[-1] + 1)
            columns: Columns = (
                self.free[run],
                self.grouped[run],
                self.fnet[run],
                self.spend_base[run],
                self.pay[run],
                self.touched[run],
                self.promoted[run],
                self.closed[run],
                self.groups[run],
            )
        else:
            columns = tuple(map(_reader(lines), self._columns()))
        return columns, len(self.entries), len(self.apps)

    def restore(self, lines: Sequence[int], snapshot: Snapshot) -> None:
        columns, entries, apps = snapshot
        if lines and lines[-1] - lines[0] + 1 == len(lines):
            run = slice(lines[0], lines[-1] + 1)
            (
                self.free[run],
                self.grouped[run],
                self.fnet[run],
                self.spend_base[run],
                self.pay[run],
                self.touched[run],
                self.promoted[run],
                self.closed[run],
                self.groups[run],
            ) = columns
        else:
            for column, values in zip(self._columns(), columns, strict=True):
                for i, value in zip(lines, values, strict=True):
                    column[i] = value
        del self.entries[entries:]
        del self.apps[apps:]

    def capture(self, lines: Sequence[int], snapshot: Snapshot) -> Result:
        """The effect on ``lines`` since ``snapshot`` was taken."""
        _, entries, apps = snapshot
        return Result(
            tuple(lines), self.snapshot(lines)[0], self.entries[entries:], self.apps[apps:], apps
        )

    def replay(self, result: Result) -> None:
        self.restore(result.lines, (result.rows, len(self.entries), len(self.apps)))
        shift = len(self.apps) - result.base
        self.apps.extend(result.apps)
        if shift:
            self.entries.extend((i, fen, app + shift) for i, fen, app in result.entries)
        else:
            self.entries.extend(result.entries)
