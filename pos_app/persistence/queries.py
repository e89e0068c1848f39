"""Read-only SQL for the manager's sales report: the fact rows of ``domain.reports``.

Every query reads the orders of one store completed in [start, end) (UTC; the service turns
store-local days into that window), optionally of one terminal, and sums in SQL (GROUP BY)
what needs no time zone. Hours are worked in Python from ``completed_at``: SQLite has no time
zones and PostgreSQL's would differ from ``zoneinfo`` in the edge cases.

What counts, as ``services.sales``, ``services.tendering`` and ``services.refunds`` write it:
- A completed sale is an order of kind ``sale`` with status ``completed``; a return is an
  order of kind ``return`` (also ``completed``) whose totals, lines and refund payment rows
  are stored negative. The facts turn them positive.
- A sale's payment rows are written ``paid`` (``succeeded`` in older rows) at completion;
  ``amount_fen`` is what the tender paid toward the total, so cash is already net of change.
- Every refund row of a completed return counts as given back (``refunded``: in the return's
  transaction; ``refund_requested``: asked of the wallet provider; ``card_terminal``: for the
  cashier to do on the card terminal).
- Voided lines stay on the order with ``voided`` set and no discount.
- ``order_adjustments`` of kind ``entitlement`` (free parking) have no amount; they count as
  a use of their coupon.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, and_, case, distinct, func, literal_column, select
from sqlalchemy.orm import Session

from pos_app.domain.reports import (
    RETURN,
    SALE,
    LineFact,
    OrderFact,
    PaymentFact,
    ReportFacts,
    SavingFact,
)
from pos_app.persistence.db import READ_ONLY
from pos_app.persistence.models import (
    CouponBatchRow,
    CouponRow,
    OrderAdjustmentRow,
    OrderLineRow,
    OrderRow,
    PaymentRow,
    PromotionRow,
    StoreRow,
    TerminalRow,
    UserRow,
)

ORDERS = cast(Table, OrderRow.__table__)
LINES = cast(Table, OrderLineRow.__table__)
PAYMENTS = cast(Table, PaymentRow.__table__)
ADJUSTMENTS = cast(Table, OrderAdjustmentRow.__table__)
USERS = cast(Table, UserRow.__table__)
TERMINALS = cast(Table, TerminalRow.__table__)
STORES = cast(Table, StoreRow.__table__)
PROMOTIONS = cast(Table, PromotionRow.__table__)
COUPONS = cast(Table, CouponRow.__table__)
BATCHES = cast(Table, CouponBatchRow.__table__)
COMPLETED = "completed"
PAID_STATES = ("paid", "succeeded")
NAME_CHUNK = 500
"""Sources looked up per IN (...): well under every database's parameter limit."""


@dataclass(frozen=True, slots=True)
class ReportScope:
    """Whose orders, and when: [start, end) as aware datetimes; one terminal or all."""

    store_id: str
    start: datetime
    end: datetime
    terminal_id: str | None = None


def read_snapshot(session: Session) -> None:
    """Make the session's transaction one consistent snapshot that writes nothing
    (PostgreSQL REPEATABLE READ; SQLite's transaction already is one, begun deferred so it
    takes no write lock). Call first, before any other statement."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        session.connection(execution_options={READ_ONLY: True})


def store_name(session: Session, store_id: str) -> str:
    return str(session.execute(select(STORES.c.name).where(STORES.c.id == store_id)).scalar_one())


def terminal_id(session: Session, store_id: str, code: str) -> str | None:
    """The id of the store's terminal with this code, or None."""
    found = session.execute(
        select(TERMINALS.c.id).where(TERMINALS.c.store_id == store_id, TERMINALS.c.code == code)
    ).scalar()
    return None if found is None else str(found)


def report_facts(session: Session, scope: ReportScope) -> ReportFacts:
    """Every fact of the report's window, read in the caller's transaction."""
    return ReportFacts(
        orders=order_facts(session, scope),
        lines=line_facts(session, scope),
        payments=payment_facts(session, scope),
        savings=saving_facts(session, scope),
    )


def _completed(scope: ReportScope, *kinds: str) -> Select[tuple[str]]:
    """The ids of the window's completed orders of ``kinds``. Used as ``order_id IN (...)``:
    SQLite then reads those orders first and their rows by the ``order_id`` indexes, instead
    of scanning every line ever sold (ten times faster on a month of a busy store)."""
    where = [
        ORDERS.c.store_id == scope.store_id,
        ORDERS.c.status == COMPLETED,
        ORDERS.c.kind.in_(kinds),
        ORDERS.c.completed_at >= scope.start,
        ORDERS.c.completed_at < scope.end,
    ]
    if scope.terminal_id is not None:
        where.append(ORDERS.c.terminal_id == scope.terminal_id)
    return select(ORDERS.c.id).where(*where)


def order_facts(session: Session, scope: ReportScope) -> tuple[OrderFact, ...]:
    """Completed sales and returns with their cashier and voided lines."""
    voided = {
        order_id: (int(count), int(fen))
        for order_id, count, fen in session.execute(
            select(LINES.c.order_id, func.count(), func.sum(LINES.c.amount_fen))
            .where(LINES.c.order_id.in_(_completed(scope, SALE)), LINES.c.voided.is_(True))
            .group_by(LINES.c.order_id)
        )
    }
    rows = session.execute(
        select(
            ORDERS.c.id,
            ORDERS.c.kind,
            ORDERS.c.completed_at,
            USERS.c.staff_no,
            USERS.c.name,
            ORDERS.c.member_id,
            ORDERS.c.total_fen,
        )
        .join(USERS, USERS.c.id == ORDERS.c.cashier_id)
        .where(ORDERS.c.id.in_(_completed(scope, SALE, RETURN)))
    )
    return tuple(
        OrderFact(
            kind=kind,
            completed_at=at,
            staff_no=staff_no,
            cashier_name=name,
            member=member_id is not None,
            total_fen=-int(total) if kind == RETURN else int(total),
            voided_lines=voided.get(order_id, (0, 0))[0],
            voided_fen=voided.get(order_id, (0, 0))[1],
        )
        for order_id, kind, at, staff_no, name, member_id, total in rows
    )


