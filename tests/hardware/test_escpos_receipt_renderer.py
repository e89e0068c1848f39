"""A sale's receipt as an ESC/POS printer gets it: Chinese in Hanzi mode, ￥ amounts, cut, drawer.

Each test renders a receipt, decodes the bytes back like a printer would (escpos_decode) and
checks what a shopper would read on the paper.
"""

from __future__ import annotations

import dataclasses

import pytest
from escpos_decode import Decoded, DrawerKick, PrintedLine, decode
from hypothesis import given, settings
from hypothesis import strategies as st
from receipt_samples import (
    OIL,
    a_receipt,
    a_receipt_with_oil_on_offer,
    chinese_catalog,
    english_catalog,
)

from hardware.printer.profiles import PrinterProfile, preset
from hardware.printer.receipt_renderer import HANZI_OFF, HANZI_ON, render_receipt
from pos_app.domain.money import Money
from pos_app.domain.receipts import Receipt, ReceiptLine, ReceiptTender

GB18030_80 = preset("80mm-gb18030")
GB18030_58 = preset("58mm-gb18030")


def printed(receipt: Receipt, profile: PrinterProfile = GB18030_80, **kwargs: bool) -> Decoded:
    return decode(render_receipt(receipt, profile, chinese_catalog(), **kwargs), profile.codec)


def line_with(decoded: Decoded, text: str) -> PrintedLine:
    matches = [line for line in decoded.lines if text in line.text]
    assert matches, f"no printed line contains {text!r}:\n{decoded.all_text}"
    return matches[0]


def test_chinese_product_names_are_sent_in_gb18030_inside_hanzi_mode() -> None:
    data = render_receipt(a_receipt(), GB18030_80, chinese_catalog())
    paper = decode(data, "gb18030")

    assert line_with(paper, "农夫山泉饮用天然水 550ml").text.startswith("农夫山泉")
    assert line_with(paper, "五常大米 1kg")
    assert HANZI_ON + "香蕉".encode("gb18030") in data
    assert not [line.text for line in paper.lines if line.non_ascii_outside_hanzi]


def test_the_receipt_starts_by_resetting_the_printer() -> None:
    paper = printed(a_receipt())

    assert paper.commands[0] == "ESC @"
    assert paper.resets == 1


def test_total_and_change_print_with_the_full_width_yuan_sign() -> None:
    paper = printed(a_receipt())

    total = line_with(paper, "合计")
    assert total.text.endswith("￥23.50")
    assert total.bold and total.scale == 2
    assert line_with(paper, "现金").text.endswith("￥50.00")
    assert line_with(paper, "找零").text.endswith("￥26.50")
    assert "¥" not in paper.all_text  # the half-width sign prints as garbage on GBK printers


def test_the_header_names_store_order_till_cashier_and_local_time() -> None:
    paper = printed(a_receipt())

    store = line_with(paper, "鲜丰超市")
    assert store.scale == 2 and store.align == 1
    for text in ("文三路 123 号", "单号：20240501-0001", "收银机：T01", "收银员：王小明"):
        assert line_with(paper, text)
    # sold at 02:30 UTC; the store is in Asia/Shanghai (UTC+8)
    assert line_with(paper, "时间：").text == "时间：2024-05-01 10:30:00"


def test_each_item_shows_quantity_unit_price_and_right_aligned_amount() -> None:
    paper = printed(a_receipt())

    bananas = line_with(paper, "香蕉").text
    assert "0.530kg × ￥6.98" in bananas
    assert bananas.endswith("￥3.70")
    assert paper.lines.index(line_with(paper, "共 4 件")) > paper.lines.index(
        line_with(paper, "香蕉")
    )


def test_a_promotion_saving_prints_under_its_item_and_in_the_totals() -> None:
    paper = printed(a_receipt_with_oil_on_offer())

    oil_amount = line_with(paper, "1 × ￥69.90")
    saving = paper.lines[paper.lines.index(oil_amount) + 1]
    assert saving.text.strip().startswith("第二件半价")
    assert saving.text.endswith("-￥10.00")
    assert line_with(paper, "优惠").text.endswith("-￥10.00")
    assert line_with(paper, "合计").text.endswith("￥63.90")


def test_an_order_saving_prints_once_between_the_subtotal_and_the_total() -> None:
    paper = printed(a_receipt(order_savings=(("满20减5", Money(500)),), savings=Money(500),
                              total=Money(1850)))
    texts = [line.text for line in paper.lines]
    saving = texts.index(line_with(paper, "满20减5").text)
    assert texts[saving].endswith("-￥5.00")
    assert texts.index(line_with(paper, "小计").text) < saving < texts.index(
        line_with(paper, "合计").text)
    assert sum("满20减5" in text for text in texts) == 1


def test_no_savings_line_and_no_change_when_nothing_was_saved_and_no_cash_taken() -> None:
    paper = printed(a_receipt(tenders=(ReceiptTender("wechat", Money(2350)),), change=Money(0)))

    assert line_with(paper, "微信支付").text.endswith("￥23.50")
    assert "优惠" not in paper.all_text
    assert "找零" not in paper.all_text


