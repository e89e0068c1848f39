"""Staff roles and PIN hashes (PBKDF2-SHA256 with a per-user salt; the PIN is never stored)."""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum

PIN_ITERATIONS = 60_000
MIN_PIN_LENGTH = 4
MAX_PIN_LENGTH = 8


class Role(StrEnum):
    CASHIER = "cashier"
    MANAGER = "manager"


def valid_pin_format(pin: str) -> bool:
    return pin.isdigit() and pin.isascii() and MIN_PIN_LENGTH <= len(pin) <= MAX_PIN_LENGTH


def hash_pin(pin: str, salt: bytes, iterations: int = PIN_ITERATIONS) -> str:
    """``pbkdf2_sha256$<iterations>$<salt hex>$<digest hex>``; the caller supplies a random salt."""
    if not valid_pin_format(pin):
        raise ValueError("a PIN is 4 to 8 digits")
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        scheme, iterations, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256" or not valid_pin_format(pin):
        return False
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), bytes.fromhex(salt_hex), int(iterations))
    return hmac.compare_digest(digest.hex(), digest_hex)
