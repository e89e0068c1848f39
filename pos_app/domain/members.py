"""Members at the till: tiers, points, stored value (预存款) and the dynamic member code.

Points: earned by tier on what the customer actually paid (after every discount, without the
part paid with points): ``floor(paid fen x points_per_yuan / 100)``, so a part of a yuan earns
nothing. Redeemed as a tender in whole steps (by default 100 points = ¥1). A refund reverses
points pro rata on the cumulative refunded share, rounded down each time, so the customer is
never charged a point early and a full refund reverses exactly what was earned.

Stored value: an append-only ledger; the balance is the signed sum of its entries. The
database keeps it non-negative under concurrent payments; here it is pure arithmetic.

Member code: TOTP (RFC 6238) over a per-member secret, shown on the member's phone; accepted
one step either side of now; a step at or before the last accepted one is refused as replayed
(RFC 6238 §5.2). As scanned: ``M`` + the 12-digit card number + the TOTP (``member_code_text``,
``parse_member_code``): 19 ASCII characters, for Code 128 and QR alike.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pos_app.domain.money import Money
from pos_app.domain.pricing.adjustments import PricingMember, Refusal


@dataclass(frozen=True, slots=True)
class TierRule:
    tier: str
    name: str
    member_prices: bool = True
    points_per_yuan: int = 1

    def __post_init__(self) -> None:
        if self.points_per_yuan < 0:
            raise ValueError("points_per_yuan cannot be negative")


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    phone: str
    tier: str
    name: str = ""
    card_number: str | None = None
    points: int = 0
    face_consent: bool = False

    def for_pricing(
        self, rule: TierRule, prior_uses: Mapping[str, int] | None = None
    ) -> PricingMember:
        """What the pricing engine needs: tier, member prices, per-promotion prior uses."""
        if rule.tier != self.tier:
            raise ValueError(f"rule for tier {rule.tier}, member is {self.tier}")
        return PricingMember(self.id, self.tier, rule.member_prices, dict(prior_uses or {}))


def points_earned(rule: TierRule, paid: Money) -> int:
    """Points for ``paid`` (after discounts, without points tender), rounded down."""
    return max(0, paid.fen) * rule.points_per_yuan // 100


YUAN = Money(100)


@dataclass(frozen=True, slots=True)
class PointsPolicy:
    """``points`` points are worth ``value``; at most ``max_share_percent`` of a sale may be
    paid with points, and a redemption uses at least ``min_points``."""

    points: int = 100
    value: Money = YUAN
    max_share_percent: int = 100
    min_points: int = 0

    def __post_init__(self) -> None:
        if self.points < 1 or self.value.fen < 1 or not 0 < self.max_share_percent <= 100:
            raise ValueError("points and value must be positive, the share in (0, 100]")


@dataclass(frozen=True, slots=True)
class PointsRedemption:
    points: int
    value: Money


def redeem_points(
    balance: int, due: Money, policy: PointsPolicy, wanted: int | None = None
) -> PointsRedemption | Refusal:
    """The largest whole number of steps within the balance, ``wanted`` and the share of
    ``due`` points may pay; a refusal when not even one step fits."""
    limit = due.fen * policy.max_share_percent // 100
    steps = min(balance, balance if wanted is None else wanted) // policy.points
    steps = min(steps, limit // policy.value.fen)
    if steps <= 0 or steps * policy.points < policy.min_points:
        return Refusal(
            "points.not_enough",
            {"balance": str(balance), "min_points": str(max(policy.points, policy.min_points))},
        )
    return PointsRedemption(steps * policy.points, policy.value.times(steps))


def points_to_reverse(points: int, paid: Money, refunded_before: Money, refunding: Money) -> int:
    """Points to take back (earned) or give back (redeemed) for this refund, pro rata."""
    total = paid.fen
    if total <= 0 or points <= 0:
        return 0
    before = min(total, max(0, refunded_before.fen))
    after = min(total, before + max(0, refunding.fen))
    return points * after // total - points * before // total


class LedgerKind(StrEnum):
    TOP_UP = "top_up"
    PAY = "pay"
    REFUND = "refund"


_CREDITS = (LedgerKind.TOP_UP, LedgerKind.REFUND)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One stored-value movement; ``amount`` is positive, the kind gives the sign."""

    id: str
    member_id: str
    kind: LedgerKind
    amount: Money
    at: datetime
    reference: str = ""

    def __post_init__(self) -> None:
        if self.amount.fen <= 0:
            raise ValueError("a ledger entry moves a positive amount")
        if self.at.utcoffset() is None:
            raise ValueError("ledger times are timezone-aware")

    @property
    def signed(self) -> Money:
        return self.amount if self.kind in _CREDITS else -self.amount


def balance(entries: Iterable[LedgerEntry]) -> Money:
    return Money(sum(entry.signed.fen for entry in entries))