def line_facts(session: Session, scope: ReportScope) -> tuple[LineFact, ...]:
    """Not-voided lines of completed sales, summed by category, SKU and name."""
    pieces = case((LINES.c.grams.is_(None), LINES.c.quantity), else_=1)
    rows = session.execute(
        select(
            LINES.c.category,
            LINES.c.sku,
            LINES.c.name,
            func.sum(pieces),
            func.coalesce(func.sum(LINES.c.grams), 0),
            func.sum(LINES.c.amount_fen - LINES.c.discount_fen),
        )
        .where(LINES.c.order_id.in_(_completed(scope, SALE)), LINES.c.voided.is_(False))
        .group_by(LINES.c.category, LINES.c.sku, LINES.c.name)
    )
    return tuple(
        LineFact(
            category=category,
            sku=sku,
            name=name,
            pieces=int(n),
            grams=int(grams),
            total_fen=int(total),
        )
        for category, sku, name, n, grams, total in rows
    )


def payment_facts(session: Session, scope: ReportScope) -> tuple[PaymentFact, ...]:
    """Tenders paid on completed sales, and every refund row of completed returns (stored
    negative, turned positive), summed by method and provider."""
    facts = []
    for kind, only in ((SALE, PAYMENTS.c.state.in_(PAID_STATES)), (RETURN, None)):
        query = (
            select(
                PAYMENTS.c.method,
                PAYMENTS.c.provider,
                func.count(),
                func.sum(PAYMENTS.c.amount_fen),
            )
            .where(PAYMENTS.c.order_id.in_(_completed(scope, kind)))
            .group_by(PAYMENTS.c.method, PAYMENTS.c.provider)
        )
        for method, provider, count, fen in session.execute(
            query if only is None else query.where(only)
        ):
            facts.append(
                PaymentFact(
                    kind=kind,
                    method=method,
                    provider=provider,
                    count=int(count),
                    amount_fen=-int(fen) if kind == RETURN else int(fen),
                )
            )
    return tuple(facts)


def saving_facts(session: Session, scope: ReportScope) -> tuple[SavingFact, ...]:
    """Savings of completed sales by kind and source, with the promotion's or coupon's name.
    A coupon of a batch counts under its batch (source: the batch code, name: the batch's),
    so a campaign of 300 single-use coupons is one row; uses are distinct sales. Entitlements
    count as uses of their coupon (kind ``coupon``, nothing saved)."""
    # Literal SQL, not bound parameters: PostgreSQL matches the GROUP BY expression to the
    # selected one only when both read the same text.
    coupon = literal_column("'coupon'")
    kind = case(
        (ADJUSTMENTS.c.kind == literal_column("'entitlement'"), coupon),
        else_=ADJUSTMENTS.c.kind,
    )
    source = case((COUPONS.c.batch.is_not(None), COUPONS.c.batch), else_=ADJUSTMENTS.c.source)
    rows = session.execute(
        select(
            kind,
            source,
            func.count(distinct(ADJUSTMENTS.c.order_id)),
            func.sum(ADJUSTMENTS.c.amount_fen),
        )
        .select_from(
            ADJUSTMENTS.outerjoin(
                COUPONS, and_(kind == coupon, COUPONS.c.id == ADJUSTMENTS.c.source)
            )
        )
        .where(ADJUSTMENTS.c.order_id.in_(_completed(scope, SALE)))
        .group_by(kind, source)
    ).all()
    promotions = _names(
        session,
        PROMOTIONS.c.id,
        PROMOTIONS.c.data,
        [source for k, source, _, _ in rows if k == "promotion"],
    )
    coupons = _names(
        session,
        COUPONS.c.id,
        COUPONS.c.terms,
        [source for k, source, _, _ in rows if k == "coupon"],
    )
    coupons.update(_batch_names(session, [source for k, source, _, _ in rows if k == "coupon"]))
    names = {"promotion": promotions, "coupon": coupons}
    return tuple(
        SavingFact(
            kind=k,
            source=source,
            name=names.get(k, {}).get(source, ""),
            uses=int(uses),
            saved_fen=int(saved),
        )
        for k, source, uses, saved in rows
    )


def _batch_names(session: Session, codes: Sequence[str]) -> dict[str, str]:
    """The name of each batch code found (a coupon's own id is not a batch code)."""
    names: dict[str, str] = {}
    for chunk in _chunks(sorted(set(codes)), NAME_CHUNK):
        for code, name in session.execute(
            select(BATCHES.c.code, BATCHES.c.name).where(BATCHES.c.code.in_(chunk))
        ):
            names[str(code)] = str(name)
    return names


def _names(session: Session, key: Any, data: Any, ids: Sequence[str]) -> dict[str, str]:
    """The ``name`` in the stored JSON (promotion data, coupon terms) of each id found."""
    names: dict[str, str] = {}
    for chunk in _chunks(sorted(set(ids)), NAME_CHUNK):
        for found, text in session.execute(select(key, data).where(key.in_(chunk))):
            name = _json_name(text)
            if name:
                names[str(found)] = name
    return names


def _json_name(text: str) -> str:
    try:
        value = json.loads(text).get("name")
    except (ValueError, AttributeError):  # a malformed row must not stop the report
        return ""
    return value if isinstance(value, str) else ""


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
