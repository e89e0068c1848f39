"""Receipt text is measured as a Chinese printer prints it: a Chinese character takes two."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hardware.printer.text_width import LineMeasure

CHINESE_PRINTER = LineMeasure(32, wide_ambiguous=True)
LATIN_PRINTER = LineMeasure(32, wide_ambiguous=False)


def test_chinese_and_full_width_characters_take_two_columns() -> None:
    assert CHINESE_PRINTER.width("香蕉") == 4
    assert CHINESE_PRINTER.width("￥23.50") == 7
    assert CHINESE_PRINTER.width("Cola 330ml") == 10


def test_ambiguous_symbols_are_wide_only_on_a_chinese_encoding_printer() -> None:
    assert CHINESE_PRINTER.width("2 × 3") == 6
    assert LATIN_PRINTER.width("2 × 3") == 5


def test_a_long_chinese_name_wraps_at_the_paper_edge() -> None:
    assert LineMeasure(16).wrap("伊利安慕希希腊风味常温酸奶") == ["伊利安慕希希腊风", "味常温酸奶"]


def test_latin_words_and_numbers_are_not_split_across_lines() -> None:
    lines = LineMeasure(16).wrap("Coca-Cola Zero 330ml x24")

    assert lines == ["Coca-Cola Zero", "330ml x24"]


def test_chinese_closing_punctuation_never_starts_a_line() -> None:
    lines = LineMeasure(10).wrap("请保留小票，七天内退换。")

    assert lines == ["请保留小", "票，七天内", "退换。"]


def test_spread_puts_the_amount_flush_right_or_on_its_own_line_when_it_cannot_fit() -> None:
    narrow = LineMeasure(16)

    assert narrow.spread("小计", "￥23.50") == ["小计" + " " * 5 + "￥23.50"]
    assert narrow.spread("五常大米特级东北", "￥23.50") == ["五常大米特级东北", " " * 9 + "￥23.50"]


@given(
    text=st.text(alphabet=st.sampled_from("香蕉苹果大米 abcXYZ019.,，。×·（）-"), max_size=120),
    columns=st.integers(min_value=8, max_value=48),
)
def test_wrapped_lines_never_exceed_the_columns_and_keep_every_character(
    text: str, columns: int
) -> None:
    measure = LineMeasure(columns, wide_ambiguous=True)

    lines = measure.wrap(text)

    assert all(measure.width(line) <= columns for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
