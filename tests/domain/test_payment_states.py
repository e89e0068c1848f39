"""The payment attempt state machine of payments.md §5.2: its table, attempts and timing."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.ids import CartId, PaymentId
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider, route
from pos_app.domain.payments import (
    FINAL_STATES,
    TRANSITIONS,
    AttemptKind,
    PaymentAttempt,
    PaymentEvent,
    PaymentState,
    StepAction,
    apply,
    is_valid_out_trade_no,
    may_resubmit,
    new_out_trade_no,
    next_step,
    seconds_left,
    start_attempt,
    transition,
    waiting_for_customer,
)
from pos_app.errors import IllegalTransition

S, E = PaymentState, PaymentEvent
T0 = datetime(2025, 3, 1, 10, 0, 0, tzinfo=UTC)
WECHAT_CODE, ALIPAY_CODE = "134567890123456789", "286925412345678901"

# §5.2 written out again by hand: the module's table must be exactly this.
EXPECTED = {
    (S.NEW, E.PERSISTED): S.SUBMITTING,
    (S.SUBMITTING, E.PAY_SUCCEEDED): S.PAID,
    (S.SUBMITTING, E.PAY_PENDING): S.POLLING,
    (S.SUBMITTING, E.PAY_UNKNOWN): S.POLLING,
    (S.SUBMITTING, E.PAY_ALREADY_PAID): S.POLLING,
    (S.SUBMITTING, E.PAY_FAILED_RESCAN): S.FAILED,
    (S.SUBMITTING, E.PAY_FAILED_FINAL): S.FAILED,
    (S.SUBMITTING, E.RESUMED): S.POLLING,
    (S.POLLING, E.QUERY_PAID): S.PAID,
    (S.POLLING, E.QUERY_WAITING): S.POLLING,
    (S.POLLING, E.QUERY_ERRORED): S.POLLING,
    (S.POLLING, E.QUERY_PAY_ERROR): S.REVERSING,
    (S.POLLING, E.QUERY_CLOSED): S.FAILED,
    (S.POLLING, E.QUERY_REFUNDED): S.FAILED_REFUNDED,
    (S.POLLING, E.QUERY_NOT_FOUND): S.REVERSING,
    (S.POLLING, E.RESUBMITTED): S.SUBMITTING,
    (S.POLLING, E.DEADLINE_PASSED): S.REVERSING,
    (S.POLLING, E.ABORTED): S.REVERSING,
    (S.POLLING, E.RESUMED): S.POLLING,
    (S.REVERSING, E.REVERSED_UNPAID): S.FAILED,
    (S.REVERSING, E.REVERSED_REFUNDED): S.FAILED_REFUNDED,
    (S.REVERSING, E.REVERSE_RETRY): S.REVERSING,
    (S.REVERSING, E.REVERSE_GAVE_UP): S.MANUAL_REVIEW,
    (S.REVERSING, E.RESUMED): S.POLLING,
    (S.MANUAL_REVIEW, E.RESUMED): S.POLLING,
}


def test_the_table_is_exactly_the_brief() -> None:
    assert dict(TRANSITIONS) == EXPECTED


@pytest.mark.parametrize(("state", "event", "target"), [(*k, v) for k, v in EXPECTED.items()])
def test_every_allowed_transition(state: S, event: E, target: S) -> None:
    assert transition(state, event) is target


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (S.NEW, E.PAY_SUCCEEDED),  # a pay call before the attempt is stored
        (S.NEW, E.RESUMED),
        (S.SUBMITTING, E.ABORTED),  # abort waits for the pay call's answer
        (S.SUBMITTING, E.QUERY_PAID),
        (S.POLLING, E.PAY_SUCCEEDED),
        (S.POLLING, E.PERSISTED),  # never a second trade number for the same attempt
        (S.REVERSING, E.QUERY_PAID),  # once reversing, paid money comes back as a refund
        (S.REVERSING, E.ABORTED),
        (S.MANUAL_REVIEW, E.QUERY_PAID),
        (S.PAID, E.ABORTED),
        (S.PAID, E.RESUMED),
        (S.FAILED, E.RESUBMITTED),
        (S.FAILED_REFUNDED, E.QUERY_PAID),
    ],
)
def test_sample_of_illegal_moves_raises(state: S, event: E) -> None:
    with pytest.raises(IllegalTransition):
        transition(state, event)


def test_every_move_outside_the_table_raises() -> None:
    for state in S:
        for event in E:
            if (state, event) not in EXPECTED:
                with pytest.raises(IllegalTransition):
                    transition(state, event)


def test_final_states_have_no_way_out_and_every_other_state_can_reach_one() -> None:
    assert {origin for origin, _ in TRANSITIONS} & FINAL_STATES == set()
    for start in set(S) - FINAL_STATES:
        seen, queue = {start}, deque([start])
        while queue:
            state = queue.popleft()
            for (origin, _), target in TRANSITIONS.items():
                if origin is state and target not in seen:
                    seen.add(target)
                    queue.append(target)
        assert seen & FINAL_STATES, start


def test_cash_keeps_its_old_spelling() -> None:
    assert S.SUCCEEDED is S.PAID
    assert S("succeeded") is S.PAID
    assert S("paid") is S.PAID


@given(st.lists(st.sampled_from(list(E)), max_size=40))
def test_any_event_sequence_follows_the_table_or_raises(events: list[E]) -> None:
    state = S.NEW
    for event in events:
        if (state, event) in TRANSITIONS:
            state = transition(state, event)
            continue
        with pytest.raises(IllegalTransition):
            transition(state, event)
        if state in FINAL_STATES:
            assert not any(origin is state for origin, _ in TRANSITIONS)


# --- attempts --------------------------------------------------------------------------------


def _attempt(code: str = WECHAT_CODE, *, at: datetime = T0) -> PaymentAttempt:
    fresh = start_attempt(
        PaymentId("p1"),
        CartId("c1"),
        out_trade_no="PT1250301100000ABCDEF0123",
        code=route(code),
        amount=Money(12_30),
        now=at,
    )
    return apply(fresh, E.PERSISTED, at)


def test_an_attempt_is_stored_with_the_code_hash_and_never_the_code() -> None:
    attempt = _attempt()
    assert attempt.state is S.SUBMITTING and attempt.submitted_at == T0
    assert attempt.provider is Provider.WECHAT_PAY and attempt.kind is AttemptKind.PAYMENT_CODE
    assert attempt.code_hash is not None and WECHAT_CODE not in repr(attempt)
    with pytest.raises(ValueError, match="never the code"):
        PaymentAttempt(**{**_fields(attempt), "code_hash": WECHAT_CODE})


@pytest.mark.parametrize(
    "change",
    [
        {"created_at": T0.replace(tzinfo=None)},  # naive
        {"out_trade_no": "SHORT"},
        {"out_trade_no": "POS-2024-0001"},
        {"amount": Money(0)},
        {"kind": AttemptKind.DYNAMIC_QR},  # a dynamic QR has no code
    ],
)
def test_attempts_refuse_what_the_providers_or_our_rules_refuse(change: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        PaymentAttempt(**{**_fields(_attempt()), **change})  # type: ignore[arg-type]


def _fields(attempt: PaymentAttempt) -> dict[str, object]:
    return {name: getattr(attempt, name) for name in PaymentAttempt.__dataclass_fields__}


def test_apply_counts_resubmits_and_reverse_calls() -> None:
    attempt = apply(_attempt(), E.PAY_UNKNOWN, T0 + timedelta(seconds=8))
    attempt = apply(attempt, E.RESUBMITTED, T0 + timedelta(seconds=13))
    assert (attempt.resubmits, attempt.submitted_at) == (1, T0 + timedelta(seconds=13))
    assert not may_resubmit(attempt)
    attempt = apply(attempt, E.PAY_UNKNOWN, T0 + timedelta(seconds=14))
    attempt = apply(attempt, E.ABORTED, T0 + timedelta(seconds=15))
    attempt = apply(attempt, E.REVERSE_RETRY, T0 + timedelta(seconds=30))
    assert attempt.reverse_tries == 1 and attempt.last_event is E.REVERSE_RETRY
    attempt = apply(attempt, E.RESUMED, T0 + timedelta(seconds=40))
    attempt = apply(attempt, E.DEADLINE_PASSED, T0 + timedelta(seconds=45))
    assert attempt.reverse_tries == 0  # a new round of reverse calls
    with pytest.raises(IllegalTransition):
        apply(attempt, E.QUERY_PAID, T0 + timedelta(seconds=46))


def test_out_trade_numbers_fit_every_provider_and_do_not_repeat() -> None:
    beijing = timezone(timedelta(hours=8))
    numbers = {new_out_trade_no("counter-07/长", T0.astimezone(beijing)) for _ in range(10_000)}
    assert len(numbers) == 10_000
    assert all(is_valid_out_trade_no(n) and len(n) <= 32 for n in numbers)
    assert next(iter(numbers)).startswith("PCOUNTE250301100000")
    assert is_valid_out_trade_no(new_out_trade_no("", T0))
    with pytest.raises(ValueError):
        new_out_trade_no("T1", T0.replace(tzinfo=None))  # naive


# --- timing ----------------------------------------------------------------------------------


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_wechat_password_wait_is_polled_every_5s_and_given_up_at_45s() -> None:
    attempt = apply(_attempt(), E.PAY_PENDING, _at(1))
    assert waiting_for_customer(attempt) and seconds_left(attempt, _at(22)) == 23
    step = next_step(attempt, _at(1))
    assert (step.action, step.at) == (StepAction.QUERY, _at(6))
    attempt = apply(attempt, E.QUERY_WAITING, _at(42))
    assert next_step(attempt, _at(42)).at == _at(45)  # the last query is at the deadline
    assert next_step(attempt, _at(45)).action is StepAction.GIVE_UP
    assert seconds_left(attempt, _at(50)) == 0


def test_wechat_reverse_waits_15s_after_the_latest_pay_call_then_retries_and_escalates() -> None:
    attempt = apply(apply(_attempt(), E.PAY_UNKNOWN, _at(8)), E.ABORTED, _at(9))
    assert (next_step(attempt, _at(9)).action, next_step(attempt, _at(9)).at) == (
        StepAction.REVERSE,
        _at(15),
    )
    for tries in range(1, 5):
        attempt = apply(attempt, E.REVERSE_RETRY, _at(15 + 5 * tries))
        assert next_step(attempt, attempt.updated_at).at == _at(20 + 5 * tries)
    attempt = apply(attempt, E.REVERSE_RETRY, _at(45))
    assert next_step(attempt, _at(45)).action is StepAction.ESCALATE
    attempt = apply(attempt, E.REVERSE_GAVE_UP, _at(45))
    assert next_step(attempt, _at(45)).at == _at(105)  # the background re-check


def test_alipay_polls_for_60s_and_cancels_at_once_up_to_four_times() -> None:
    attempt = apply(_attempt(ALIPAY_CODE), E.PAY_PENDING, _at(1))
    assert next_step(attempt, _at(59)).action is StepAction.QUERY
    assert next_step(attempt, _at(60)).action is StepAction.GIVE_UP
    attempt = apply(attempt, E.DEADLINE_PASSED, _at(60))
    assert next_step(attempt, _at(60)).at == _at(60)
    for tries in range(1, 4):
        attempt = apply(attempt, E.REVERSE_RETRY, _at(60 + 2 * tries))
        assert next_step(attempt, attempt.updated_at).at == _at(62 + 2 * tries)
    attempt = apply(attempt, E.REVERSE_RETRY, _at(68))
    assert next_step(attempt, _at(68)).action is StepAction.ESCALATE


def test_dynamic_qr_waits_longer_and_closes_at_once() -> None:
    qr = start_attempt(
        PaymentId("p2"),
        CartId("c1"),
        out_trade_no="PT1250301100000ABCDEF0124",
        code=None,
        amount=Money(5_00),
        now=T0,
        provider=Provider.WECHAT_PAY,
    )
    qr = apply(apply(qr, E.PERSISTED, T0), E.PAY_PENDING, _at(1))
    assert qr.kind is AttemptKind.DYNAMIC_QR and seconds_left(qr, T0) == 120
    qr = apply(qr, E.ABORTED, _at(2))
    assert next_step(qr, _at(2)).at == _at(2)


def test_a_resumed_attempt_is_queried_at_once() -> None:
    attempt = apply(_attempt(), E.RESUMED, _at(30))
    step = next_step(attempt, _at(30))
    assert (step.action, step.at) == (StepAction.QUERY, _at(30))
    assert next_step(apply(attempt, E.QUERY_ERRORED, _at(31)), _at(31)).at == _at(36)


def test_final_and_in_flight_attempts_have_nothing_to_schedule() -> None:
    assert next_step(_attempt(), _at(1)).action is StepAction.AWAIT_REPLY
    paid = apply(_attempt(), E.PAY_SUCCEEDED, _at(2))
    assert next_step(paid, _at(2)).action is StepAction.DONE


@given(st.lists(st.sampled_from(list(E)), max_size=30), st.integers(0, 200))
def test_wechat_never_reverses_within_15s_of_a_pay_call(events: list[E], gap: int) -> None:
    attempt, now = _attempt(), T0
    for event in events:
        now += timedelta(seconds=gap % 7)
        if (attempt.state, event) in TRANSITIONS:
            attempt = apply(attempt, event, now)
        step = next_step(attempt, now)
        if step.action is StepAction.REVERSE:
            assert attempt.submitted_at is not None
            assert step.at >= attempt.submitted_at + timedelta(seconds=15)