def payment_refusal(current: Money, amount: Money) -> Refusal | None:
    """Refuse paying ``amount`` from a balance of ``current`` when it would go negative."""
    if amount.fen <= current.fen:
        return None
    return Refusal(
        "stored_value.insufficient",
        {"balance": current.yuan_text(), "missing": (amount - current).yuan_text()},
    )


class TotpAlgorithm(StrEnum):
    SHA1 = "sha1"
    SHA256 = "sha256"
    SHA512 = "sha512"


@dataclass(frozen=True, slots=True)
class TotpSettings:
    digits: int = 6
    algorithm: TotpAlgorithm = TotpAlgorithm.SHA1
    step_seconds: int = 30
    window: int = 1
    """Steps accepted either side of now (clock drift, the time to scan)."""
    diagnosis: int = field(default=10)
    """Steps either side inspected only to tell "expired" from "wrong"; never accepted."""

    def __post_init__(self) -> None:
        if not 6 <= self.digits <= 8 or self.step_seconds < 1 or self.window < 0:
            raise ValueError("TOTP needs 6-8 digits, a positive step and a window >= 0")


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def new_member_secret() -> bytes:
    """A random per-member TOTP secret (160 bits, the RFC 4226 recommended length)."""
    return secrets.token_bytes(20)


def time_step(at: datetime, settings: TotpSettings = TotpSettings()) -> int:
    if at.utcoffset() is None:
        raise ValueError("at must be timezone-aware")
    return (at - _EPOCH) // timedelta(seconds=settings.step_seconds)


def hotp(secret: bytes, counter: int, settings: TotpSettings = TotpSettings()) -> str:
    """RFC 4226 HOTP with the settings' hash and digits (RFC 6238 §1.2 allows SHA-256/512)."""
    digest = hmac.new(secret, counter.to_bytes(8, "big"), settings.algorithm.value).digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(number % 10**settings.digits).zfill(settings.digits)


def totp(secret: bytes, at: datetime, settings: TotpSettings = TotpSettings()) -> str:
    return hotp(secret, time_step(at, settings), settings)


def verify_totp(
    code: str,
    secret: bytes,
    at: datetime,
    last_used_step: int | None,
    settings: TotpSettings = TotpSettings(),
) -> int | Refusal:
    """The accepted time step (store it as the member's last used step), or why not:
    ``member_code.malformed``, ``.replayed``, ``.expired``, ``.not_yet_valid``, ``.wrong``."""
    if len(code) != settings.digits or not (code.isascii() and code.isdigit()):
        return Refusal("member_code.malformed")
    now = time_step(at, settings)
    near = sorted(
        range(now - settings.window, now + settings.window + 1),
        key=lambda step: (abs(step - now), step),
    )
    matching = [step for step in near if hmac.compare_digest(hotp(secret, step, settings), code)]
    fresh = [step for step in matching if last_used_step is None or step > last_used_step]
    if fresh:
        return fresh[0]
    if matching:
        return Refusal("member_code.replayed")
    for distance in range(settings.window + 1, settings.diagnosis + 1):
        if hmac.compare_digest(hotp(secret, now - distance, settings), code):
            return Refusal("member_code.expired")
        if hmac.compare_digest(hotp(secret, now + distance, settings), code):
            return Refusal("member_code.not_yet_valid")
    return Refusal("member_code.wrong")


MEMBER_CODE_PREFIX = "M"
CARD_NUMBER = re.compile(r"886\d{9}")
"""A member card number: 886 + 9 digits."""
_MEMBER_CODE = re.compile(r"M(\d{12})(\d{6})")


def member_code_text(
    card_no: str, secret: bytes, at: datetime, settings: TotpSettings = TotpSettings()
) -> str:
    """The dynamic member code the member's phone shows at ``at``: M + card + TOTP."""
    if not (len(card_no) == 12 and card_no.isascii() and card_no.isdigit()):
        raise ValueError("a member code needs a 12-digit card number")
    return f"{MEMBER_CODE_PREFIX}{card_no}{totp(secret, at, settings)}"


def parse_member_code(text: str) -> tuple[str, str] | None:
    """(card number, one-time code) of a scanned member code, or None if it is not one."""
    match = _MEMBER_CODE.fullmatch(text.strip().upper())
    if match is None:
        return None
    return match.group(1), match.group(2)


__all__ = [
    "CARD_NUMBER",
    "MEMBER_CODE_PREFIX",
    "LedgerEntry",
    "LedgerKind",
    "Member",
    "PointsPolicy",
    "PointsRedemption",
    "Refusal",
    "TierRule",
    "TotpAlgorithm",
    "TotpSettings",
    "balance",
    "hotp",
    "member_code_text",
    "new_member_secret",
    "parse_member_code",
    "payment_refusal",
    "points_earned",
    "points_to_reverse",
    "redeem_points",
    "time_step",
    "totp",
    "verify_totp",
]
