"""Frozen snapshots of a return by original sale: the sale as it can still be returned, the
preview of what goes back, and the return as written (``RefundService``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pos_app.domain.money import Money
from pos_app.services.payment_views import RefundView
from pos_app.services.views import SavingView


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnableLineView:
    line_id: str
    name: str
    sku: str
    quantity: int
    grams: int | None
    unit_price: Money
    amount: Money
    discount: Money
    paid: Money
    returned: int
    returnable: int
    weighed: bool
    savings: tuple[SavingView, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PaidTenderView:
    method: str
    provider: str | None
    amount: Money
    refunded: Money
    points: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnableSaleView:
    id: str
    order_number: str
    completed_at: datetime
    cashier_name: str
    member_name: str | None
    total: Money
    savings: Money
    lines: tuple[ReturnableLineView, ...]
    tenders: tuple[PaidTenderView, ...]
    coupons: tuple[str, ...]
    """Names of the coupons the sale used."""
    earlier_returns: tuple[str, ...]

    @property
    def fully_returned(self) -> bool:
        return all(line.returnable == 0 for line in self.lines)


@dataclass(frozen=True, slots=True, kw_only=True)
class TenderRefundView:
    method: str
    provider: str | None
    amount: Money
    points: int
    """Points given back (a points tender)."""
    reference: str | None
    """Bank card: the sale's approval code, to find it on the card terminal."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundPreview:
    order_number: str
    total: Money
    lines: tuple[tuple[str, int, Money], ...]
    """(name, pieces, refund)."""
    tenders: tuple[TenderRefundView, ...]
    points_taken_back: int
    coupons_given_back: tuple[str, ...]
    whole_sale: bool

    @property
    def cash(self) -> Money:
        return Money(sum(t.amount.fen for t in self.tenders if t.method == "cash"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnView:
    return_id: str
    sale_id: str
    return_number: str
    preview: RefundPreview
    manager_name: str
    points_taken_back: int
    """As many of the planned points as the member still had."""
    wallet: tuple[RefundView, ...]
    print_job_id: str
    next_check_in_s: float = 0.0
    """When ``settle`` has a provider call due again (wallet refunds only)."""

    @property
    def done(self) -> bool:
        """Every wallet refund final (the rest was given back in the transaction)."""
        return all(refund.final for refund in self.wallet)
