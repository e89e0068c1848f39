"""Engine and sessions. SQLite: WAL, foreign keys, busy timeout, BEGIN IMMEDIATE, full sync.

BEGIN IMMEDIATE takes the write lock at the start of a transaction, so two writers queue on
the busy timeout instead of failing half-way with "database is locked" on upgrade. A
transaction that only reads (a report) says so with the ``READ_ONLY`` execution option and
begins deferred: it takes no write lock, so it never holds a sale up, and in WAL mode it
still reads one snapshot.
synchronous=FULL makes a committed sale survive power loss in WAL mode.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
READ_ONLY = "pos_read_only"
"""Execution option for a connection whose transaction only reads (see the module doc)."""


def sqlite_url(path: Path) -> str:
    return f"sqlite+pysqlite:///{path}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, poolclass=NullPool if _memory(url) else None,
                               connect_args={"check_same_thread": False})
        _tune_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)


def _memory(url: str) -> bool:
    return make_url(url).database in (None, "", ":memory:")


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        reading = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def checkpoint_sqlite(engine: Engine) -> None:
    """Fold the WAL into the main file (before a copy); runs outside any transaction."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()
