"""WeChat Pay v3 answers, classified into the attempt machine's events.

v3 signals errors as an HTTP status plus ``{"code", "message"}`` (§3.1: 400 PARAM_ERROR,
400 INVALID_REQUEST, 401 SIGN_ERROR, 500 SYSTEM_ERROR). The business codes of codepay,
reverse and close are not pinned down by the brief (§12.1), so every table accepts the v2
spelling (§2.3-§2.5) and the underscored v3 spelling of the same code, and anything not
listed is *unknown*: queried, then reversed if need be, which costs time but never money.
Only a reply whose signature verified is looked up here at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from pos_app.domain.payment_states import PaymentEvent as E
from pos_app.ports.payments import RefundEvent as R


def _spellings(table: Mapping[str, E], *pairs: tuple[str, str]) -> Mapping[str, E]:
    extended = dict(table)
    for v2, v3 in pairs:
        extended[v3] = extended[v2]
    return MappingProxyType(extended)


def _all(codes: Iterable[str], event: E) -> dict[str, E]:
    return dict.fromkeys(codes, event)


_SPELLINGS = (
    ("ORDERPAID", "ORDER_PAID"),
    ("AUTHCODEEXPIRE", "AUTH_CODE_EXPIRE"),
    ("NOTENOUGH", "NOT_ENOUGH"),
    ("ORDERCLOSED", "ORDER_CLOSED"),
    ("ORDERREVERSED", "ORDER_REVERSED"),
    ("NOAUTH", "NO_AUTH"),
    ("SIGNERROR", "SIGN_ERROR"),
)

# codepay refusals (HTTP 4xx with a verified signature). USERPAYING is also accepted as an
# error code (a 202 or 4xx ``{"code": "USERPAYING"}``) besides ``trade_state=USERPAYING``.
PAY_ERRORS: Mapping[str, E] = _spellings(
    {
        "USERPAYING": E.PAY_PENDING,
        "ORDERPAID": E.PAY_ALREADY_PAID,
        **_all(("AUTHCODEEXPIRE", "AUTH_CODE_ERROR", "AUTH_CODE_INVALID"), E.PAY_FAILED_RESCAN),
        **_all(
            (
                "NOTENOUGH",
                "NOTSUPORTCARD",
                "BUYER_MISMATCH",
                "ORDERCLOSED",
                "ORDERREVERSED",
                "OUT_TRADE_NO_USED",
                "TRADE_ERROR",
                "NOAUTH",
                "PARAM_ERROR",
                "INVALID_REQUEST",
                "SIGNERROR",
                "APPID_MCHID_NOT_MATCH",
                "MCH_NOT_EXISTS",
                "RULE_LIMIT",
                "ACCOUNT_ERROR",
            ),
            E.PAY_FAILED_FINAL,
        ),
    },
    *_SPELLINGS,
)

# ``trade_state`` of query (and of a codepay or callback body): as v2 (§2.4).
TRADE_STATES: Mapping[str, E] = MappingProxyType(
    {
        "SUCCESS": E.QUERY_PAID,
        "USERPAYING": E.QUERY_WAITING,
        "NOTPAY": E.QUERY_WAITING,
        "ACCEPT": E.QUERY_WAITING,
        "PAYERROR": E.QUERY_PAY_ERROR,
        "REVOKED": E.QUERY_CLOSED,
        "CLOSED": E.QUERY_CLOSED,
        "REFUND": E.QUERY_REFUNDED,
    }
)

# codepay answered 200 with a trade_state: only SUCCESS and USERPAYING are classified there;
# the rest (NOTPAY, PAYERROR…) is left to the query, which knows what to do with each.
PAY_TRADE_STATES: Mapping[str, E] = MappingProxyType(
    {"USERPAYING": E.PAY_PENDING, "ACCEPT": E.PAY_PENDING}
)

NOT_FOUND = frozenset({"ORDERNOTEXIST", "ORDER_NOT_EXIST", "RESOURCE_NOT_EXISTS"})

# Reverse: "当撤销无返回或错误时，请再次调用" (call again on no answer or an error, §2.5).
REVERSE_ERRORS: Mapping[str, E] = MappingProxyType(
    {
        **_all(NOT_FOUND, E.REVERSED_UNPAID),
        "REVERSE_EXPIRE": E.REVERSE_GAVE_UP,
    }
)

CLOSE_ERRORS: Mapping[str, E] = _spellings(
    {
        **_all(NOT_FOUND, E.REVERSED_UNPAID),
        "ORDERCLOSED": E.REVERSED_UNPAID,
        "ORDERPAID": E.RESUMED,
    },
    ("ORDERCLOSED", "ORDER_CLOSED"),
    ("ORDERPAID", "ORDER_PAID"),
)

# Refund: SYSTEM_ERROR "是有可能退款成功的…请使用相同参数再次调用" (it may have gone
# through; call again with the same parameters, §2.6); a verified refusal moved nothing.
REFUND_RETRY = frozenset(
    {"SYSTEM_ERROR", "SYSTEMERROR", "BIZERR_NEED_RETRY", "FREQUENCY_LIMITED", "BANK_ERROR"}
)

# v3 refund ``status``: SUCCESS | CLOSED | PROCESSING | ABNORMAL (the v2 CHANGE).
REFUND_STATES: Mapping[str, R] = MappingProxyType(
    {
        "SUCCESS": R.SUCCEEDED,
        "PROCESSING": R.PROCESSING,
        "CLOSED": R.FAILED,
        "ABNORMAL": R.MANUAL,
    }
)
