"""The WeChat Pay v3 operations of the sandbox, as translations of the v2 ones.

Each v3 call is turned into the v2 fields ``wechat_ops`` takes, run on the same order book
(lock held by the caller), and its answer is turned back into v3 JSON and an HTTP status. So a
payment behaves identically whichever API the till speaks: the same magic codes, the same
orders, the same ledger. The v3 shapes the brief leaves open (§3.1, §12.1) are the sandbox's
choice, written down in docs/sandbox.md: USERPAYING is a 200 ``trade_state`` (or, with
``userpaying_202``, a 202 ``{"code": "USERPAYING"}``), system errors are 500 SYSTEM_ERROR /
BANK_ERROR, not found is 404 ORDER_NOT_EXIST / RESOURCE_NOT_EXISTS, other refusals are 403
(400 for parameter errors) with the v2 ``err_code`` as ``code``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from backends.sandbox import wechat_ops
from backends.sandbox.replies import NO_EFFECT, Effect
from backends.sandbox.state import Book, Order

Json = dict[str, Any]

# v2 err_code -> (HTTP status, v3 code); anything else is 403 with the v2 code.
_ERRORS: dict[str, tuple[int, str]] = {
    "SYSTEMERROR": (500, "SYSTEM_ERROR"),
    "BANKERROR": (500, "BANK_ERROR"),
    "PARAM_ERROR": (400, "PARAM_ERROR"),
    "INVALID_REQUEST": (400, "INVALID_REQUEST"),
    "AUTH_CODE_INVALID": (400, "AUTH_CODE_INVALID"),
    "ORDERNOTEXIST": (404, "ORDER_NOT_EXIST"),
    "REFUNDNOTEXIST": (404, "RESOURCE_NOT_EXISTS"),
    "ORDERCLOSED": (403, "ORDER_CLOSED"),
}


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated request: the merchant, path parameter, query and JSON body."""

    mchid: str
    appid: str
    key: str = ""  # out_trade_no or out_refund_no from the path
    query: dict[str, str] = field(default_factory=dict)
    body: Json = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    data: Json | None  # None: an empty body (204)
    effect: Effect = NO_EFFECT
    userpaying: bool = False  # a codepay USERPAYING answer (rendered as the sandbox is set)


def error(status: int, code: str, message: str) -> Answer:
    return Answer(status, {"code": code, "message": message})


def _v2_error(fields: dict[str, str], effect: Effect = NO_EFFECT) -> Answer:
    err = fields.get("err_code", "")
    status, code = _ERRORS.get(err, (403, err))
    return Answer(status, {"code": code, "message": fields.get("err_code_des", "")}, effect)


def _amount(body: Json) -> int | None:
    amount = body.get("amount")
    total = amount.get("total") if isinstance(amount, dict) else None
    if isinstance(total, int) and not isinstance(total, bool) and total > 0:
        return total
    return None


def _str(body: Json, *path: str) -> str:
    value: Any = body
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    return value if isinstance(value, str) else ""


def _rfc3339(stamp: str) -> str:
    """v2 ``yyyyMMddHHmmss`` (Beijing) -> ``yyyy-MM-ddTHH:mm:ss+08:00``."""
    if len(stamp) != 14:
        return ""
    return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}T{stamp[8:10]}:{stamp[10:12]}:{stamp[12:]}+08:00"


def _now_rfc3339(book: Book) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(book.clock.wall() + 8 * 3600))


def _transaction(call: Call, fields: dict[str, str]) -> Json:
    """v2 order fields -> a v3 transaction (query, codepay, callback)."""
    total = int(fields.get("total_fee", "0") or 0)
    data: Json = {
        "appid": call.appid,
        "mchid": call.mchid,
        "out_trade_no": fields.get("out_trade_no", ""),
        "trade_state": fields.get("trade_state", "SUCCESS"),
        "trade_state_desc": fields.get("trade_state_desc", "支付成功"),
        "amount": {"total": total, "currency": "CNY"},
    }
    if fields.get("transaction_id"):
        data |= {
            "transaction_id": fields["transaction_id"],
            "trade_type": fields.get("trade_type", "MICROPAY"),
            "bank_type": fields.get("bank_type", "OTHERS"),
            "success_time": _rfc3339(fields.get("time_end", "")),
            "payer": {"openid": fields.get("openid", "")},
        }
        data["amount"] |= {"payer_total": total, "payer_currency": "CNY"}
    return data


def _v2(call: Call, **fields: str) -> dict[str, str]:
    return {"mch_id": call.mchid, "appid": call.appid, **fields}


def codepay(book: Book, call: Call, now: float) -> Answer:
    body, total = call.body, _amount(call.body)
    if total is None or not _str(body, "out_trade_no") or not _str(body, "description"):
        return error(400, "PARAM_ERROR", "description、out_trade_no或amount.total参数错误")
    fields = _v2(
        call,
        body=_str(body, "description"),
        out_trade_no=_str(body, "out_trade_no"),
        total_fee=str(total),
        spbill_create_ip=_str(body, "scene_info", "device_ip") or "127.0.0.1",
        auth_code=_str(body, "payer", "auth_code"),
    )
    result, effect = wechat_ops.micropay(book, fields, now)
    if result.get("result_code") == "SUCCESS":
        return Answer(200, _transaction(call, result), effect)
    if result.get("err_code") == "USERPAYING":
        waiting = {
            "out_trade_no": fields["out_trade_no"],
            "total_fee": fields["total_fee"],
            "trade_state": "USERPAYING",
            "trade_state_desc": result.get("err_code_des", ""),
        }
        return Answer(200, _transaction(call, waiting), effect, userpaying=True)
    return _v2_error(result, effect)


