"""WeChat Pay v2 answers, classified into the attempt machine's events.

Tables follow shared/protocols/payments.md §2.3 (micropay err_code), §2.4 (trade_state),
§2.5 (reverse), §2.6 (refund). An err_code not listed is treated as *unknown*: the attempt is
queried and, if need be, reversed, which costs time but never money.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pos_app.domain.payment_states import PaymentEvent as E
from pos_app.ports.payments import RefundEvent as R

PAY_ERRORS: Mapping[str, E] = MappingProxyType(
    {
        "USERPAYING": E.PAY_PENDING,
        "SYSTEMERROR": E.PAY_UNKNOWN,
        "BANKERROR": E.PAY_UNKNOWN,
        "ORDERPAID": E.PAY_ALREADY_PAID,
        "AUTHCODEEXPIRE": E.PAY_FAILED_RESCAN,
        "AUTH_CODE_ERROR": E.PAY_FAILED_RESCAN,
        "AUTH_CODE_INVALID": E.PAY_FAILED_RESCAN,
        **{
            code: E.PAY_FAILED_FINAL
            for code in (
                "NOTENOUGH",
                "NOTSUPORTCARD",
                "BUYER_MISMATCH",
                "ORDERCLOSED",
                "ORDERREVERSED",
                "OUT_TRADE_NO_USED",
                "TRADE_ERROR",
                "NOAUTH",
                "PARAM_ERROR",
                "XML_FORMAT_ERROR",
                "SIGNERROR",
                "LACK_PARAMS",
                "NOT_UTF8",
                "APPID_NOT_EXIST",
                "MCHID_NOT_EXIST",
                "APPID_MCHID_NOT_MATCH",
                "REQUIRE_POST_METHOD",
                "POST_DATA_EMPTY",
            )
        },
    }
)

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

# Reverse: "当撤销无返回或错误时，请再次调用" (call again on no answer or an error), so
# everything not listed is a retry; REVERSE_EXPIRE (older than 7 days) needs a refund instead.
REVERSE_ERRORS: Mapping[str, E] = MappingProxyType(
    {
        "ORDERNOTEXIST": E.REVERSED_UNPAID,
        "REVERSE_EXPIRE": E.REVERSE_GAVE_UP,
    }
)

CLOSE_ERRORS: Mapping[str, E] = MappingProxyType(
    {
        "ORDERNOTEXIST": E.REVERSED_UNPAID,
        "ORDERCLOSED": E.REVERSED_UNPAID,
        "ORDERPAID": E.RESUMED,
    }
)

# Refund: SYSTEMERROR "是有可能退款成功的…请使用相同参数再次调用" (it may have gone through;
# call again with the same parameters); other refusals moved nothing.
REFUND_RETRY = frozenset({"SYSTEMERROR", "BIZERR_NEED_RETRY", "FREQUENCY_LIMITED"})

REFUND_STATES: Mapping[str, R] = MappingProxyType(
    {
        "SUCCESS": R.SUCCEEDED,
        "PROCESSING": R.PROCESSING,
        "REFUNDCLOSE": R.FAILED,
        "CHANGE": R.MANUAL,
    }
)
