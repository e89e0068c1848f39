"""Face consents, embeddings and the processing record: rows <-> domain values.

"Once only" is the database's: a second active consent for a member fails on the partial
unique index ``uq_face_consents_active_member``; a withdrawal is an ``UPDATE ... WHERE
withdrawn_at IS NULL`` that must touch one row; capture numbers are a primary key.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import RowMapping, Table, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from pos_app.domain.faces import (
    ConsentScope,
    FaceConsent,
    Guardian,
    ProcessingAction,
    ProcessingEntry,
    WithdrawalReason,
    check_embedding,
)
from pos_app.errors import PosError
from pos_app.persistence.models import FaceConsentRow, FaceEmbeddingRow, FaceProcessingRow

CONSENTS = cast(Table, FaceConsentRow.__table__)
EMBEDDINGS = cast(Table, FaceEmbeddingRow.__table__)
RECORD = cast(Table, FaceProcessingRow.__table__)
INDEX_BATCH = 5_000


class ConsentChanged(PosError):
    """The consent was withdrawn by somebody else since it was read."""


class FaceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- consents -------------------------------------------------------------------------
    def add_consent(self, consent: FaceConsent) -> None:
        """Raises IntegrityError when the member already has an active consent."""
        guardian = consent.guardian
        self._session.execute(
            insert(CONSENTS).values(
                id=consent.id,
                member_id=consent.member_id,
                given_at=consent.given_at,
                notice_version=consent.notice_version,
                scope=consent.scope.value,
                terminal_code=consent.terminal_code,
                recorded_by=consent.recorded_by,
                minor=consent.minor,
                guardian_name=guardian.name if guardian else None,
                guardian_relationship=guardian.relationship if guardian else None,
                withdrawn_at=consent.withdrawn_at,
                last_used_at=consent.last_used_at,
                withdrawal_reason=_value(consent.withdrawal_reason),
            )
        )
        self._session.flush()

    def active_consent(self, member_id: str) -> FaceConsent | None:
        row = (
            self._session.execute(
                select(CONSENTS).where(
                    CONSENTS.c.member_id == member_id, CONSENTS.c.withdrawn_at.is_(None)
                )
            )
            .mappings()
            .first()
        )
        return None if row is None else _consent(row)

    def consents(self, member_id: str) -> list[FaceConsent]:
        """Every consent the member gave, oldest first, withdrawn ones included."""
        rows = self._session.execute(
            select(CONSENTS).where(CONSENTS.c.member_id == member_id).order_by(CONSENTS.c.given_at)
        ).mappings()
        return [_consent(row) for row in rows]

    def withdraw(self, consent: FaceConsent) -> None:
        """Store ``consent``'s withdrawal; it must still be active in the database."""
        result = self._session.execute(
            update(CONSENTS)
            .where(CONSENTS.c.id == consent.id, CONSENTS.c.withdrawn_at.is_(None))
            .values(
                withdrawn_at=consent.withdrawn_at,
                withdrawal_reason=_value(consent.withdrawal_reason),
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConsentChanged(consent.id)

    def mark_used(self, member_id: str, at: datetime) -> None:
        self._session.execute(
            update(CONSENTS)
            .where(CONSENTS.c.member_id == member_id, CONSENTS.c.withdrawn_at.is_(None))
            .values(last_used_at=at)
        )

    def expired(self, cutoff: datetime) -> list[FaceConsent]:
        """Active consents last used (or given, when never used) before ``cutoff``."""
        last = func.coalesce(CONSENTS.c.last_used_at, CONSENTS.c.given_at)
        rows = self._session.execute(
            select(CONSENTS).where(CONSENTS.c.withdrawn_at.is_(None), last < cutoff).order_by(last)
        ).mappings()
        return [_consent(row) for row in rows]

    # --- embeddings -----------------------------------------------------------------------
    def capture_count(self, member_id: str) -> int:
        return int(
            self._session.execute(
                select(func.count())
                .select_from(EMBEDDINGS)
                .where(EMBEDDINGS.c.member_id == member_id)
            ).scalar_one()
        )

    def add_embeddings(
        self,
        member_id: str,
        embeddings: Sequence[bytes],
        *,
        at: datetime,
        model: str,
        scope: ConsentScope,
        terminal_code: str,
    ) -> int:
        """Store the captures after any the member has; returns their number in all."""
        last = self._session.execute(
            select(func.max(EMBEDDINGS.c.capture_no)).where(EMBEDDINGS.c.member_id == member_id)
        ).scalar_one()
        first = 1 if last is None else int(last) + 1
        self._session.execute(
            insert(EMBEDDINGS),
            [
                {
                    "member_id": member_id,
                    "capture_no": first + i,
                    "embedding": check_embedding(e),
                    "model": model,
                    "scope": scope.value,
                    "terminal_code": terminal_code,
                    "created_at": at,
                }
                for i, e in enumerate(embeddings)
            ],
        )
        return first - 1 + len(embeddings)

    def delete_embeddings(self, member_id: str) -> int:
        result = self._session.execute(
            delete(EMBEDDINGS).where(EMBEDDINGS.c.member_id == member_id)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def enrolled_count(self) -> int:
        """People with face data stored here (the count the filing duty is about)."""
        return int(
            self._session.execute(
                select(func.count(func.distinct(EMBEDDINGS.c.member_id)))
            ).scalar_one()
        )

    def index_entries(self, *, terminal_code: str, model: str) -> Iterator[tuple[str, bytes]]:
        """(member_id, embedding) this terminal may search: its own, and store-wide ones.

        Streams in batches; iterate before the session closes.
        """
        query = (
            select(EMBEDDINGS.c.member_id, EMBEDDINGS.c.embedding)
            .where(
                EMBEDDINGS.c.model == model,
                or_(
                    EMBEDDINGS.c.scope == ConsentScope.STORE.value,
                    EMBEDDINGS.c.terminal_code == terminal_code,
                ),
            )
            .order_by(EMBEDDINGS.c.member_id, EMBEDDINGS.c.capture_no)
            .execution_options(yield_per=INDEX_BATCH)
        )
        for member_id, embedding in self._session.execute(query):
            yield str(member_id), bytes(embedding)

    # --- processing record ----------------------------------------------------------------
    def log(self, entry: ProcessingEntry) -> None:
        self._session.execute(
            insert(RECORD).values(
                at=entry.at,
                terminal_code=entry.terminal_code,
                action=entry.action.value,
                member_id=entry.member_id,
                staff_id=entry.staff_id,
                detail=entry.detail,
            )
        )

    def processing_record(self, since: datetime, until: datetime) -> list[ProcessingEntry]:
        """Entries with ``since <= at < until``, in the order they were written."""
        rows = self._session.execute(
            select(RECORD)
            .where(RECORD.c.at >= since, RECORD.c.at < until)
            .order_by(RECORD.c.at, RECORD.c.id)
        ).mappings()
        return [
            ProcessingEntry(
                at=row["at"],
                terminal_code=row["terminal_code"],
                action=ProcessingAction(row["action"]),
                member_id=row["member_id"],
                staff_id=row["staff_id"],
                detail=row["detail"],
            )
            for row in rows
        ]


def _value(reason: WithdrawalReason | None) -> str | None:
    return None if reason is None else reason.value


def _consent(row: RowMapping) -> FaceConsent:
    guardian = None
    if row["guardian_name"] is not None:
        guardian = Guardian(row["guardian_name"], row["guardian_relationship"] or "")
    reason = row["withdrawal_reason"]
    return FaceConsent(
        id=row["id"],
        member_id=row["member_id"],
        given_at=row["given_at"],
        notice_version=row["notice_version"],
        scope=ConsentScope(row["scope"]),
        terminal_code=row["terminal_code"],
        recorded_by=row["recorded_by"],
        minor=bool(row["minor"]),
        guardian=guardian,
        withdrawn_at=row["withdrawn_at"],
        withdrawal_reason=None if reason is None else WithdrawalReason(reason),
        last_used_at=row["last_used_at"],
    )
