"""Migration 0009 (returns linked to their sale) goes down and up on SQLite and PostgreSQL,
matches the models, and its CHECK keeps the pieces returned within the line."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from builders import a_core, a_product, a_store
from sqlalchemy import Engine, inspect, update
from sqlalchemy.exc import IntegrityError

from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.domain.money import Money
from pos_app.persistence.migrate import downgrade, upgrade
from pos_app.persistence.models import Base, OrderLineRow

COLUMNS = {"orders": {"original_order_id"},
           "order_lines": {"original_line_id", "returned_quantity"},
           "payments": {"original_payment_id"}}


def columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def test_0009_goes_down_and_up_and_matches_the_models(engine: Engine) -> None:
    downgrade(engine, "0008")
    assert all(not names & columns(engine, table) for table, names in COLUMNS.items())
    upgrade(engine, backup=False)
    assert all(names <= columns(engine, table) for table, names in COLUMNS.items())
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    names = {name for group in COLUMNS.values() for name in group}
    assert [d for d in differences if any(name in repr(d) for name in names)] == []


def test_more_pieces_back_than_the_line_had_is_refused_by_the_database(
        engine: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    a_store(engine)
    cola = a_product(engine, price="3.50")
    core = a_core(engine, tmp_path, bus=bus, clock=clock)
    cart = core.checkout.open_cart("user-1").id
    core.checkout.scan(cart, cola.barcode)
    core.sales.pay_cash(cart, Money(3_50))
    with pytest.raises(IntegrityError), engine.begin() as c:
        c.execute(update(OrderLineRow).values(returned_quantity=2))
