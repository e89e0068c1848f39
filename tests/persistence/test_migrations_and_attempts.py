"""Migrations run up, down and up again; payment attempts change state only from the state
they were read in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from builders import a_core, a_store
from sqlalchemy import Engine, inspect

from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.domain.ids import CartId, PaymentId
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import route
from pos_app.domain.payment_states import (
    PaymentEvent,
    PaymentState,
    apply,
    new_out_trade_no,
    start_attempt,
)
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.migrate import current_revision, downgrade, head_revision, upgrade
from pos_app.persistence.repositories.payment_attempts import (
    AttemptChanged,
    PaymentAttemptRepository,
)

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
WECHAT_CODE = "134567890123456789"


def test_migrations_go_down_to_nothing_and_up_again(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    downgrade(engine, "base")
    assert [t for t in inspect(engine).get_table_names() if t != "alembic_version"] == []
    assert upgrade(engine, backup=False) is True
    assert current_revision(engine) == head_revision()
    assert "payment_attempts" in inspect(engine).get_table_names()
    assert upgrade(engine, backup=False) is False  # already at head: nothing runs


def test_a_sqlite_file_is_backed_up_before_a_migration(sqlite_engine: Engine) -> None:
    downgrade(sqlite_engine, "0001")
    upgrade(sqlite_engine)
    database = Path(str(sqlite_engine.url.database))
    assert database.with_suffix(database.suffix + ".bak").exists()


@pytest.fixture
def cart_id(engine: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> str:
    a_store(engine)
    return a_core(engine, tmp_path, bus=bus, clock=clock).checkout.open_cart("user-1").id


def test_an_attempt_round_trips_and_moves_only_from_the_state_it_was_read_in(
        engine: Engine, cart_id: str) -> None:
    code = route(WECHAT_CODE)
    attempt = start_attempt(PaymentId("pay-1"), CartId(cart_id),
                            out_trade_no=new_out_trade_no("T01", T0), code=code,
                            amount=Money(13_00), now=T0)
    sessions = make_session_factory(engine)
    with sessions() as session:
        PaymentAttemptRepository(session).add(attempt)
        session.commit()
    submitting = apply(attempt, PaymentEvent.PERSISTED, T0 + timedelta(seconds=1))
    with sessions() as session:
        PaymentAttemptRepository(session).move(attempt, submitting)
        session.commit()
    with sessions() as session, pytest.raises(AttemptChanged):
        PaymentAttemptRepository(session).move(attempt, submitting)  # read as NEW: stale

    with sessions() as session:
        repository = PaymentAttemptRepository(session)
        stored = repository.get("pay-1")
        unfinished = repository.unfinished()
    assert stored == submitting
    assert stored is not None and stored.state is PaymentState.SUBMITTING
    assert WECHAT_CODE not in repr(stored) and stored.code_hash == code.digest
    assert [a.id for a in unfinished] == ["pay-1"]


def test_migrations_keep_the_data_on_the_way_down_and_up(engine: Engine) -> None:
    a_store(engine)  # stores is referenced by terminals and users: batch rebuilds must cope
    downgrade(engine, "0001")
    upgrade(engine, backup=False)
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT code FROM stores").scalar_one() == "DEMO01"
        assert c.exec_driver_sql("SELECT count(*) FROM terminals").scalar_one() == 1
