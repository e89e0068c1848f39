"""FaceService: consent first, several captures, a candidate to confirm (never applied by
itself), erasure that leaves only its record, the index rebuilt from the database, retention,
the exportable processing record and the managers' count."""

from __future__ import annotations

import io
import logging
import math
import struct
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from hardware.faces.matcher import NumpyFaceMatcher
from pos_app.clock import FixedClock
from pos_app.domain.faces import (
    ConsentScope,
    CountLevel,
    CountPolicy,
    Guardian,
    MatchOutcome,
    WithdrawalReason,
)
from pos_app.errors import UserError
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.models import FaceEmbeddingRow
from pos_app.persistence.repositories.faces import FaceRepository
from pos_app.services.faces import FacePolicy, FaceService

NOTICE = "2026-11"
MODEL = "sface-2021dec-int8bq"


def a_face(person: int, wobble: float = 0.0) -> bytes:
    """Person ``person``'s face: a unit vector along its own axis, tilted by ``wobble``."""
    values = [0.0] * 128
    values[person] = math.cos(wobble)
    values[127 - person] = math.sin(wobble)
    return struct.pack("<128f", *values)


def captures_of(person: int) -> list[bytes]:
    return [a_face(person, w) for w in (0.0, 0.1, 0.2)]


def a_service(
    engine: Engine, clock: FixedClock, *, terminal: str = "T01", counts: CountPolicy | None = None
) -> FaceService:
    policy = FacePolicy(notice_version=NOTICE, counts=counts or CountPolicy())
    return FaceService(
        make_session_factory(engine),
        NumpyFaceMatcher(),
        clock,
        terminal_code=terminal,
        model_id=MODEL,
        policy=policy,
    )


@pytest.fixture
def faces(engine: Engine, clock: FixedClock) -> FaceService:
    return a_service(engine, clock)


def enrolled(
    service: FaceService, member_id: str, person: int, scope: ConsentScope = ConsentScope.TERMINAL
) -> None:
    service.record_consent(member_id, notice_version=NOTICE, scope=scope, staff_id="user-1")
    service.enrol(member_id, captures_of(person), staff_id="user-1")


def rows_of(engine: Engine, member_id: str) -> int:
    with engine.connect() as c:
        return int(
            c.execute(
                select(func.count())
                .select_from(FaceEmbeddingRow)
                .where(FaceEmbeddingRow.member_id == member_id)
            ).scalar_one()
        )


def test_nobody_is_enrolled_without_a_recorded_consent(faces: FaceService) -> None:
    with pytest.raises(UserError) as refused:
        faces.enrol("m-1", captures_of(1), staff_id="user-1")
    assert refused.value.code == "face.no_consent"


def test_a_child_is_enrolled_only_with_a_guardians_consent(faces: FaceService) -> None:
    with pytest.raises(UserError) as refused:
        faces.record_consent(
            "kid", notice_version=NOTICE, scope=ConsentScope.TERMINAL, staff_id="user-1", minor=True
        )
    assert refused.value.code == "face.guardian_required"
    consent = faces.record_consent(
        "kid",
        notice_version=NOTICE,
        scope=ConsentScope.TERMINAL,
        staff_id="user-1",
        minor=True,
        guardian=Guardian("王强", "father"),
    )
    assert consent.guardian == Guardian("王强", "father")
    assert faces.enrol("kid", captures_of(4), staff_id="user-1").captures == 3


def test_a_second_consent_while_one_is_active_is_refused(faces: FaceService) -> None:
    faces.record_consent(
        "m-1", notice_version=NOTICE, scope=ConsentScope.TERMINAL, staff_id="user-1"
    )
    with pytest.raises(UserError) as refused:
        faces.record_consent(
            "m-1", notice_version=NOTICE, scope=ConsentScope.STORE, staff_id="user-1"
        )
    assert refused.value.code == "face.consent_exists"


def test_an_identified_member_is_a_candidate_to_confirm_until_confirmed(
    faces: FaceService, engine: Engine, clock: FixedClock
) -> None:
    enrolled(faces, "m-1", 1)
    enrolled(faces, "m-2", 2)
    candidate = faces.identify(a_face(1, 0.15))
    assert candidate.outcome is MatchOutcome.ACCEPT and candidate.member_id == "m-1"
    with make_session_factory(engine)() as session:
        consent = FaceRepository(session).active_consent("m-1")
    assert consent is not None and consent.last_used_at is None  # offered, not used
    faces.confirm("m-1", confirmed=True, staff_id="user-1")
    with make_session_factory(engine)() as session:
        consent = FaceRepository(session).active_consent("m-1")
    assert consent is not None and consent.last_used_at == clock.now()


def test_a_stranger_or_a_look_alike_gets_no_candidate(faces: FaceService) -> None:
    enrolled(faces, "m-1", 1)
    stranger = faces.identify(a_face(9))
    assert (stranger.outcome, stranger.member_id, stranger.reason) == (
        MatchOutcome.REFUSE,
        None,
        "face.no_match",
    )
    near = faces.identify(a_face(1, 1.2))  # 1 rad from the nearest capture: cosine 0.54
    assert near.outcome is MatchOutcome.ASK_TO_CONFIRM and near.member_id == "m-1"


