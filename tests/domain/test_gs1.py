"""GS1 Application Identifiers: every vector of shared/testdata/gs1_vectors.md, plus round trips.

Section numbers below are that file's. Sections 1, 2, 4 and 5 (check digits, UPC-E, price
verifier, in-store labels) belong to scan_codes; they are checked here too, through the GS1
parser where an AI carries the code and through scan_codes otherwise, so that every vector of
the file runs somewhere.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.gs1 import (
    FNC1,
    Gs1Date,
    Gs1Element,
    century_year,
    classify_gs1,
    element_string,
    parse_elements,
    parse_gs1,
    split_symbology,
)
from pos_app.domain.gs1_ais import CSET82, is_known_ai
from pos_app.domain.money import Money
from pos_app.domain.scan_codes import (
    LabelLayout,
    LabelValue,
    ProductCode,
    WeighedLabel,
    check_digit,
    classify,
    expand_upce,
    has_valid_check_digit,
    price_check_digit_for,
)
from pos_app.errors import UserError

GS = FNC1


def caret(text: str) -> str:
    """The vectors' notation (^ = FNC1) -> scan data."""
    return text.replace("^", GS)


def refusal(text: str, **kwargs: bool | int) -> UserError:
    with pytest.raises(UserError) as caught:
        parse_gs1(text, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == "scan.bad_gs1"
    return caught.value


def reason(text: str, **kwargs: bool | int) -> str:
    return str(refusal(text, **kwargs).params["reason"])


# --- 1. GS1 mod-10 check digit -------------------------------------------------------------

CHECK_VECTORS = [
    ("02345673", True),
    ("12345673", False),
    ("416000336108", True),
    ("416000336109", False),
    ("1234567890128", True),
    ("1234567890129", False),
    ("12345678901231", True),
    ("12345678901232", False),
    ("24012345678905", True),
    ("24012345678909", False),
    ("2112233789657", True),
    ("2112233789658", False),
    ("02345680", True),
    ("02345689", False),
]


@pytest.mark.parametrize(("code", "valid"), CHECK_VECTORS)
def test_a_gtin_in_ai_01_is_accepted_only_with_its_check_digit(code: str, valid: bool) -> None:
    text = f"(01){code.zfill(14)}"
    assert has_valid_check_digit(code) is valid
    if valid:
        assert parse_gs1(text).gtin == code.zfill(14)
    else:
        assert reason(text) == "check_digit"


@pytest.mark.parametrize(
    ("sscc", "valid"), [("123456789012345675", True), ("123456789012345670", False)]
)
def test_an_sscc_in_ai_00_is_checked_like_a_gtin(sscc: str, valid: bool) -> None:
    if valid:
        assert parse_elements(f"(00){sscc}") == (Gs1Element("00", sscc),)
    else:
        assert reason(f"(00){sscc}") == "check_digit"
    assert check_digit(sscc[:-1]) == 5


@pytest.mark.parametrize("value", [" 23456789012345675", "12345678 012345675"])
def test_an_sscc_with_a_non_digit_is_refused(value: str) -> None:
    assert reason(f"(00){value}") == "not_numeric"
    assert not has_valid_check_digit(value)


def test_nothing_is_too_short_for_a_check_digit() -> None:
    assert not has_valid_check_digit("")
    assert reason("(00)") == "empty"


# --- 2. UPC-E and symbology identifiers of EAN/UPC scans -------------------------------------


@pytest.mark.parametrize(
    ("upce", "expanded"),
    [
        ("01234565", "0012345000065"),
        ("00123457", "0001234000057"),
        ("01234531", "0012300000451"),
        ("05096893", "0050968000093"),
    ],
)
def test_upc_e_expands_to_what_zxing_cpp_returns(upce: str, expanded: str) -> None:
    assert expand_upce(upce).zfill(13) == expanded


@pytest.mark.parametrize(
    ("scan", "gtin"),
    [
        ("]E00001234000057", "00001234000057"),
        ("]E02112345678900", "02112345678900"),
        ("]E402345673", "00000002345673"),
        ("]E00416000336108", "00416000336108"),
    ],
)
def test_ean_upc_scan_data_is_not_gs1_and_classifies_after_its_identifier(
    scan: str, gtin: str
) -> None:
    assert classify_gs1(scan) is None
    ident, data = split_symbology(scan)
    assert ident in ("]E0", "]E4")
    result = classify(data)
    assert isinstance(result, ProductCode) and result.gtin == gtin


def test_ean_scan_data_with_a_bad_check_digit_is_refused_by_the_plain_classifier() -> None:
    assert classify_gs1("]E02112345678901") is None
    with pytest.raises(UserError, match=r"scan\.bad_check_digit"):
        classify(split_symbology("]E02112345678901")[1])


# --- 3. Application Identifiers -----------------------------------------------------------

BRACKETED_TO_ELEMENT_STRING = [
    ("(01)12345678901231", "^0112345678901231"),
    ("(10)12345", "^1012345"),
    ("(01)12345678901231(10)12345", "^01123456789012311012345"),
    ("(3100)123456(10)12345", "^31001234561012345"),
    ("(10)12345(11)991225", "^1012345^11991225"),
    ("(3900)12345(11)991225", "^390012345^11991225"),
    ("(10)12345\\(11)991225", "^1012345(11)991225"),
    ("(01)12345678901231(235)XYZ(10)BATCH", "^0112345678901231235XYZ^10BATCH"),
]


@pytest.mark.parametrize(("bracketed", "expected"), BRACKETED_TO_ELEMENT_STRING)
def test_bracketed_input_gives_the_gs1_syntax_engine_element_string(
    bracketed: str, expected: str
) -> None:
    # S1 converts without pairing rules: (10) alone lacks its (01), checked elsewhere.
    elements = parse_elements(bracketed, check_requisites=False)
    assert "^" + element_string(elements).replace(GS, "^") == expected
    assert parse_elements(caret(expected), check_requisites=False) == elements


@pytest.mark.parametrize(
    ("bracketed", "why"),
    [
        ("(10)(11)98765", "empty"),
        ("(10)12345(11)", "empty"),
        ("(01)123456789012312(10)12345", "too_long"),
        ("(10)12345^", "bad_character"),
        ("(17)9(90)217", "too_short"),
        ("12345", "too_short"),
        ("(1A)12345", "unknown_ai"),
        ("(1)12345", "unknown_ai"),
        ("(12345)12345", "unknown_ai"),
        ("(15", "syntax"),
    ],
)
def test_malformed_bracketed_input_is_refused(bracketed: str, why: str) -> None:
    assert reason(bracketed, check_requisites=False) == why


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("^0112345678901231", None),
        ("^0112345678901234", "check_digit"),
        ("^011234567890123", "too_short"),
        ("^01A2345678901231", "not_numeric"),
        ("^0112345678901231^", None),
        ("^0112345678901231991234", None),
        ("(01)95012345678903(3103)000123", None),
        ("(01)95012345678902(3103)000123", "check_digit"),
        ("(01)95012345678903(11)131313", "date"),
        ("(01)12345678901231(3925)12599", "requisite"),
        ("(01)12345678901231(3925)12599(3100)654321", None),
        ("(01)12345678901231(3925)12599(30)123", None),
        ("(3955)123456(3929)123", "exclusive"),
    ],
)
def test_element_string_validation_matches_the_gs1_linter(text: str, why: str | None) -> None:
    if why is None:
        assert parse_elements(caret(text))
    else:
        assert reason(caret(text)) == why


