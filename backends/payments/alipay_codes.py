"""Alipay answers, classified into the attempt machine's events (shared/protocols/payments.md
§4.5, §4.6). ``ACQ.SYSTEM_ERROR`` is unknown under any ``code`` (the official F2F demo only
looks at 20000: §4.6 says that is not enough); a business ``sub_code`` not listed is unknown
too: the attempt is queried and cancelled if need be, which costs time but never money.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pos_app.domain.payment_states import PaymentEvent as E
from pos_app.ports.payments import RefundEvent as R

_CUSTOMER = (
    "ACQ.BUYER_BALANCE_NOT_ENOUGH",
    "ACQ.BUYER_BANKCARD_BALANCE_NOT_ENOUGH",
    "ACQ.ERROR_BALANCE_PAYMENT_DISABLE",
    "ACQ.PULL_MOBILE_CASHIER_FAIL",
    "ACQ.MOBILE_PAYMENT_SWITCH_OFF",
    "ACQ.PAYMENT_FAIL",
    "ACQ.PAYMENT_REQUEST_HAS_RISK",
    "ACQ.NO_PAYMENT_INSTRUMENTS_AVAILABLE",
    "ACQ.BUYER_ENABLE_STATUS_FORBID",
    "ACQ.ERROR_BUYER_CERTIFY_LEVEL_LIMIT",
    "ACQ.BUYER_SELLER_EQUAL",
    "ACQ.TRADE_BUYER_NOT_MATCH",
)
_CONFIG = (
    "ACQ.INVALID_PARAMETER",
    "ACQ.ACCESS_FORBIDDEN",
    "ACQ.EXIST_FORBIDDEN_WORD",
    "ACQ.PARTNER_ERROR",
    "ACQ.TOTAL_FEE_EXCEED",
    "ACQ.SELLER_BEEN_BLOCKED",
    "ACQ.INVALID_STORE_ID",
    "ACQ.CONTEXT_INCONSISTENT",
    "ACQ.TRADE_HAS_CLOSE",
)

PAY_SUB_CODES: Mapping[str, E] = MappingProxyType(
    {
        "ACQ.TRADE_HAS_SUCCESS": E.PAY_ALREADY_PAID,
        "ACQ.PAYMENT_AUTH_CODE_INVALID": E.PAY_FAILED_RESCAN,
        **{code: E.PAY_FAILED_FINAL for code in _CUSTOMER + _CONFIG},
    }
)

# Gateway refusals: the request was turned away before any trade logic ran.
_REFUSED = frozenset({"20001", "40001", "40002", "40006"})

TRADE_STATUSES: Mapping[str, E] = MappingProxyType(
    {
        "WAIT_BUYER_PAY": E.QUERY_WAITING,
        "TRADE_SUCCESS": E.QUERY_PAID,
        "TRADE_FINISHED": E.QUERY_PAID,
        "TRADE_CLOSED": E.QUERY_CLOSED,
    }
)


def is_system_error(code: str, sub_code: str) -> bool:
    return code == "20000" or sub_code.endswith("ACQ.SYSTEM_ERROR")


def pay_event(code: str, sub_code: str) -> E:
    """trade.pay / precreate, any answer but 10000."""
    if is_system_error(code, sub_code):
        return E.PAY_UNKNOWN
    if code == "10003":
        return E.PAY_PENDING
    if code in _REFUSED:
        return E.PAY_FAILED_FINAL
    if sub_code.startswith("ACQ.SUB_MERCHANT_"):
        return E.PAY_FAILED_FINAL
    return PAY_SUB_CODES.get(sub_code, E.PAY_UNKNOWN)


def cancel_event(code: str, sub_code: str) -> E:
    """trade.cancel, any answer but 10000 without retry_flag=Y.

    A gateway refusal or a merchant balance too low for the refund will not cure itself by
    retrying: a person takes over (MANUAL_REVIEW); everything else is retried.
    """
    if code in _REFUSED or sub_code == "ACQ.SELLER_BALANCE_NOT_ENOUGH":
        return E.REVERSE_GAVE_UP
    if sub_code.endswith("ACQ.TRADE_NOT_EXIST"):
        return E.REVERSED_UNPAID
    return E.REVERSE_RETRY


_REFUND_REFUSED = frozenset(
    {
        "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL",
        "ACQ.REASON_TRADE_REFUND_FEE_ERR",
        "ACQ.DISCORDANT_REPEAT_REQUEST",
        "ACQ.SELLER_BALANCE_NOT_ENOUGH",
        "ACQ.TRADE_NOT_EXIST",
        "ACQ.TRADE_STATUS_ERROR",
    }
)


def refund_event(code: str, sub_code: str) -> R:
    """trade.refund, any answer but 10000: retry with the same out_request_no unless refused."""
    if is_system_error(code, sub_code):
        return R.UNKNOWN
    if code in _REFUSED or sub_code in _REFUND_REFUSED:
        return R.FAILED
    return R.UNKNOWN