def test_captures_of_two_people_or_of_another_member_are_refused(faces: FaceService) -> None:
    faces.record_consent(
        "m-1", notice_version=NOTICE, scope=ConsentScope.TERMINAL, staff_id="user-1"
    )
    with pytest.raises(UserError) as mixed:
        faces.enrol("m-1", [a_face(1), a_face(1, 0.1), a_face(3)], staff_id="user-1")
    assert mixed.value.code == "face.captures_differ"
    with pytest.raises(UserError) as too_few:
        faces.enrol("m-1", [a_face(1)], staff_id="user-1")
    assert too_few.value.code == "face.too_few_captures"
    faces.enrol("m-1", captures_of(1), staff_id="user-1")
    faces.record_consent(
        "m-9", notice_version=NOTICE, scope=ConsentScope.TERMINAL, staff_id="user-1"
    )
    with pytest.raises(UserError) as twice:
        faces.enrol("m-9", captures_of(1), staff_id="user-1")
    assert twice.value.code == "face.enrolled_as_other_member"


def test_deletion_on_request_leaves_only_the_record_that_it_happened(
    faces: FaceService, engine: Engine
) -> None:
    enrolled(faces, "m-1", 1)
    assert faces.delete("m-1", staff_id="user-1") == 3
    assert rows_of(engine, "m-1") == 0
    assert faces.identify(a_face(1)).reason == "face.none_enrolled"
    assert faces.enrolled_count().count == 0
    with make_session_factory(engine)() as session:
        consents = FaceRepository(session).consents("m-1")
    assert [(c.active, c.withdrawal_reason) for c in consents] == [
        (False, WithdrawalReason.MEMBER_REQUEST)
    ]
    assert faces.delete("m-1", staff_id="user-1") == 0  # asking twice is harmless
    with pytest.raises(UserError):
        faces.confirm("m-1", confirmed=True)


def test_the_index_is_rebuilt_from_the_database_at_start(engine: Engine, clock: FixedClock) -> None:
    lane_1 = a_service(engine, clock, terminal="T01")
    enrolled(lane_1, "own", 1)
    lane_2 = a_service(engine, clock, terminal="T02")
    enrolled(lane_2, "lane-2-only", 2)
    enrolled(lane_2, "store-wide", 3, scope=ConsentScope.STORE)
    restarted = a_service(engine, clock, terminal="T01")
    assert restarted.start() == 2
    assert restarted.identify(a_face(1)).member_id == "own"
    assert restarted.identify(a_face(3)).member_id == "store-wide"
    assert restarted.identify(a_face(2)).outcome is MatchOutcome.REFUSE


def test_face_data_unused_for_the_retention_period_is_erased(
    faces: FaceService, engine: Engine, clock: FixedClock
) -> None:
    enrolled(faces, "idle", 1)
    enrolled(faces, "regular", 2)
    clock.advance(timedelta(days=300))
    faces.confirm("regular", confirmed=True)
    clock.advance(timedelta(days=66))
    assert faces.purge_expired() == 1
    assert rows_of(engine, "idle") == 0 and rows_of(engine, "regular") == 3
    assert faces.identify(a_face(1)).outcome is MatchOutcome.REFUSE
    assert faces.identify(a_face(2)).member_id == "regular"


def test_the_processing_record_exports_as_csv_without_face_data(
    faces: FaceService, clock: FixedClock
) -> None:
    start = clock.now()
    enrolled(faces, "m-1", 1)
    faces.confirm("m-1", confirmed=False, staff_id="user-1")
    faces.delete("m-1", staff_id="user-9")
    out = io.StringIO()
    rows = faces.export_processing_record(
        out, since=start, until=start + timedelta(days=1), staff_id="user-9"
    )
    lines = out.getvalue().splitlines()
    assert rows == 4 and lines[0] == "at_utc,terminal,action,member_id,staff_id,detail"
    assert [line.split(",")[2] for line in lines[1:]] == [
        "consent_given",
        "enrolled",
        "identified_rejected",
        "deleted",
    ]
    assert lines[4].startswith(f"{datetime.isoformat(start)},T01,deleted,m-1,user-9,")
    assert "captures=3; reason=member_request" in lines[4]


def test_managers_see_the_count_and_the_filing_count_stops_new_people(
    engine: Engine, clock: FixedClock
) -> None:
    service = a_service(engine, clock, counts=CountPolicy(warn_at=1, urgent_at=2, filing_at=3))
    enrolled(service, "m-1", 1)
    assert service.enrolled_count().level is CountLevel.WARNING
    enrolled(service, "m-2", 2)
    view = service.enrolled_count()
    assert (view.count, view.level, view.filing_at) == (2, CountLevel.URGENT, 3)
    service.record_consent(
        "m-3", notice_version=NOTICE, scope=ConsentScope.TERMINAL, staff_id="user-1"
    )
    with pytest.raises(UserError) as refused:
        service.enrol("m-3", captures_of(3), staff_id="user-1")
    assert refused.value.code == "face.filing_required"


def test_no_face_data_reaches_the_log(faces: FaceService, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    enrolled(faces, "m-1", 1)
    faces.identify(a_face(1, 0.1))
    faces.start()
    faces.delete("m-1", staff_id="user-1")
    for record in caplog.records:
        text = record.getMessage()
        assert not any(face in text for face in (repr(a_face(1)), a_face(1).hex()))
