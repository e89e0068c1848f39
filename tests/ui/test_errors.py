"""How an error reaches a person: a translated message, the most specific one there is."""

from __future__ import annotations

from pos_app.errors import UserError
from pos_app.i18n import Catalog
from ui.errors import user_message

CATALOG = Catalog("zh_CN", {
    "error.payment.bad_code": "无法识别的付款码（{code}）",
    "error.payment.bad_code.wrong_length": "付款码位数不对：应为{expected}位，扫到{length}位",
    "error.unexpected": "出现问题，本笔交易已安全保存。",
})


def test_a_reason_specific_message_wins_over_the_general_one() -> None:
    error = UserError("payment.bad_code", reason="wrong_length", code="13**34", expected=18,
                      length=17)
    assert user_message(error, CATALOG) == "付款码位数不对：应为18位，扫到17位"


def test_without_a_specific_message_the_general_one_is_used() -> None:
    error = UserError("payment.bad_code", reason="not_digits", code="ab**cd")
    assert user_message(error, CATALOG) == "无法识别的付款码（ab**cd）"


def test_a_bug_is_shown_as_the_sale_is_safe() -> None:
    assert user_message(KeyError("x"), CATALOG) == "出现问题，本笔交易已安全保存。"
