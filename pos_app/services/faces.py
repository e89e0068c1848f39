"""FaceService: consent, enrolment, deletion and identification of members by face.

Privacy by design: only embeddings are stored, only with a recorded consent, only on this
terminal (or the store's lanes where the consent says so); a deletion leaves nothing behind
but the record that it happened; an identification is a candidate the member (or cashier)
confirms, never applied by itself; every processing step is in an exportable record.

The search runs over an in-memory index (the ``FaceMatcher`` port) rebuilt from the database
by ``start()``. Writes commit first and update the index after, so a crash in between is
mended by the rebuild at the next start. ``identify`` touches no database and may run on any
thread; the rest runs on the store lane. Nothing here logs face data.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from pos_app.clock import Clock
from pos_app.config import FacesConfig
from pos_app.domain.faces import (
    CapturePolicy,
    ConsentScope,
    CountLevel,
    CountPolicy,
    FaceConsent,
    Guardian,
    MatchOutcome,
    MatchPolicy,
    ProcessingAction,
    ProcessingEntry,
    RetentionRule,
    WithdrawalReason,
    check_embedding,
    consent_refusal,
)
from pos_app.domain.ids import new_id
from pos_app.errors import UserError
from pos_app.persistence.repositories.faces import FaceRepository
from pos_app.ports.faces import FaceMatcher

log = logging.getLogger(__name__)

RECORD_COLUMNS = ("at_utc", "terminal", "action", "member_id", "staff_id", "detail")


@dataclass(frozen=True, slots=True)
class FacePolicy:
    """The store's face settings: the consent notice shown now and the domain rules."""

    notice_version: str
    match: MatchPolicy = field(default_factory=MatchPolicy)
    captures: CapturePolicy = field(default_factory=CapturePolicy)
    retention: RetentionRule = field(default_factory=RetentionRule)
    counts: CountPolicy = field(default_factory=CountPolicy)
    default_scope: ConsentScope = ConsentScope.TERMINAL
    """Where a new consent lets the face data be used unless the member chooses otherwise."""


@dataclass(frozen=True, slots=True)
class FaceStatus:
    """A member's face data here: an active consent, and the captures stored under it."""

    consent: bool
    captures: int


@dataclass(frozen=True, slots=True)
class FaceCandidate:
    """What ``identify`` found: a member to confirm, or why there is none.

    ACCEPT: show the candidate, the member confirms with one tap. ASK_TO_CONFIRM: ask for a
    second factor before showing who it is. REFUSE: offer member code, phone or card.
    """

    outcome: MatchOutcome
    member_id: str | None
    reason: str | None
    score: float | None
    threshold: float


@dataclass(frozen=True, slots=True)
class EnrolledCount:
    """The managers' view: people with face data here, and how near the filing count."""

    count: int
    level: CountLevel
    warn_at: int
    filing_at: int
    filed: bool


@dataclass(frozen=True, slots=True)
class Enrolment:
    member_id: str
    captures: int
    """Captures the member has in all."""
    enrolled: EnrolledCount


