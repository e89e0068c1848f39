"""One scanner, many kinds of code: each is told apart by its form alone."""

from __future__ import annotations

import pytest

from pos_app.domain.code_kinds import CodeKind, kind_of
from pos_app.domain.coupons import issue_code


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("6901234567892", CodeKind.PRODUCT),  # EAN-13
        ("12345670", CodeKind.PRODUCT),  # EAN-8
        ("10614141000415", CodeKind.PRODUCT),  # GTIN-14: never a payment code
        ("2812345012345", CodeKind.PRODUCT),  # scale label
        ("M886000000123123456", CodeKind.MEMBER),
        ("m886000000123123456", CodeKind.MEMBER),  # Caps Lock on the wedge scanner
        ("M88600000012312345", CodeKind.PRODUCT),  # one digit short
        ("134567890123456789", CodeKind.PAYMENT),  # WeChat Pay
        ("284567890123456789", CodeKind.PAYMENT),  # Alipay
        ("994567890123456789", CodeKind.PRODUCT),  # 18 digits, no wallet prefix
    ],
)
def test_a_code_is_told_apart_by_its_form(text: str, kind: CodeKind) -> None:
    assert kind_of(text) is kind


def test_a_signed_coupon_code_is_a_coupon_in_either_letter_case() -> None:
    code = issue_code("SPRING26", 42, key_id="K1", key=b"k" * 32)
    assert kind_of(code) is CodeKind.COUPON
    assert kind_of(code.lower()) is CodeKind.COUPON
