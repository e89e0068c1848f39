"""A report's read transaction on SQLite takes no write lock: a till can commit a sale while
the manager's report is still reading, and the report keeps the snapshot it started with.
Every other transaction still takes the write lock at BEGIN (BEGIN IMMEDIATE)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from pos_app.persistence.db import make_session_factory
from pos_app.persistence.models import MemberRow
from pos_app.persistence.queries import read_snapshot

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def _member(number: int) -> dict[str, object]:
    return {
        "id": f"m-{number}",
        "card_no": f"88600000000{number}",
        "phone": f"1380000000{number}",
        "name": "李娜",
        "tier": "gold",
        "points": 0,
        "created_at": T0,
    }


def _count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(MemberRow)).scalar_one())


def _try_write(path: str) -> None:
    """Another till's write transaction, failing at once instead of waiting for a lock."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute(
            "INSERT INTO members (id, card_no, phone, name, tier, points, created_at,"
            " totp_last_step, stored_value_fen) VALUES ('m-2', '886000000002', '13800000002',"
            " '王芳', 'gold', 0, '2026-11-24 02:00:00', 0, 0)"
        )
        other.execute("COMMIT")
    finally:
        other.close()


def test_a_till_commits_while_a_report_reads_and_the_report_keeps_its_snapshot(
    sqlite_engine: Engine,
) -> None:
    with sqlite_engine.begin() as connection:
        connection.execute(insert(MemberRow).values(**_member(1)))
    sessions = make_session_factory(sqlite_engine)
    path = sqlite_engine.url.database
    assert path is not None
    with sessions() as report:
        read_snapshot(report)
        assert _count(report) == 1  # the report's snapshot starts here
        _try_write(path)  # no "database is locked": the report holds no write lock
        assert _count(report) == 1  # still the snapshot it started with
    with sessions() as later:
        assert _count(later) == 2


def test_any_other_transaction_still_takes_the_write_lock_at_begin(
    sqlite_engine: Engine,
) -> None:
    sessions = make_session_factory(sqlite_engine)
    path = sqlite_engine.url.database
    assert path is not None
    with sessions() as till, till.begin():
        _count(till)  # a plain transaction that has only read so far
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            _try_write(path)