def test_a_weight_of_0123_kg_in_3103_is_123_grams() -> None:
    scan = parse_gs1("(01)95012345678903(3103)000123")
    assert scan.gtin == "95012345678903"
    assert scan.net_grams == 123


def test_a_price_finer_than_a_fen_is_refused_not_rounded() -> None:
    # Valid GS1 (0.12599 with 5 decimals), but no till can charge a fraction of a fen.
    assert reason("(01)12345678901231(3925)12599(3100)654321") == "sub_fen"


@pytest.mark.parametrize("value", ["200131", "200229", "240229", "000229", "200600"])
def test_valid_yymmd0_dates(value: str) -> None:
    assert parse_gs1(f"(01)12345678901231(17){value}", current_year=2026).expiry is not None


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("200132", "date"),
        ("200230", "date"),
        ("210229", "date"),
        ("200010", "date"),
        ("201310", "date"),
        ("2x0131", "not_numeric"),
        ("11111", "too_short"),
        ("1111111", "too_long"),
    ],
)
def test_invalid_yymmd0_dates(value: str, why: str) -> None:
    assert reason(f"(01)12345678901231(17){value}") == why


@pytest.mark.parametrize(
    ("yy", "current_year", "year"),
    [
        (26, 2026, 2026),
        (76, 2026, 2076),
        (77, 2026, 1977),
        (0, 2026, 2000),
        (99, 2026, 1999),
        (10, 2060, 2110),
        (11, 2060, 2011),
        (0, 2049, 2000),
        (0, 2050, 2100),
    ],
)
def test_the_century_follows_the_gs1_rule(yy: int, current_year: int, year: int) -> None:
    assert century_year(yy, current_year) == year


