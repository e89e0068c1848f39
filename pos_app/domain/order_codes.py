"""Order QR codes (订单POS): a signed, compact ASCII payload naming an order to pay.

Format: ``PO1.<key id>.<body>.<mac>`` where ``body`` is base64url (no padding) of
``order id (16 bytes, a UUID) | amount in fen (8 bytes, big-endian) | expires at (4 bytes,
Unix seconds) | store code (ASCII)`` and ``mac`` is the first 16 bytes of
HMAC-SHA256(key, "PO1." + key id + "." + body), base64url. About 90 characters: a small QR.

Unforgeable without the store's key; any altered character fails the MAC; an expired code is
refused. Whether the order is still unpaid is the database's answer, not the code's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from pos_app.domain.money import Money
from pos_app.errors import UserError

PREFIX = "PO1"
MAC_BYTES = 16
_FIXED = struct.Struct(">16sQI")
MAX_TEXT = 160


@dataclass(frozen=True, slots=True)
class OrderCode:
    order_id: str
    amount: Money
    store_code: str
    expires_at: datetime


def looks_like_order_code(text: str) -> bool:
    return text.strip().startswith(PREFIX + ".")


def issue(code: OrderCode, *, key_id: str, key: bytes) -> str:
    if not key_id.isalnum() or not key_id.isascii() or len(key) < 16:
        raise ValueError("a key id is ASCII letters and digits, a key at least 16 bytes")
    if code.amount.fen <= 0 or not code.store_code.isascii():
        raise ValueError("an order code needs a positive amount and an ASCII store code")
    packed = _FIXED.pack(uuid.UUID(code.order_id).bytes, code.amount.fen,
                         int(code.expires_at.timestamp())) + code.store_code.encode("ascii")
    signed = f"{PREFIX}.{key_id}.{_b64(packed)}"
    return f"{signed}.{_b64(_mac(key, signed))}"


def verify(text: str, keys: Mapping[str, bytes], now: datetime) -> OrderCode:
    """The order the code names; UserError order_qr.malformed / .forged / .expired otherwise."""
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    parts = text.strip().split(".")
    if len(text) > MAX_TEXT or len(parts) != 4 or parts[0] != PREFIX:
        raise UserError("order_qr.malformed")
    _, key_id, body, mac = parts
    key = keys.get(key_id)
    given = _unb64(mac)
    if key is None or not hmac.compare_digest(given, _mac(key, f"{PREFIX}.{key_id}.{body}")):
        raise UserError("order_qr.forged")
    code = _unpack(_unb64(body))
    if now >= code.expires_at:
        raise UserError("order_qr.expired", expired_at=code.expires_at.isoformat())
    return code


def _unpack(raw: bytes) -> OrderCode:
    if len(raw) <= _FIXED.size:
        raise UserError("order_qr.malformed")
    order, fen, expires = _FIXED.unpack_from(raw)
    try:
        store = raw[_FIXED.size:].decode("ascii")
    except UnicodeDecodeError:
        raise UserError("order_qr.malformed") from None
    return OrderCode(order_id=str(uuid.UUID(bytes=order)), amount=Money(fen), store_code=store,
                     expires_at=datetime.fromtimestamp(expires, UTC))


def _mac(key: bytes, signed: str) -> bytes:
    return hmac.new(key, signed.encode("ascii"), hashlib.sha256).digest()[:MAC_BYTES]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    """Strict: only the canonical encoding is accepted, so no two texts name the same bytes
    (the last character's spare bits would otherwise allow altered copies that verify)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise UserError("order_qr.malformed") from None
    if _b64(raw) != text:
        raise UserError("order_qr.malformed")
    return raw
