"""Coupons at the till: may this coupon be used on this cart, and unforgeable coupon codes.

``check`` answers with a ``Refusal`` (a stable reason code and its parameters) or ``None``;
it does not redeem: "once only" is the database's job (an ``UPDATE … WHERE state = 'issued'``
that must touch one row), and the engine re-checks the money terms after promotions.

Codes: ``CP<key id>-<base32>``, upper-case letters, digits and one hyphen, so they fit QR
alphanumeric mode and Code 128 and can be typed. The base32 body is
``version | serial (4 bytes) | batch (ASCII)`` followed by the first 10 bytes of HMAC-SHA256
over a domain tag, the key id and that payload: 80 bits, the floor RFC 2104 §5 sets for a
truncated MAC (its "half the hash" advice is against birthday attacks, which a verifier that
sees one guess per scan does not face), keeping an 8-character batch's code at 42 characters.
A forger must present every guess at a till: 2^-80 per guess. The key id names the secret
(keys rotate); an unknown key id, a wrong MAC, a non-canonical encoding or any changed
character is refused. Letter case is not significant: a keyboard-wedge scanner with Caps Lock
on swaps it, and the decoded bytes are the same.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256

from pos_app.domain.money import Money
from pos_app.domain.pricing.adjustments import PricingLine, PricingMember, Refusal
from pos_app.domain.pricing.coupon_terms import (
    PRODUCT_KINDS,
    Coupon,
    CouponKind,
    CouponState,
    holder_refusal,
    stacking_refusal,
)

__all__ = [
    "Coupon",
    "CouponCode",
    "CouponContext",
    "CouponKind",
    "CouponState",
    "Refusal",
    "check",
    "issue_code",
    "read_code",
]

CODE_PREFIX = "CP"
CODE_VERSION = 1
MAC_BYTES = 10
SERIAL_BYTES = 4
_DOMAIN = b"pos-coupon-code"
_KEY_ID = re.compile(r"[A-Z0-9]{1,4}")
_BATCH = re.compile(r"[A-Z0-9]{1,12}")
_CODE = re.compile(r"CP([A-Z0-9]{1,4})-([A-Z2-7]+)")


@dataclass(frozen=True, slots=True)
class CouponContext:
    """The cart a coupon is presented to: its active lines, the coupons already applied and,
    when known, what each line still costs after promotions (by line id; else its amount)."""

    lines: tuple[PricingLine, ...]
    applied: tuple[Coupon, ...] = ()
    payable: Mapping[str, Money] = field(default_factory=dict)


def check(
    coupon: Coupon, context: CouponContext, member: PricingMember | None, at: datetime
) -> Refusal | None:
    """Why ``coupon`` may not be used on this cart now, or None. Checks in this order: state,
    validity window, bound member, tier, stacking, eligible goods, minimum spend."""
    refusal = holder_refusal(coupon, member, at) or stacking_refusal(coupon, list(context.applied))
    if refusal is not None:
        return refusal
    if coupon.kind in PRODUCT_KINDS:
        if not any(line.sku == coupon.sku for line in context.lines):
            return Refusal("coupon.no_eligible_goods", {"sku": coupon.sku or ""})
        counted = [line for line in context.lines if line.sku != coupon.sku]
    else:
        counted = list(context.lines)
    counted = [line for line in counted if coupon.scope.matches(line.sku, line.category)]
    if not counted and coupon.kind not in PRODUCT_KINDS and coupon.kind is not CouponKind.PARKING:
        return Refusal("coupon.no_eligible_goods")
    spent = sum(context.payable.get(line.line_id, line.amount).fen for line in counted)
    if spent < coupon.min_spend.fen:
        return Refusal(
            "coupon.min_spend",
            {
                "missing": Money(coupon.min_spend.fen - spent).yuan_text(),
                "min_spend": coupon.min_spend.yuan_text(),
            },
        )
    return None


@dataclass(frozen=True, slots=True)
class CouponCode:
    """What a verified code says: which key signed it and which coupon of which batch."""

    key_id: str
    batch: str
    serial: int


def _mac(key: bytes, key_id: str, payload: bytes) -> bytes:
    message = _DOMAIN + b"\x00" + key_id.encode("ascii") + b"\x00" + payload
    return hmac.new(key, message, sha256).digest()[:MAC_BYTES]


def issue_code(batch: str, serial: int, *, key_id: str, key: bytes) -> str:
    """Sign a coupon code for ``serial`` of ``batch`` (both as stored with the coupon)."""
    if not _KEY_ID.fullmatch(key_id) or not _BATCH.fullmatch(batch):
        raise ValueError("key id is 1-4 and batch 1-12 upper-case letters or digits")
    if not 0 <= serial < 1 << (8 * SERIAL_BYTES):
        raise ValueError("serial out of range")
    if len(key) < 16:
        raise ValueError("the signing key needs at least 16 bytes")
    payload = bytes([CODE_VERSION]) + serial.to_bytes(SERIAL_BYTES, "big") + batch.encode()
    body = base64.b32encode(payload + _mac(key, key_id, payload)).decode("ascii").rstrip("=")
    return f"{CODE_PREFIX}{key_id}-{body}"


def read_code(text: str, keys: Mapping[str, bytes]) -> CouponCode | Refusal:
    """Parse and verify a scanned or typed code against the keys by key id."""
    match = _CODE.fullmatch(text.strip().upper())
    if match is None:
        return Refusal("coupon.code_malformed")
    key_id, body = match.groups()
    key = keys.get(key_id)
    if key is None:
        return Refusal("coupon.code_unknown_key", {"key_id": key_id})
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        return Refusal("coupon.code_malformed")
    canonical = base64.b32encode(raw).decode("ascii").rstrip("=")
    if canonical != body or len(raw) < 2 + SERIAL_BYTES + MAC_BYTES:
        return Refusal("coupon.code_malformed")
    payload, mac = raw[:-MAC_BYTES], raw[-MAC_BYTES:]
    if not hmac.compare_digest(mac, _mac(key, key_id, payload)):
        return Refusal("coupon.code_forged")
    batch = payload[1 + SERIAL_BYTES :].decode("ascii", errors="replace")
    if payload[0] != CODE_VERSION or not _BATCH.fullmatch(batch):
        return Refusal("coupon.code_malformed")
    serial = int.from_bytes(payload[1 : 1 + SERIAL_BYTES], "big")
    return CouponCode(key_id, batch, serial)
