"""What goes back on a return: money per line and per tender, points, coupons, stock.

A return names lines of one completed sale and how many pieces of each go back. The rules:

Money per line. A line's paid total is its amount less its discount (promotions, coupons and
the member price, as the engine spread them over the lines), so a partial return of a line
gives back the share the customer actually paid for those pieces, never the shelf price.
Returning ``q`` pieces of a line of ``Q`` pieces paid ``T`` fen, ``r`` pieces having gone back
before, refunds ``T*(r+q)//Q - T*r//Q``: the cumulative share rounded down. The fen rounding
holds back go with the last piece, so returning the whole line in any number of steps refunds
exactly ``T``. The discount given back is worked out the same way (the receipt shows both).
A weighed line (or a scale-labelled package) goes back whole or not at all.

Money per tender ("last in, first out; cash last"). The refund goes back to the sale's own
tenders in the reverse of the order the till takes them (wallets, points, stored value, bank
card, cash): bank card first, then stored value, points, the wallets (the latest first), and
cash last, from the drawer. No tender ever gets back more than it paid less what earlier
returns gave it; the sum of what the tenders still hold is what the sale still has to give
back, so every return is covered. Stored value goes back to the member's account, points as
points (the points a points tender spent, pro rata to the money it gets back, rounded down
cumulatively like the lines), a wallet through a provider refund (an ``out_refund_no``), a
bank card as an instruction to refund on the card terminal with the sale's approval code.

Points earned. The points the sale earned are taken back pro rata to the money refunded
against the sale's total (``members.points_to_reverse``): rounded down cumulatively, so every
point comes back once the whole sale is returned, and none early.

Coupons. A coupon the sale used stays used by a partial return (its discount stays with the
goods kept, pro rata). It is given back only when this return completes the return of the
whole sale, and then only if it is still valid at the time of the return (an expired coupon
would be of no use and must not be revived) and is not a parking coupon (停车券: the
parking it paid for was used when the car left; nothing can give it back).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.members import points_to_reverse
from pos_app.domain.money import ZERO, Money
from pos_app.domain.payments import TenderMethod
from pos_app.domain.pricing.coupon_terms import CouponKind
from pos_app.errors import UserError

REFUND_ORDER: dict[TenderMethod, int] = {
    TenderMethod.BANK_CARD: 0,
    TenderMethod.STORED_VALUE: 1,
    TenderMethod.POINTS: 2,
    TenderMethod.PAYMENT_CODE: 3,
    TenderMethod.DYNAMIC_QR: 3,  # the wallets as the till took them: the latest first
    TenderMethod.CASH: 4,
}
"""The order tenders get a refund: the reverse of how the till takes them, cash last."""

NEVER_GIVEN_BACK = frozenset({CouponKind.PARKING})
"""Coupon kinds a return never gives back: what they paid for was used up."""


@dataclass(frozen=True, slots=True)
class SoldLine:
    """A line of the original sale as far as returns care; ``returned`` pieces went back."""

    line_id: str
    quantity: int
    amount: Money
    discount: Money
    weighed: bool = False
    returned: int = 0

    @property
    def total(self) -> Money:
        return self.amount - self.discount

    @property
    def returnable(self) -> int:
        return self.quantity - self.returned


@dataclass(frozen=True, slots=True)
class PaidTender:
    """A tender of the original sale: what it paid toward the total (cash without change),
    what earlier returns gave it back, and, for points, the points it spent."""

    payment_id: str
    method: TenderMethod
    amount: Money
    refunded: Money = ZERO
    points: int = 0

    @property
    def left(self) -> Money:
        return self.amount - self.refunded


@dataclass(frozen=True, slots=True)
class UsedCoupon:
    coupon_id: str
    kind: CouponKind
    valid_until: datetime
    """Exclusive, as on the coupon."""


@dataclass(frozen=True, slots=True)
class SoldSale:
    total: Money
    lines: tuple[SoldLine, ...]
    tenders: tuple[PaidTender, ...]
    """In the order the sale took them."""
    points_earned: int = 0
    coupons: tuple[UsedCoupon, ...] = ()

    @property
    def refunded(self) -> Money:
        return Money(sum(t.refunded.fen for t in self.tenders))


@dataclass(frozen=True, slots=True)
class LineRefund:
    line_id: str
    quantity: int
    amount: Money
    """The line amount (before discounts) that goes back: ``refund + discount``."""
    discount: Money
    refund: Money


@dataclass(frozen=True, slots=True)
class TenderRefund:
    payment_id: str
    method: TenderMethod
    amount: Money
    points: int = 0
    """Points given back to the member (a points tender only)."""


@dataclass(frozen=True, slots=True)
class ReturnPlan:
    lines: tuple[LineRefund, ...]
    tenders: tuple[TenderRefund, ...]
    points_taken_back: int
    coupons_given_back: tuple[str, ...]
    whole_sale: bool
    """Nothing of the sale is left to return after this one."""

    @property
    def total(self) -> Money:
        return Money(sum(line.refund.fen for line in self.lines))


def share(whole: Money, before: int, taking: int, of: int) -> Money:
    """``whole`` x (before+taking)/of - ``whole`` x before/of, each rounded down: the part of
    ``whole`` for ``taking`` of ``of`` units once ``before`` went; all steps sum to ``whole``."""
    if of <= 0:
        return ZERO
    return Money(whole.fen * (before + taking) // of - whole.fen * before // of)


def plan_return(sale: SoldSale, wanted: Iterable[tuple[str, int]], at: datetime) -> ReturnPlan:
    """What returning ``wanted`` (line id, pieces) gives back, or a UserError saying why not:
    ``refund.nothing_chosen``, ``refund.unknown_line``, ``refund.bad_quantity``,
    ``refund.weighed_whole``, ``refund.more_than_left`` (with ``left``)."""
    if at.utcoffset() is None:
        raise ValueError("at must be timezone-aware")
    asked = _merge(wanted)
    if not asked:
        raise UserError("refund.nothing_chosen")
    by_id = {line.line_id: line for line in sale.lines}
    lines = tuple(_line_refund(by_id, line_id, quantity) for line_id, quantity in asked)
    total = Money(sum(line.refund.fen for line in lines))
    left = {line_id: line.returnable for line_id, line in by_id.items()}
    for line in lines:
        left[line.line_id] -= line.quantity
    whole = all(n == 0 for n in left.values())
    earned = points_to_reverse(sale.points_earned, sale.total, sale.refunded, total)
    return ReturnPlan(
        lines=lines,
        tenders=split_refund(sale.tenders, total),
        points_taken_back=earned,
        coupons_given_back=_coupons_back(sale.coupons, at) if whole else (),
        whole_sale=whole,
    )


def split_refund(tenders: Sequence[PaidTender], total: Money) -> tuple[TenderRefund, ...]:
    """``total`` over the tenders in ``REFUND_ORDER`` (within a method, the latest first),
    each taking at most what it has left; ValueError if they cannot hold it (the sale's
    remaining refundable money is less than asked: a caller bug, the lines bound it)."""
    ordered = sorted(enumerate(tenders), key=lambda it: (REFUND_ORDER[it[1].method], -it[0]))
    due = total.fen
    parts: list[TenderRefund] = []
    for _, tender in ordered:
        if due <= 0:
            break
        part = min(due, max(0, tender.left.fen))
        if part <= 0:
            continue
        points = 0
        if tender.method is TenderMethod.POINTS:
            points = points_to_reverse(tender.points, tender.amount, tender.refunded, Money(part))
        parts.append(TenderRefund(tender.payment_id, tender.method, Money(part), points))
        due -= part
    if due > 0:
        raise ValueError(f"the tenders hold {total.fen - due} fen of the {total.fen} to refund")
    return tuple(parts)


def _merge(wanted: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    merged: dict[str, int] = {}
    for line_id, quantity in wanted:
        if quantity <= 0:
            raise UserError("refund.bad_quantity")
        merged[line_id] = merged.get(line_id, 0) + quantity
    return list(merged.items())


def _line_refund(by_id: dict[str, SoldLine], line_id: str, quantity: int) -> LineRefund:
    line = by_id.get(line_id)
    if line is None:
        raise UserError("refund.unknown_line")
    if quantity > line.returnable:
        raise UserError("refund.more_than_left", left=line.returnable)
    if line.weighed and quantity != line.quantity:
        raise UserError("refund.weighed_whole")
    refund = share(line.total, line.returned, quantity, line.quantity)
    discount = share(line.discount, line.returned, quantity, line.quantity)
    return LineRefund(line_id, quantity, refund + discount, discount, refund)


def _coupons_back(coupons: Iterable[UsedCoupon], at: datetime) -> tuple[str, ...]:
    return tuple(sorted(c.coupon_id for c in coupons
                        if c.kind not in NEVER_GIVEN_BACK and at < c.valid_until))
