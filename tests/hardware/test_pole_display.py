"""The pole display shows the last item and the total, a welcome when idle and the change
once paid; what goes down the serial line is decoded back by a display emulator.

A real pseudo-terminal stands in for the serial line; the emulator reads its master side.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from serial_pty import WAIT, PtyCable

from hardware.display.display_layout import GB18030, DisplayProfile, ascii_fallback, yuan
from hardware.display.pole_display import (
    CD5220Dialect,
    DisplayDialect,
    EscposDisplayDialect,
    PoleDisplay,
    SerialDisplayTransport,
)
from pos_app.domain.money import Money
from pos_app.i18n import Catalog
from pos_app.services.views import CustomerLineView, CustomerView

COLUMNS = 20
MakeDisplay = Callable[..., PoleDisplay]


@dataclass
class Vfd:
    """A 2x20 display emulator for both command sets: the screen and the commands obeyed."""

    encoding: str = "ascii"
    cells: list[list[str]] = field(default_factory=lambda: [[" "] * COLUMNS for _ in range(2)])
    commands: list[str] = field(default_factory=list)
    x: int = 0
    y: int = 0

    @property
    def rows(self) -> tuple[str, str]:
        upper, lower = ("".join(row) for row in self.cells)
        return upper, lower

    def feed(self, data: bytes) -> Vfd:
        i = 0
        while i < len(data):
            i = self._command(data, i)
        return self

    def _command(self, data: bytes, i: int) -> int:
        two, three = data[i : i + 2], data[i : i + 3]
        if data[i] == 0x0C:
            return self._do("clear", i + 1, clear=True)
        if two == b"\x1b@":
            return self._do("initialise", i + 2, clear=True)
        if two in (b"\x1b\x11", b"\x1f\x01"):
            return self._do("overwrite mode", i + 2)
        if three in (b"\x1b_\x00", b"\x1fC\x00"):
            return self._do("cursor off", i + 3)
        if two in (b"\x1f$", b"\x1bl"):
            self.x, self.y = data[i + 2] - 1, data[i + 3] - 1
            return self._do(f"cursor to {data[i + 2]},{data[i + 3]}", i + 4)
        if three in (b"\x1bQA", b"\x1bQB"):
            end = data.index(b"\r", i)
            self.x, self.y = 0, three[2] - ord("A")
            self._write(data[i + 3 : end])
            return self._do(f"string row {three[2] - ord('A') + 1}", end + 1)
        assert data[i] >= 0x20, f"unknown command at {i}: {data[i:]!r}"
        end = i
        while end < len(data) and data[end] >= 0x20:
            end += 1
        self._write(data[i:end])
        return end

    def _do(self, command: str, next_index: int, *, clear: bool = False) -> int:
        self.commands.append(command)
        if clear:
            self.cells = [[" "] * COLUMNS for _ in range(2)]
            self.x = self.y = 0
        return next_index

    def _write(self, encoded: bytes) -> None:
        for char in encoded.decode(self.encoding):
            wide = char in "￥" or "\u4e00" <= char <= "\u9fff"
            assert self.x + wide < COLUMNS, f"{char!r} written past column 20"
            self.cells[self.y][self.x] = char
            if wide:
                self.cells[self.y][self.x + 1] = ""
            self.x += 1 + wide


def screen(data: bytes, encoding: str = "ascii") -> Vfd:
    return Vfd(encoding).feed(data)


def line(name: str, yuan_text: str) -> CustomerLineView:
    amount = Money.parse(yuan_text)
    return CustomerLineView(name=name, quantity=1, grams=None, amount=amount, savings=Money(0))


def scanning(*lines: CustomerLineView, total: str) -> CustomerView:
    return CustomerView(
        lines=lines,
        savings=Money(0),
        total=Money.parse(total),
        item_count=len(lines),
        state="scanning",
    )


IDLE = CustomerView(lines=(), savings=Money(0), total=Money(0), item_count=0, state="idle")
PAID = CustomerView(
    lines=(line("Milk", "45.60"),),
    savings=Money(0),
    total=Money.parse("45.60"),
    item_count=1,
    state="paid",
    paid=Money.parse("50.00"),
    change=Money.parse("4.40"),
)


@dataclass
class Statuses:
    seen: list[tuple[bool, str]] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, online: bool, detail: str) -> None:
        with self._arrived:
            self.seen.append((online, detail))
            self._arrived.notify_all()

    def wait_online(self, online: bool) -> None:
        with self._arrived:
            assert self._arrived.wait_for(
                lambda: bool(self.seen) and self.seen[-1][0] is online, WAIT
            ), self.seen


@pytest.fixture
def cable(tmp_path: Path) -> Iterator[PtyCable]:
    far_end = PtyCable(tmp_path / "ttyPole")
    yield far_end
    far_end.close()


@pytest.fixture
def statuses() -> Statuses:
    return Statuses()


@pytest.fixture
def make_display(cable: PtyCable, statuses: Statuses) -> Iterator[MakeDisplay]:
    made: list[PoleDisplay] = []

    def make(
        dialect: DisplayDialect | None = None, profile: DisplayProfile | None = None, **kw: object
    ) -> PoleDisplay:
        options: dict[str, object] = {"on_status": statuses, "retry_s": 0.05, **kw}
        if profile is not None:
            options["profile"] = profile
        display = PoleDisplay(
            SerialDisplayTransport(str(cable.link)),
            dialect or EscposDisplayDialect(),
            **options,  # type: ignore[arg-type]
        )
        made.append(display)
        return display

    yield make
    for display in made:
        display.close()


def shows(cable: PtyCable, rows: tuple[str, str], encoding: str = "ascii") -> Vfd:
    data = cable.wait_for(lambda data: screen(data, encoding).rows == rows)
    return screen(data, encoding)


def test_scanning_shows_the_last_item_with_its_amount_above_the_total(
    make_display: MakeDisplay, cable: PtyCable
) -> None:
    display = make_display()
    display.show(scanning(line("Apple", "3.50"), line("Milk 1L", "12.00"), total="15.50"))

    vfd = shows(cable, ("Milk 1L        12.00", "TOTAL          15.50"))
    assert vfd.commands == [
        "initialise",
        "overwrite mode",
        "cursor off",
        "cursor to 1,1",
        "cursor to 1,2",
    ]


def test_the_escpos_dialect_sends_exactly_these_bytes(
    make_display: MakeDisplay, cable: PtyCable
) -> None:
    make_display().show(IDLE)

    data = cable.wait_for(lambda data: data.endswith(b" " * 20))
    assert data == (
        b"\x1b@\x1f\x01\x1fC\x00"
        + b"\x1f$\x01\x01"
        + b"      WELCOME       "
        + b"\x1f$\x01\x02"
        + b" " * 20
    )


def test_the_cd5220_dialect_writes_rows_in_string_mode(
    make_display: MakeDisplay, cable: PtyCable
) -> None:
    make_display(CD5220Dialect()).show(PAID)

    data = cable.wait_for(lambda data: data.endswith(b"\r") and data.count(b"\r") == 2)
    assert data == (
        b"\x1b@\x1b\x11\x1b_\x00"
        + b"\x0c"
        + b"\x1bQAPAID           50.00\r"
        + b"\x1bQBCHANGE          4.40\r"
    )


def test_long_names_are_cut_to_20_columns_leaving_room_for_the_amount(
    make_display: MakeDisplay, cable: PtyCable
) -> None:
    make_display().show(
        scanning(line("Extra long product name, family size", "1234.50"), total="99999.99")
    )

    upper, lower = shows(cable, ("Extra long p 1234.50", "TOTAL       99999.99")).rows
    assert len(upper) == len(lower) == COLUMNS


def test_chinese_names_show_as_pinyin_on_an_ascii_display(
    make_display: MakeDisplay, cable: PtyCable
) -> None:
    make_display().show(scanning(line("可口可乐 330ml", "3.50"), total="3.50"))

    shows(cable, ("KeKouKeLe 330ml 3.50", "TOTAL           3.50"))


def test_a_name_with_nothing_an_ascii_display_can_show_reads_item(
    make_display: MakeDisplay, cable: PtyCable
) -> None:
    make_display().show(scanning(line("☕☕", "8.00"), total="8.00"))

    shows(cable, ("ITEM            8.00", "TOTAL           8.00"))


def test_a_chinese_display_shows_hanzi_two_columns_wide_and_translated_texts(
    make_display: MakeDisplay, cable: PtyCable
) -> None:
    catalog = Catalog("zh_CN", {"pole.total": "合计", "pole.item": "商品"})
    display = make_display(CD5220Dialect(), GB18030, texts=catalog.text)
    display.show(scanning(line("农夫山泉饮用天然水550ml", "2.00"), total="12.00"))

    vfd = shows(cable, ("农夫山泉饮用  ￥2.00", "合计" + " " * 9 + "￥12.00"), "gb18030")
    assert "string row 1" in vfd.commands
    assert "￥".encode("gb18030") == b"\xa3\xa4"  # the GB2312 full-width yen, not U+00A5


def test_idle_shows_the_welcome_and_paid_shows_the_change(
    make_display: MakeDisplay, cable: PtyCable
) -> None:
    display = make_display()
    display.show(IDLE)
    shows(cable, ("      WELCOME       ", " " * 20))

    display.show(PAID)
    shows(cable, ("PAID           50.00", "CHANGE          4.40"))


def test_an_unchanged_screen_is_not_sent_again(make_display: MakeDisplay, cable: PtyCable) -> None:
    display = make_display()
    display.show(IDLE)
    shows(cable, ("      WELCOME       ", " " * 20))
    display.show(IDLE)
    display.show_text("TEST", "LINE 2")

    data = cable.wait_for(lambda data: screen(data).rows[1].startswith("LINE 2"))
    assert data.count(b"WELCOME") == 1
    assert data.count(b"\x1b@") == 1  # initialised once


def test_only_the_newest_snapshot_is_drawn_when_several_wait(
    make_display: MakeDisplay, cable: PtyCable
) -> None:
    display = make_display()
    for number in range(1, 51):
        display.show(scanning(line(f"Item {number}", "1.00"), total=f"{number}.00"))

    vfd = shows(cable, ("Item 50         1.00", "TOTAL          50.00"))
    assert vfd.commands.count("initialise") == 1


def test_show_returns_at_once(make_display: MakeDisplay) -> None:
    display = make_display()
    started = time.monotonic()
    for _ in range(200):
        display.show(IDLE)
    assert time.monotonic() - started < 0.1


def test_a_pulled_cable_goes_offline_and_the_newest_screen_is_drawn_once_back(
    make_display: MakeDisplay, cable: PtyCable, statuses: Statuses
) -> None:
    display = make_display()
    display.show(IDLE)
    shows(cable, ("      WELCOME       ", " " * 20))
    statuses.wait_online(True)

    cable.unplug()
    display.show(scanning(line("Bread", "6.00"), total="6.00"))
    statuses.wait_online(False)
    display.show(scanning(line("Bread", "6.00"), line("Eggs", "9.90"), total="15.90"))

    cable.clear()
    cable.plug_in()
    vfd = shows(cable, ("Eggs            9.90", "TOTAL          15.90"))
    statuses.wait_online(True)
    assert vfd.commands[0] == "initialise"  # it may have lost power: set up again
    assert [online for online, _ in statuses.seen] == [True, False, True]


def test_amounts_are_fen_shown_as_yuan_without_float() -> None:
    assert [yuan(Money(fen)) for fen in (0, 5, 1205, -1205, 100_000_00)] == [
        "0.00",
        "0.05",
        "12.05",
        "-12.05",
        "100000.00",
    ]


def test_the_ascii_fallback_reads_phrases_and_folds_full_width_forms() -> None:
    assert ascii_fallback("快乐可乐") == "KuaiLeKeLe"
    assert ascii_fallback("ＡＢＣ１２３（大）") == "ABC123(Da)"
    assert ascii_fallback("农夫山泉\n\x1b") == "NongFuShanQuan"
