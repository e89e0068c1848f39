"""Face recognition rules: consent, retention, when a match may be offered, enrolled counts.

The law (人脸识别技术应用安全管理办法, in force 2025-06-01, over PIPL; see shared/hardware/
face.md): separate, informed consent before enrolment, a parent's or guardian's for a child
under 14; face recognition never the only way; face data kept on the terminal (other lanes of
the store only where the consent says so) and no longer than the purpose needs; a record of
the processing; storing the faces of 100,000 people or more needs a filing with the provincial
cyberspace authority.

Scores are cosine similarities of SFace embeddings (-1..1). Measured on 609 people (185,136
impostor pairs): 0.01 % of impostor pairs reach 0.453, the closest scored 0.502; the same
person across real photos scored 0.62-0.90. The chance that *some* enrolled member looks like
a stranger grows with the number enrolled, so the threshold rises by ``per_decade`` for each
tenfold above ``from_count`` (0.50 up to 1,000 members, 0.55 at 10,000, 0.60 at 100,000).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

MINOR_AGE: Final = 14
"""Below this age a parent's or guardian's consent is needed (PIPL art. 31)."""
FILING_COUNT: Final = 100_000
"""People whose face data is stored at or above which a filing is required."""
EMBEDDING_SIZE: Final = 128
"""Values in one embedding (SFace)."""
EMBEDDING_BYTES: Final = EMBEDDING_SIZE * 4
"""Bytes in one stored embedding: little-endian float32, L2-normalised."""


def check_embedding(embedding: bytes) -> bytes:
    """``embedding`` itself when it has the right size; ValueError otherwise (never shows it)."""
    if not isinstance(embedding, bytes) or len(embedding) != EMBEDDING_BYTES:
        size = len(embedding) if isinstance(embedding, bytes) else type(embedding).__name__
        raise ValueError(f"an embedding is {EMBEDDING_BYTES} bytes, got {size}")
    return embedding


_FLOATS = struct.Struct(f"<{EMBEDDING_SIZE}f")


def cosine(a: bytes, b: bytes) -> float:
    """Cosine similarity of two L2-normalised embeddings: their dot product."""
    return math.fsum(x * y for x, y in zip(_FLOATS.unpack(a), _FLOATS.unpack(b), strict=True))


class ConsentScope(StrEnum):
    TERMINAL = "terminal"
    """The embeddings stay on the terminal where the member enrolled."""
    STORE = "store"
    """The member also agreed to their use at the other lanes of the same store."""


class WithdrawalReason(StrEnum):
    MEMBER_REQUEST = "member_request"
    RETENTION_EXPIRED = "retention_expired"
    MEMBERSHIP_ENDED = "membership_ended"


@dataclass(frozen=True, slots=True)
class Guardian:
    """The parent or guardian who consented for a child under 14."""

    name: str
    relationship: str

    def __post_init__(self) -> None:
        if not self.name.strip() or not self.relationship.strip():
            raise ValueError("a guardian needs a name and a relationship")


@dataclass(frozen=True, slots=True)
class FaceConsent:
    """One separate consent to face recognition, and what became of it.

    Kept after withdrawal (``withdrawn_at`` set) as the record that the face data was erased.
    ``last_used_at`` is the last confirmed identification; retention counts from it.
    """

    id: str
    member_id: str
    given_at: datetime
    notice_version: str
    scope: ConsentScope
    terminal_code: str
    recorded_by: str
    minor: bool = False
    guardian: Guardian | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: WithdrawalReason | None = None
    last_used_at: datetime | None = None

    def __post_init__(self) -> None:
        for at in (self.given_at, self.withdrawn_at, self.last_used_at):
            if at is not None and at.utcoffset() is None:
                raise ValueError("consent times are timezone-aware")
        if not self.notice_version.strip():
            raise ValueError("a consent names the notice version the member was shown")
        if self.minor and self.guardian is None:
            raise ValueError("a child under 14 needs a parent's or guardian's consent")
        if (self.withdrawn_at is None) != (self.withdrawal_reason is None):
            raise ValueError("a withdrawal has both a time and a reason")

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None

    def withdrawn(self, at: datetime, reason: WithdrawalReason) -> FaceConsent:
        return replace(self, withdrawn_at=at, withdrawal_reason=reason)

    def shared_with(self, terminal_code: str) -> bool:
        """May this consent's embeddings be used at ``terminal_code``?"""
        return self.scope is ConsentScope.STORE or self.terminal_code == terminal_code


def consent_refusal(
    *, minor: bool, guardian: Guardian | None, notice_version: str, current_notice: str
) -> str | None:
    """Why a consent cannot be recorded (a UserError code), or None when it can."""
    if notice_version != current_notice:
        return "face.notice_outdated"
    if minor and guardian is None:
        return "face.guardian_required"
    return None


@dataclass(frozen=True, slots=True)
class RetentionRule:
    """Face data is erased after ``idle_days`` without a confirmed identification."""

    idle_days: int = 365

    def __post_init__(self) -> None:
        if self.idle_days < 1:
            raise ValueError("idle_days must be at least 1")

    def expires_at(self, consent: FaceConsent) -> datetime:
        return (consent.last_used_at or consent.given_at) + timedelta(days=self.idle_days)

    def expired(self, consent: FaceConsent, now: datetime) -> bool:
        return consent.active and now >= self.expires_at(consent)

    def cutoff(self, now: datetime) -> datetime:
        """Consents last used (or given, if never used) before this have expired."""
        return now - timedelta(days=self.idle_days)


