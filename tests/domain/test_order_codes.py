"""Order QR codes: what one terminal shows another can trust; forged, altered and expired
codes are refused with a reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.money import Money
from pos_app.domain.order_codes import OrderCode, issue, looks_like_order_code, verify
from pos_app.errors import UserError

KEY = b"store-secret-key-0123456789abcdef"
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
CODE = OrderCode(order_id="2f1c6a1e-8d4b-4a39-9a57-1d3c1f0b7e21", amount=Money(13_00),
                 store_code="DEMO01", expires_at=NOW + timedelta(minutes=15))


def test_a_code_round_trips_and_is_compact_ascii() -> None:
    text = issue(CODE, key_id="k1", key=KEY)
    assert text.isascii() and len(text) < 100 and looks_like_order_code(text)
    assert verify(text, {"k1": KEY}, NOW) == CODE


def test_another_stores_key_cannot_forge_a_code() -> None:
    forged = issue(CODE, key_id="k1", key=b"somebody-elses-key-0123456789")
    with pytest.raises(UserError) as refused:
        verify(forged, {"k1": KEY}, NOW)
    assert refused.value.code == "order_qr.forged"


def test_an_unknown_key_id_is_refused() -> None:
    with pytest.raises(UserError) as refused:
        verify(issue(CODE, key_id="k9", key=KEY), {"k1": KEY}, NOW)
    assert refused.value.code == "order_qr.forged"


@given(st.data())
def test_any_altered_character_is_refused(data: st.DataObject) -> None:
    text = issue(CODE, key_id="k1", key=KEY)
    index = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
    replacement = data.draw(st.sampled_from("AZaz09-_."))
    altered = text[:index] + replacement + text[index + 1:]
    if altered == text:
        return
    with pytest.raises(UserError) as refused:
        verify(altered, {"k1": KEY}, NOW)
    assert refused.value.code in {"order_qr.forged", "order_qr.malformed"}


def test_an_expired_code_is_refused() -> None:
    text = issue(CODE, key_id="k1", key=KEY)
    with pytest.raises(UserError) as refused:
        verify(text, {"k1": KEY}, NOW + timedelta(minutes=15))
    assert refused.value.code == "order_qr.expired"


@pytest.mark.parametrize("text", ["", "PO1", "PO1.k1.@@@.xx", "hello", "PO1.k1.AAAA.AAAA",
                                  "PO1." + "A" * 200])
def test_malformed_text_is_refused_not_crashed_on(text: str) -> None:
    with pytest.raises(UserError) as refused:
        verify(text, {"k1": KEY}, NOW)
    assert refused.value.code in {"order_qr.malformed", "order_qr.forged"}
