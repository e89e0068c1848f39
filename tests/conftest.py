"""Shared fixtures: a migrated database per test (SQLite, and PostgreSQL when the test
command provides one), a fixed clock, an event bus."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from hardware.printer.transports import prepare_escpos_env
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.persistence.db import checkpoint_sqlite, make_engine, sqlite_url
from pos_app.persistence.migrate import upgrade

prepare_escpos_env()
POSTGRES_URL = os.environ.get("POS_TEST_POSTGRES_URL", "")
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="POS_TEST_POSTGRES_URL not set (the test command sets it)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once per session; each test copies the file."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(sqlite_url(path))
    upgrade(engine, backup=False)
    checkpoint_sqlite(engine)
    engine.dispose()
    return path


@pytest.fixture
def sqlite_db_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "pos.sqlite3"
    shutil.copy(sqlite_template, path)
    return sqlite_url(path)


@pytest.fixture
def postgres_db_url() -> Iterator[str]:
    """A fresh, migrated database on the test PostgreSQL server, dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("POS_TEST_POSTGRES_URL not set")
    name = f"pos_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine, backup=False)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Runs a test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_db_url"))
    return str(request.getfixturevalue("postgres_db_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_db_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 24, 2, 30, tzinfo=UTC))


@pytest.fixture
def bus() -> EventBus:
    return EventBus()
