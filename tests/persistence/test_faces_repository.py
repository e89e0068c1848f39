"""Face tables on SQLite and PostgreSQL: migration 0003 up and down, one active consent per
member (the database's job), captures numbered per member, erasure, the processing record."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos_app.domain.faces import (
    ConsentScope,
    FaceConsent,
    Guardian,
    ProcessingAction,
    ProcessingEntry,
    WithdrawalReason,
)
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.migrate import current_revision, downgrade, head_revision, upgrade
from pos_app.persistence.models import Base, FaceEmbeddingRow
from pos_app.persistence.repositories.faces import ConsentChanged, FaceRepository

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
FACE_TABLES = {"face_consents", "face_embeddings", "face_processing_log"}
MODEL = "sface-2021dec-int8bq"


def a_face(n: int) -> bytes:
    values = [0.0] * 128
    values[n % 128] = 1.0
    return struct.pack("<128f", *values)


def a_consent(member_id: str = "m-1", **changes: object) -> FaceConsent:
    values: dict[str, object] = {
        "id": f"consent-{member_id}-{len(changes)}",
        "member_id": member_id,
        "given_at": T0,
        "notice_version": "2026-11",
        "scope": ConsentScope.TERMINAL,
        "terminal_code": "T01",
        "recorded_by": "user-1",
    }
    values.update(changes)
    return FaceConsent(**values)  # type: ignore[arg-type]


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with make_session_factory(engine)() as session:
        yield session


def test_migration_0003_goes_down_and_up_and_matches_the_models(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    downgrade(engine, "0002")
    assert not FACE_TABLES & set(inspect(engine).get_table_names())
    upgrade(engine, backup=False)
    assert set(inspect(engine).get_table_names()) >= FACE_TABLES
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert [d for d in differences if "face_" in repr(d)] == []


def test_a_consent_round_trips_with_its_guardian(session: Session) -> None:
    faces = FaceRepository(session)
    consent = a_consent(minor=True, guardian=Guardian("李娜", "mother"), scope=ConsentScope.STORE)
    faces.add_consent(consent)
    session.commit()
    assert faces.active_consent("m-1") == consent
    assert faces.consents("m-1") == [consent]


def test_a_member_has_at_most_one_active_consent(session: Session) -> None:
    faces = FaceRepository(session)
    faces.add_consent(a_consent())
    session.commit()
    with pytest.raises(IntegrityError):
        faces.add_consent(a_consent(id="consent-2"))
    session.rollback()
    faces.withdraw(a_consent().withdrawn(T0 + timedelta(hours=1), WithdrawalReason.MEMBER_REQUEST))
    faces.add_consent(a_consent(id="consent-3", given_at=T0 + timedelta(days=1)))
    session.commit()
    assert [c.active for c in faces.consents("m-1")] == [False, True]


def test_a_consent_is_withdrawn_once_only(session: Session) -> None:
    faces = FaceRepository(session)
    faces.add_consent(a_consent())
    withdrawn = a_consent().withdrawn(T0, WithdrawalReason.MEMBER_REQUEST)
    faces.withdraw(withdrawn)
    with pytest.raises(ConsentChanged):
        faces.withdraw(withdrawn)


def test_captures_are_numbered_per_member_and_erased_completely(session: Session) -> None:
    faces = FaceRepository(session)
    store = {"at": T0, "model": MODEL, "scope": ConsentScope.TERMINAL, "terminal_code": "T01"}
    assert faces.add_embeddings("m-1", [a_face(1), a_face(2), a_face(3)], **store) == 3
    assert faces.add_embeddings("m-1", [a_face(4)], **store) == 4
    assert faces.add_embeddings("m-2", [a_face(5)], **store) == 1
    session.commit()
    assert faces.enrolled_count() == 2 and faces.capture_count("m-1") == 4
    assert faces.delete_embeddings("m-1") == 4
    session.commit()
    rows = session.execute(
        select(func.count())
        .select_from(FaceEmbeddingRow)
        .where(FaceEmbeddingRow.member_id == "m-1")
    ).scalar_one()
    assert rows == 0 and faces.enrolled_count() == 1


def test_the_index_holds_this_terminals_and_store_wide_captures_of_the_current_model(
    session: Session,
) -> None:
    faces = FaceRepository(session)
    for member, scope, terminal, model in (
        ("own", ConsentScope.TERMINAL, "T01", MODEL),
        ("lane-2-only", ConsentScope.TERMINAL, "T02", MODEL),
        ("store-wide", ConsentScope.STORE, "T02", MODEL),
        ("old-model", ConsentScope.STORE, "T01", "sface-2021sep"),
    ):
        faces.add_embeddings(
            member, [a_face(7), a_face(8)], at=T0, model=model, scope=scope, terminal_code=terminal
        )
    session.commit()
    entries = list(faces.index_entries(terminal_code="T01", model=MODEL))
    assert entries == [
        ("own", a_face(7)),
        ("own", a_face(8)),
        ("store-wide", a_face(7)),
        ("store-wide", a_face(8)),
    ]


def test_consents_unused_since_the_cutoff_have_expired(session: Session) -> None:
    faces = FaceRepository(session)
    faces.add_consent(a_consent("idle"))
    faces.add_consent(a_consent("regular"))
    faces.mark_used("regular", T0 + timedelta(days=300))
    session.commit()
    assert [c.member_id for c in faces.expired(T0 + timedelta(days=200))] == ["idle"]
    used = faces.active_consent("regular")
    assert used is not None and used.last_used_at == T0 + timedelta(days=300)


def test_the_processing_record_is_read_back_by_time_range(session: Session) -> None:
    faces = FaceRepository(session)
    for hours, action in (
        (0, ProcessingAction.CONSENT_GIVEN),
        (1, ProcessingAction.ENROLLED),
        (30, ProcessingAction.DELETED),
    ):
        faces.log(
            ProcessingEntry(
                T0 + timedelta(hours=hours), "T01", action, "m-1", "user-1", "captures=3"
            )
        )
    session.commit()
    day = faces.processing_record(T0, T0 + timedelta(days=1))
    assert [e.action for e in day] == [ProcessingAction.CONSENT_GIVEN, ProcessingAction.ENROLLED]
    assert day[1] == ProcessingEntry(
        T0 + timedelta(hours=1), "T01", ProcessingAction.ENROLLED, "m-1", "user-1", "captures=3"
    )
