"""Quick constructors for the frozen values a reprice makes by the thousand: amounts,
adjustments and priced lines. Internal to the pricing package.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``, which costs
about as much as the rest of building an adjustment. These functions make the same objects
(equal, same type, same slots) by setting the slots directly. They are used only where the
engine made the values itself, so a check in ``__post_init__`` would have nothing to refuse:
``Money``'s is that fen is an int, and ``Adjustment`` and ``PricedLine`` have none (if one is
added, ``_slots`` refuses to build the quick path and the module fails to import, so the
class must be looked at again). ``tests/domain/pricing/test_makers.py`` compares both ways.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields
from typing import Any

from pos_app.domain.money import Money
from pos_app.domain.pricing.adjustments import Adjustment, PricedLine, SourceKind

_new = object.__new__


def _slots(cls: type, *names: str, checks: bool = False) -> tuple[Callable[[Any, Any], None], ...]:
    """The slot setters of ``cls``, in field order; the fields must be exactly ``names`` and
    the class may validate only where ``checks`` says its check is known."""
    if tuple(field.name for field in fields(cls)) != names:
        raise TypeError(f"{cls.__name__}: fields changed, review pricing.makers")
    if hasattr(cls, "__post_init__") and not checks:
        raise TypeError(f"{cls.__name__} validates now, review pricing.makers")
    return tuple(vars(cls)[name].__set__ for name in names)


(_fen,) = _slots(Money, "fen", checks=True)
_line_id, _amount, _reason, _params, _source, _kind = _slots(
    Adjustment, "line_id", "amount", "reason", "params", "source", "kind"
)
_priced = _slots(PricedLine, "line_id", "amount", "discount", "total", "adjustments")


def money(fen: int) -> Money:
    """``Money(fen)`` for an int the engine computed."""
    made = _new(Money)
    _fen(made, fen)
    return made


def adjustment(
    line_id: str,
    amount: Money,
    reason: str,
    params: Mapping[str, str],
    source: str,
    kind: SourceKind,
) -> Adjustment:
    made = _new(Adjustment)
    _line_id(made, line_id)
    _amount(made, amount)
    _reason(made, reason)
    _params(made, params)
    _source(made, source)
    _kind(made, kind)
    return made


def add_adjustments(
    made: list[list[Adjustment]],
    entries: Iterable[tuple[int, int, int]],
    line_ids: Sequence[str],
    said: Sequence[tuple[str, Mapping[str, str], str, SourceKind]],
) -> None:
    """Append one adjustment per entry (line, fen, application) to ``made[line]``, in the
    order given; ``said`` is each application's (reason, params, source, kind). The two
    constructors above, inlined: this loop makes most of a cart's values."""
    new, set_fen = _new, _fen
    set_line_id, set_amount, set_reason = _line_id, _amount, _reason
    set_params, set_source, set_kind = _params, _source, _kind
    for i, fen, k in entries:
        reason, params, source, kind = said[k]
        amount = new(Money)
        set_fen(amount, fen)
        made_one = new(Adjustment)
        set_line_id(made_one, line_ids[i])
        set_amount(made_one, amount)
        set_reason(made_one, reason)
        set_params(made_one, params)
        set_source(made_one, source)
        set_kind(made_one, kind)
        made[i].append(made_one)


def priced_lines(
    line_ids: Iterable[str],
    position: Mapping[str, int],
    listed: Sequence[int],
    pay: Sequence[int],
    adjustments: Sequence[tuple[Adjustment, ...]],
) -> list[PricedLine]:
    """One priced line per id, in the order given: list amount, discount, total and its
    adjustments, read at the line's ``position``."""
    new, set_fen = _new, _fen
    set_line_id, set_amount, set_discount, set_total, set_adjustments = _priced
    made: list[PricedLine] = []
    for line_id in line_ids:
        i = position[line_id]
        amount, discount, total = new(Money), new(Money), new(Money)
        set_fen(amount, listed[i])
        set_fen(discount, listed[i] - pay[i])
        set_fen(total, pay[i])
        line = new(PricedLine)
        set_line_id(line, line_id)
        set_amount(line, amount)
        set_discount(line, discount)
        set_total(line, total)
        set_adjustments(line, adjustments[i])
        made.append(line)
    return made
