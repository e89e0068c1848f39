"""Coupons for the cashier and the back office: signed batches, look-up with the reason a
code is refused, export with codes, all-or-nothing import of online-platform coupons."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from builders import a_store
from sqlalchemy import Engine

from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.domain.coupons import issue_code
from pos_app.errors import UserError
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.repositories.carts import Site
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.coupons import CouponService
from pos_app.services.members import MemberService

PLATFORM_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def uow(engine: Engine, bus: EventBus) -> Callable[[], UnitOfWork]:
    a_store(engine)
    sessions = make_session_factory(engine)
    site = Site("store-1", "term-1", "T01", "Asia/Shanghai")
    return lambda: UnitOfWork(sessions, bus, site)


@pytest.fixture
def coupons(uow: Callable[[], UnitOfWork], clock: FixedClock) -> CouponService:
    return CouponService(uow, clock)


def terms(clock: FixedClock, **more: object) -> dict[str, object]:
    return {"kind": "cash", "amount": "5.00", "valid_from": clock.now().isoformat(),
            "valid_until": (clock.now() + timedelta(days=7)).isoformat(), **more}


def refusal(call: Callable[[], object]) -> str:
    with pytest.raises(UserError) as caught:
        call()
    return caught.value.code


def test_a_generated_code_is_looked_up_and_a_changed_one_is_refused(
        coupons: CouponService, clock: FixedClock) -> None:
    codes = coupons.generate_batch("五元现金券", terms(clock), 3, batch="FIVE")
    assert len(set(codes)) == 3 and all(code.startswith("CPK1-") for code in codes)

    view = coupons.look_up(codes[1].lower())  # Caps Lock on the wedge scanner
    assert (view.id, view.name, view.params["amount"], view.code) == (
        "FIVE-2", "五元现金券", "5.00", codes[1])

    body = codes[0][-6:]
    changed = codes[0][:-6] + ("A" if body[0] != "A" else "B") + body[1:]
    assert refusal(lambda: coupons.look_up(changed)) in ("coupon.code_forged",
                                                         "coupon.code_malformed")
    assert refusal(lambda: coupons.look_up("CPZ9-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")) == (
        "coupon.code_unknown_key")
    assert refusal(lambda: coupons.look_up("hello")) == "coupon.code_malformed"


def test_a_signed_code_for_a_coupon_never_issued_is_unknown(
        coupons: CouponService, clock: FixedClock, uow: Callable[[], UnitOfWork]) -> None:
    coupons.generate_batch("五元现金券", terms(clock), 1, batch="FIVE")
    with uow() as work:
        key_id, key = work.coupons.signing_key(clock.now())
    assert refusal(lambda: coupons.look_up(issue_code("FIVE", 99, key_id=key_id, key=key))) == (
        "coupon.unknown")


def test_a_used_or_expired_coupon_is_refused_and_a_released_one_works_again(
        coupons: CouponService, clock: FixedClock, uow: Callable[[], UnitOfWork]) -> None:
    code = coupons.generate_batch("五元现金券", terms(clock), 1, batch="FIVE")[0]
    with uow() as work:
        assert work.coupons.redeem("FIVE-1", "order-1", clock.now())
        work.commit()
    assert refusal(lambda: coupons.look_up(code)) == "coupon.already_used"
    with uow() as work:
        assert work.coupons.release("FIVE-1", "order-1")
        work.commit()
    assert coupons.look_up(code).id == "FIVE-1"
    clock.advance(timedelta(days=7))
    assert refusal(lambda: coupons.look_up(code)) == "coupon.expired"


def test_bad_terms_or_counts_issue_nothing(
        coupons: CouponService, clock: FixedClock, uow: Callable[[], UnitOfWork]) -> None:
    assert refusal(lambda: coupons.generate_batch(
        "坏券", terms(clock, kind="threshold"), 2, batch="BAD")) == "coupon.bad_terms"
    assert refusal(lambda: coupons.generate_batch("零张", terms(clock), 0)) == "coupon.bad_batch"
    coupons.generate_batch("五元现金券", terms(clock), 1, batch="ONCE")
    assert refusal(lambda: coupons.generate_batch(
        "五元现金券", terms(clock), 1, batch="ONCE")) == "coupon.batch_exists"
    with uow() as work:
        assert [b[0] for b in work.coupons.batches()] == ["ONCE"]
        assert len(list(work.coupons.records())) == 1


def test_the_export_lists_each_coupon_with_its_code_member_and_state(
        coupons: CouponService, clock: FixedClock, uow: Callable[[], UnitOfWork],
        bus: EventBus) -> None:
    member = MemberService(uow, clock, bus).join("13812341234", "李娜")
    codes = coupons.generate_batch("会员券", terms(clock), 2, member_ids=[member.id],
                                   batch="VIP")
    with uow() as work:
        work.coupons.redeem("VIP-2", "order-7", clock.now())
        work.commit()

    rows = list(csv.DictReader(io.StringIO(coupons.export_csv("VIP"))))

    assert [(r["coupon_id"], r["code"], r["member_card_no"], r["state"],
             r["redeemed_order_id"]) for r in rows] == [
        ("VIP-1", codes[0], member.card_no, "issued", ""),
        ("VIP-2", codes[1], member.card_no, "redeemed", "order-7")]


def test_platform_coupons_import_all_or_nothing(
        coupons: CouponService, clock: FixedClock, tmp_path: Path) -> None:
    good = {**terms(clock), "id": PLATFORM_ID, "name": "线上领券 五元"}
    bad = {**terms(clock), "id": "f" * 32, "name": "坏券", "amount": "5.0x"}
    path = tmp_path / "coupons.json"
    path.write_text(json.dumps({"coupons": [good, bad]}), encoding="utf-8")

    count, errors = coupons.import_json(path)

    assert count == 0
    assert [(e.row, e.column, e.code) for e in errors] == [(2, "amount", "import.bad_coupon")]
    assert refusal(lambda: coupons.look_up(PLATFORM_ID)) == "coupon.unknown"

    path.write_text(json.dumps({"coupons": [good]}), encoding="utf-8")
    assert coupons.import_json(path) == (1, ())
    assert coupons.look_up(PLATFORM_ID.upper()).id == PLATFORM_ID
