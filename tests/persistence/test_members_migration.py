"""Migration 0006 (members, stored value, points, coupons, promotions) goes down and up on
SQLite and PostgreSQL, matches the models, and its CHECKs keep balances non-negative."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, update
from sqlalchemy.exc import IntegrityError

from pos_app.persistence.migrate import downgrade, upgrade
from pos_app.persistence.models import Base, MemberRow

TABLES = {"member_tiers", "stored_value_ledger", "points_ledger", "coupon_keys",
          "coupon_batches", "coupons", "promotions", "pricing_version", "member_promotion_uses"}
MEMBER_COLUMNS = {"totp_secret", "totp_last_step", "stored_value_fen"}


def test_0006_goes_down_and_up_and_matches_the_models(engine: Engine) -> None:
    downgrade(engine, "0005")
    assert not TABLES & set(inspect(engine).get_table_names())
    assert not MEMBER_COLUMNS & {c["name"] for c in inspect(engine).get_columns("members")}
    upgrade(engine, backup=False)
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    mine = [d for d in differences
            if any(name in repr(d) for name in (*TABLES, *MEMBER_COLUMNS))]
    assert mine == []


@pytest.mark.parametrize("column", ["stored_value_fen", "points"])
def test_a_balance_below_zero_is_refused_by_the_database(engine: Engine, column: str) -> None:
    with engine.begin() as c:
        c.execute(insert(MemberRow).values(id="m-1", card_no="886000000001", phone="13800001234",
                                           name="李娜", tier="gold", points=0,
                                           created_at=datetime(2026, 1, 1, tzinfo=UTC)))
    with pytest.raises(IntegrityError), engine.begin() as c:
        c.execute(update(MemberRow).values({column: -1}))
