"""Coupons: why one may not be used on a cart, and unforgeable coupon codes."""

from __future__ import annotations

import string
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.coupons import (
    Coupon,
    CouponCode,
    CouponContext,
    CouponKind,
    CouponState,
    Refusal,
    check,
    issue_code,
    read_code,
)
from pos_app.domain.money import Money
from pos_app.domain.pricing import PricingLine, PricingMember, Scope

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2025, 6, 4, 10, 30, tzinfo=SHANGHAI)
KEYS = {"K1": b"k1-secret-for-tests-000000000000", "K2": b"k2-secret-for-tests-000000000000"}
GOLD = PricingMember("M1", "gold")
CART = (
    PricingLine("L1", "DETERGENT", "日化", Money(69_90)),
    PricingLine("L2", "RICE", "粮油", Money(50_00)),
    PricingLine("L3", "TOWEL", "家居", Money(9_90)),
)


def a_coupon(kind: CouponKind = CouponKind.CASH, **changes: object) -> Coupon:
    terms: dict[str, object] = {
        "valid_from": NOW - timedelta(days=1),
        "valid_until": NOW + timedelta(days=1),
        "amount": Money(10_00),
        "sku": "TOWEL",
        "minutes": 120,
        "percent": Decimal(10) if kind is CouponKind.PERCENT else None,
        "min_spend": Money(10_00) if kind is CouponKind.THRESHOLD else Money(0),
    }
    terms.update(changes)
    return Coupon(id="C1", kind=kind, name="券", **terms)  # type: ignore[arg-type]


WHOLE_CART = CouponContext(CART)


def refusal_code(
    coupon: Coupon,
    context: CouponContext = WHOLE_CART,
    member: PricingMember | None = GOLD,
    at: datetime = NOW,
) -> str | None:
    refusal = check(coupon, context, member, at)
    return None if refusal is None else refusal.code


def test_a_valid_coupon_passes() -> None:
    assert check(a_coupon(), CouponContext(CART), GOLD, NOW) is None


@pytest.mark.parametrize(
    ("coupon", "member", "code"),
    [
        (a_coupon(state=CouponState.REDEEMED), GOLD, "coupon.already_used"),
        (a_coupon(state=CouponState.VOID), GOLD, "coupon.void"),
        (a_coupon(valid_from=NOW + timedelta(hours=1)), GOLD, "coupon.not_yet_valid"),
        (a_coupon(valid_until=NOW), GOLD, "coupon.expired"),
        (a_coupon(member_id="M2"), GOLD, "coupon.wrong_member"),
        (a_coupon(member_id="M1"), None, "coupon.needs_member"),
        (a_coupon(tiers=frozenset({"platinum"})), GOLD, "coupon.wrong_tier"),
        (a_coupon(scope=Scope(categories=frozenset({"乳品"}))), GOLD, "coupon.no_eligible_goods"),
        (a_coupon(CouponKind.GIFT, sku="MUG"), GOLD, "coupon.no_eligible_goods"),
        (a_coupon(min_spend=Money(200_00)), GOLD, "coupon.min_spend"),
    ],
)
def test_each_refusal_says_why(coupon: Coupon, member: PricingMember | None, code: str) -> None:
    assert refusal_code(coupon, member=member) == code


def test_the_minimum_spend_refusal_says_how_much_is_missing() -> None:
    coupon = a_coupon(
        CouponKind.THRESHOLD, min_spend=Money(100_00), scope=Scope(categories=frozenset({"日化"}))
    )
    assert check(coupon, CouponContext(CART), GOLD, NOW) == Refusal(
        "coupon.min_spend", {"missing": "30.10", "min_spend": "100.00"}
    )


def test_the_minimum_spend_counts_what_is_left_to_pay_after_promotions() -> None:
    coupon = a_coupon(min_spend=Money(120_00))
    assert refusal_code(coupon) is None
    after = CouponContext(CART, payable={"L1": Money(59_90)})
    assert refusal_code(coupon, after) == "coupon.min_spend"


