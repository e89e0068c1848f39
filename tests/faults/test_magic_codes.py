"""One test per behaviour a sandbox payment code picks (docs/sandbox.md, magic codes 00-13;
brief §11), for WeChat Pay and Alipay, driven through PaymentService the way the cashier's
screen drives it: ``pay_by_code`` once, then ``advance`` whenever the view says a step is due,
with both clocks jumped instead of sleeping. Each ends with the money invariants."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from payment_faults import ALIPAY, WECHAT, Till, assert_money_safe, order_status, sale_tenders
from sqlalchemy import select

from backends.sandbox.magic import Scenario, make_code
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider
from pos_app.persistence.models import PaymentAttemptRow
from pos_app.services.payment_views import AttemptView, PaymentOutcome

Out = PaymentOutcome
Check = Callable[[AttemptView, Provider], None]


def _paid_at_once(first: AttemptView, provider: Provider) -> None:
    assert (first.outcome, first.sale is not None) == (Out.PAID, True)


def _waiting_for_password(first: AttemptView, provider: Provider) -> None:
    assert first.waiting_for_password and first.outcome is Out.IN_PROGRESS
    assert first.seconds_left == (45 if provider is WECHAT else 60)
    assert first.provider_code in {"USERPAYING", "10003"}


def _unknown(first: AttemptView, provider: Provider) -> None:
    assert (first.state, first.waiting_for_password) == ("polling", False)


def _forged_reply_is_not_success(first: AttemptView, provider: Provider) -> None:
    assert (first.state, first.provider_code) == ("polling", "bad_signature")


def _read_timeout(first: AttemptView, provider: Provider) -> None:
    assert (first.state, first.provider_code) == ("polling", "timeout")


def _declined(first: AttemptView, provider: Provider) -> None:
    assert first.final and first.outcome is Out.DECLINED and first.due == first.amount


@dataclass(frozen=True)
class Case:
    scenario: Scenario
    param: int
    first: Check
    outcome: PaymentOutcome


CASES = {
    "00-pays_at_once": Case(Scenario.PAYS_AT_ONCE, 0, _paid_at_once, Out.PAID),
    "01-password_then_pays": Case(Scenario.PASSWORD_THEN_PAYS, 8, _waiting_for_password, Out.PAID),
    "02-password_then_gives_up": Case(
        Scenario.PASSWORD_THEN_CANCELS, 6, _waiting_for_password, Out.CANCELLED
    ),
    "03-password_never": Case(Scenario.PASSWORD_NEVER, 0, _waiting_for_password, Out.CANCELLED),
    "04-system_error_although_paid": Case(Scenario.SYSTEM_ERROR_PAID, 0, _unknown, Out.PAID),
    "05-insufficient_funds": Case(Scenario.NOT_ENOUGH, 0, _declined, Out.DECLINED),
    "06-dropped_after_charging": Case(Scenario.DROP_AFTER_CHARGE, 0, _unknown, Out.PAID),
    "08-forged_pay_reply": Case(Scenario.BAD_SIGNATURE, 0, _forged_reply_is_not_success, Out.PAID),
    "09-reply_after_read_timeout": Case(Scenario.SLOW_REPLY, 3, _read_timeout, Out.PAID),
    "11-request_never_arrived": Case(Scenario.NEVER_ARRIVED, 0, _unknown, Out.PAID),
    "13-system_error_under_another_code": Case(
        Scenario.SYSTEM_ERROR_PAID_ANY_CODE, 0, _unknown, Out.PAID
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_a_code_behaviour_ends_paid_once_or_with_nothing_taken(
    till: Till, provider: Provider, case: Case
) -> None:
    cart_id = till.cart(items=2)

    first = till.pay(cart_id, provider, case.scenario, case.param)
    case.first(first, provider)
    last = till.settle(first)

    assert last.outcome is case.outcome
    if case.outcome is Out.PAID:
        assert last.sale is not None and last.sale.total == Money(2 * 12_34)
        assert order_status(till.engine, cart_id) == "completed"
        assert sale_tenders(till.engine, cart_id) == [("payment_code", provider.value, 24_68)]
    else:
        assert order_status(till.engine, cart_id) == "open" and last.due == Money(24_68)
    assert assert_money_safe(till.engine, till.sandbox) == 1


def test_the_identical_request_is_resent_once_when_it_never_arrived(
    till: Till, provider: Provider
) -> None:
    last = till.settle(till.pay(till.cart(), provider, Scenario.NEVER_ARRIVED))
    with till.engine.connect() as c:
        resubmits = c.execute(select(PaymentAttemptRow.resubmits)).scalar_one()
    assert (last.outcome, resubmits) == (Out.PAID, 1)
    assert till.sandbox.ledger.charged_fen(last.out_trade_no) == 12_34
    assert_money_safe(till.engine, till.sandbox)


def test_07_cashier_abort_is_reversed_even_when_the_first_reverse_asks_for_a_retry(
    till: Till, provider: Provider
) -> None:
    cart_id = till.cart()
    first = till.pay(cart_id, provider, Scenario.REVERSE_ASKS_RETRY)
    till.tick(3)
    aborted = till.payments.abort(first.id)
    assert (aborted.outcome, aborted.abort_requested) == (Out.CANCELLING, True)
    wechat_wait = 15 - 3  # WeChat: reverse no sooner than 15 s after the pay call (§5.1)
    assert aborted.next_check_in_s == (wechat_wait if provider is WECHAT else 0)

    till.tick(aborted.next_check_in_s)
    retried = till.payments.advance(aborted.id)
    assert retried.state == "reversing"  # the first reverse / cancel asked for a retry
    last = till.settle(retried)

    assert last.outcome is Out.CANCELLED and order_status(till.engine, cart_id) == "open"
    assert_money_safe(till.engine, till.sandbox)


def test_10_expired_code_asks_for_a_new_code_which_pays_under_a_new_number(
    till: Till, provider: Provider
) -> None:
    cart_id = till.cart()
    expired = till.pay(cart_id, provider, Scenario.CODE_EXPIRED)
    assert (expired.final, expired.outcome) == (True, Out.RESCAN)

    fresh = till.settle(till.pay(cart_id, provider))

    assert fresh.outcome is Out.PAID and fresh.out_trade_no != expired.out_trade_no
    assert sale_tenders(till.engine, cart_id) == [("payment_code", provider.value, 12_34)]
    assert assert_money_safe(till.engine, till.sandbox) == 2


def test_12_refund_answering_system_error_is_retried_under_the_same_number(
    till: Till, provider: Provider
) -> None:
    cart_id = till.cart(items=2)
    part = till.pay(cart_id, provider, Scenario.REFUND_SYSTEM_ERROR, amount=Money(10_00))
    assert (part.outcome, part.sale, part.due) == (Out.PAID, None, Money(14_68))

    cancelled = till.cancel(cart_id)

    [refund] = cancelled.refunds
    assert (refund.state, refund.out_trade_no) == ("succeeded", part.out_trade_no)
    assert till.sandbox.ledger.returned_fen(part.out_trade_no) == 10_00  # once
    summary = till.payments.summary(cart_id)
    assert (summary.paid, summary.due, summary.locked) == (Money(0), Money(24_68), False)
    till.core.sales.pay_cash(cart_id, Money(30_00))
    assert sale_tenders(till.engine, cart_id) == [("cash", None, 24_68)]
    assert_money_safe(till.engine, till.sandbox)


def test_a_split_between_both_wallets_and_cash_completes_once_covered(
    till: Till, provider: Provider
) -> None:
    other = ALIPAY if provider is WECHAT else WECHAT
    cart_id = till.cart(items=3)  # 37.02
    first = till.pay(cart_id, provider, amount=Money(20_00))
    second = till.settle(
        till.pay(cart_id, other, Scenario.PASSWORD_THEN_PAYS, 5, amount=Money(10_00))
    )
    assert (first.sale, second.sale, second.due) == (None, None, Money(7_02))

    sale = till.core.sales.pay_cash(cart_id, Money(10_00))

    assert (sale.total, sale.change) == (Money(37_02), Money(2_98))
    assert sorted(sale_tenders(till.engine, cart_id)) == sorted(
        [
            ("cash", None, 7_02),
            ("payment_code", provider.value, 20_00),
            ("payment_code", other.value, 10_00),
        ]
    )
    assert assert_money_safe(till.engine, till.sandbox) == 2


def test_no_log_line_holds_the_payment_code(
    till: Till, provider: Provider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    code = make_code(provider, Scenario.NEVER_ARRIVED)  # pay, query, re-send, pay again
    last = till.settle(till.payments.pay_by_code(till.cart(), code))
    assert last.outcome is Out.PAID
    assert code not in caplog.text and code[:2] + "*" * 10 + code[-2:] in caplog.text
    assert_money_safe(till.engine, till.sandbox)
