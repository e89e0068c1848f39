"""Members: the dynamic member code (TOTP), points earn/redeem/reverse, stored-value ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.members import (
    LedgerEntry,
    LedgerKind,
    Member,
    PointsPolicy,
    PointsRedemption,
    Refusal,
    TierRule,
    TotpAlgorithm,
    TotpSettings,
    balance,
    hotp,
    payment_refusal,
    points_earned,
    points_to_reverse,
    redeem_points,
    time_step,
    totp,
    verify_totp,
)
from pos_app.domain.money import Money

SEEDS = {
    TotpAlgorithm.SHA1: b"12345678901234567890",
    TotpAlgorithm.SHA256: b"12345678901234567890123456789012",
    TotpAlgorithm.SHA512: b"1234567890123456789012345678901234567890123456789012345678901234",
}
# RFC 6238 Appendix B: every listed time, every mode, 8 digits, 30 s steps from the epoch.
RFC6238 = [
    (59, TotpAlgorithm.SHA1, "94287082"),
    (59, TotpAlgorithm.SHA256, "46119246"),
    (59, TotpAlgorithm.SHA512, "90693936"),
    (1111111109, TotpAlgorithm.SHA1, "07081804"),
    (1111111109, TotpAlgorithm.SHA256, "68084774"),
    (1111111109, TotpAlgorithm.SHA512, "25091201"),
    (1111111111, TotpAlgorithm.SHA1, "14050471"),
    (1111111111, TotpAlgorithm.SHA256, "67062674"),
    (1111111111, TotpAlgorithm.SHA512, "99943326"),
    (1234567890, TotpAlgorithm.SHA1, "89005924"),
    (1234567890, TotpAlgorithm.SHA256, "91819424"),
    (1234567890, TotpAlgorithm.SHA512, "93441116"),
    (2000000000, TotpAlgorithm.SHA1, "69279037"),
    (2000000000, TotpAlgorithm.SHA256, "90698825"),
    (2000000000, TotpAlgorithm.SHA512, "38618901"),
    (20000000000, TotpAlgorithm.SHA1, "65353130"),
    (20000000000, TotpAlgorithm.SHA256, "77737706"),
    (20000000000, TotpAlgorithm.SHA512, "47863826"),
]
# RFC 4226 Appendix D: HOTP, SHA-1, 6 digits, counters 0-9.
RFC4226 = [
    "755224",
    "287082",
    "359152",
    "969429",
    "338314",
    "254676",
    "287922",
    "162583",
    "399871",
    "520489",
]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SECRET = SEEDS[TotpAlgorithm.SHA1]
NOW = datetime(2025, 6, 4, 2, 30, 10, tzinfo=UTC)


@pytest.mark.parametrize(("seconds", "algorithm", "code"), RFC6238)
def test_rfc6238_appendix_b_vectors(seconds: int, algorithm: TotpAlgorithm, code: str) -> None:
    settings = TotpSettings(digits=8, algorithm=algorithm)
    at = EPOCH + timedelta(seconds=seconds)
    assert totp(SEEDS[algorithm], at, settings) == code
    assert verify_totp(code, SEEDS[algorithm], at, None, settings) == time_step(at, settings)


@pytest.mark.parametrize(("counter", "code"), enumerate(RFC4226))
def test_rfc4226_appendix_d_vectors(counter: int, code: str) -> None:
    assert hotp(SECRET, counter) == code


def test_a_code_from_the_step_before_or_after_is_accepted() -> None:
    now = time_step(NOW)
    for drift in (-30, 30):
        code = totp(SECRET, NOW + timedelta(seconds=drift))
        assert verify_totp(code, SECRET, NOW, None) == now + drift // 30


def test_a_replayed_code_is_refused() -> None:
    code = totp(SECRET, NOW)
    step = verify_totp(code, SECRET, NOW, None)
    assert isinstance(step, int)
    assert verify_totp(code, SECRET, NOW + timedelta(seconds=5), step) == Refusal(
        "member_code.replayed"
    )


def test_an_older_code_after_a_newer_one_is_refused_as_replayed() -> None:
    newer = verify_totp(totp(SECRET, NOW), SECRET, NOW, None)
    older = totp(SECRET, NOW - timedelta(seconds=30))
    assert isinstance(newer, int)
    assert verify_totp(older, SECRET, NOW, newer) == Refusal("member_code.replayed")


def test_a_code_two_minutes_old_is_refused_as_expired() -> None:
    stale = totp(SECRET, NOW - timedelta(minutes=2))
    assert verify_totp(stale, SECRET, NOW, None) == Refusal("member_code.expired")


def test_a_code_from_a_phone_clock_far_ahead_is_refused_as_not_yet_valid() -> None:
    early = totp(SECRET, NOW + timedelta(minutes=2))
    assert verify_totp(early, SECRET, NOW, None) == Refusal("member_code.not_yet_valid")


def test_a_wrong_or_malformed_code_is_refused() -> None:
    right = totp(SECRET, NOW)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    assert verify_totp(wrong, SECRET, NOW, None) == Refusal("member_code.wrong")
    for text in ("12345", "1234567", "12a456", "１２３４５６"):
        assert verify_totp(text, SECRET, NOW, None) == Refusal("member_code.malformed")


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        time_step(datetime(2025, 6, 4, 10, 0))  # noqa: DTZ001


GOLD = TierRule("gold", "金卡", member_prices=True, points_per_yuan=2)


def test_points_are_earned_on_what_was_paid_rounded_down() -> None:
    assert points_earned(GOLD, Money(12_99)) == 25
    assert points_earned(TierRule("basic", "普卡"), Money(99)) == 0
    assert points_earned(GOLD, Money(-500)) == 0


def test_a_member_becomes_a_pricing_member_with_its_tier_rule() -> None:
    member = Member("M1", "13800000000", "gold", points=1200)
    priced = member.for_pricing(GOLD, {"P1": 1})
    assert (priced.id, priced.tier, priced.member_prices, dict(priced.prior_uses)) == (
        "M1",
        "gold",
        True,
        {"P1": 1},
    )
    with pytest.raises(ValueError):
        member.for_pricing(TierRule("silver", "银卡"))


def test_points_redeem_in_whole_steps_within_balance_and_share() -> None:
    policy = PointsPolicy(points=100, value=Money(100), max_share_percent=50)
    assert redeem_points(1_250, Money(20_00), policy) == PointsRedemption(1_000, Money(10_00))
    assert redeem_points(1_250, Money(50_00), policy) == PointsRedemption(1_200, Money(12_00))
    assert redeem_points(1_250, Money(50_00), policy, wanted=550) == PointsRedemption(
        500, Money(5_00)
    )
    refused = redeem_points(99, Money(50_00), policy)
    assert isinstance(refused, Refusal) and refused.code == "points.not_enough"


@given(
    st.integers(0, 10_000),
    st.integers(1, 10**7),
    st.lists(st.integers(1, 10**6), min_size=1, max_size=6),
)
def test_refunds_reverse_points_pro_rata_and_a_full_refund_reverses_all(
    points: int, paid: int, refunds: list[int]
) -> None:
    total = sum(refunds)
    parts = [r * paid // total for r in refunds]
    parts[-1] = paid - sum(parts[:-1])
    reversed_total, refunded = 0, 0
    for part in parts:
        step = points_to_reverse(points, Money(paid), Money(refunded), Money(part))
        assert step >= 0
        reversed_total += step
        refunded += part
        assert reversed_total <= points * refunded // paid + 1
    assert reversed_total == points


def _entry(kind: LedgerKind, fen: int) -> LedgerEntry:
    return LedgerEntry(f"E{fen}", "M1", kind, Money(fen), NOW)


def test_the_stored_value_balance_is_the_signed_sum_of_the_ledger() -> None:
    ledger = [
        _entry(LedgerKind.TOP_UP, 500_00),
        _entry(LedgerKind.PAY, 123_45),
        _entry(LedgerKind.REFUND, 23_45),
    ]
    assert balance(ledger) == Money(400_00)
    assert payment_refusal(Money(400_00), Money(400_00)) is None
    refused = payment_refusal(Money(400_00), Money(400_01))
    assert refused == Refusal("stored_value.insufficient", {"balance": "400.00", "missing": "0.01"})


def test_a_ledger_entry_moves_a_positive_amount_at_an_aware_time() -> None:
    with pytest.raises(ValueError):
        LedgerEntry("E1", "M1", LedgerKind.PAY, Money(0), NOW)
    with pytest.raises(ValueError):
        LedgerEntry("E1", "M1", LedgerKind.PAY, Money(1), datetime(2025, 1, 1))  # noqa: DTZ001
