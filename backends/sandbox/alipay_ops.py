"""The ``alipay.trade.*`` operations of the sandbox, on the order book (lock held by the caller).

Each returns the ``…_response`` object and the transport effect a magic code asks for. Codes
and sub-codes are the documented ones (§4.5, §4.6).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from backends.sandbox.magic import WAITING_SCENARIOS, Scenario, decode
from backends.sandbox.replies import NO_EFFECT, Effect
from backends.sandbox.state import Book, Order, Refund, Status
from pos_app.domain.money import Money, MoneyFormatError

Biz = dict[str, str]
Result = tuple[dict[str, object], Effect]
Op = Callable[[Book, str, Biz, float], Result]
ALIPAY_PREFIXES = ("25", "26", "27", "28", "29", "30")


def _fail(sub_code: str, sub_msg: str, code: str = "40004", **extra: object) -> Result:
    msg = {"40004": "Business Failed", "20000": "Service Currently Unavailable"}.get(code, "")
    return {"code": code, "msg": msg, "sub_code": sub_code, "sub_msg": sub_msg, **extra}, NO_EFFECT


def _yuan(fen: int) -> str:
    return Money(fen).yuan_text()


def _fen(text: str | None) -> int | None:
    try:
        fen = Money.parse(text or "").fen
    except MoneyFormatError:
        return None
    return fen if fen > 0 else None


def _stamp(book: Book, moment: float | None) -> str:
    wall = book.clock.wall() - (book.clock.now() - (moment or book.clock.now()))
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(wall + 8 * 3600))


def _find(book: Book, app_id: str, biz: Biz, now: float) -> Order | None:
    order = book.orders.get((app_id, biz.get("out_trade_no", "")))
    if order is None and biz.get("trade_no"):
        order = next(
            (
                o
                for (a, _), o in book.orders.items()
                if a == app_id and o.trade_no == biz["trade_no"]
            ),
            None,
        )
    if order is not None:
        book.settle(order, now)
    return order


def _missing(biz: Biz, *names: str) -> Result | None:
    absent = [name for name in names if not biz.get(name)]
    if absent:
        return _fail(
            f"isv.missing-{absent[0].replace('_', '-')}", f"缺少必选参数{absent[0]}", code="40001"
        )
    return None


def _paid(book: Book, order: Order) -> dict[str, object]:
    amount = _yuan(order.fen)
    return {
        "code": "10000",
        "msg": "Success",
        "buyer_logon_id": "159****5620",
        "buyer_pay_amount": amount,
        "buyer_user_id": "2088" + order.trade_no[-12:],
        "fund_bill_list": [{"amount": amount, "fund_channel": "ALIPAYACCOUNT"}],
        "gmt_payment": _stamp(book, order.paid_at),
        "invoice_amount": amount,
        "out_trade_no": order.out_trade_no,
        "point_amount": "0.00",
        "receipt_amount": amount,
        "total_amount": amount,
        "trade_no": order.trade_no,
    }


def pay(book: Book, app_id: str, biz: Biz, now: float) -> Result:
    missing = _missing(biz, "out_trade_no", "scene", "auth_code", "subject", "total_amount")
    fen = _fen(biz.get("total_amount"))
    if missing or biz["scene"] != "bar_code" or fen is None:
        return missing or _fail("ACQ.INVALID_PARAMETER", "参数无效")
    code = biz["auth_code"]
    if not (16 <= len(code) <= 24 and code.isdigit() and code.startswith(ALIPAY_PREFIXES)):
        return _fail(
            "ACQ.PAYMENT_AUTH_CODE_INVALID",
            "支付失败，获取顾客账户信息失败，请顾客刷新付款码后重新收款",
        )
    order = _find(book, app_id, biz, now)
    if order is not None:
        if order.terms != (code, str(fen)):
            return _fail("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
        if order.status is Status.PAID:
            return _fail("ACQ.TRADE_HAS_SUCCESS", "交易已被支付", trade_no=order.trade_no)
        if order.status is Status.WAITING:
            return _waiting(order)
        return _fail("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
    if code in book.used_codes:
        return _fail("ACQ.PAYMENT_AUTH_CODE_INVALID", "付款码已使用，请顾客刷新付款码")
    magic = decode(code)
    if magic.scenario is Scenario.NEVER_ARRIVED and code not in book.lost_codes:
        book.lost_codes.add(code)
        return _fail("isp.unknow-error", "系统繁忙", code="20000")
    book.used_codes.add(code)
    order = Order(
        "alipay",
        app_id,
        biz["out_trade_no"],
        fen,
        book.next_trade_no("2026"),
        now,
        Status.WAITING,
        code,
        magic,
        (code, str(fen)),
    )
    book.orders[(app_id, order.out_trade_no)] = order
    return _first_answer(book, order, now)


def _waiting(order: Order) -> Result:
    return {
        "code": "10003",
        "msg": "Order success pay inprocess",
        "trade_no": order.trade_no,
        "out_trade_no": order.out_trade_no,
        "total_amount": _yuan(order.fen),
    }, NO_EFFECT


def _first_answer(book: Book, order: Order, now: float) -> Result:
    scenario, param = order.magic.scenario, order.magic.param
    if scenario is Scenario.CODE_EXPIRED:
        order.status = Status.CLOSED
        return _fail("ACQ.PAYMENT_AUTH_CODE_INVALID", "付款码已过期，请顾客刷新付款码")
    if scenario is Scenario.NOT_ENOUGH:
        order.status = Status.CLOSED
        return _fail("ACQ.BUYER_BALANCE_NOT_ENOUGH", "买家余额不足")
    if scenario in WAITING_SCENARIOS:
        if scenario is Scenario.PASSWORD_THEN_PAYS:
            order.pay_at = now + param
        elif scenario is Scenario.PASSWORD_THEN_CANCELS:
            order.fail_at = now + param
        return _waiting(order)
    book.charge(order, now)
    if scenario is Scenario.SYSTEM_ERROR_PAID:
        return _fail("aop.ACQ.SYSTEM_ERROR", "系统异常", code="20000")
    if scenario is Scenario.SYSTEM_ERROR_PAID_ANY_CODE:
        return _fail("ACQ.SYSTEM_ERROR", "系统异常")
    effect = {
        Scenario.DROP_AFTER_CHARGE: Effect(drop=True),
        Scenario.SLOW_REPLY: Effect(delay_s=float(param or 10)),
        Scenario.BAD_SIGNATURE: Effect(bad_sign=True),
    }.get(scenario, NO_EFFECT)
    return _paid(book, order), effect


def query(book: Book, app_id: str, biz: Biz, now: float) -> Result:
    order = _find(book, app_id, biz, now)
    if order is None or order.status is Status.QR_PENDING:
        return _fail("ACQ.TRADE_NOT_EXIST", "交易不存在")
    if order.status is Status.PAID:
        fields = _paid(book, order)
        closed = order.refunded_fen >= order.fen
        return {**fields, "trade_status": "TRADE_CLOSED" if closed else "TRADE_SUCCESS"}, NO_EFFECT
    status = "WAIT_BUYER_PAY" if order.status is Status.WAITING else "TRADE_CLOSED"
    return {
        "code": "10000",
        "msg": "Success",
        "trade_no": order.trade_no,
        "out_trade_no": order.out_trade_no,
        "trade_status": status,
        "total_amount": _yuan(order.fen),
    }, NO_EFFECT


def cancel(book: Book, app_id: str, biz: Biz, now: float) -> Result:
    order = _find(book, app_id, biz, now)
    if order is None:
        return {
            "code": "10000",
            "msg": "Success",
            "retry_flag": "N",
            "out_trade_no": biz.get("out_trade_no", ""),
        }, NO_EFFECT
    if order.magic.scenario is Scenario.REVERSE_ASKS_RETRY and order.undo_calls == 0:
        order.undo_calls += 1
        return _fail("ACQ.SYSTEM_ERROR", "系统异常", retry_flag="Y")
    fields: dict[str, object] = {
        "code": "10000",
        "msg": "Success",
        "retry_flag": "N",
        "trade_no": order.trade_no,
        "out_trade_no": order.out_trade_no,
    }
    if order.status is Status.QR_PENDING:
        order.status = Status.CLOSED
        return fields, NO_EFFECT  # no trade yet: no action
    if order.status is Status.PAID:
        book.give_back(order, "reversal", order.fen - order.refunded_fen, now)
        order.status = Status.REVOKED
    if order.status is Status.REVOKED:
        return {**fields, "action": "refund", "gmt_refund_pay": _stamp(book, now)}, NO_EFFECT
    order.status = Status.CLOSED
    return {**fields, "action": "close"}, NO_EFFECT


def refund(book: Book, app_id: str, biz: Biz, now: float) -> Result:
    fen = _fen(biz.get("refund_amount"))
    if fen is None:
        return _missing(biz, "refund_amount") or _fail("ACQ.INVALID_PARAMETER", "退款金额无效")
    order = _find(book, app_id, biz, now)
    if order is None:
        return _fail("ACQ.TRADE_NOT_EXIST", "交易不存在")
    number = biz.get("out_request_no") or order.out_trade_no
    known = order.refunds.get(number)
    replay = known is not None
    if known is not None and known.fen != fen:
        return _fail("ACQ.DISCORDANT_REPEAT_REQUEST", "请求信息不一致")
    if known is None:
        if order.status is not Status.PAID:
            return _fail("ACQ.TRADE_STATUS_ERROR", "交易状态不合法")
        if not biz.get("out_request_no") and fen != order.fen:
            return _fail("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额与交易金额不一致")
        if order.refunded_fen + fen > order.fen:
            return _fail("ACQ.REASON_TRADE_REFUND_FEE_ERR", "退款金额超限")
        known = Refund(number, fen, order.trade_no, now, now)
        order.refunds[number] = known
        book.settle(order, now)
        if order.magic.scenario is Scenario.REFUND_SYSTEM_ERROR and order.refund_calls == 0:
            order.refund_calls += 1
            return _fail("aop.ACQ.SYSTEM_ERROR", "系统异常", code="20000")
    return {
        "code": "10000",
        "msg": "Success",
        "trade_no": order.trade_no,
        "out_trade_no": order.out_trade_no,
        "buyer_logon_id": "159****5620",
        "fund_change": "N" if replay else "Y",
        "refund_fee": _yuan(order.refunded_fen),
        "gmt_refund_pay": _stamp(book, known.created),
    }, NO_EFFECT


def refund_query(book: Book, app_id: str, biz: Biz, now: float) -> Result:
    missing = _missing(biz, "out_request_no")
    order = _find(book, app_id, biz, now)
    if missing or order is None:
        return missing or _fail("ACQ.TRADE_NOT_EXIST", "交易不存在")
    fields: dict[str, object] = {
        "code": "10000",
        "msg": "Success",
        "trade_no": order.trade_no,
        "out_trade_no": order.out_trade_no,
    }
    known = order.refunds.get(biz["out_request_no"])
    if known is None or not known.done:
        return fields, NO_EFFECT  # "没有查询到则代表未退款成功" (no data: not refunded)
    return {
        **fields,
        "out_request_no": known.out_refund_no,
        "refund_amount": _yuan(known.fen),
        "total_amount": _yuan(order.fen),
        "refund_status": "REFUND_SUCCESS",
    }, NO_EFFECT


def precreate(book: Book, app_id: str, biz: Biz, now: float) -> Result:
    missing = _missing(biz, "out_trade_no", "total_amount", "subject")
    fen = _fen(biz.get("total_amount"))
    if missing or fen is None:
        return missing or _fail("ACQ.INVALID_PARAMETER", "参数无效")
    order = _find(book, app_id, biz, now)
    if order is not None:
        if order.terms != (str(fen),):
            return _fail("ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改")
        if order.status is Status.PAID:
            return _fail("ACQ.TRADE_HAS_SUCCESS", "交易已被支付")
        if order.status not in (Status.QR_PENDING, Status.WAITING):
            return _fail("ACQ.TRADE_HAS_CLOSE", "交易已经关闭")
    else:
        order = Order(
            "alipay",
            app_id,
            biz["out_trade_no"],
            fen,
            book.next_trade_no("2026"),
            now,
            Status.QR_PENDING,
            terms=(str(fen),),
        )
        order.qr = f"https://qr.alipay.com/bax0{secrets.token_hex(10)}"
        book.orders[(app_id, order.out_trade_no)] = order
        book.qr_index[order.qr] = (app_id, order.out_trade_no)
    return {
        "code": "10000",
        "msg": "Success",
        "out_trade_no": order.out_trade_no,
        "qr_code": order.qr or "",
    }, NO_EFFECT


OPS: dict[str, Op] = {
    "alipay.trade.pay": pay,
    "alipay.trade.query": query,
    "alipay.trade.cancel": cancel,
    "alipay.trade.refund": refund,
    "alipay.trade.fastpay.refund.query": refund_query,
    "alipay.trade.precreate": precreate,
}