class FaceService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        matcher: FaceMatcher,
        clock: Clock,
        *,
        terminal_code: str,
        model_id: str,
        policy: FacePolicy,
    ) -> None:
        self._sessions = sessions
        self._matcher = matcher
        self._clock = clock
        self._terminal = terminal_code
        self._model = model_id
        self.policy = policy

    def start(self) -> int:
        """Rebuild the in-memory index from the database; returns the members it holds."""
        with self._sessions() as session:
            faces = FaceRepository(session)
            self._matcher.load(faces.index_entries(terminal_code=self._terminal, model=self._model))
        count = self._matcher.count()
        log.info("face index rebuilt: %d members", count)
        return count

    def status(self, member_id: str) -> FaceStatus:
        with self._sessions() as session:
            faces = FaceRepository(session)
            consent = faces.active_consent(member_id)
            return FaceStatus(consent is not None, faces.capture_count(member_id))

    def record_consent(
        self,
        member_id: str,
        *,
        notice_version: str,
        scope: ConsentScope,
        staff_id: str,
        minor: bool = False,
        guardian: Guardian | None = None,
    ) -> FaceConsent:
        """Record the member's separate consent (a guardian's for a child under 14)."""
        current = self.policy.notice_version
        refusal = consent_refusal(
            minor=minor, guardian=guardian, notice_version=notice_version, current_notice=current
        )
        if refusal:
            raise UserError(refusal)
        consent = FaceConsent(
            id=new_id(), member_id=member_id, given_at=self._clock.now(),
            notice_version=notice_version, scope=scope, terminal_code=self._terminal,
            recorded_by=staff_id, minor=minor, guardian=guardian,
        )  # fmt: skip
        detail = f"notice={notice_version}; scope={scope.value}; guardian={guardian is not None}"
        with self._sessions() as session:
            faces = FaceRepository(session)
            try:
                faces.add_consent(consent)
            except IntegrityError:
                raise UserError("face.consent_exists") from None
            self._log(faces, ProcessingAction.CONSENT_GIVEN, member_id, staff_id, detail)
            session.commit()
        return consent

    def enrol(self, member_id: str, captures: Sequence[bytes], *, staff_id: str) -> Enrolment:
        """Store a member's captures (several, of one face) under their active consent."""
        captures = [check_embedding(capture) for capture in captures]
        with self._sessions() as session:
            faces = FaceRepository(session)
            consent = faces.active_consent(member_id)
            if consent is None:
                raise UserError("face.no_consent")
            existing = faces.capture_count(member_id)
            self._check_enrolment(member_id, captures, existing, faces.enrolled_count())
            total = faces.add_embeddings(
                member_id, captures, at=self._clock.now(), model=self._model,
                scope=consent.scope, terminal_code=self._terminal,
            )  # fmt: skip
            detail = f"captures={len(captures)}"
            self._log(faces, ProcessingAction.ENROLLED, member_id, staff_id, detail)
            session.commit()
            count = faces.enrolled_count()
        if consent.shared_with(self._terminal):
            self._matcher.enrol(member_id, captures)
        return Enrolment(member_id, total, self._count_view(count))

    def delete(
        self,
        member_id: str,
        *,
        staff_id: str | None,
        reason: WithdrawalReason = WithdrawalReason.MEMBER_REQUEST,
    ) -> int:
        """Erase the member's face data and withdraw the consent; returns captures erased.

        What stays is the withdrawn consent and the processing record: proof of the erasure.
        Doing it twice is harmless.
        """
        with self._sessions() as session:
            erased = self._erase(FaceRepository(session), member_id, staff_id, reason)
            session.commit()
        self._matcher.remove(member_id)
        return erased

    def identify(self, embedding: bytes) -> FaceCandidate:
        """The member to ask about, or why nobody; records nothing until ``confirm``."""
        match = self._matcher.identify(check_embedding(embedding))
        enrolled = self._matcher.count()
        threshold = self.policy.match.threshold(enrolled)
        if match is None:
            decision = self.policy.match.decide(None, None, enrolled=enrolled)
            return FaceCandidate(decision.outcome, None, decision.reason, None, threshold)
        decision = self.policy.match.decide(match.score, match.second_score, enrolled=enrolled)
        member = match.member_id if decision.outcome is not MatchOutcome.REFUSE else None
        return FaceCandidate(decision.outcome, member, decision.reason, match.score, threshold)

    def confirm(self, member_id: str, *, confirmed: bool, staff_id: str | None = None) -> None:
        """Record the member's (or cashier's) answer to a candidate; only then is it used."""
        action = ProcessingAction.IDENTIFIED_CONFIRMED
        if not confirmed:
            action = ProcessingAction.IDENTIFIED_REJECTED
        with self._sessions() as session:
            faces = FaceRepository(session)
            if faces.active_consent(member_id) is None:
                raise UserError("face.no_consent")
            if confirmed:
                faces.mark_used(member_id, self._clock.now())
            self._log(faces, action, member_id, staff_id, "")
            session.commit()

    def purge_expired(self) -> int:
        """Erase the face data of members not identified within the retention period."""
        cutoff = self.policy.retention.cutoff(self._clock.now())
        with self._sessions() as session:
            faces = FaceRepository(session)
            expired = [consent.member_id for consent in faces.expired(cutoff)]
            for member_id in expired:
                self._erase(faces, member_id, None, WithdrawalReason.RETENTION_EXPIRED)
            session.commit()
        for member_id in expired:
            self._matcher.remove(member_id)
        if expired:
            log.info("face data of %d members erased after the retention period", len(expired))
        return len(expired)

    def enrolled_count(self) -> EnrolledCount:
        with self._sessions() as session:
            return self._count_view(FaceRepository(session).enrolled_count())

    def export_processing_record(
        self, out: TextIO, *, since: datetime, until: datetime, staff_id: str
    ) -> int:
        """Write the processing record for ``since <= at < until`` as CSV; returns rows."""
        with self._sessions() as session:
            faces = FaceRepository(session)
            entries = faces.processing_record(since, until)
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(RECORD_COLUMNS)
            writer.writerows(_csv_row(entry) for entry in entries)
            detail = f"from={since.isoformat()}; to={until.isoformat()}"
            self._log(faces, ProcessingAction.RECORD_EXPORTED, None, staff_id, detail)
            session.commit()
        return len(entries)

    def _check_enrolment(
        self, member_id: str, captures: Sequence[bytes], existing: int, count: int
    ) -> None:
        policy = self.policy
        refusal = policy.captures.refusal(captures, existing)
        refusal = refusal or policy.counts.enrolment_refusal(count, already_enrolled=existing > 0)
        if refusal:
            raise UserError(refusal)
        # One person, one member: a face already enrolled for someone else would make both
        # ambiguous at every identification.
        threshold = policy.match.threshold(self._matcher.count())
        for capture in captures:
            match = self._matcher.identify(capture)
            if match is not None and match.member_id != member_id and match.score >= threshold:
                raise UserError("face.enrolled_as_other_member")

    def _erase(
        self, faces: FaceRepository, member_id: str, staff_id: str | None, reason: WithdrawalReason
    ) -> int:
        consent = faces.active_consent(member_id)
        if consent is not None:
            faces.withdraw(consent.withdrawn(self._clock.now(), reason))
        erased = faces.delete_embeddings(member_id)
        if consent is not None or erased:
            detail = f"captures={erased}; reason={reason.value}"
            self._log(faces, ProcessingAction.DELETED, member_id, staff_id, detail)
        return erased

    def _count_view(self, count: int) -> EnrolledCount:
        counts = self.policy.counts
        level = counts.level(count)
        return EnrolledCount(count, level, counts.warn_at, counts.filing_at, counts.filed)

    def _log(
        self,
        faces: FaceRepository,
        action: ProcessingAction,
        member_id: str | None,
        staff_id: str | None,
        detail: str,
    ) -> None:
        at = self._clock.now()
        faces.log(ProcessingEntry(at, self._terminal, action, member_id, staff_id, detail))


def face_policy(config: FacesConfig) -> FacePolicy:
    """The store's face settings from the [faces] section of the config file."""
    return FacePolicy(
        notice_version=config.notice_version,
        retention=RetentionRule(idle_days=config.retention_days),
        counts=CountPolicy(warn_at=config.warn_at, urgent_at=config.urgent_at,
                           filed=config.filed),
        default_scope=ConsentScope(config.default_scope),
    )


def _csv_row(entry: ProcessingEntry) -> tuple[str, ...]:
    return (
        entry.at.isoformat(), entry.terminal_code, entry.action.value, entry.member_id or "",
        entry.staff_id or "", entry.detail,
    )  # fmt: skip