def test_29_february_00_depends_on_the_century_when_the_year_is_known() -> None:
    text = "(01)12345678901231(17)000229"
    assert parse_gs1(text, current_year=2026).expiry == Gs1Date(0, 2, 29)
    assert reason(text, current_year=2060) == "date"  # 2100 is not a leap year


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("240200", date(2024, 2, 29)),
        ("250200", date(2025, 2, 28)),
        ("261100", date(2026, 11, 30)),
        ("260115", date(2026, 1, 15)),
    ],
)
def test_day_00_means_the_last_day_of_the_month(value: str, day: date) -> None:
    expiry = parse_gs1(f"(01)12345678901231(17){value}").expiry
    assert expiry is not None and expiry.resolve(2026) == day


SCAN_DATA = "011231231231233310ABC123^99TESTING"


@pytest.mark.parametrize(
    ("ident", "symbology"), [("]C1", "gs1-128"), ("]e0", "gs1-databar"), ("]Q3", "gs1-qr")]
)
def test_scan_data_with_a_gs1_symbology_identifier(ident: str, symbology: str) -> None:
    scan = classify_gs1(ident + caret(SCAN_DATA))
    assert scan is not None
    assert (scan.symbology, scan.gtin, scan.batch) == (symbology, "12312312312333", "ABC123")
    assert scan.value("99") == "TESTING"


def test_gs1_128_with_a_three_digit_ai_then_a_separator() -> None:
    scan = classify_gs1(caret("]C10112312312312333235XYZ^10ABC"))
    assert scan is not None and scan.bracketed == "(01)12312312312333(235)XYZ(10)ABC"


def test_a_gs1_digital_link_in_a_plain_qr_code_gives_its_ais() -> None:
    scan = classify_gs1("]Q1https://example.com/01/12312312312333?99=TEST")
    assert scan is not None and scan.symbology == "digital-link"
    assert element_string(scan.elements) == "011231231231233399TEST"


def test_a_digital_link_without_a_symbology_identifier_is_recognised_too() -> None:
    scan = classify_gs1("https://id.example.cn/01/9501101530003/10/AB%2F1?17=250131")
    assert scan is not None
    assert (scan.gtin, scan.batch, scan.expiry) == ("09501101530003", "AB/1", Gs1Date(25, 1, 31))


def test_a_plain_web_link_is_not_gs1() -> None:
    assert classify_gs1("https://shop.example.cn/join?member=1") is None


@pytest.mark.parametrize("scan", ["]C1", "]e0", "]Q3"])
def test_an_empty_gs1_scan_is_refused(scan: str) -> None:
    with pytest.raises(UserError) as caught:
        classify_gs1(scan)
    assert caught.value.params["reason"] == "empty"


