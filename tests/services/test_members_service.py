"""Members at the till: identified by dynamic member code (RFC 6238 window, replay refused by
the database), phone or card; joining; cash top-up; the summary the cashier sees."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from builders import a_store
from sqlalchemy import Engine, insert

from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.domain.members import member_code_text
from pos_app.domain.money import Money
from pos_app.errors import UserError
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.models import OrderRow
from pos_app.persistence.repositories.carts import Site
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.coupons import CouponService
from pos_app.services.member_views import MemberView
from pos_app.services.members import MemberService

STEP = timedelta(seconds=30)
PHONE = "13812341234"


@pytest.fixture
def uow(engine: Engine, bus: EventBus) -> Callable[[], UnitOfWork]:
    a_store(engine)
    sessions = make_session_factory(engine)
    site = Site("store-1", "term-1", "T01", "Asia/Shanghai")
    return lambda: UnitOfWork(sessions, bus, site)


@pytest.fixture
def members(uow: Callable[[], UnitOfWork], clock: FixedClock, bus: EventBus) -> MemberService:
    return MemberService(uow, clock, bus)


@pytest.fixture
def joined(members: MemberService) -> MemberView:
    return members.join(PHONE, "李娜")


def code_at(uow: Callable[[], UnitOfWork], member: MemberView, offset: timedelta,
            clock: FixedClock) -> str:
    with uow() as work:
        secret, _ = work.members.code_secret(member.id)
    assert secret is not None
    return member_code_text(member.card_no, secret, clock.now() + offset)


def refusal(call: Callable[[], object]) -> str:
    with pytest.raises(UserError) as caught:
        call()
    return caught.value.code


def test_a_code_of_the_previous_or_next_step_is_accepted_once(
        members: MemberService, joined: MemberView, uow: Callable[[], UnitOfWork],
        clock: FixedClock) -> None:
    previous = code_at(uow, joined, -STEP, clock)
    following = code_at(uow, joined, STEP, clock)

    assert members.identify(previous).id == joined.id
    assert members.identify(following).id == joined.id
    assert refusal(lambda: members.identify(following)) == "member.code_replayed"
    assert refusal(lambda: members.identify(previous)) == "member.code_replayed"


def test_a_code_two_steps_old_is_refused_as_expired(
        members: MemberService, joined: MemberView, uow: Callable[[], UnitOfWork],
        clock: FixedClock) -> None:
    stale = code_at(uow, joined, -2 * STEP, clock)
    assert refusal(lambda: members.identify(stale)) == "member.code_expired"
    clock.advance(STEP * 2)  # the member refreshes: the code now showing is accepted
    assert members.identify(code_at(uow, joined, timedelta(0), clock)).id == joined.id


def test_the_same_code_scanned_twice_is_refused_as_replayed(
        members: MemberService, joined: MemberView, uow: Callable[[], UnitOfWork],
        clock: FixedClock) -> None:
    code = code_at(uow, joined, timedelta(0), clock)
    view = members.identify(code)
    assert (view.name, view.phone, view.tier_name) == ("李娜", "138****1234", "regular")
    assert refusal(lambda: members.identify(code)) == "member.code_replayed"


def test_a_code_with_a_wrong_otp_or_unknown_card_is_refused(
        members: MemberService, joined: MemberView) -> None:
    assert refusal(lambda: members.identify(f"M{joined.card_no}000000")) in (
        "member.code_wrong", "member.code_expired")
    assert refusal(lambda: members.identify("M886999999999123456")) == "member.unknown"


def test_a_member_is_found_by_phone_or_card_and_bad_input_is_named(
        members: MemberService, joined: MemberView) -> None:
    assert members.identify(PHONE).card_no == joined.card_no
    assert members.identify(f" {joined.card_no} ").id == joined.id
    assert refusal(lambda: members.identify("13900000000")) == "member.unknown"
    assert refusal(lambda: members.identify("12345678901")) == "member.bad_phone"
    assert refusal(lambda: members.identify("hello")) == "member.unknown"


def test_joining_gives_the_next_card_number_and_a_known_phone_returns_its_member(
        members: MemberService, joined: MemberView) -> None:
    assert joined.card_no == "886000000001"
    second = members.join("15900001111")
    assert second.card_no == "886000000002"
    assert members.join(PHONE).id == joined.id
    assert refusal(lambda: members.join("1380000")) == "member.bad_phone"
    assert refusal(lambda: members.join("23800001111")) == "member.bad_phone"


def test_a_cash_top_up_is_ledgered_and_audited(
        members: MemberService, joined: MemberView, uow: Callable[[], UnitOfWork]) -> None:
    assert members.top_up(joined.id, Money(100_00), cashier_id="user-1").stored_value == Money(
        100_00)
    after = members.top_up(joined.id, Money(50_50), cashier_id="user-1")
    assert after.stored_value == Money(150_50)
    with uow() as work:
        ledger = work.stored_value.ledger(joined.id)
        audit = [e for e in work.audit.entries() if e.action == "stored_value.top_up"]
    assert [e.amount for e in ledger] == [Money(100_00), Money(50_50)]
    assert [(e.subject, e.actor_id) for e in audit] == [(joined.id, "user-1")] * 2
    assert refusal(lambda: members.top_up(joined.id, Money(0), cashier_id="user-1")) == (
        "stored_value.bad_amount")
    assert refusal(lambda: members.top_up(joined.id, Money(10_000_01),
                                          cashier_id="user-1")) == "stored_value.bad_amount"
    assert refusal(lambda: members.top_up("nobody", Money(1_00),
                                          cashier_id="user-1")) == "member.unknown"


def test_the_summary_shows_the_members_coupons_and_last_five_purchases(
        members: MemberService, joined: MemberView, uow: Callable[[], UnitOfWork],
        engine: Engine, clock: FixedClock) -> None:
    now = clock.now()
    coupons = CouponService(uow, clock)
    terms = {"kind": "threshold", "amount": "10.00", "min_spend": "50.00",
             "valid_from": (now - timedelta(days=1)).isoformat(),
             "valid_until": (now + timedelta(days=30)).isoformat()}
    codes = coupons.generate_batch("满50减10", terms, 2, member_ids=[joined.id], batch="VIP")
    coupons.generate_batch("通用券", terms, 3, batch="ANYONE")  # nobody's own coupons
    with engine.begin() as c:
        for n in range(1, 7):
            c.execute(insert(OrderRow).values(
                id=f"order-{n}", store_id="store-1", terminal_id="term-1", cashier_id="user-1",
                member_id=joined.id, kind="sale", status="completed",
                order_number=f"T01-{n:04d}", total_fen=n * 10_00,
                created_at=now - timedelta(days=10 - n),
                completed_at=now - timedelta(days=10 - n)))

    view = members.summary(joined.id)

    assert [(c.id, c.kind.value, c.summary_key, c.params["amount"]) for c in view.coupons] == [
        ("VIP-1", "threshold", "coupon.threshold", "10.00"),
        ("VIP-2", "threshold", "coupon.threshold", "10.00")]
    assert [c.code for c in view.coupons] == codes
    assert [p.order_number for p in view.recent_purchases] == [
        "T01-0006", "T01-0005", "T01-0004", "T01-0003", "T01-0002"]
    assert view.recent_purchases[0].total == Money(60_00)
    assert "secret" not in repr(view) and PHONE not in repr(view)
