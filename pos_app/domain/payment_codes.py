"""Which wallet a scanned customer payment code (付款码) belongs to, from its prefix and length.

Rules are shared/protocols/payments.md §8: WeChat Pay 18 digits starting 10-15 and Alipay 16-24
digits starting 25-30 are official; UnionPay 19 digits starting 62 is community knowledge only
(the ACP demo says "1-20 digits"), so the table is data a terminal's config may replace. A code
that fits no row is refused with a reason and never sent to a guessed provider.

Invariants: a raw code lives only in a ``PaymentCode`` in memory, on its way to one pay call.
What is stored is ``hash_code(code)``; what is logged or shown is ``masked(code)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from pos_app.errors import UserError

# A Chinese IME in full-width mode turns wedge-scanned digits into ０-９.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_HASH_DOMAIN = b"pos-payment-code-v1\x00"
_MASK = "*" * 10


class Provider(StrEnum):
    """The wallet behind a payment: decides protocol, timing rules and routing."""

    WECHAT_PAY = "wechat_pay"
    ALIPAY = "alipay"
    UNIONPAY = "unionpay"


@dataclass(frozen=True, slots=True)
class CodeRule:
    """Codes starting with one of ``prefixes`` and ``min_length``-``max_length`` digits long."""

    provider: Provider
    prefixes: tuple[str, ...]
    min_length: int
    max_length: int

    def expected_length(self) -> str:
        if self.min_length == self.max_length:
            return str(self.min_length)
        return f"{self.min_length}-{self.max_length}"


DEFAULT_RULES: tuple[CodeRule, ...] = (
    CodeRule(Provider.WECHAT_PAY, ("10", "11", "12", "13", "14", "15"), 18, 18),
    CodeRule(Provider.ALIPAY, ("25", "26", "27", "28", "29", "30"), 16, 24),
    CodeRule(Provider.UNIONPAY, ("62",), 19, 19),
)


@dataclass(frozen=True, slots=True)
class PaymentCode:
    """A routed payment code; ``repr`` and ``str`` show only the masked form."""

    provider: Provider
    value: str = field(repr=False)

    @property
    def digest(self) -> str:
        return hash_code(self.value)

    @property
    def masked(self) -> str:
        return masked(self.value)

    def __repr__(self) -> str:
        return f"PaymentCode({self.provider.value}, {self.masked})"

    __str__ = __repr__


def normalise(text: str) -> str:
    """Digits as scanned: surrounding whitespace dropped, full-width digits made ASCII."""
    return text.strip().translate(_FULLWIDTH_DIGITS)


def route(text: str, rules: Sequence[CodeRule] = DEFAULT_RULES) -> PaymentCode:
    """The wallet of a scanned payment code, or ``UserError("payment.bad_code")``.

    The error's ``reason`` is ``empty``, ``not_digits``, ``unknown_prefix`` or
    ``wrong_length``; its other parameters are safe to show and log (never the code itself).
    """
    code = normalise(text)
    if not code:
        raise UserError("payment.bad_code", reason="empty", code="", length=0)
    if not (code.isascii() and code.isdigit()):
        raise UserError(
            "payment.bad_code", reason="not_digits", code=masked(code), length=len(code)
        )
    matching = [rule for rule in rules if code.startswith(rule.prefixes)]
    for rule in matching:
        if rule.min_length <= len(code) <= rule.max_length:
            return PaymentCode(rule.provider, code)
    if not matching:
        raise UserError(
            "payment.bad_code",
            reason="unknown_prefix",
            code=masked(code),
            length=len(code),
            prefix=code[:2],
        )
    rule = matching[0]
    raise UserError(
        "payment.bad_code",
        reason="wrong_length",
        code=masked(code),
        length=len(code),
        prefix=code[:2],
        provider=rule.provider.value,
        expected=rule.expected_length(),
    )


def hash_code(code: str) -> str:
    """SHA-256 hex of the normalised code, for storage and "same code again?" checks.

    Payment codes are single-use and expire within minutes, so the hash protects nothing
    secret for long; it exists so the raw code is never written anywhere.
    """
    return hashlib.sha256(_HASH_DOMAIN + normalise(code).encode()).hexdigest()


def masked(code: str) -> str:
    """First two and last two characters around a fixed-width mask: ``13**********34``.

    The mask width does not depend on the code's length; codes under six characters are
    masked entirely.
    """
    if len(code) < 6:
        return _MASK
    return f"{code[:2]}{_MASK}{code[-2:]}"