def test_a_gift_coupon_counts_the_other_goods_towards_its_minimum() -> None:
    assert refusal_code(a_coupon(CouponKind.GIFT, min_spend=Money(119_90))) is None
    assert refusal_code(a_coupon(CouponKind.GIFT, min_spend=Money(120_00))) == "coupon.min_spend"


def test_stacking_rules_refuse_a_second_coupon() -> None:
    other = replace(a_coupon(CouponKind.PERCENT), id="C2")
    assert refusal_code(a_coupon(), CouponContext(CART, applied=(other,))) is None
    alone = a_coupon(with_coupons=False)
    assert refusal_code(alone, CouponContext(CART, applied=(other,))) == "coupon.not_stackable"
    assert refusal_code(other, CouponContext(CART, applied=(alone,))) == "coupon.not_stackable"
    assert refusal_code(a_coupon(), CouponContext(CART, applied=(a_coupon(),))) == (
        "coupon.already_applied"
    )


def test_a_parking_coupon_needs_only_its_minimum_spend() -> None:
    assert refusal_code(a_coupon(CouponKind.PARKING, min_spend=Money(100_00))) is None
    assert refusal_code(a_coupon(CouponKind.PARKING, min_spend=Money(200_00))) == (
        "coupon.min_spend"
    )


def test_a_code_round_trips() -> None:
    code = issue_code("SPRING25", 123_456, key_id="K1", key=KEYS["K1"])
    assert code.startswith("CPK1-") and code.isascii() and code == code.upper()
    assert read_code(code, KEYS) == CouponCode("K1", "SPRING25", 123_456)


@given(
    st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=12),
    st.integers(min_value=0, max_value=2**32 - 1),
)
def test_any_batch_and_serial_round_trip(batch: str, serial: int) -> None:
    code = issue_code(batch, serial, key_id="K2", key=KEYS["K2"])
    assert read_code(code, KEYS) == CouponCode("K2", batch, serial)


ALPHABET = string.ascii_uppercase + string.digits + "-_.= "


def test_any_altered_character_is_refused() -> None:
    code = issue_code("SPRING25", 42, key_id="K1", key=KEYS["K1"])
    for position, original in enumerate(code):
        for replacement in ALPHABET:
            if replacement == original:
                continue
            altered = code[:position] + replacement + code[position + 1 :]
            assert isinstance(read_code(altered, KEYS), Refusal), altered


def test_dropped_or_added_characters_are_refused() -> None:
    code = issue_code("SPRING25", 42, key_id="K1", key=KEYS["K1"])
    for position in range(len(code)):
        assert isinstance(read_code(code[:position] + code[position + 1 :], KEYS), Refusal)
    assert isinstance(read_code(code + "A", KEYS), Refusal)


def test_a_code_signed_with_another_key_or_an_unknown_key_id_is_refused() -> None:
    forged = issue_code("SPRING25", 42, key_id="K1", key=b"somebody-elses-key-0000000000000")
    assert read_code(forged, KEYS) == Refusal("coupon.code_forged")
    relabelled = issue_code("SPRING25", 42, key_id="K1", key=KEYS["K1"]).replace("CPK1", "CPK2")
    assert read_code(relabelled, KEYS) == Refusal("coupon.code_forged")
    unknown = issue_code("SPRING25", 42, key_id="K9", key=KEYS["K1"])
    assert read_code(unknown, KEYS) == Refusal("coupon.code_unknown_key", {"key_id": "K9"})


def test_letter_case_and_surrounding_space_are_not_significant() -> None:
    code = issue_code("SPRING25", 42, key_id="K1", key=KEYS["K1"])
    assert read_code(f" {code.lower()}\n", KEYS) == CouponCode("K1", "SPRING25", 42)


def test_junk_is_malformed() -> None:
    for text in ("", "CP", "CPK1-", "6901234567892", "CPK1-1111", "优惠券"):
        assert read_code(text, KEYS) == Refusal("coupon.code_malformed")


def test_issuing_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        issue_code("spring", 1, key_id="K1", key=KEYS["K1"])
    with pytest.raises(ValueError):
        issue_code("SPRING", -1, key_id="K1", key=KEYS["K1"])
    with pytest.raises(ValueError):
        issue_code("SPRING", 1, key_id="K1", key=b"short")
