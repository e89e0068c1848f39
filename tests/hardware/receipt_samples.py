"""Receipts and the receipt message catalogue for printer tests.

ZH_CN and EN are the receipt keys the renderer uses; resources/i18n/*.json carry the same.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from pos_app.domain.money import Money
from pos_app.domain.receipts import Receipt, ReceiptLine, ReceiptTender
from pos_app.i18n import Catalog

ZH_CN = {
    "receipt.title": "销售小票",
    "receipt.order": "单号：{number}",
    "receipt.terminal": "收银机：{code}",
    "receipt.cashier": "收银员：{name}",
    "receipt.time": "时间：{time}",
    "receipt.items": "共 {count} 件",
    "receipt.subtotal": "小计",
    "receipt.savings": "优惠",
    "receipt.total": "合计",
    "receipt.change": "找零",
    "receipt.thanks": "谢谢惠顾，欢迎再次光临",
    "receipt.reprint": "补打小票",
    "tender.cash": "现金",
    "tender.card": "银行卡",
    "tender.alipay": "支付宝",
    "tender.wechat": "微信支付",
    "tender.unionpay": "云闪付",
    "tender.stored_value": "储值卡",
    "printer.offline": "打印机未连接或缺纸，小票已保存，可稍后补打",
    "printer.failed": "小票打印失败，已保存，可稍后补打",
}

EN = {
    "receipt.title": "Sales receipt",
    "receipt.order": "Order: {number}",
    "receipt.terminal": "Till: {code}",
    "receipt.cashier": "Cashier: {name}",
    "receipt.time": "Time: {time}",
    "receipt.items": "{count} items",
    "receipt.subtotal": "Subtotal",
    "receipt.savings": "You saved",
    "receipt.total": "TOTAL",
    "receipt.change": "Change",
    "receipt.thanks": "Thank you, please come again",
    "receipt.reprint": "REPRINT",
    "tender.cash": "Cash",
    "tender.card": "Bank card",
    "tender.alipay": "Alipay",
    "tender.wechat": "WeChat Pay",
    "tender.unionpay": "UnionPay QuickPass",
    "tender.stored_value": "Stored value",
    "printer.offline": "The printer is offline or out of paper; the receipt is saved to reprint",
    "printer.failed": "The receipt could not be printed; it is saved to reprint",
}


def chinese_catalog() -> Catalog:
    return Catalog("zh_CN", ZH_CN, EN)


def english_catalog() -> Catalog:
    return Catalog("en", EN, EN)


WATER = ReceiptLine("农夫山泉饮用天然水 550ml", "2", Money(200), Money(400))
OIL = ReceiptLine(
    "金龙鱼 黄金比例食用调和油 5L",
    "1",
    Money(6990),
    Money(6990),
    savings=(("第二件半价", Money(1000)),),
)
RICE = ReceiptLine("五常大米 1kg", "1", Money(1580), Money(1580))
BANANAS = ReceiptLine("香蕉", "0.530kg", Money(698), Money(370))


def a_receipt(**changes: Any) -> Receipt:
    """A cash sale of water, rice and bananas: total ￥23.50, paid ￥50.00, change ￥26.50."""
    receipt = Receipt(
        store_name="鲜丰超市（文三路店）",
        store_address="杭州市西湖区文三路 123 号",
        terminal_code="T01",
        cashier_name="王小明",
        order_number="20240501-0001",
        sold_at=datetime(2024, 5, 1, 2, 30, tzinfo=UTC),
        time_zone="Asia/Shanghai",
        lines=(WATER, RICE, BANANAS),
        item_count=4,
        subtotal=Money(2350),
        savings=Money(0),
        total=Money(2350),
        tenders=(ReceiptTender("cash", Money(5000)),),
        change=Money(2650),
        footer="",
        open_drawer=True,
    )
    return dataclasses.replace(receipt, **changes)


def a_receipt_with_oil_on_offer(**changes: Any) -> Receipt:
    """Water and discounted oil: subtotal ￥73.90, saved ￥10.00, total ￥63.90, paid by Alipay."""
    on_offer: dict[str, Any] = {
        "lines": (WATER, OIL),
        "item_count": 3,
        "subtotal": Money(7390),
        "savings": Money(1000),
        "total": Money(6390),
        "tenders": (ReceiptTender("alipay", Money(6390)),),
        "change": Money(0),
        "open_drawer": False,
    }
    return a_receipt(**(on_offer | changes))
