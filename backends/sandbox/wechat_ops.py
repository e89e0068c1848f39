"""The WeChat Pay v2 operations of the sandbox, on the order book (lock held by the caller).

Each returns the business fields of the reply (``result_code`` and the rest) and the transport
effect a magic code asks for. Error codes and texts are the documented ones (§2.3-§2.7).
"""

from __future__ import annotations

import secrets
import time

from backends.sandbox.magic import WAITING_SCENARIOS, Scenario, decode
from backends.sandbox.replies import NO_EFFECT, Effect
from backends.sandbox.state import Book, Order, Refund, Status

Fields = dict[str, str]
Result = tuple[Fields, Effect]
WECHAT_PREFIXES = ("10", "11", "12", "13", "14", "15")


def _err(code: str, text: str, **extra: str) -> Result:
    return {"result_code": "FAIL", "err_code": code, "err_code_des": text, **extra}, NO_EFFECT


def _ok(**fields: str) -> Fields:
    return {"result_code": "SUCCESS", **fields}


def _missing(params: Fields, *names: str) -> Result | None:
    absent = [name for name in names if not params.get(name)]
    if absent:
        return _err("PARAM_ERROR", f"缺少参数{absent[0]}")
    return None


def _find(book: Book, params: Fields, now: float) -> Order | None:
    merchant = params["mch_id"]
    order = book.orders.get((merchant, params.get("out_trade_no", "")))
    if order is None and params.get("transaction_id"):
        order = next(
            (
                o
                for (m, _), o in book.orders.items()
                if m == merchant and o.trade_no == params["transaction_id"]
            ),
            None,
        )
    if order is not None:
        book.settle(order, now)
    return order


def _time(book: Book, moment: float | None) -> str:
    wall = book.clock.wall() - (book.clock.now() - (moment or book.clock.now()))
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(wall + 8 * 3600))


def _paid_fields(book: Book, order: Order) -> Fields:
    return _ok(
        openid="oSandbox" + order.trade_no[-8:],
        is_subscribe="N",
        trade_type="MICROPAY" if order.code else "NATIVE",
        bank_type="OTHERS",
        total_fee=str(order.fen),
        cash_fee=str(order.fen),
        fee_type="CNY",
        transaction_id=order.trade_no,
        out_trade_no=order.out_trade_no,
        time_end=_time(book, order.paid_at),
    )


def micropay(book: Book, params: Fields, now: float) -> Result:
    missing = _missing(params, "body", "out_trade_no", "total_fee", "spbill_create_ip", "auth_code")
    if missing or not params["total_fee"].isdigit() or int(params["total_fee"]) <= 0:
        return missing or _err("PARAM_ERROR", "total_fee参数错误")
    code, number = params["auth_code"], params["out_trade_no"]
    if not (len(code) == 18 and code.isdigit() and code.startswith(WECHAT_PREFIXES)):
        return _err(
            "AUTH_CODE_INVALID", "请扫描微信支付授权码(以10/11/12/13/14/15为前缀的18位数字)"
        )
    terms = (code, params["total_fee"])
    order = _find(book, params, now)
    if order is not None:
        return _resubmitted(book, order, terms)
    if code in book.used_codes:
        return _err("AUTH_CODE_ERROR", "每个二维码仅限使用一次，请刷新再试")
    magic = decode(code)
    if magic.scenario is Scenario.NEVER_ARRIVED and code not in book.lost_codes:
        book.lost_codes.add(code)
        return _err("SYSTEMERROR", "系统超时")
    book.used_codes.add(code)
    order = Order(
        "wechat",
        params["mch_id"],
        number,
        int(params["total_fee"]),
        book.next_trade_no("4200"),
        now,
        Status.WAITING,
        code,
        magic,
        terms,
    )
    book.orders[(order.merchant, number)] = order
    return _first_answer(book, order, now)


def _resubmitted(book: Book, order: Order, terms: tuple[str, ...]) -> Result:
    if order.terms != terms:
        return _err("OUT_TRADE_NO_USED", "商户订单号重复")
    answers = {
        Status.PAID: ("ORDERPAID", "订单已支付"),
        Status.WAITING: ("USERPAYING", "需要用户输入支付密码"),
        Status.REVOKED: ("ORDERREVERSED", "订单已撤销"),
    }
    return _err(*answers.get(order.status, ("ORDERCLOSED", "订单已关闭")))