@pytest.mark.parametrize(
    ("raw", "hri"),
    [
        (
            "01988987654321061599123131030017501012A^422123^21123456",
            "(01)98898765432106(15)991231(3103)001750(10)12A(422)123(21)123456",
        ),
        ("0190012345678908310301223315991231", "(01)90012345678908(3103)012233(15)991231"),
        ("0104412345678909", "(01)04412345678909"),
        (
            "01095011015300031725013110ABC123^3103001250",
            "(01)09501101530003(17)250131(10)ABC123(3103)001250",
        ),
    ],
)
def test_raw_bytes_from_real_decoders_read_as_their_printed_text(raw: str, hri: str) -> None:
    scan = classify_gs1(caret(raw))  # pyzbar: no symbology identifier
    assert scan is not None and scan.bracketed == hri
    assert parse_gs1(hri) == scan


def test_the_generated_gs1_128_label_reads_gtin_expiry_batch_and_grams() -> None:
    scan = parse_gs1(caret("]C101095011015300031725013110ABC123^3103001250"), current_year=2026)
    assert scan.gtin == "09501101530003"
    assert scan.expiry is not None and scan.expiry.resolve(2026) == date(2025, 1, 31)
    assert (scan.batch, scan.net_grams) == ("ABC123", 1250)


def test_a_price_label_without_a_measure_breaks_the_gs1_pairing_rule_unless_relaxed() -> None:
    text = caret("]C1010950110153000310ABC123^39221299")
    assert reason(text) == "requisite"
    scan = parse_gs1(text, check_requisites=False)
    assert scan.price == Money(1299)


def test_the_databar_expanded_dates_only_label_lacks_its_gtin() -> None:
    raw = "11100224171102243102000100"
    assert classify_gs1(raw) is None  # no identifier, no (01): left to the plain classifier
    assert reason("]e0" + raw) == "requisite"
    scan = parse_gs1(raw, check_requisites=False)
    assert scan.bracketed == "(11)100224(17)110224(3102)000100"
    assert scan.production_date == Gs1Date(10, 2, 24)
    assert scan.net_grams == 1000


def test_a_code_128_read_by_pyzbar_is_not_gs1_but_with_c1_it_is_malformed() -> None:
    assert classify_gs1("168901") is None
    with pytest.raises(UserError, match="too_short"):
        classify_gs1("]C1168901")


# --- typed values --------------------------------------------------------------------------

GTIN = "(01)12345678901231"


@pytest.mark.parametrize(
    ("ai", "value", "grams"),
    [
        ("3103", "000123", 123),
        ("3102", "000100", 1000),
        ("3100", "654321", 654_321_000),
        ("3101", "000015", 1500),
        ("3104", "123450", 12345),
        ("3105", "001000", 10),
    ],
)
def test_net_weight_is_whole_grams(ai: str, value: str, grams: int) -> None:
    assert parse_gs1(f"{GTIN}({ai}){value}").net_grams == grams


@pytest.mark.parametrize(("ai", "value"), [("3104", "123456"), ("3105", "000001")])
def test_a_weight_finer_than_a_gram_is_refused(ai: str, value: str) -> None:
    assert reason(f"{GTIN}({ai}){value}") == "sub_gram"


@pytest.mark.parametrize(
    ("ai", "value", "fen"),
    [
        ("3922", "1299", 1299),
        ("3920", "12", 1200),
        ("3921", "125", 1250),
        ("3924", "125900", 1259),
        ("3932", "1561299", 1299),
    ],
)
def test_price_is_money_in_fen(ai: str, value: str, fen: int) -> None:
    assert parse_gs1(f"{GTIN}(30)1({ai}){value}").price == Money(fen)


def test_a_price_in_another_currency_is_refused_with_its_code() -> None:
    error = refusal(f"{GTIN}(30)1(3932)9781299")
    assert (error.params["reason"], error.params["currency"]) == ("currency", "978")


