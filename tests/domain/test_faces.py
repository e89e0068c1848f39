"""Face rules: consent (a guardian's for a child), retention, the match decision, counts."""

from __future__ import annotations

import math
import struct
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.faces import (
    EMBEDDING_BYTES,
    CapturePolicy,
    ConsentScope,
    CountLevel,
    CountPolicy,
    FaceConsent,
    Guardian,
    MatchOutcome,
    MatchPolicy,
    RetentionRule,
    WithdrawalReason,
    check_embedding,
    consent_refusal,
    cosine,
    decide,
)

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def a_face(score_to_first: float = 1.0, *, axis: int = 1) -> bytes:
    """A unit embedding whose cosine with ``a_face()`` is ``score_to_first``."""
    values = [0.0] * 128
    values[0] = score_to_first
    values[axis] = math.sqrt(max(0.0, 1 - score_to_first**2))
    return struct.pack("<128f", *values)


def a_consent(**changes: object) -> FaceConsent:
    values: dict[str, object] = {
        "id": "c-1",
        "member_id": "m-1",
        "given_at": T0,
        "notice_version": "2026-11",
        "scope": ConsentScope.TERMINAL,
        "terminal_code": "T01",
        "recorded_by": "user-1",
    }
    values.update(changes)
    return FaceConsent(**values)  # type: ignore[arg-type]


def test_a_child_under_14_cannot_consent_without_a_parent_or_guardian() -> None:
    with pytest.raises(ValueError, match="guardian"):
        a_consent(minor=True)
    assert (
        consent_refusal(
            minor=True, guardian=None, notice_version="2026-11", current_notice="2026-11"
        )
        == "face.guardian_required"
    )
    mother = Guardian("李娜", "mother")
    assert a_consent(minor=True, guardian=mother).guardian == mother
    assert (
        consent_refusal(
            minor=True, guardian=mother, notice_version="2026-11", current_notice="2026-11"
        )
        is None
    )


def test_a_consent_to_an_old_notice_is_refused() -> None:
    assert (
        consent_refusal(
            minor=False, guardian=None, notice_version="2025-01", current_notice="2026-11"
        )
        == "face.notice_outdated"
    )


def test_a_withdrawn_consent_is_kept_with_when_and_why() -> None:
    withdrawn = a_consent().withdrawn(T0 + timedelta(days=3), WithdrawalReason.MEMBER_REQUEST)
    assert not withdrawn.active
    assert withdrawn.withdrawn_at == T0 + timedelta(days=3)
    assert withdrawn.withdrawal_reason is WithdrawalReason.MEMBER_REQUEST
    assert withdrawn.member_id == "m-1" and withdrawn.notice_version == "2026-11"


def test_embeddings_stay_on_the_terminal_unless_the_consent_covers_the_store() -> None:
    assert a_consent().shared_with("T01")
    assert not a_consent().shared_with("T02")
    assert a_consent(scope=ConsentScope.STORE).shared_with("T02")


def test_face_data_expires_a_year_after_its_last_use() -> None:
    rule = RetentionRule(idle_days=365)
    never_used = a_consent()
    assert rule.expires_at(never_used) == T0 + timedelta(days=365)
    assert not rule.expired(never_used, T0 + timedelta(days=364))
    assert rule.expired(never_used, T0 + timedelta(days=365))
    used = a_consent(last_used_at=T0 + timedelta(days=300))
    assert not rule.expired(used, T0 + timedelta(days=400))
    gone = never_used.withdrawn(T0, WithdrawalReason.MEMBER_REQUEST)
    assert not rule.expired(gone, T0 + timedelta(days=999))  # nothing left to erase


def test_an_enrolment_needs_several_captures_of_one_face() -> None:
    policy = CapturePolicy(min_captures=3, max_captures=5, max_per_member=10)
    same = [a_face(), a_face(0.9), a_face(0.8, axis=2)]
    assert policy.refusal(same[:2], existing=0) == "face.too_few_captures"
    assert policy.refusal(same * 2, existing=0) == "face.too_many_captures"
    assert policy.refusal(same, existing=8) == "face.too_many_captures"
    assert policy.refusal(same, existing=0) is None
    passer_by = a_face(0.1, axis=3)
    assert policy.refusal([*same[:2], passer_by], existing=0) == "face.captures_differ"


def test_cosine_of_stored_embeddings() -> None:
    assert cosine(a_face(), a_face()) == pytest.approx(1.0)
    assert cosine(a_face(), a_face(0.42)) == pytest.approx(0.42, abs=1e-6)
    assert check_embedding(a_face()) == a_face()
    with pytest.raises(ValueError, match=str(EMBEDDING_BYTES)):
        check_embedding(b"\x00" * 100)


@pytest.mark.parametrize(
    ("best", "second", "outcome", "reason"),
    [
        (None, None, MatchOutcome.REFUSE, "face.none_enrolled"),
        (0.49, 0.10, MatchOutcome.REFUSE, "face.no_match"),
        (0.70, 0.66, MatchOutcome.REFUSE, "face.ambiguous"),
        (0.55, 0.20, MatchOutcome.ASK_TO_CONFIRM, None),
        (0.75, 0.20, MatchOutcome.ACCEPT, None),
        (0.75, None, MatchOutcome.ACCEPT, None),
    ],
)
def test_a_match_is_offered_only_above_the_threshold_and_clear_of_the_runner_up(
    best: float | None, second: float | None, outcome: MatchOutcome, reason: str | None
) -> None:
    decision = decide(best, second, threshold=0.50, margin=0.06, confirm_band=0.10)
    assert (decision.outcome, decision.reason) == (outcome, reason)


def test_the_threshold_rises_with_the_number_of_members_searched() -> None:
    policy = MatchPolicy()
    assert policy.threshold(0) == policy.threshold(1_000) == pytest.approx(0.50)
    assert policy.threshold(10_000) == pytest.approx(0.55)
    assert policy.threshold(100_000) == pytest.approx(0.60)
    assert policy.decide(0.57, 0.2, enrolled=500).outcome is MatchOutcome.ASK_TO_CONFIRM
    assert policy.decide(0.57, 0.2, enrolled=100_000).outcome is MatchOutcome.REFUSE


scores = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)


@given(best=scores, second=scores, raise_by=st.floats(min_value=0.0, max_value=1.0))
def test_a_higher_best_score_never_turns_an_offer_into_a_refusal(
    best: float, second: float, raise_by: float
) -> None:
    before = decide(best, second, threshold=0.5, margin=0.06)
    after = decide(min(1.0, best + raise_by), second, threshold=0.5, margin=0.06)
    if before.outcome is not MatchOutcome.REFUSE:
        assert after.outcome is not MatchOutcome.REFUSE
    if best < 0.5:
        assert before.outcome is MatchOutcome.REFUSE


def test_managers_are_warned_well_before_the_filing_count() -> None:
    counts = CountPolicy()
    assert counts.level(49_999) is CountLevel.NORMAL
    assert counts.level(50_000) is CountLevel.WARNING
    assert counts.level(80_000) is CountLevel.URGENT
    assert counts.level(100_000) is CountLevel.FILING_REQUIRED


def test_the_100000th_person_is_refused_until_the_store_has_filed() -> None:
    counts = CountPolicy()
    assert counts.enrolment_refusal(99_998, already_enrolled=False) is None
    assert counts.enrolment_refusal(99_999, already_enrolled=False) == "face.filing_required"
    assert counts.enrolment_refusal(99_999, already_enrolled=True) is None  # more captures
    filed = CountPolicy(filed=True)
    assert filed.enrolment_refusal(150_000, already_enrolled=False) is None