def _first_answer(book: Book, order: Order, now: float) -> Result:
    scenario, param = order.magic.scenario, order.magic.param
    if scenario is Scenario.CODE_EXPIRED:
        order.status = Status.CLOSED
        return _err("AUTHCODEEXPIRE", "二维码已过期，请用户在微信上刷新后再试")
    if scenario is Scenario.NOT_ENOUGH:
        order.status = Status.PAY_ERROR
        return _err("NOTENOUGH", "余额不足")
    if scenario in WAITING_SCENARIOS:
        if scenario is Scenario.PASSWORD_THEN_PAYS:
            order.pay_at = now + param
        elif scenario is Scenario.PASSWORD_THEN_CANCELS:
            order.fail_at = now + param
        return _err("USERPAYING", "需要用户输入支付密码")
    book.charge(order, now)
    if scenario is Scenario.SYSTEM_ERROR_PAID:
        return _err("SYSTEMERROR", "系统超时")
    if scenario is Scenario.SYSTEM_ERROR_PAID_ANY_CODE:
        return _err("BANKERROR", "银行系统异常")
    effect = {
        Scenario.DROP_AFTER_CHARGE: Effect(drop=True),
        Scenario.SLOW_REPLY: Effect(delay_s=float(param or 10)),
        Scenario.BAD_SIGNATURE: Effect(bad_sign=True),
    }.get(scenario, NO_EFFECT)
    return _paid_fields(book, order), effect


_TRADE_STATE = {
    Status.QR_PENDING: ("NOTPAY", "订单未支付"),
    Status.PAY_ERROR: ("PAYERROR", "支付失败，请撤销订单"),
    Status.CLOSED: ("CLOSED", "订单已关闭"),
    Status.REVOKED: ("REVOKED", "订单已撤销"),
}


def orderquery(book: Book, params: Fields, now: float) -> Result:
    order = _find(book, params, now)
    if order is None:
        return _err("ORDERNOTEXIST", "此交易订单号不存在")
    if order.status is Status.PAID:
        fields = _paid_fields(book, order)
        state = "REFUND" if order.refunds else "SUCCESS"
        return {**fields, "trade_state": state, "trade_state_desc": "支付成功"}, NO_EFFECT
    if order.status is Status.WAITING:
        state, text = ("USERPAYING", "需要用户输入支付密码") if order.code else ("NOTPAY", "")
    else:
        state, text = _TRADE_STATE[order.status]
    return _ok(
        out_trade_no=order.out_trade_no,
        total_fee=str(order.fen),
        trade_state=state,
        trade_state_desc=text,
    ), NO_EFFECT


def reverse(book: Book, params: Fields, now: float) -> Result:
    order = _find(book, params, now)
    if order is None:
        return _err("ORDERNOTEXIST", "此交易订单号不存在", recall="N")
    if order.magic.scenario is Scenario.REVERSE_ASKS_RETRY and order.undo_calls == 0:
        order.undo_calls += 1
        return _err("SYSTEMERROR", "系统超时", recall="Y")
    if now - order.created > book.deadlines.reverse_window_s:
        return _err("REVERSE_EXPIRE", "订单已超过可撤销时间，请走退款", recall="N")
    if order.status is Status.WAITING:
        return _err("USERPAYING", "正在支付中不能发起撤销", recall="Y")
    if order.status is Status.PAID:
        book.give_back(order, "reversal", order.fen - order.refunded_fen, now)
    order.status = Status.REVOKED
    return _ok(recall="N"), NO_EFFECT


def closeorder(book: Book, params: Fields, now: float) -> Result:
    order = _find(book, params, now)
    if order is None:
        return _err("ORDERNOTEXIST", "此交易订单号不存在")
    if order.status is Status.PAID:
        return _err("ORDERPAID", "订单已支付，不能发起关单")
    if order.status in (Status.CLOSED, Status.REVOKED):
        return _err("ORDERCLOSED", "订单已关闭")
    order.status = Status.CLOSED
    return _ok(), NO_EFFECT


