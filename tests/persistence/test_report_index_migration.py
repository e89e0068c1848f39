"""Migration 0010 (the report's index on orders) goes down and up on SQLite and PostgreSQL,
matches the models, and the report's range read uses it on SQLite."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from pos_app.persistence.migrate import downgrade, upgrade
from pos_app.persistence.models import Base

INDEX = "ix_orders_store_completed"


def indexes(engine: Engine) -> set[str]:
    return {index["name"] or "" for index in inspect(engine).get_indexes("orders")}


def test_0010_goes_down_and_up_and_matches_the_models(engine: Engine) -> None:
    downgrade(engine, "0009")
    assert INDEX not in indexes(engine)
    upgrade(engine, backup=False)
    assert INDEX in indexes(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert [d for d in differences if INDEX in repr(d)] == []


def test_the_report_range_read_uses_the_index_on_sqlite(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        plan = connection.execute(
            text(
                "EXPLAIN QUERY PLAN SELECT id FROM orders WHERE store_id = 's' "
                "AND completed_at >= '2026-11-24' AND completed_at < '2026-11-25'"
            )
        ).fetchall()
    assert any(INDEX in str(row) for row in plan), plan