def test_counts_serial_and_dates_are_typed() -> None:
    scan = parse_gs1(f"{GTIN}(11)250101(13)250102(15)250301(21)SN-7(30)12")
    assert (scan.count, scan.serial) == (12, "SN-7")
    assert (scan.production_date, scan.packaging_date, scan.best_before) == (
        Gs1Date(25, 1, 1),
        Gs1Date(25, 1, 2),
        Gs1Date(25, 3, 1),
    )
    case = parse_gs1("(02)12345678901231(37)24")
    assert (case.gtin, case.content_gtin, case.contained) == (None, "12345678901231", 24)


def test_two_weights_on_one_label_are_exclusive_and_a_changed_repeat_is_a_duplicate() -> None:
    assert reason(f"{GTIN}(3103)000123(3102)000100") == "exclusive"
    assert reason(f"{GTIN}(10)A(10)B") == "duplicate"
    assert parse_gs1(f"{GTIN}(10)A(10)A").batch == "A"


def test_the_error_shows_fnc1_as_a_caret_and_names_the_ai() -> None:
    error = refusal(caret("]C10112345678901232^"))
    assert error.params == {"code": "]C10112345678901232^", "reason": "check_digit", "ai": "01"}


def test_text_that_is_not_gs1_is_left_to_the_plain_classifier() -> None:
    for text in ("6901234567892", "00123", "SKU-42", "]E06901234567892", "", "01234"):
        assert classify_gs1(text) is None


def test_known_ais_follow_the_dictionary() -> None:
    assert all(is_known_ai(ai) for ai in ("00", "01", "235", "3103", "3929", "422", "8200", "99"))
    assert not any(is_known_ai(ai) for ai in ("05", "23", "3106", "3170", "1", "12345"))


# --- 4. price / weight verifier digit ------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "verifier"),
    [
        ("2875", 9),
        ("0754", 8),
        ("14685", 6),
        *zip(
            ["0123", "1234", "2345", "3456", "4567", "5678", "6789", "7890", "8901", "9012"],
            [6, 9, 5, 8, 1, 1, 7, 5, 1, 7],
            strict=True,
        ),
        *zip(
            [
                "01234",
                "12345",
                "23456",
                "34567",
                "45678",
                "56789",
                "67890",
                "78901",
                "89012",
                "90123",
            ],
            [1, 8, 6, 6, 2, 2, 2, 3, 0, 2],
            strict=True,
        ),
    ],
)
def test_price_verifier_digit_vectors(field: str, verifier: int) -> None:
    assert price_check_digit_for(field) == verifier


# --- 5. in-store variable-measure labels ---------------------------------------------------


@pytest.mark.parametrize(
    ("code", "layout", "plu", "grams", "fen"),
    [
        ("200001807541", LabelLayout("02", 5, LabelValue.PRICE, 4, True), "00001", None, 754),
        ("200160004003", LabelLayout("02", 5, LabelValue.PRICE, 5), "00160", None, 400),
        ("0200160004003", LabelLayout("02", 5, LabelValue.PRICE, 5), "00160", None, 400),
        ("2106013040083", LabelLayout("21", 5, LabelValue.PRICE, 5), "06013", None, 4008),
        ("2012345012509", LabelLayout("20", 5, LabelValue.WEIGHT, 5), "12345", 1250, None),
        ("2412345543216", LabelLayout("24", 5, LabelValue.PRICE, 4, True), "12345", None, 4321),
    ],
)
def test_in_store_label_vectors(
    code: str, layout: LabelLayout, plu: str, grams: int | None, fen: int | None
) -> None:
    assert classify_gs1(code) is None
    label = classify(code, (layout,))
    assert isinstance(label, WeighedLabel)
    assert (label.plu, label.grams) == (plu, grams)
    assert label.price == (None if fen is None else Money(fen))


