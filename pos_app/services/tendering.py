"""What pays for a sale, in order, and how each tender is written.

Order: the wallet payments already taken on the cart, then the member's points (in whole
steps of the points policy), then stored value (预存款), then a bank card payment taken on the
external terminal (its approval code), then cash for the rest with change. Only cash may be
more than what is due.

Stored value and points are taken inside the sale's transaction by conditional UPDATEs: when
the member's balance does not cover the tender (another till paid from it a moment ago) the
sale is refused and nothing is written; the cashier sees why and chooses another tender.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.cart import Cart
from pos_app.domain.ids import new_id
from pos_app.domain.members import PointsPolicy, redeem_points
from pos_app.domain.money import Money
from pos_app.domain.payment_states import is_final
from pos_app.domain.payments import (
    PaymentState,
    SplitTender,
    Tender,
    TenderMethod,
    card_tender,
    take_cash,
    tender_for_attempt,
)
from pos_app.domain.pricing import Refusal
from pos_app.errors import UserError
from pos_app.persistence.repositories.payment_refunds import (
    PaymentRefundRepository,
    WalletPayments,
)
from pos_app.persistence.unit_of_work import UnitOfWork

POINTS_POLICY = PointsPolicy()
"""100 points are worth ¥1; points may pay the whole sale."""


@dataclass(frozen=True, slots=True)
class OtherTenders:
    """Tenders the cashier adds at the till besides wallets and cash."""

    points: int | None = None
    stored_value: Money | None = None
    card: tuple[Money, str] | None = None
    """(amount, approval code from the card terminal)."""


NO_OTHER_TENDERS = OtherTenders()


def split_for(uow: UnitOfWork, cart: Cart, cash: Money | None,
              others: OtherTenders) -> SplitTender:
    """The wallet tenders taken on ``cart``, then ``others``, then ``cash``; refuses while a
    payment runs, and when what is given does not cover the total."""
    split = SplitTender(cart.totals().total)
    for tender in _wallet_tenders(uow, cart):
        split = split.add(tender)
    for tender in _other_tenders(uow, cart, split.due, others):
        split = split.add(tender)
    if split.total.is_zero():
        return split  # a cart of free goods (a pickup voucher): nothing to pay
    if cash is not None and not split.covered:
        if split.tenders:
            split = split.add_cash(cash) if cash >= split.due else split
        else:
            taken = take_cash(split.total, cash)
            split = split.add(Tender(method=TenderMethod.CASH, amount=taken.due,
                                     tendered=taken.tendered))
    if not split.covered:
        if cash is not None and cash < split.due:
            raise UserError("payment.not_enough_cash", due=split.due.yuan_text(),
                            tendered=cash.yuan_text())
        raise UserError("payment.not_covered", due=split.due.yuan_text())
    return split


def _wallet_tenders(uow: UnitOfWork, cart: Cart) -> list[Tender]:
    attempts = uow.attempts.for_order(cart.id)
    if any(not is_final(attempt.state) for attempt in attempts):
        raise UserError("payment.in_progress")
    given_back = {r.attempt_id for r in PaymentRefundRepository(uow.session).for_order(cart.id)}
    return [tender_for_attempt(a) for a in attempts
            if a.state is PaymentState.PAID and a.id not in given_back]


def _other_tenders(uow: UnitOfWork, cart: Cart, due: Money,
                   others: OtherTenders) -> list[Tender]:
    tenders: list[Tender] = []
    member = cart.member
    if (others.points or others.stored_value) and member is None:
        raise UserError("member.needed_for_tender")
    if others.points and member is not None:
        redeemed = redeem_points(uow.points.balance(member.id), due, POINTS_POLICY,
                                 others.points)
        if isinstance(redeemed, Refusal):
            raise redeemed.to_error()
        tenders.append(Tender(method=TenderMethod.POINTS, amount=redeemed.value,
                              tendered=redeemed.value, reference=member.id,
                              points=redeemed.points))
        due = due - redeemed.value
    if others.stored_value is not None and member is not None:
        amount = others.stored_value
        if amount.fen <= 0 or amount > due:
            raise UserError("payment.over_tender", due=due.yuan_text(),
                            amount=amount.yuan_text())
        tenders.append(Tender(method=TenderMethod.STORED_VALUE, amount=amount, tendered=amount,
                              reference=member.id))
        due = due - amount
    if others.card is not None:
        tenders.append(card_tender(*others.card))
    return tenders


def write_payments(uow: UnitOfWork, cart: Cart, split: SplitTender, now: datetime) -> None:
    """One payment row per tender; stored value and points are taken from the member here,
    in the sale's transaction, or the sale is refused."""
    wallet = WalletPayments(uow.session)
    for tender in split.tenders:
        if tender.provider is not None:
            wallet.add(new_id(), cart.id, method=tender.method.value, provider=tender.provider,
                       out_trade_no=tender.reference, amount=tender.amount, at=now)
            continue
        _take_from_member(uow, cart, tender, now)
        uow.sales.add_payment(
            new_id(), cart.id, method=tender.method.value, state=PaymentState.SUCCEEDED.value,
            amount=tender.amount, tendered=tender.tendered, change=tender.change, at=now,
            reference=tender.reference or None, points=tender.points)


def _take_from_member(uow: UnitOfWork, cart: Cart, tender: Tender, now: datetime) -> None:
    if tender.method is TenderMethod.STORED_VALUE:
        if not uow.stored_value.pay(tender.reference, tender.amount, order_id=cart.id,
                                    terminal_code=uow.site.terminal_code,
                                    actor_id=cart.cashier_id, at=now):
            balance = uow.stored_value.balance(tender.reference)
            raise UserError("stored_value.insufficient", balance=balance.yuan_text(),
                            missing=(tender.amount - balance).yuan_text())
    elif tender.method is TenderMethod.POINTS and not uow.points.redeem(
            tender.reference, tender.points, cart.id, now):
        raise UserError("points.not_enough", balance=str(uow.points.balance(tender.reference)),
                        min_points=str(POINTS_POLICY.points))

