"""Append-only records: events for reports, the hash-chained audit log, print jobs."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from pos_app.domain.audit import AuditEntry, next_entry
from pos_app.persistence.models import AuditRow, EventRow, PrintJobRow


class EventJournal:
    def __init__(self, session: Session, terminal_code: str) -> None:
        self._session = session
        self._terminal_code = terminal_code

    def append(self, kind: str, at: datetime, *, order_id: str | None = None,
               payload: Mapping[str, Any] | None = None) -> None:
        self._session.execute(insert(EventRow.__table__).values(
            at=at, kind=kind, terminal_code=self._terminal_code, order_id=order_id,
            payload=json.dumps(payload or {}, sort_keys=True, ensure_ascii=False)))


class AuditLog:
    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, at: datetime, *, actor_id: str, action: str, subject: str,
               details: Mapping[str, Any]) -> AuditEntry:
        """Chain onto the newest entry. The primary key on seq makes a concurrent writer that
        read the same predecessor fail its commit instead of forking the chain."""
        last = self._session.execute(
            select(AuditRow).order_by(AuditRow.seq.desc()).limit(1)).scalar()
        entry = next_entry(None if last is None else _entry(last), at=at, actor_id=actor_id,
                           action=action, subject=subject, details=details)
        self._session.execute(insert(AuditRow.__table__).values(
            seq=entry.seq, at=entry.at, actor_id=entry.actor_id, action=entry.action,
            subject=entry.subject, details=entry.details, prev_hash=entry.prev_hash,
            hash=entry.hash))
        return entry

    def entries(self) -> Iterator[AuditEntry]:
        for row in self._session.execute(select(AuditRow).order_by(AuditRow.seq)).scalars():
            yield _entry(row)


class PrintJobs:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, job_id: str, order_id: str, at: datetime, *, copy: bool = False) -> None:
        self._session.execute(insert(PrintJobRow.__table__).values(
            id=job_id, order_id=order_id, state="queued", copy=copy, created_at=at))

    def finish(self, job_id: str, ok: bool, error: str | None) -> None:
        self._session.execute(update(PrintJobRow.__table__)
                              .where(PrintJobRow.__table__.c.id == job_id)
                              .values(state="printed" if ok else "failed", error=error))

    def requeue_failed(self) -> list[tuple[str, str, bool]]:
        """(job id, order id, copy) of failed jobs, oldest first, each moved back to "queued"
        by a conditional UPDATE: a job is taken for another try by one caller only, so two
        recoveries in a row cannot print it twice."""
        rows = self._session.execute(
            select(PrintJobRow.id, PrintJobRow.order_id, PrintJobRow.copy)
            .where(PrintJobRow.state == "failed").order_by(PrintJobRow.created_at)).all()
        taken = []
        for row in rows:
            moved = self._session.execute(
                update(PrintJobRow.__table__)
                .where(PrintJobRow.__table__.c.id == row.id,
                       PrintJobRow.__table__.c.state == "failed")
                .values(state="queued"))
            if moved.rowcount == 1:  # type: ignore[attr-defined]
                taken.append((row.id, row.order_id, row.copy))
        return taken

    def waiting(self) -> list[tuple[str, str, bool]]:
        """(job id, order id, copy) of jobs not yet printed, oldest first."""
        rows = self._session.execute(
            select(PrintJobRow.id, PrintJobRow.order_id, PrintJobRow.copy)
            .where(PrintJobRow.state != "printed").order_by(PrintJobRow.created_at))
        return [(r.id, r.order_id, r.copy) for r in rows]


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(row.seq, row.at, row.actor_id, row.action, row.subject, row.details,
                      row.prev_hash, row.hash)