def refund(book: Book, params: Fields, now: float) -> Result:
    missing = _missing(params, "out_refund_no", "total_fee", "refund_fee")
    if missing or not (params["total_fee"].isdigit() and params["refund_fee"].isdigit()):
        return missing or _err("PARAM_ERROR", "金额参数错误")
    order = _find(book, params, now)
    if order is None:
        return _err("ORDERNOTEXIST", "此交易订单号不存在")
    number, fee = params["out_refund_no"], int(params["refund_fee"])
    known = order.refunds.get(number)
    if int(params["total_fee"]) != order.fen or (known is not None and known.fen != fee):
        return _err("PARAM_ERROR", "订单金额或退款金额与之前请求不一致")
    if known is None:
        if order.status is not Status.PAID:
            return _err("TRADE_STATE_ERROR", "订单状态错误")
        if len(order.refunds) >= book.deadlines.max_refunds:
            return _err("INVALID_REQUEST", "一笔订单最多退款50次")
        if fee <= 0 or order.refunded_fen + fee > order.fen:
            return _err("INVALID_REQUEST", "退款金额大于支付金额")
        known = Refund(
            number, fee, book.next_trade_no("5030"), now, now + book.deadlines.refund_settle_s
        )
        order.refunds[number] = known
        book.refund_index[(order.merchant, number)] = (order.merchant, order.out_trade_no)
        if order.magic.scenario is Scenario.REFUND_SYSTEM_ERROR and order.refund_calls == 0:
            order.refund_calls += 1
            return _err("SYSTEMERROR", "系统超时")
    return _ok(
        transaction_id=order.trade_no,
        out_trade_no=order.out_trade_no,
        out_refund_no=number,
        refund_id=known.refund_id,
        refund_fee=str(known.fen),
        total_fee=str(order.fen),
        cash_fee=str(order.fen),
    ), NO_EFFECT


def refundquery(book: Book, params: Fields, now: float) -> Result:
    key = book.refund_index.get((params["mch_id"], params.get("out_refund_no", "")))
    order = book.orders.get(key) if key else _find(book, params, now)
    if order is None or not order.refunds:
        return _err("REFUNDNOTEXIST", "退款订单查询失败")
    book.settle(order, now)
    fields = _ok(
        transaction_id=order.trade_no,
        out_trade_no=order.out_trade_no,
        total_fee=str(order.fen),
        cash_fee=str(order.fen),
        refund_count=str(len(order.refunds)),
    )
    for n, item in enumerate(order.refunds.values()):
        fields |= {
            f"out_refund_no_{n}": item.out_refund_no,
            f"refund_id_{n}": item.refund_id,
            f"refund_fee_{n}": str(item.fen),
            f"refund_status_{n}": "SUCCESS" if item.done else "PROCESSING",
        }
        if item.done:
            fields[f"refund_success_time_{n}"] = _time(book, item.settles_at)
    return fields, NO_EFFECT


def unifiedorder(book: Book, params: Fields, now: float) -> Result:
    missing = _missing(
        params,
        "body",
        "out_trade_no",
        "total_fee",
        "spbill_create_ip",
        "notify_url",
        "trade_type",
        "product_id",
    )
    if missing or params["trade_type"] != "NATIVE" or not params["total_fee"].isdigit():
        return missing or _err("PARAM_ERROR", "trade_type或total_fee参数错误")
    order = _find(book, params, now)
    if order is not None:
        if order.terms != (params["total_fee"],):
            return _err("OUT_TRADE_NO_USED", "商户订单号重复")
        if order.status is Status.PAID:
            return _err("ORDERPAID", "该订单已支付")
        if order.status is not Status.QR_PENDING:
            return _err("ORDERCLOSED", "订单已关闭")
    else:
        order = Order(
            "wechat",
            params["mch_id"],
            params["out_trade_no"],
            int(params["total_fee"]),
            book.next_trade_no("4200"),
            now,
            Status.QR_PENDING,
            terms=(params["total_fee"],),
        )
        order.qr = f"weixin://wxpay/bizpayurl?pr={secrets.token_urlsafe(9)}"
        book.orders[(order.merchant, order.out_trade_no)] = order
        book.qr_index[order.qr] = (order.merchant, order.out_trade_no)
    return _ok(
        trade_type="NATIVE", prepay_id="wx" + order.trade_no, code_url=order.qr or ""
    ), NO_EFFECT
