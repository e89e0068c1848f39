"""The audit chain shows tampering; PINs are hashed and checked in constant time."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from pos_app.domain.audit import AuditEntry, next_entry, verify_chain
from pos_app.domain.staff import hash_pin, verify_pin

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def a_chain(length: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    for i in range(length):
        entries.append(next_entry(entries[-1] if entries else None, at=T0 + timedelta(minutes=i),
                                  actor_id="u1", action="line.voided", subject=f"cart-{i}",
                                  details={"amount_fen": 100 * i}))
    return entries


def test_an_untouched_chain_verifies() -> None:
    assert verify_chain(a_chain(5)) is None


def test_changing_an_entry_breaks_the_chain_there() -> None:
    entries = a_chain(5)
    entries[2] = dataclasses.replace(entries[2], details='{"amount_fen":1}')
    assert verify_chain(entries) == 3


def test_removing_an_entry_breaks_the_chain_after_it() -> None:
    entries = a_chain(5)
    del entries[1]
    assert verify_chain(entries) == 3


def test_audit_times_must_be_aware() -> None:
    with pytest.raises(ValueError):
        next_entry(None, at=datetime(2026, 1, 1), actor_id="u", action="a",  # noqa: DTZ001
                   subject="s", details={})


def test_a_pin_verifies_only_against_its_own_hash() -> None:
    stored = hash_pin("1234", b"0123456789abcdef", 1000)
    assert "1234" not in stored
    assert verify_pin("1234", stored)
    assert not verify_pin("1235", stored)
    assert not verify_pin("", stored)
    assert not verify_pin("1234", "garbage")


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "１２３４"])
def test_pins_are_4_to_8_ascii_digits(pin: str) -> None:
    with pytest.raises(ValueError):
        hash_pin(pin, b"0123456789abcdef", 1000)
