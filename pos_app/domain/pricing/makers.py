"""Quick constructors for the frozen values a reprice makes by the thousand: amounts,
adjustments and priced lines. Internal to the pricing package.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, which costs
several times what the rest of building an adjustment does. These functions make the same
objects (equal, same type, same slots, same repr) another way: an instance of a *twin*, a
subclass that adds no slots and takes back ``object``'s ``__init__``, ``__setattr__`` and
``__delattr__``, is filled by ordinary attribute stores and then becomes the frozen class by
``__class__`` assignment, which CPython allows between classes of the same layout (checked
when this module is imported: a twin that does not fit raises there). A subclass of the same
layout, rather than an unrelated class with the same slots, spares that assignment comparing
the slot names each time. They are used only where the engine made the values itself, so a check in
``__post_init__`` would have nothing to refuse: ``Money``'s is that fen is an int, and
``Adjustment`` and ``PricedLine`` have none (if one is added, ``_twin`` refuses to build the
quick path and the module fails to import, so the class must be looked at again).
``tests/domain/pricing/test_makers.py`` compares both ways.

Amounts are shared: the first ``SHARED_AMOUNTS`` distinct fen values handed out are kept, one
``Money`` each. A reprice answers with a few hundred amounts, mostly the same prices and small
parts of order-level savings, and finding one costs less than making it (and than the
garbage collector's passes over the young objects made). ``Money`` is frozen, so sharing is
safe; two threads at worst both make one value. The loops read a kept amount by subscript,
a miss raising ``KeyError``: a plain dict's subscript is the cheapest read, and an
exception costs nothing until raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from typing import Any

from pos_app.domain.money import Money
from pos_app.domain.pricing.adjustments import Adjustment, OfferUse, PricedLine, SourceKind

Said = tuple[str, Mapping[str, str], str, SourceKind, int]
"""An application as its adjustments say it, (reason, params, source, kind), and where in a
list of sums its savings are added."""

SHARED_AMOUNTS = 1 << 14
_SHARED: dict[int, Money] = {}


def _twin(cls: type, *names: str, checks: bool = False) -> Any:
    """A plain class with the slots of ``cls``, whose fields must be exactly ``names``; the
    class may validate only where ``checks`` says its check is known."""
    if tuple(field.name for field in fields(cls)) != names or vars(cls).get("__slots__") != names:
        raise TypeError(f"{cls.__name__}: fields changed, review pricing.makers")
    if hasattr(cls, "__post_init__") and not checks:
        raise TypeError(f"{cls.__name__} validates now, review pricing.makers")
    plain = {
        "__slots__": (),
        "__init__": object.__init__,
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
    }
    twin = type(f"_{cls.__name__}Twin", (cls,), plain)
    probe = twin()
    probe.__class__ = cls  # TypeError here when the layouts differ
    return twin


_MoneyTwin = _twin(Money, "fen", checks=True)
_AdjustmentTwin = _twin(Adjustment, "line_id", "amount", "reason", "params", "source", "kind")
_PricedLineTwin = _twin(PricedLine, "line_id", "amount", "discount", "total", "adjustments")
_OfferUseTwin = _twin(OfferUse, "source", "kind", "applications", "saved")


def money(fen: int) -> Money:
    """``Money(fen)`` for an int the engine computed."""
    try:
        return _SHARED[fen]
    except KeyError:
        return _share(fen)


def _share(fen: int) -> Money:
    made = _MoneyTwin()
    made.fen = fen
    made.__class__ = Money
    if len(_SHARED) < SHARED_AMOUNTS:
        _SHARED[fen] = made
    return made  # type: ignore[no-any-return]


def adjustment(
    line_id: str,
    amount: Money,
    reason: str,
    params: Mapping[str, str],
    source: str,
    kind: SourceKind,
) -> Adjustment:
    made = _AdjustmentTwin()
    made.line_id, made.amount, made.reason = line_id, amount, reason
    made.params, made.source, made.kind = params, source, kind
    made.__class__ = Adjustment
    return made  # type: ignore[no-any-return]


def add_adjustments(
    made: list[list[Adjustment]],
    entries: Iterable[tuple[int, int, int]],
    line_ids: Sequence[str],
    said: Sequence[Said],
    saved: list[int],
) -> None:
    """Append one adjustment per entry (line, fen, application) to ``made[line]``, in the
    order given, and add its fen to ``saved`` where the application's ``said`` tells. The
    constructors above, inlined: this loop makes most of a cart's values, and summing here
    spares the caller another pass over the entries."""
    twin, cls, amounts = _AdjustmentTwin, Adjustment, _SHARED
    for i, fen, k in entries:
        one = twin()
        one.reason, one.params, one.source, one.kind, at = said[k]
        one.line_id = line_ids[i]
        try:
            one.amount = amounts[fen]
        except KeyError:
            one.amount = _share(fen)
        one.__class__ = cls
        made[i].append(one)
        saved[at] += fen


def offer_uses(
    keys: Iterable[tuple[SourceKind, str]], totals: Mapping[tuple[SourceKind, str], list[int]]
) -> list[OfferUse]:
    """One use per (kind, source) in ``keys``, with the applications and fen ``totals`` has
    for it."""
    twin, cls = _OfferUseTwin, OfferUse
    made: list[OfferUse] = []
    for key in keys:
        use = twin()
        use.kind, use.source = key
        use.applications, fen = totals[key]
        use.saved = money(fen)
        use.__class__ = cls
        made.append(use)
    return made


def priced_line(
    line_id: str, amount: Money, discount: Money, total: Money, adjustments: tuple[Adjustment, ...]
) -> PricedLine:
    made = _PricedLineTwin()
    made.line_id, made.amount, made.discount = line_id, amount, discount
    made.total, made.adjustments = total, adjustments
    made.__class__ = PricedLine
    return made  # type: ignore[no-any-return]


def priced_lines(
    order: Iterable[int],
    line_ids: Sequence[str],
    listed: Sequence[int],
    pay: Sequence[int],
    adjustments: Sequence[tuple[Adjustment, ...]],
) -> tuple[list[PricedLine], list[Adjustment]]:
    """One priced line per position in ``order``: its id, list amount, discount, total and
    adjustments, read at that position. And all their adjustments, line after line (one
    ``extend`` a line costs less than chaining the rows an adjustment at a time)."""
    twin, cls, amounts = _PricedLineTwin, PricedLine, _SHARED
    made: list[PricedLine] = []
    every: list[Adjustment] = []
    for i in order:
        full, left = listed[i], pay[i]
        line = twin()
        line.line_id = line_ids[i]
        try:
            line.amount, line.discount, line.total = (
                amounts[full],
                amounts[full - left],
                amounts[left],
            )
        except KeyError:
            line.amount, line.discount, line.total = money(full), money(full - left), money(left)
        line.adjustments = row = adjustments[i]
        line.__class__ = cls
        made.append(line)
        every.extend(row)
    return made, every
