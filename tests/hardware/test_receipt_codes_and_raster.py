"""The receipt template's extras, decoded back from the bytes: the order-number barcode (native
CODE128), the e-receipt QR (native), the logo, and raster mode for printers without a Chinese
font; on 58 mm and 80 mm paper everything stays within the printable width."""

from __future__ import annotations

import dataclasses
import logging
import threading
from pathlib import Path

import pytest
import qrcode  # type: ignore[import-untyped]
from escpos_decode import Decoded, RasterImage, decode
from PIL import Image, ImageDraw
from receipt_samples import EN, ZH_CN, a_receipt, a_receipt_with_oil_on_offer, chinese_catalog

from hardware.printer.codes import code128_data, code128_modules
from hardware.printer.escpos_printer import EscposReceiptPrinter
from hardware.printer.profiles import PrinterProfile, preset
from hardware.printer.raster import LINE_DOTS, LINE_GAP_DOTS, RasterFont, find_font, load_logo
from hardware.printer.receipt_layout import CENTERED, Row, layout_receipt
from hardware.printer.receipt_renderer import HANZI_ON, render_receipt
from hardware.printer.transports import FileTransport
from pos_app.domain.receipts import Receipt
from pos_app.i18n import Catalog
from pos_app.ports.printing import PrintJob

ORDER = "20240501-0001"
E_RECEIPT = "https://e.example.cn/r/20240501-0001?s=T01&k=Q2FzaC1yZWNlaXB0"  # 62 bytes
TEXT_PROFILES = [preset("58mm-gb18030"), preset("80mm-gb18030")]
RASTER_PROFILES = [preset("58mm-raster"), preset("80mm-raster")]
ALL_PROFILES = TEXT_PROFILES + RASTER_PROFILES
QR_HINT = {"receipt.qr_hint": "扫码开具电子发票"}


def with_codes(**changes: object) -> Receipt:
    return a_receipt_with_oil_on_offer(qr_text=E_RECEIPT, barcode_text=ORDER, **changes)


def printed(
    receipt: Receipt, profile: PrinterProfile, catalog: Catalog | None = None, **kwargs: object
) -> Decoded:
    data = render_receipt(receipt, profile, catalog or chinese_catalog(), **kwargs)  # type: ignore[arg-type]
    return decode(data, profile.codec)


