"""Payment-code routing by prefix and length (payments.md §8), hashing and masking."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.payment_codes import (
    DEFAULT_RULES,
    CodeRule,
    Provider,
    hash_code,
    masked,
    route,
)
from pos_app.errors import UserError

W, A, U = Provider.WECHAT_PAY, Provider.ALIPAY, Provider.UNIONPAY


@pytest.mark.parametrize(
    ("code", "provider"),
    [
        *[(f"{prefix}{'3' * 16}", W) for prefix in ("10", "11", "12", "13", "14", "15")],
        ("134567890123456789", W),  # the brief's v2 vector auth_code
        ("130061098828009406", W),  # the brief's v3 codepay auth_code
        *[(f"{prefix}{'7' * 14}", A) for prefix in ("25", "26", "27", "28", "29", "30")],
        ("2876344382566439", A),  # 16 digits
        ("28763443825664394", A),  # 17: the Alipay doc example
        ("286925412345678901", A),
        ("301234567890123456789012", A),  # 24
        ("6220835931895481436", U),  # ACP test qrNo, 19 digits
    ],
)
def test_codes_route_to_their_wallet(code: str, provider: Provider) -> None:
    routed = route(code)
    assert routed.provider is provider and routed.value == code


def test_scanner_noise_and_full_width_digits_are_normalised() -> None:
    assert route(" １３４５６７８９０１２３４５６７８９\r\n").value == "134567890123456789"


@pytest.mark.parametrize(
    ("code", "reason", "details"),
    [
        ("", "empty", {}),
        ("   ", "empty", {}),
        ("13456789012345678a", "not_digits", {"length": 18}),
        ("fp1234567890abcdef", "not_digits", {}),  # Alipay face token: not a 付款码
        ("²34567890123456789", "not_digits", {}),
        ("164567890123456789", "unknown_prefix", {"prefix": "16"}),
        ("094567890123456789", "unknown_prefix", {"prefix": "09"}),
        ("3145678901234567", "unknown_prefix", {"prefix": "31"}),
        ("6920000000001", "unknown_prefix", {"prefix": "69"}),  # a product EAN-13
        ("13456789012345678", "wrong_length", {"provider": "wechat_pay", "expected": "18"}),
        ("1345678901234567890", "wrong_length", {"length": 19, "expected": "18"}),
        ("287634438256643", "wrong_length", {"provider": "alipay", "expected": "16-24"}),
        ("2876344382566439401234567", "wrong_length", {"length": 25, "expected": "16-24"}),
        ("622083593189548143", "wrong_length", {"provider": "unionpay", "expected": "19"}),
        ("62208359318954814360", "wrong_length", {"length": 20}),
    ],
)
def test_wrong_codes_are_refused_with_a_reason_and_no_code_in_the_error(
    code: str, reason: str, details: dict[str, object]
) -> None:
    with pytest.raises(UserError) as refused:
        route(code)
    error = refused.value
    assert error.code == "payment.bad_code"
    assert error.params["reason"] == reason
    assert details.items() <= error.params.items()
    if len(code.strip()) >= 6:
        assert code.strip() not in str(error)


def test_the_routing_table_is_configuration() -> None:
    with_face_test_range = (*DEFAULT_RULES, CodeRule(U, ("88",), 10, 10))
    assert route("8812345678", with_face_test_range).provider is U
    with pytest.raises(UserError):
        route("8812345678")


def test_masking_keeps_two_digits_each_side_and_hides_the_length() -> None:
    assert masked("134567890123456789") == "13**********89"
    assert masked("2876344382566439") == "28**********39"
    assert masked("12345") == "**********"
    routed = route("134567890123456789")
    assert repr(routed) == str(routed) == "PaymentCode(wechat_pay, 13**********89)"


def test_hash_is_stable_hex_and_never_the_code() -> None:
    digest = hash_code("134567890123456789")
    assert len(digest) == 64 and set(digest) <= set("0123456789abcdef")
    assert digest == hash_code("１３４５６７８９０１２３４５６７８９")
    assert digest == route("134567890123456789").digest
    assert digest != hash_code("134567890123456788")


@given(st.from_regex(r"1[0-5][0-9]{16}", fullmatch=True))
def test_every_18_digit_code_starting_10_to_15_is_wechat(code: str) -> None:
    assert route(code).provider is W


@given(st.text(max_size=30))
def test_routing_any_text_either_routes_or_refuses_cleanly(text: str) -> None:
    try:
        routed = route(text)
    except UserError as error:
        assert error.code == "payment.bad_code"
    else:
        assert routed.value.isdigit()