@pytest.mark.parametrize("code", ["2754321123457", "254321123454", "2112345432144"])
def test_layouts_scan_codes_cannot_express_still_carry_a_valid_check_digit(code: str) -> None:
    # 27PPPPPIIIIIC and 2PPPPPIIIIIC put the price first; 21IIIIPPPPPVC puts the verifier
    # after the price. LabelLayout has prefix + PLU + [V] + value + C only.
    assert has_valid_check_digit(code)
    assert classify_gs1(code) is None


def test_the_verifier_after_the_price_vector() -> None:
    code = "2112345432144"  # 21 + item 1234 + price 54321 + V + C
    assert price_check_digit_for(code[6:11]) == int(code[11]) == 4


# --- round trips ---------------------------------------------------------------------------


def gtins() -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=13, max_size=13).map(
        lambda body: body + str(check_digit(body))
    )


def yymmd0() -> st.SearchStrategy[str]:
    return st.builds(
        lambda yy, mm, dd: f"{yy:02d}{mm:02d}{dd:02d}",
        st.integers(0, 99),
        st.integers(1, 12),
        st.integers(0, 28),
    )


def x_values(high: int) -> st.SearchStrategy[str]:
    return st.text(sorted(CSET82), min_size=1, max_size=high)


def whole_grams(decimals: int) -> st.SearchStrategy[str]:
    """Six digits that are a whole number of grams with ``decimals`` implied kg decimals."""
    zeros = max(0, decimals - 3)
    return st.text("0123456789", min_size=6 - zeros, max_size=6 - zeros).map(
        lambda digits: digits + "0" * zeros
    )


@st.composite
def labels(draw: st.DrawFn) -> list[Gs1Element]:
    elements = [Gs1Element("01", draw(gtins()))]
    decimals = draw(st.integers(0, 5))
    optional = [
        ("10", x_values(20)),
        ("21", x_values(20)),
        ("17", yymmd0()),
        ("15", yymmd0()),
        ("30", st.text("0123456789", min_size=1, max_size=8)),
        (f"310{decimals}", whole_grams(decimals)),
        (f"392{draw(st.integers(0, 2))}", st.text("0123456789", min_size=1, max_size=15)),
        ("99", x_values(90)),
    ]
    for ai, values in optional:
        if draw(st.booleans()):
            elements.append(Gs1Element(ai, draw(values)))
    if any(e.ai.startswith("392") for e in elements) and not any(
        e.ai == "30" or e.ai.startswith("310") for e in elements
    ):
        elements.append(Gs1Element("30", "1"))
    return draw(st.permutations(elements))


@given(labels(), st.sampled_from(["", "]C1", "]e0", "]Q3", GS]))
def test_raw_element_strings_parse_back_to_the_same_elements(
    elements: list[Gs1Element], prefix: str
) -> None:
    text = prefix + element_string(elements)
    assert parse_gs1(text).elements == tuple(elements)
    scan = classify_gs1(text)
    if prefix or elements[0].ai == "01":
        assert scan is not None and scan.elements == tuple(elements)


@given(labels())
def test_bracketed_text_parses_back_to_the_same_scan(elements: list[Gs1Element]) -> None:
    scan = parse_gs1(element_string(elements))
    assert scan.symbology == ""  # raw data without an identifier
    assert parse_gs1(scan.bracketed) == scan


@given(labels())
def test_typed_weight_and_price_keep_every_digit(elements: list[Gs1Element]) -> None:
    scan = parse_gs1(element_string(elements))
    for element in elements:
        decimals = int(element.ai[3:] or 0)
        if element.ai.startswith("310"):
            assert scan.net_grams == int(element.value) * 1000 // 10**decimals
        if element.ai.startswith("392"):
            assert scan.price == Money(int(element.value) * 100 // 10**decimals)


def test_a_batch_containing_a_url_separator_is_not_taken_for_a_digital_link() -> None:
    scan = parse_gs1("(01)00000000000000(10)://")
    assert scan.batch == "://"