@pytest.mark.parametrize("profile", [GB18030_58, GB18030_80], ids=lambda p: p.name)
def test_no_printed_line_is_wider_than_the_paper(profile: PrinterProfile) -> None:
    receipt = a_receipt_with_oil_on_offer(
        store_name="鲜丰水果超市（杭州文三路数码城旗舰店）",
        lines=(
            OIL,
            ReceiptLine(
                "Lay's Classic Potato Chips Family Size Party Pack", "12", Money(1290), Money(15480)
            ),
            ReceiptLine(
                "伊利安慕希希腊风味常温酸奶原味205g×12盒整箱装",
                "10",
                Money(123456),
                Money(1234560),
                (("会员日满100减20·限时特惠活动", Money(200000)),),
            ),
        ),
        total=Money(123456789),
        footer="会员积分 +67，当前积分 12345。请保留小票作为退换货凭证，七天内凭小票退换。",
    )

    paper = printed(receipt, profile, copy=True)

    too_wide = [ln.text for ln in paper.lines if ln.columns_used(profile.codec) > profile.columns]
    assert too_wide == []
    assert line_with(paper, "￥1234567.89").scale == 2  # a large total still prints large


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(alphabet=st.sampled_from("农夫山泉金龙鱼油饮料 abcXYZ0123（）·×-"), max_size=60),
    fen=st.integers(min_value=0, max_value=10**9),
)
def test_any_product_name_and_amount_fit_58mm_paper(name: str, fen: int) -> None:
    line = ReceiptLine(name, "999", Money(fen), Money(fen), (("满减" + name, Money(fen)),))
    paper = printed(a_receipt(lines=(line,), total=Money(fen)), GB18030_58)

    assert all(ln.columns_used("gb18030") <= 32 for ln in paper.lines)
    assert name.replace(" ", "") in paper.all_text.replace(" ", "").replace("\n", "")


@pytest.mark.parametrize("open_drawer", [True, False])
def test_the_drawer_is_kicked_on_both_pins_only_when_the_sale_opens_it(open_drawer: bool) -> None:
    paper = printed(a_receipt(open_drawer=open_drawer))

    expected = [DrawerKick(2, 100, 100), DrawerKick(5, 100, 100)] if open_drawer else []
    assert paper.drawer_kicks == expected


def test_the_drawer_kick_uses_the_profile_pin_and_pulse_after_the_cut() -> None:
    pin_five = dataclasses.replace(GB18030_80, drawer_pins=(5,), pulse_ms=120)

    paper = printed(a_receipt(), pin_five)

    assert paper.drawer_kicks == [DrawerKick(pin=5, on_ms=120, off_ms=120)]
    assert paper.commands[-2:] == ["GS V 0", "ESC p 1 60 60"]


def test_the_paper_is_fed_past_the_cutter_and_cut_once() -> None:
    paper = printed(a_receipt(open_drawer=False))

    assert paper.cuts == 1
    assert paper.fed_lines >= 4
    assert paper.commands[-1] == "GS V 0"


def test_a_printer_without_cutter_only_feeds_the_paper_out() -> None:
    tear_off = dataclasses.replace(GB18030_80, cut=False)

    paper = printed(a_receipt(open_drawer=False), tear_off)

    assert paper.cuts == 0
    assert paper.fed_lines >= 4


def test_a_reprint_says_so_and_the_original_does_not() -> None:
    assert "补打小票" in printed(a_receipt(), copy=True).all_text
    assert "补打小票" not in printed(a_receipt(), copy=False).all_text
    assert line_with(printed(a_receipt(), copy=True), "补打小票").bold


def test_a_gbk_printer_gets_gbk_bytes_and_a_character_gbk_lacks_prints_as_a_question_mark() -> None:
    gbk = preset("80mm-gbk")
    receipt = a_receipt(lines=(ReceiptLine("𠮷野家牛肉饭", "1", Money(2350), Money(2350)),))

    data = render_receipt(receipt, gbk, chinese_catalog())
    paper = decode(data, "gbk")

    assert HANZI_ON + b"?" + "野家牛肉饭".encode("gbk") in data
    assert line_with(paper, "?野家牛肉饭")
    assert line_with(paper, "合计").text.endswith("￥23.50")
    assert "𠮷野家" in printed(receipt, GB18030_80).all_text  # GB18030 covers all of Unicode


def test_a_big5_printer_gets_the_yuan_sign_its_font_has() -> None:
    big5 = PrinterProfile("80mm-big5", columns=48, encoding="big5")

    data = render_receipt(a_receipt(), big5, chinese_catalog())

    assert b"\xa2\x44" + b"23.50" + HANZI_OFF in data  # A2 44 is ￥ in Big5
    assert "￥".encode("big5", errors="replace") == b"?"  # why the profile uses cp950


def test_a_utf8_printer_gets_utf8_text_without_hanzi_mode() -> None:
    utf8 = preset("80mm-utf8")

    data = render_receipt(a_receipt(), utf8, chinese_catalog())

    assert HANZI_ON not in data
    assert line_with(decode(data, "utf-8"), "合计").text.endswith("￥23.50")


def test_an_english_receipt_prints_english_labels_and_keeps_chinese_names() -> None:
    data = render_receipt(a_receipt(), GB18030_80, english_catalog())
    paper = decode(data, "gb18030")

    assert line_with(paper, "TOTAL").text.endswith("￥23.50")
    assert line_with(paper, "Change").text.endswith("￥26.50")
    assert line_with(paper, "Cashier: 王小明")
    assert line_with(paper, "4 items").text == "4 items"
