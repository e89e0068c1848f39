"""Once only, by the database: two terminals (two threads, two sessions) redeem one coupon,
pay from one stored-value account or accept one member-code step at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session, sessionmaker

from pos_app.domain.members import balance
from pos_app.domain.money import Money
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.models import MemberRow
from pos_app.persistence.repositories.coupons import CouponRepository
from pos_app.persistence.repositories.members import MemberRepository
from pos_app.persistence.repositories.points import PointsRepository
from pos_app.persistence.repositories.stored_value import StoredValueRepository

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
ROUNDS = 20
TERMS = {"kind": "cash", "amount": "10.00", "valid_from": T0.isoformat(),
         "valid_until": (T0 + timedelta(days=30)).isoformat()}


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    with engine.begin() as c:
        c.execute(insert(MemberRow).values(id="m-1", card_no="886000000001", phone="13800001234",
                                           name="李娜", tier="gold", points=0, created_at=T0))
    return make_session_factory(engine)


def at_once(work: Callable[[int], bool]) -> list[bool]:
    """Run ``work(terminal)`` for terminals 0 and 1 released together by a barrier."""
    barrier = threading.Barrier(2)
    results: list[bool | None] = [None, None]
    errors: list[BaseException] = []

    def terminal(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[number] = work(number)
        except BaseException as error:  # re-raised in the test thread below
            errors.append(error)

    threads = [threading.Thread(target=terminal, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    if errors:
        raise errors[0]
    return [bool(r) for r in results]


def test_two_terminals_redeem_one_coupon_and_exactly_one_succeeds(
        sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        CouponRepository(session).issue_batch("RACE", "满减券", TERMS, ROUNDS, at=T0)
        session.commit()
    for serial in range(1, ROUNDS + 1):
        coupon_id = f"RACE-{serial}"

        def redeem(terminal: int, coupon_id: str = coupon_id) -> bool:
            with sessions() as session:
                done = CouponRepository(session).redeem(coupon_id, f"order-{terminal}", T0)
                session.commit()
                return done

        assert sorted(at_once(redeem)) == [False, True]
    with sessions() as session:
        coupons = CouponRepository(session)
        assert all(coupons.state_of(f"RACE-{n}") == "redeemed" for n in range(1, ROUNDS + 1))
        winner = coupons.redeemed_by("order-0") + coupons.redeemed_by("order-1")
        assert sorted(winner) == sorted(f"RACE-{n}" for n in range(1, ROUNDS + 1))


def test_a_coupon_is_given_back_only_by_the_order_that_holds_it(
        sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        coupons = CouponRepository(session)
        code = coupons.issue_batch("BACK", "现金券", TERMS, 1, at=T0)[0]
        assert coupons.redeem("BACK-1", "order-1", T0)
        assert coupons.find(code).code == "coupon.already_used"  # type: ignore[union-attr]
        assert not coupons.release("BACK-1", "order-2")
        assert coupons.release("BACK-1", "order-1")
        assert not coupons.release("BACK-1", "order-1")  # already back
        assert coupons.find(code).id == "BACK-1"  # type: ignore[union-attr]


def test_two_terminals_pay_beyond_the_balance_and_one_is_refused(
        sessions: sessionmaker[Session]) -> None:
    def pay(terminal: int) -> bool:
        with sessions() as session:
            paid = StoredValueRepository(session).pay(
                "m-1", Money(70_00), order_id=f"order-{terminal}", terminal_code=f"T0{terminal}",
                actor_id="user-1", at=T0)
            session.commit()
            return paid

    for _ in range(ROUNDS):
        with sessions() as session:
            stored = StoredValueRepository(session)
            stored.top_up("m-1", Money(100_00) - stored.balance("m-1"), terminal_code="T01",
                          actor_id="user-1", at=T0)
            session.commit()
        assert sorted(at_once(pay)) == [False, True]
        with sessions() as session:
            stored = StoredValueRepository(session)
            assert stored.balance("m-1") == Money(30_00)
            assert balance(stored.ledger("m-1")) == stored.balance("m-1")


def test_a_payment_the_balance_cannot_cover_writes_nothing(
        sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        stored = StoredValueRepository(session)
        stored.top_up("m-1", Money(5_00), terminal_code="T01", actor_id="user-1", at=T0)
        assert not stored.pay("m-1", Money(5_01), order_id="o-1", terminal_code="T01",
                              actor_id="user-1", at=T0)
        assert stored.pay("m-1", Money(5_00), order_id="o-1", terminal_code="T01",
                          actor_id="user-1", at=T0)
        stored.refund("m-1", Money(2_00), order_id="o-1", terminal_code="T01",
                      actor_id="user-9", at=T0)
        session.commit()
        assert [e.kind.value for e in stored.ledger("m-1")] == ["top_up", "pay", "refund"]
        assert stored.balance("m-1") == Money(2_00) == balance(stored.ledger("m-1"))
        assert stored.paid_for_order("o-1") == Money(3_00)


def test_two_terminals_redeem_points_beyond_the_balance_and_one_is_refused(
        sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        PointsRepository(session).earn("m-1", 150, "order-0", T0)
        session.commit()

    def redeem(terminal: int) -> bool:
        with sessions() as session:
            done = PointsRepository(session).redeem("m-1", 100, f"order-{terminal}", T0)
            session.commit()
            return done

    assert sorted(at_once(redeem)) == [False, True]
    with sessions() as session:
        points = PointsRepository(session)
        assert points.balance("m-1") == 50
        assert points.reverse("m-1", 80, "order-0", T0) == 50  # never below zero
        assert sum(p for _, p, _, _ in points.ledger("m-1")) == points.balance("m-1") == 0


def test_one_member_code_step_is_accepted_by_one_terminal(
        sessions: sessionmaker[Session]) -> None:
    for step in range(1000, 1000 + ROUNDS):
        def accept(terminal: int, step: int = step) -> bool:
            with sessions() as session:
                done = MemberRepository(session).accept_code_step("m-1", step)
                session.commit()
                return done

        assert sorted(at_once(accept)) == [False, True]
