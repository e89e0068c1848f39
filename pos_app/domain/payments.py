"""Tenders and what a payment needs before any money moves.

This issue's tender is cash; electronic tenders and the provider state machine join here
with the payments issue. Amounts are integer fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pos_app.domain.money import Money
from pos_app.errors import UserError

MAX_CASH_TENDER = Money(10_000_00)
"""A tender over ¥10,000 for one sale is a typing mistake, not a payment."""


class TenderMethod(StrEnum):
    CASH = "cash"


class PaymentState(StrEnum):
    SUCCEEDED = "succeeded"


@dataclass(frozen=True, slots=True)
class CashTender:
    due: Money
    tendered: Money
    change: Money


def take_cash(due: Money, tendered: Money) -> CashTender:
    """Cash covers the amount due; the rest is change. Refuses too little or absurdly much."""
    if due.is_negative() or due.is_zero():
        raise UserError("payment.nothing_due")
    if tendered < due:
        raise UserError("payment.not_enough_cash", due=due.yuan_text(),
                        tendered=tendered.yuan_text())
    if tendered > MAX_CASH_TENDER:
        raise UserError("payment.tender_too_large", limit=MAX_CASH_TENDER.yuan_text())
    return CashTender(due=due, tendered=tendered, change=tendered - due)


def quick_cash_amounts(due: Money) -> list[Money]:
    """Exact, then the next round amounts a customer is likely to hand over (¥10/20/50/100)."""
    amounts = [due]
    for note in (10_00, 20_00, 50_00, 100_00):
        rounded = Money(-(-due.fen // note) * note)
        if rounded > due and rounded not in amounts:
            amounts.append(rounded)
    while len(amounts) < 4:
        amounts.append(Money(amounts[-1].fen + 100_00))
    return sorted(amounts)[:4]
