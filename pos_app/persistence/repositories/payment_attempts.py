"""Payment attempts: written before the first provider call; every state change is an
``UPDATE ... WHERE state = <the state it was read in>`` that must touch one row, so two
threads or two processes can never both move one attempt."""

from __future__ import annotations

from sqlalchemy import RowMapping, insert, select, update
from sqlalchemy.orm import Session

from pos_app.domain.ids import CartId, PaymentId
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider
from pos_app.domain.payment_states import (
    FINAL_STATES,
    AttemptKind,
    PaymentAttempt,
    PaymentEvent,
    PaymentState,
)
from pos_app.errors import PosError
from pos_app.persistence.models import PaymentAttemptRow

ATTEMPTS = PaymentAttemptRow.__table__


class AttemptChanged(PosError):
    """Somebody else moved this attempt since it was read; read it again."""


class PaymentAttemptRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, attempt: PaymentAttempt) -> None:
        self._session.execute(insert(ATTEMPTS).values(
            id=attempt.id, order_id=attempt.cart_id, **_values(attempt)))

    def move(self, before: PaymentAttempt, after: PaymentAttempt, *,
             provider_trade_no: str | None = None) -> None:
        values = _values(after)
        if provider_trade_no is not None:
            values["provider_trade_no"] = provider_trade_no
        result = self._session.execute(
            update(ATTEMPTS).where(ATTEMPTS.c.id == before.id,
                                   ATTEMPTS.c.state == before.state.value).values(**values))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise AttemptChanged(before.id)

    def get(self, attempt_id: str) -> PaymentAttempt | None:
        row = self._session.execute(select(ATTEMPTS).where(ATTEMPTS.c.id == attempt_id)) \
            .mappings().first()
        return None if row is None else _attempt(row)

    def by_out_trade_no(self, out_trade_no: str) -> PaymentAttempt | None:
        row = self._session.execute(
            select(ATTEMPTS).where(ATTEMPTS.c.out_trade_no == out_trade_no)).mappings().first()
        return None if row is None else _attempt(row)

    def for_order(self, order_id: str) -> list[PaymentAttempt]:
        rows = self._session.execute(select(ATTEMPTS).where(ATTEMPTS.c.order_id == order_id)
                                     .order_by(ATTEMPTS.c.created_at)).mappings()
        return [_attempt(row) for row in rows]

    def unfinished(self) -> list[PaymentAttempt]:
        """Every attempt not in a final state, oldest first: what start-up must settle."""
        finals = [state.value for state in FINAL_STATES]
        rows = self._session.execute(select(ATTEMPTS).where(ATTEMPTS.c.state.not_in(finals))
                                     .order_by(ATTEMPTS.c.created_at)).mappings()
        return [_attempt(row) for row in rows]


def _values(attempt: PaymentAttempt) -> dict[str, object]:
    return {
        "out_trade_no": attempt.out_trade_no, "provider": attempt.provider.value,
        "kind": attempt.kind.value, "amount_fen": attempt.amount.fen,
        "code_hash": attempt.code_hash, "state": attempt.state.value,
        "last_event": None if attempt.last_event is None else attempt.last_event.value,
        "resubmits": attempt.resubmits, "reverse_tries": attempt.reverse_tries,
        "created_at": attempt.created_at, "updated_at": attempt.updated_at,
        "submitted_at": attempt.submitted_at,
    }


def _attempt(row: RowMapping) -> PaymentAttempt:
    return PaymentAttempt(
        id=PaymentId(row["id"]), cart_id=CartId(row["order_id"]),
        out_trade_no=row["out_trade_no"], provider=Provider(row["provider"]),
        kind=AttemptKind(row["kind"]), amount=Money(row["amount_fen"]),
        code_hash=row["code_hash"], state=PaymentState(row["state"]),
        created_at=row["created_at"], updated_at=row["updated_at"],
        submitted_at=row["submitted_at"],
        last_event=None if row["last_event"] is None else PaymentEvent(row["last_event"]),
        resubmits=row["resubmits"], reverse_tries=row["reverse_tries"])
