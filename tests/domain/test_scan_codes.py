"""Scan classification: check digits, GTIN normalisation, in-store weighed labels, PLU codes.

Literal vectors come from /work/shared/testdata/gs1_vectors.md (sources S1-S9 there) and from the
well-known published examples (Wikipedia EAN-13/UPC articles).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.money import Money
from pos_app.domain.scan_codes import (
    PRESET_LAYOUTS,
    InternalCode,
    LabelLayout,
    LabelValue,
    PluCode,
    ProductCode,
    WeighedLabel,
    alternative_reading,
    check_digit,
    classify,
    expand_upce,
    has_valid_check_digit,
    layouts_from_config,
    preset,
    price_check_digit_for,
)
from pos_app.errors import UserError


def digit_strings(size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=size, max_size=size)


def with_check(body: str) -> str:
    return body + str(check_digit(body))


def scan_error(text: str, layouts: tuple[LabelLayout, ...] = ()) -> UserError:
    with pytest.raises(UserError) as caught:
        classify(text, layouts)
    return caught.value


# --- check digits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "symbology"),
    [
        ("6901234567892", "ean13"),  # Chinese GS1 prefix 690
        ("4006381333931", "ean13"),
        ("036000291452", "upca"),
        ("96385074", "ean8"),
        ("12345678901231", "gtin14"),
    ],
)
def test_real_world_codes_classify_as_products_with_a_14_digit_gtin(
    code: str, symbology: str
) -> None:
    assert classify(code) == ProductCode(code.zfill(14), symbology)


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        # gs1_vectors.md §1 (S1 lint_csum.c, scandata.c)
        ("02345673", True),
        ("12345673", False),
        ("416000336108", True),
        ("416000336109", False),
        ("1234567890128", True),
        ("1234567890129", False),
        ("12345678901231", True),
        ("12345678901232", False),
        ("123456789012345675", True),
        ("123456789012345670", False),
        ("24012345678905", True),
        ("24012345678909", False),
        ("2112233789657", True),
        ("2112233789658", False),
        ("02345680", True),
        ("02345689", False),
        (" 23456789012345675", False),
        ("12345678 012345675", False),
        ("", False),
        ("7", False),
        ("²3", False),
    ],
)
def test_gs1_check_digit_vectors(code: str, valid: bool) -> None:
    assert has_valid_check_digit(code) is valid


def test_check_digit_is_computed_from_the_body_without_its_check_digit() -> None:
    assert check_digit("690123456789") == 2
    assert check_digit("03600029145") == 2
    assert check_digit("9638507") == 4
    assert check_digit("1234567890123") == 1


def test_check_digit_refuses_a_body_that_is_not_digits() -> None:
    with pytest.raises(ValueError, match="digits"):
        check_digit("12a4")


@pytest.mark.parametrize("code", ["6901234567893", "036000291453", "96385075", "12345678901232"])
def test_wrong_check_digit_is_refused_as_bad_check_digit(code: str) -> None:
    error = scan_error(code)
    assert error.code == "scan.bad_check_digit"
    assert error.params == {"code": code}


# --- GTIN normalisation -------------------------------------------------------------------


def test_upc_a_and_its_zero_padded_ean13_form_share_one_gtin() -> None:
    upca = classify("036000291452")
    ean13 = classify("0036000291452")
    assert isinstance(upca, ProductCode)
    assert isinstance(ean13, ProductCode)
    assert upca.gtin == ean13.gtin == "00036000291452"
    assert (upca.symbology, ean13.symbology) == ("upca", "ean13")


@pytest.mark.parametrize(
    ("upce", "upca"),
    [
        ("04252614", "042100005264"),
        # gs1_vectors.md §2: zxing upce-1 samples and zxing-cpp's 13-digit output, minus its 0
        ("01234565", "012345000065"),
        ("00123457", "001234000057"),
        ("01234531", "012300000451"),
        ("05096893", "050968000093"),
    ],
)
def test_upc_e_expands_to_upc_a_and_shares_a_gtin_with_the_decoders_13_digit_form(
    upce: str, upca: str
) -> None:
    assert expand_upce(upce) == upca
    assert classify("0" + upca) == ProductCode("00" + upca, "ean13")


@pytest.mark.parametrize(
    ("upce", "upca"), [("04252614", "042100005264"), ("01234531", "012300000451")]
)
def test_upc_e_failing_the_ean8_check_is_read_as_upce(upce: str, upca: str) -> None:
    assert classify(upce) == ProductCode("00" + upca, "upce")


@pytest.mark.parametrize(
    ("upce", "upca"),
    [("01234565", "012345000065"), ("00123457", "001234000057"), ("05096893", "050968000093")],
)
def test_upc_e_passing_the_ean8_check_is_read_as_ean8_with_the_upce_as_alternative(
    upce: str, upca: str
) -> None:
    code = classify(upce)
    assert code == ProductCode("000000" + upce, "ean8")
    assert isinstance(code, ProductCode)
    assert alternative_reading(code) == ProductCode("00" + upca, "upce")


@pytest.mark.parametrize(
    ("upce", "reason"),
    [("04252615", "check digit"), ("24252614", "number system"), ("0425261", "8 digits")],
)
def test_expand_upce_refuses_invalid_codes(upce: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        expand_upce(upce)


def test_eight_digits_valid_as_both_ean8_and_upce_read_as_ean8_with_the_upce_alternative() -> None:
    code = classify("02345673")
    assert code == ProductCode("00000002345673", "ean8")
    assert isinstance(code, ProductCode)
    assert alternative_reading(code) == ProductCode("00023456000073", "upce")


def test_only_an_ean8_that_is_also_a_valid_upce_has_an_alternative_reading() -> None:
    ean8 = classify("96385074")
    upca = classify("036000291452")
    assert isinstance(ean8, ProductCode)
    assert isinstance(upca, ProductCode)
    assert alternative_reading(ean8) is None
    assert alternative_reading(upca) is None


def test_eight_digits_valid_as_neither_ean8_nor_upce_are_a_bad_check_digit() -> None:
    assert scan_error("04252615").code == "scan.bad_check_digit"
    assert scan_error("96385075").code == "scan.bad_check_digit"


# --- other shapes -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["7", "42", "00123", "12345"])
def test_one_to_five_digits_are_a_plu(text: str) -> None:
    assert classify(text) == PluCode(text)


def test_scanner_terminators_and_surrounding_spaces_are_stripped() -> None:
    assert classify(" 6901234567892\r\n") == ProductCode("06901234567892", "ean13")
    assert classify("00123\t") == PluCode("00123")


def test_full_width_digits_from_a_chinese_ime_read_as_ascii_digits() -> None:
    assert classify("６９０１２３４５６７８９２") == ProductCode("06901234567892", "ean13")


@pytest.mark.parametrize("text", ["", "   ", "\r\n", "\t"])
def test_blank_scan_is_refused_as_empty(text: str) -> None:
    assert scan_error(text).code == "scan.empty"


@pytest.mark.parametrize("text", ["123456", "1234567", "123456789", "1234567890", "12345678901"])
def test_digit_lengths_no_barcode_has_are_an_unknown_format(text: str) -> None:
    error = scan_error(text)
    assert error.code == "scan.unknown_format"
    assert error.params == {"code": text}


def test_more_than_14_digits_is_an_unknown_format() -> None:
    assert scan_error("1" * 15).code == "scan.unknown_format"


@pytest.mark.parametrize("text", ["ABC", "SKU-00042", "x" * 64, "168901A"])
def test_printable_non_numeric_codes_of_3_to_64_characters_are_internal(text: str) -> None:
    assert classify(text) == InternalCode(text)


@pytest.mark.parametrize("text", ["AB", "SKU 42", "条码123", "y" * 65])
def test_short_long_spaced_or_non_ascii_text_is_an_unknown_format(text: str) -> None:
    assert scan_error(text).code == "scan.unknown_format"


def test_unknown_format_error_carries_at_most_32_characters_of_the_scan() -> None:
    error = scan_error("Q" * 200)
    assert error.params == {"code": "Q" * 32}


# --- weighed labels -----------------------------------------------------------------------


def test_cn_price_preset_reads_a_six_digit_plu_and_price_in_fen() -> None:
    assert classify("2000123012346", preset("cn-price")) == WeighedLabel(
        "2", "000123", grams=None, price=Money(1234)
    )


def test_cn_weight_preset_reads_a_six_digit_plu_and_grams() -> None:
    assert classify("2000456012501", preset("cn-weight")) == WeighedLabel(
        "2", "000456", grams=1250, price=None
    )


def test_prefix_20_price_21_weight_preset_reads_price_from_20_and_grams_from_21() -> None:
    layouts = preset("prefix-20-price-21-weight")
    assert classify("2000123019994", layouts) == WeighedLabel(
        "20", "00123", grams=None, price=Money(1999)
    )
    assert classify("2100456005326", layouts) == WeighedLabel("21", "00456", grams=532, price=None)


def test_china_in_store_structure_vector_reads_item_and_fen() -> None:
    # gs1_vectors.md §5, S9 structure 1: 21 + item 06013 + ¥40.08 (check digit 3 computed).
    layout = LabelLayout("21", 5, LabelValue.PRICE, 5)
    assert classify("2106013040083", [layout]) == WeighedLabel(
        "21", "06013", grams=None, price=Money(4008)
    )


@pytest.mark.parametrize("code", ["200001807541", "0200001807541"])
def test_us_price_check_label_is_read_as_upc_a_or_in_its_ean13_form(code: str) -> None:
    # gs1_vectors.md §5, S7: 2 00001 8 0754 1 = PLU 00001, 7.54, verifier 8.
    assert classify(code, preset("upca-02-price-check")) == WeighedLabel(
        "02", "00001", grams=None, price=Money(754)
    )


def test_rcn13_four_digit_price_check_vector_is_accepted() -> None:
    # gs1_vectors.md §5: 24 + item 12345 + verifier 5 + price 4321 + check 6 (computed, S4).
    layout = LabelLayout("24", 5, LabelValue.PRICE, 4, price_check_digit=True)
    assert classify("2412345543216", [layout]) == WeighedLabel(
        "24", "12345", grams=None, price=Money(4321)
    )


@pytest.mark.parametrize("code", ["200001707544", "0200001707544"])
def test_wrong_price_check_digit_is_refused_as_bad_price_check(code: str) -> None:
    error = scan_error(code, preset("upca-02-price-check"))
    assert error.code == "scan.bad_price_check"
    assert error.params == {"code": code}


def test_weighed_label_with_wrong_ean13_check_digit_is_a_bad_check_digit() -> None:
    assert scan_error("2000123012347", preset("cn-price")).code == "scan.bad_check_digit"


def test_longest_matching_prefix_wins() -> None:
    layouts = (
        LabelLayout("2", 6, LabelValue.PRICE, 5),
        LabelLayout("21", 5, LabelValue.WEIGHT, 5),
    )
    assert classify("2100456005326", layouts) == WeighedLabel("21", "00456", grams=532, price=None)
    assert classify("2000123012346", layouts) == WeighedLabel(
        "2", "000123", grams=None, price=Money(1234)
    )


def test_in_store_code_without_a_matching_layout_is_a_plain_ean13() -> None:
    assert classify("2754321123457") == ProductCode("02754321123457", "ean13")
    only_20 = preset("prefix-20-price-21-weight")[:1]
    assert classify("2100456005326", only_20) == ProductCode("02100456005326", "ean13")


def test_chinese_product_codes_are_not_taken_for_weighed_labels() -> None:
    every_layout = tuple(layout for group in PRESET_LAYOUTS.values() for layout in group)
    assert classify("6901234567892", every_layout) == ProductCode("06901234567892", "ean13")


# gs1_vectors.md §4: computed with the S4 rules (S4 tests these inputs, no literal values).
FOUR_DIGIT_FIELDS = "0123 1234 2345 3456 4567 5678 6789 7890 8901 9012".split()  # noqa: SIM905
FIVE_DIGIT_FIELDS = "01234 12345 23456 34567 45678 56789 67890 78901 89012 90123".split()  # noqa: SIM905


@pytest.mark.parametrize(
    ("field", "verifier"),
    [
        ("2875", 9),  # S6
        ("0754", 8),  # S7
        ("14685", 6),  # computed; S6 prints the intermediate 7
        *zip(FOUR_DIGIT_FIELDS, [6, 9, 5, 8, 1, 1, 7, 5, 1, 7], strict=True),
        *zip(FIVE_DIGIT_FIELDS, [1, 8, 6, 6, 2, 2, 2, 3, 0, 2], strict=True),
    ],
)
def test_price_check_digit_vectors(field: str, verifier: int) -> None:
    assert price_check_digit_for(field) == verifier


@pytest.mark.parametrize("field", ["123", "123456", "12a4"])
def test_price_check_digit_needs_four_or_five_digits(field: str) -> None:
    with pytest.raises(ValueError, match="4 or 5 digits"):
        price_check_digit_for(field)


# --- layouts and presets ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PRESET_LAYOUTS))
def test_every_preset_is_a_valid_13_digit_layout(name: str) -> None:
    for layout in preset(name):
        verifier = 1 if layout.price_check_digit else 0
        assert len(layout.prefix) + layout.plu_digits + verifier + layout.value_digits + 1 == 13


def test_unknown_preset_name_lists_the_valid_names() -> None:
    with pytest.raises(ValueError, match="cn-price, cn-weight, prefix-20-price-21-weight"):
        preset("cn-prices")


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"prefix": "2", "plu_digits": 5, "value_digits": 5}, "= 12, not 13"),
        ({"prefix": "20", "plu_digits": 6, "value_digits": 5}, "= 14, not 13"),
        ({"prefix": "202", "plu_digits": 4, "value_digits": 5}, "1 or 2 digits"),
        ({"prefix": "", "plu_digits": 6, "value_digits": 5}, "1 or 2 digits"),
        ({"prefix": "69", "plu_digits": 5, "value_digits": 5}, "in-store prefix"),
        ({"prefix": "20", "plu_digits": 0, "value_digits": 10}, "plu_digits must be a positive"),
        ({"prefix": "2", "plu_digits": 6, "value_digits": 3, "price_check_digit": True}, "4 or 5"),
    ],
)
def test_layout_validation_names_the_problem(kwargs: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        LabelLayout(value=LabelValue.PRICE, **kwargs)  # type: ignore[arg-type]


def test_layouts_are_built_from_config_rows() -> None:
    rows = [
        {"prefix": "20", "plu_digits": 5, "value": "price", "value_digits": 5},
        {
            "prefix": "21",
            "plu_digits": 4,
            "value": "weight",
            "value_digits": 5,
            "price_check_digit": True,
        },
    ]
    assert layouts_from_config(rows) == (
        LabelLayout("20", 5, LabelValue.PRICE, 5),
        LabelLayout("21", 4, LabelValue.WEIGHT, 5, price_check_digit=True),
    )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"plu_digits": None}, "key 'plu_digits' must be int"),
        ({"plu_digits": True}, "key 'plu_digits' must be int"),
        ({"prefix": 21}, "key 'prefix' must be str"),
        ({"value": "volume"}, "key 'value' must be 'weight' or 'price'"),
        ({"price_check_digit": "no"}, "key 'price_check_digit' must be bool"),
        ({"price_chek_digit": False}, "unknown key 'price_chek_digit'"),
        ({"prefix": "20"}, "key 'prefix': '20' is already used by row 0"),
        ({"value_digits": 6}, ".*value_digits .* = 14, not 13"),
    ],
)
def test_bad_config_row_names_the_row_and_the_key(bad: dict[str, object], message: str) -> None:
    good = {"prefix": "20", "plu_digits": 5, "value": "price", "value_digits": 5}
    second = {"prefix": "21", "plu_digits": 5, "value": "weight", "value_digits": 5} | bad
    with pytest.raises(ValueError, match="^label layout row 1: " + message):
        layouts_from_config([good, second])


def test_config_row_missing_a_key_names_it() -> None:
    with pytest.raises(ValueError, match=r"^label layout row 0: missing key 'value_digits'$"):
        layouts_from_config([{"prefix": "20", "plu_digits": 5, "value": "price"}])


# --- properties ---------------------------------------------------------------------------


@given(digit_strings(12))
def test_any_12_digit_body_with_its_check_digit_is_a_product_ending_in_those_13_digits(
    body: str,
) -> None:
    code = with_check(body)
    result = classify(code)
    assert isinstance(result, ProductCode)
    assert result.symbology == "ean13"
    assert result.gtin == "0" + code


@given(digit_strings(12), st.integers(0, 12), st.integers(1, 9))
def test_changing_one_digit_of_a_valid_ean13_always_breaks_its_check_digit(
    body: str, position: int, shift: int
) -> None:
    code = with_check(body)
    changed = str((int(code[position]) + shift) % 10)
    broken = code[:position] + changed + code[position + 1 :]
    assert not has_valid_check_digit(broken)
    assert scan_error(broken).code == "scan.bad_check_digit"


@given(digit_strings(11))
def test_any_upc_a_and_its_ean13_form_normalise_to_the_same_gtin(body: str) -> None:
    upca = with_check(body)
    assert classify(upca) == ProductCode("00" + upca, "upca")
    assert classify("0" + upca) == ProductCode("00" + upca, "ean13")


@given(st.sampled_from("01"), digit_strings(6))
def test_any_valid_upc_e_is_found_as_upce_directly_or_as_the_alternative_reading(
    system: str, middle: str
) -> None:
    upce = complete_upce(system + middle)
    result = classify(upce)
    assert isinstance(result, ProductCode)
    expected = ProductCode("00" + expand_upce(upce), "upce")
    assert expected in (result, alternative_reading(result))


@given(st.sampled_from("01"), digit_strings(5), st.sampled_from("56789"))
def test_upc_e_ending_in_5_to_9_always_passes_the_ean8_check_too(
    system: str, middle: str, last: str
) -> None:
    # The expansion only inserts zeros between the same digits with the same weights.
    upce = complete_upce(system + middle + last)
    code = classify(upce)
    assert has_valid_check_digit(upce)
    assert isinstance(code, ProductCode)
    assert code.symbology == "ean8"


def complete_upce(seven: str) -> str:
    """The UPC-E made of ``seven`` and the one check digit that expand_upce accepts."""
    valid = []
    for guess in "0123456789":
        try:
            expand_upce(seven + guess)
        except ValueError:
            continue
        valid.append(seven + guess)
    assert len(valid) == 1
    return valid[0]


@given(digit_strings(5), digit_strings(4), st.integers(0, 3), st.integers(1, 9))
def test_price_check_digit_catches_any_single_digit_change_in_the_price(
    plu: str, price: str, position: int, shift: int
) -> None:
    layouts = preset("upca-02-price-check")
    verifier = str(price_check_digit_for(price))
    label = with_check("02" + plu + verifier + price)
    assert classify(label, layouts) == WeighedLabel("02", plu, grams=None, price=Money(int(price)))
    changed = price[:position] + str((int(price[position]) + shift) % 10) + price[position + 1 :]
    relabelled = with_check("02" + plu + verifier + changed)
    assert scan_error(relabelled, layouts).code == "scan.bad_price_check"


@given(digit_strings(5), st.integers(0, 4), st.integers(1, 9))
def test_five_digit_price_check_digit_catches_any_single_digit_change(
    value: str, position: int, shift: int
) -> None:
    verifier = price_check_digit_for(value)
    changed = value[:position] + str((int(value[position]) + shift) % 10) + value[position + 1 :]
    assert price_check_digit_for(changed) != verifier


@given(st.text(max_size=80))
def test_any_text_is_classified_or_refused_with_a_user_error(text: str) -> None:
    try:
        result = classify(text, preset("prefix-20-price-21-weight"))
    except UserError as error:
        assert error.code.startswith("scan.")
    else:
        assert isinstance(result, ProductCode | WeighedLabel | PluCode | InternalCode)


@pytest.mark.parametrize("text", ["]C1abc", "abc\x1ddef"])
def test_text_that_claims_to_be_gs1_but_does_not_parse_is_a_bad_gs1_code(text: str) -> None:
    with pytest.raises(UserError) as refused:
        classify(text)
    assert refused.value.code == "scan.bad_gs1"


def test_a_gs1_128_weight_label_classifies_with_its_gtin_and_grams() -> None:
    code = classify("(01)09501101530003(3103)000532", current_year=2026)
    assert not isinstance(code, ProductCode)
    assert getattr(code, "gtin", None) == "09501101530003"
    assert getattr(code, "net_grams", None) == 532


def test_a_symbology_identifier_before_an_ean_is_not_part_of_the_code() -> None:
    assert classify("]E06901234567892") == classify("6901234567892")