def query(book: Book, call: Call, now: float) -> Answer:
    if call.query.get("mchid") != call.mchid:
        return error(400, "PARAM_ERROR", "mchid与请求签名的商户号不一致")
    result, _ = wechat_ops.orderquery(book, _v2(call, out_trade_no=call.key), now)
    if result.get("result_code") != "SUCCESS":
        return _v2_error(result)
    return Answer(200, _transaction(call, result))


def reverse(book: Book, call: Call, now: float) -> Answer:
    if _str(call.body, "mchid") != call.mchid or _str(call.body, "appid") != call.appid:
        return error(400, "PARAM_ERROR", "appid或mchid参数错误")
    result, _ = wechat_ops.reverse(book, _v2(call, out_trade_no=call.key), now)
    if result.get("result_code") != "SUCCESS":
        return _v2_error(result)
    return Answer(200, {"appid": call.appid, "mchid": call.mchid, "out_trade_no": call.key})


def close(book: Book, call: Call, now: float) -> Answer:
    if _str(call.body, "mchid") != call.mchid:
        return error(400, "PARAM_ERROR", "mchid参数错误")
    result, _ = wechat_ops.closeorder(book, _v2(call, out_trade_no=call.key), now)
    if result.get("result_code") != "SUCCESS":
        return _v2_error(result)
    return Answer(204, None)


def native(book: Book, call: Call, now: float) -> Answer:
    body, total = call.body, _amount(call.body)
    if _str(body, "mchid") != call.mchid or _str(body, "appid") != call.appid:
        return error(400, "PARAM_ERROR", "appid或mchid参数错误")
    if total is None or not _str(body, "notify_url"):
        return error(400, "PARAM_ERROR", "amount.total或notify_url参数错误")
    out_trade_no = _str(body, "out_trade_no")
    fields = _v2(
        call,
        body=_str(body, "description"),
        out_trade_no=out_trade_no,
        total_fee=str(total),
        spbill_create_ip=_str(body, "scene_info", "payer_client_ip") or "127.0.0.1",
        notify_url=_str(body, "notify_url"),
        trade_type="NATIVE",
        product_id=out_trade_no,
    )
    result, _ = wechat_ops.unifiedorder(book, fields, now)
    if result.get("result_code") != "SUCCESS":
        return _v2_error(result)
    return Answer(200, {"code_url": result["code_url"]})


def _refund_json(book: Book, order: Order, out_refund_no: str) -> Json:
    refund = order.refunds[out_refund_no]
    data: Json = {
        "refund_id": refund.refund_id,
        "out_refund_no": refund.out_refund_no,
        "transaction_id": order.trade_no,
        "out_trade_no": order.out_trade_no,
        "channel": "ORIGINAL",
        "user_received_account": "支付用户零钱",
        "create_time": _now_rfc3339(book),
        "status": "SUCCESS" if refund.done else "PROCESSING",
        "amount": {
            "total": order.fen,
            "refund": refund.fen,
            "payer_total": order.fen,
            "payer_refund": refund.fen,
            "settlement_total": order.fen,
            "settlement_refund": refund.fen,
            "discount_refund": 0,
            "currency": "CNY",
        },
    }
    if refund.done:
        data["success_time"] = _now_rfc3339(book)
    return data


def refund(book: Book, call: Call, now: float) -> Answer:
    body = call.body
    amount = body.get("amount")
    refund_fen = amount.get("refund") if isinstance(amount, dict) else None
    total = _amount(body)
    number, out_trade_no = _str(body, "out_refund_no"), _str(body, "out_trade_no")
    if not (number and out_trade_no and isinstance(refund_fen, int) and total is not None):
        return error(400, "PARAM_ERROR", "out_trade_no、out_refund_no或amount参数错误")
    fields = _v2(
        call,
        out_trade_no=out_trade_no,
        out_refund_no=number,
        total_fee=str(total),
        refund_fee=str(refund_fen),
    )
    result, _ = wechat_ops.refund(book, fields, now)
    if result.get("result_code") != "SUCCESS":
        return _v2_error(result)
    order = book.orders[(call.mchid, out_trade_no)]
    return Answer(200, _refund_json(book, order, number))


def refund_query(book: Book, call: Call, now: float) -> Answer:
    key = book.refund_index.get((call.mchid, call.key))
    order = book.orders.get(key) if key else None
    if order is None or call.key not in order.refunds:
        return error(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
    book.settle(order, now)
    return Answer(200, _refund_json(book, order, call.key))


def transaction_of(book: Book, call: Call, now: float) -> Json | None:
    """The v3 transaction of a paid order (a callback's resource), or None."""
    result, _ = wechat_ops.orderquery(book, _v2(call, out_trade_no=call.key), now)
    if result.get("result_code") != "SUCCESS" or result.get("trade_state") != "SUCCESS":
        return None
    return _transaction(call, result)