def qr_modules(text: str) -> int:
    """Modules per side of the QR a printer makes of ``text`` at level M (independent encoder)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return int(code.modules_count)


# --- order-number barcode ------------------------------------------------------------------


@pytest.mark.parametrize("profile", ALL_PROFILES, ids=lambda p: p.name)
def test_the_order_number_prints_as_a_native_code128_barcode_within_the_paper(
    profile: PrinterProfile,
) -> None:
    paper = printed(with_codes(), profile)

    [barcode] = paper.barcodes
    assert (barcode.kind, barcode.text) == ("CODE128", ORDER)
    assert barcode.hri_below and barcode.height == 64
    assert barcode.dots <= profile.dots
    assert barcode.module_width >= 2  # 1-dot bars do not scan off thermal paper


def test_the_barcode_is_centred_after_the_last_line_and_before_the_cut() -> None:
    commands = printed(with_codes(), preset("80mm-gb18030")).commands

    barcode = next(i for i, c in enumerate(commands) if c.startswith("GS k 73"))
    assert commands[barcode - 5 : barcode] == ["ESC a 1", "GS H 2", "GS f 0", "GS h 64", "GS w 3"]
    assert commands[barcode + 1] == "ESC a 0"
    assert max(i for i, c in enumerate(commands) if c == "text") < barcode
    assert commands.index("GS V 0") > barcode


@pytest.mark.parametrize(
    ("text", "data", "modules"),
    [
        ("20240501", b"{C" + bytes([20, 24, 5, 1]), 11 * 6 + 13),
        ("20240501-0001", b"{C\x14\x18\x05\x01{B-{C\x00\x01", 11 * 11 + 13),
        ("A123", b"{BA123", 11 * 6 + 13),
        ("12345", b"{C\x0c\x22{B5", 11 * 6 + 13),
        ("{X}", b"{B{{X}", 11 * 5 + 13),
    ],
)
def test_code128_uses_code_set_c_for_digit_runs(text: str, data: bytes, modules: int) -> None:
    assert code128_data(text) == data
    assert code128_modules(data) == modules


@pytest.mark.parametrize("text", ["", "单号1", "tab\there"])
def test_text_code128_cannot_carry_is_refused(text: str) -> None:
    assert code128_data(text) is None


def test_a_barcode_too_long_for_58mm_is_skipped_there_and_printed_on_80mm(
    caplog: pytest.LogCaptureFixture,
) -> None:
    long_order = "T01-ABCDEFGHIJKLMN"
    receipt = a_receipt(barcode_text=long_order)

    with caplog.at_level(logging.WARNING, logger="hardware.printer.codes"):
        narrow = printed(receipt, preset("58mm-gb18030"))
    wide = printed(receipt, preset("80mm-gb18030"))

    assert narrow.barcodes == [] and "too long" in caplog.text
    assert [b.text for b in wide.barcodes] == [long_order]
    assert wide.barcodes[0].dots <= 576


# --- QR code -------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ALL_PROFILES, ids=lambda p: p.name)
def test_the_e_receipt_link_prints_as_a_native_qr_within_the_paper(
    profile: PrinterProfile,
) -> None:
    data = render_receipt(with_codes(), profile, chinese_catalog())
    paper = decode(data, profile.codec)

    [qr] = paper.qr_codes
    assert (qr.text, qr.model, qr.error_correction) == (E_RECEIPT, 2, "M")
    assert (qr_modules(E_RECEIPT) + 8) * qr.size <= profile.dots
    assert qr.size >= 3
    qr_bytes = data[data.index(b"\x1d(k") : data.rindex(b"\x1d(k") + 8]
    assert len(qr_bytes) < 120  # native: about 80 bytes, where an image would be ~13 KB


def test_the_qr_caption_prints_centred_above_the_code_when_the_catalogue_has_one() -> None:
    catalog = Catalog("zh_CN", ZH_CN | QR_HINT, EN)

    paper = printed(with_codes(), preset("80mm-gb18030"), catalog)

    caption = next(line for line in paper.lines if line.text == "扫码开具电子发票")
    assert caption.align == 1
    assert "电子发票" not in printed(with_codes(), preset("80mm-gb18030")).all_text
    caption_at = max(i for i, c in enumerate(paper.commands) if c == "text")
    assert paper.commands.index("GS ( k 81") > caption_at


def test_receipts_without_qr_or_barcode_text_print_neither() -> None:
    paper = printed(a_receipt(), preset("80mm-gb18030"))

    assert (paper.qr_codes, paper.barcodes, paper.images) == ([], [], [])


# --- raster mode ---------------------------------------------------------------------------


@pytest.mark.parametrize("profile", RASTER_PROFILES, ids=lambda p: p.name)
def test_a_raster_receipt_is_one_image_per_row_within_the_paper_and_no_text(
    profile: PrinterProfile,
) -> None:
    receipt = with_codes()
    data = render_receipt(receipt, profile, chinese_catalog())
    paper = decode(data, profile.codec)

    rows = layout_receipt(receipt, profile, chinese_catalog())
    images = paper.images
    assert len(images) == len(rows)
    for row, image in zip(rows, images, strict=True):
        assert image.width % 8 == 0 and 8 <= image.width <= profile.dots
        assert image.height == (LINE_DOTS + LINE_GAP_DOTS) * row.style.scale
        assert (image.ink > 0) == bool(row.text.strip()), row.text
    assert HANZI_ON not in data
    assert not [line.text for line in paper.lines if line.text]  # no text for a missing font


def test_a_raster_title_is_centred_and_the_total_is_drawn_twice_as_large() -> None:
    profile = preset("58mm-raster")
    paper = printed(a_receipt(), profile)

    rows = layout_receipt(a_receipt(), profile, chinese_catalog())
    title = paper.images[0]
    left, right = ink_columns(title)
    assert abs((left + right) / 2 - profile.dots / 2) <= 12
    total = paper.images[next(i for i, row in enumerate(rows) if row.text.startswith("合计"))]
    assert total.height == 2 * (LINE_DOTS + LINE_GAP_DOTS)
    assert ink_columns(total)[1] > profile.dots - 24  # the amount is flush right


def test_a_wide_latin_glyph_stays_inside_its_column() -> None:
    font = RasterFont(find_font())
    image = font.row(Row("MWMW"), preset("58mm-raster"))

    assert ink_columns(as_decoded(image))[1] < 4 * 12


def test_raster_rows_use_the_font_in_the_fonts_folder_first(tmp_path: Path) -> None:
    (tmp_path / "receipt-font.ttc").symlink_to(find_font())

    assert find_font(tmp_path) == tmp_path / "receipt-font.ttc"


# --- logo ----------------------------------------------------------------------------------


def a_logo(path: Path, size: tuple[int, int] = (800, 200)) -> Path:
    image = Image.new("RGBA", size, (0, 0, 0, 0))  # transparent: prints as paper
    ImageDraw.Draw(image).rectangle((300, 50, 500, 150), fill=(200, 0, 0, 255))
    image.save(path)
    return path


@pytest.mark.parametrize("profile", [preset("58mm-gb18030"), preset("80mm-raster")],
                         ids=lambda p: p.name)  # fmt: skip
def test_the_logo_is_scaled_to_the_paper_and_printed_first(
    tmp_path: Path, profile: PrinterProfile
) -> None:
    logo = load_logo(a_logo(tmp_path / "logo.png"), profile)

    paper = printed(a_receipt(), profile, logo=logo)

    assert paper.commands[:2] == ["ESC @", f"GS v 0 {profile.dots}x{200 * profile.dots // 800}"]
    image = paper.images[0]
    assert image.ink > 0 and not image.pixel(0, 0)  # the transparent corner is blank
    assert image.pixel(profile.dots // 2, image.height // 2)  # the red block prints black


def test_a_small_logo_is_centred_not_enlarged(tmp_path: Path) -> None:
    logo = load_logo(a_logo(tmp_path / "small.png", (100, 40)), preset("80mm-gb18030"))

    assert (logo.width, logo.height) == (576, 40)


def test_a_printer_with_an_unreadable_logo_prints_without_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "logo.png"
    broken.write_bytes(b"not a png")
    paper_file = tmp_path / "paper.bin"
    done = threading.Event()
    printer = EscposReceiptPrinter(FileTransport(paper_file), preset("80mm-gb18030"),
                                   chinese_catalog(), on_finished=lambda *_: done.set(),
                                   logo=broken)  # fmt: skip

    with caplog.at_level(logging.ERROR, logger="hardware.printer.escpos_printer"):
        printer.submit(PrintJob("job-1", with_codes()))
        assert done.wait(5)
    printer.close()

    paper = decode(paper_file.read_bytes(), "gb18030")
    assert paper.images == [] and [b.text for b in paper.barcodes] == [ORDER]
    assert "without the logo" in caplog.text


def test_a_printer_with_a_logo_prints_it_on_every_receipt(tmp_path: Path) -> None:
    paper_file = tmp_path / "paper.bin"
    finished = threading.Semaphore(0)
    printer = EscposReceiptPrinter(FileTransport(paper_file), preset("58mm-raster"),
                                   chinese_catalog(), on_finished=lambda *_: finished.release(),
                                   logo=a_logo(tmp_path / "logo.png"))  # fmt: skip

    for job in ("a", "b"):
        printer.submit(PrintJob(job, dataclasses.replace(a_receipt(), barcode_text=ORDER)))
    assert finished.acquire(timeout=5) and finished.acquire(timeout=5)
    printer.close()

    paper = decode(paper_file.read_bytes(), "gb18030")
    logos = [i for i in paper.images if i.height == 200 * 384 // 800]
    assert len(logos) == 2 and paper.resets == 2


# --- helpers -------------------------------------------------------------------------------


def ink_columns(image: RasterImage) -> tuple[int, int]:
    """The leftmost and rightmost columns with ink."""
    columns = [x for x in range(image.width) if any(image.pixel(x, y) for y in range(image.height))]
    return columns[0], columns[-1]


def as_decoded(image: object) -> RasterImage:
    """A RasterImage of the renderer as the decoder sees it."""
    return decode(image.command(), "gb18030").images[0]  # type: ignore[attr-defined]


def test_centred_rows_keep_their_left_margin_and_fit() -> None:
    font = RasterFont(find_font())
    profile = preset("80mm-raster")

    image = as_decoded(font.row(Row("谢谢惠顾", CENTERED), profile))

    left, right = ink_columns(image)
    assert left >= (profile.dots - 8 * 12) // 2 - 2
    assert right <= profile.dots
