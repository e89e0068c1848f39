"""Bring a database to the newest schema: backup first (SQLite), then Alembic upgrade."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from pos_app.persistence.db import checkpoint_sqlite

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migration scripts found")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, *, backup: bool = True) -> bool:
    """Upgrade to head; return True when anything ran. SQLite files are copied first."""
    if current_revision(engine) == head_revision():
        return False
    if backup:
        _backup_sqlite(engine)
    _run(engine, lambda config: command.upgrade(config, "head"))
    log.info("database upgraded to %s", head_revision())
    return True


def downgrade(engine: Engine, revision: str) -> None:
    _run(engine, lambda config: command.downgrade(config, revision))


def _run(engine: Engine, step: Callable[[Config], None]) -> None:
    """One migration run in one transaction. On SQLite, foreign keys are off for its length:
    batch migrations rebuild a table (copy, drop, rename), which a referenced table cannot
    survive with them on; the pragma only takes effect outside a transaction."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.connection.dbapi_connection.execute(  # type: ignore[union-attr]
                "PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config = alembic_config()
                config.attributes["connection"] = connection
                step(config)
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute(  # type: ignore[union-attr]
                    "PRAGMA foreign_keys=ON")


def _backup_sqlite(engine: Engine) -> Path | None:
    url = make_url(str(engine.url))
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    source = Path(url.database)
    if not source.exists() or source.stat().st_size == 0:
        return None
    target = source.with_suffix(source.suffix + ".bak")
    checkpoint_sqlite(engine)
    shutil.copy2(source, target)
    log.info("backed up %s to %s before migrating", source, target)
    return target