@dataclass(frozen=True, slots=True)
class CapturePolicy:
    """Captures taken at one enrolment, and kept per member in all."""

    min_captures: int = 3
    max_captures: int = 5
    max_per_member: int = 10
    same_person: float = 0.50
    """Every two captures of one enrolment must score this much: one person, not passers-by."""

    def refusal(self, captures: Sequence[bytes], existing: int) -> str | None:
        """Why these captures cannot be enrolled (a UserError code), or None."""
        if len(captures) < self.min_captures:
            return "face.too_few_captures"
        if len(captures) > self.max_captures or existing + len(captures) > self.max_per_member:
            return "face.too_many_captures"
        for i, first in enumerate(captures):
            if any(cosine(first, other) < self.same_person for other in captures[i + 1 :]):
                return "face.captures_differ"
        return None


class MatchOutcome(StrEnum):
    ACCEPT = "accept"
    """Offer the candidate; the member (or cashier) confirms with one tap before it is used."""
    ASK_TO_CONFIRM = "ask_to_confirm"
    """Close to the threshold: the member proves it with a second factor (e.g. the last four
    digits of the phone number) before the candidate is shown or used."""
    REFUSE = "refuse"
    """No candidate: offer the member code, phone number or card."""


@dataclass(frozen=True, slots=True)
class MatchDecision:
    outcome: MatchOutcome
    reason: str | None = None
    """Why it was refused: face.none_enrolled, face.no_match, face.ambiguous."""


@dataclass(frozen=True, slots=True)
class MatchPolicy:
    base_threshold: float = 0.50
    from_count: int = 1_000
    per_decade: float = 0.05
    min_margin: float = 0.06
    """The best member must beat every other member by this much."""
    confirm_band: float = 0.10
    """Scores within this band above the threshold ask for a second factor."""

    def __post_init__(self) -> None:
        if not 0 < self.base_threshold < 1 or self.from_count < 1:
            raise ValueError("the threshold lies in (0, 1) and from_count is positive")
        if self.per_decade < 0 or self.min_margin < 0 or self.confirm_band < 0:
            raise ValueError("per_decade, min_margin and confirm_band cannot be negative")

    def threshold(self, enrolled: int) -> float:
        """The score a candidate needs when ``enrolled`` members are searched."""
        decades = math.log10(enrolled / self.from_count) if enrolled > self.from_count else 0.0
        return min(0.99, self.base_threshold + self.per_decade * decades)

    def decide(self, best: float | None, second: float | None, *, enrolled: int) -> MatchDecision:
        return decide(
            best,
            second,
            threshold=self.threshold(enrolled),
            margin=self.min_margin,
            confirm_band=self.confirm_band,
        )


def decide(
    best: float | None,
    second: float | None,
    *,
    threshold: float,
    margin: float,
    confirm_band: float = 0.10,
) -> MatchDecision:
    """Accept, ask to confirm, or refuse the nearest member (best) given the runner-up."""
    if best is None:
        return MatchDecision(MatchOutcome.REFUSE, "face.none_enrolled")
    if best < threshold:
        return MatchDecision(MatchOutcome.REFUSE, "face.no_match")
    if best - (second if second is not None else 0.0) < margin:
        return MatchDecision(MatchOutcome.REFUSE, "face.ambiguous")
    if best < threshold + confirm_band:
        return MatchDecision(MatchOutcome.ASK_TO_CONFIRM)
    return MatchDecision(MatchOutcome.ACCEPT)


class CountLevel(StrEnum):
    NORMAL = "normal"
    WARNING = "warning"
    URGENT = "urgent"
    FILING_REQUIRED = "filing_required"


@dataclass(frozen=True, slots=True)
class CountPolicy:
    """When the manager's count of enrolled people turns amber, red, and needs a filing."""

    warn_at: int = 50_000
    urgent_at: int = 80_000
    filing_at: int = FILING_COUNT
    filed: bool = False
    """The store has filed with the provincial cyberspace authority."""

    def __post_init__(self) -> None:
        if not 0 < self.warn_at <= self.urgent_at <= self.filing_at:
            raise ValueError("need 0 < warn_at <= urgent_at <= filing_at")

    def level(self, count: int) -> CountLevel:
        if count >= self.filing_at:
            return CountLevel.FILING_REQUIRED
        if count >= self.urgent_at:
            return CountLevel.URGENT
        if count >= self.warn_at:
            return CountLevel.WARNING
        return CountLevel.NORMAL

    def enrolment_refusal(self, count: int, *, already_enrolled: bool) -> str | None:
        """Refuse a new person that would reach the filing count before the store has filed."""
        if already_enrolled or self.filed or count + 1 < self.filing_at:
            return None
        return "face.filing_required"


class ProcessingAction(StrEnum):
    CONSENT_GIVEN = "consent_given"
    ENROLLED = "enrolled"
    IDENTIFIED_CONFIRMED = "identified_confirmed"
    IDENTIFIED_REJECTED = "identified_rejected"
    DELETED = "deleted"
    RECORD_EXPORTED = "record_exported"


@dataclass(frozen=True, slots=True)
class ProcessingEntry:
    """One line of the processing record. Never holds face data: ids, counts and codes only."""

    at: datetime
    terminal_code: str
    action: ProcessingAction
    member_id: str | None = None
    staff_id: str | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        if self.at.utcoffset() is None:
            raise ValueError("processing times are timezone-aware")
