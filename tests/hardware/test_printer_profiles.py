"""Each printer model is described by a profile; a wrong profile is refused at start-up."""

from __future__ import annotations

import pytest

from hardware.printer.profiles import PRESETS, PrinterProfile, preset
from pos_app.errors import ConfigError


def test_the_presets_cover_58mm_and_80mm_paper_and_the_chinese_encodings() -> None:
    assert {name: (p.columns, p.encoding, p.hanzi_mode) for name, p in PRESETS.items()} == {
        "80mm-gb18030": (48, "gb18030", True),
        "58mm-gb18030": (32, "gb18030", True),
        "80mm-gbk": (48, "gbk", True),
        "80mm-utf8": (48, "utf-8", False),
        "58mm-raster": (32, "gb18030", True),
        "80mm-raster": (48, "gb18030", True),
    }
    assert {name for name, p in PRESETS.items() if p.raster} == {"58mm-raster", "80mm-raster"}


def test_the_printable_width_follows_the_paper() -> None:
    assert (preset("58mm-raster").dots, preset("80mm-gb18030").dots) == (384, 576)
    assert PrinterProfile("80mm-512", columns=42, encoding="gbk", width_dots=512).dots == 512


def test_presets_cut_and_kick_both_drawer_pins() -> None:
    assert all(p.cut and p.drawer_pins == (2, 5) for p in PRESETS.values())


def test_an_unknown_preset_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="80mm-gb18030"):
        preset("80mm-shiftjis")


@pytest.mark.parametrize(
    "changes",
    [
        {"columns": 10},
        {"encoding": "shift_jis"},
        {"drawer_pins": (1,)},
        {"pulse_ms": 600},
        {"width_dots": 100},
    ],
    ids=["too-narrow", "unknown-encoding", "no-such-pin", "pulse-too-long", "too-few-dots"],
)
def test_an_impossible_profile_is_refused(changes: dict[str, object]) -> None:
    settings: dict[str, object] = {"name": "bad", "columns": 48, "encoding": "gb18030"}

    with pytest.raises(ConfigError, match="bad"):
        PrinterProfile(**(settings | changes))  # type: ignore[arg-type]


def test_big5_printers_are_driven_through_cp950_which_has_the_full_width_yuan_sign() -> None:
    big5 = PrinterProfile("80mm-big5", columns=48, encoding="big5")

    assert big5.codec == "cp950"
    assert "￥".encode(big5.codec) == b"\xa2\x44"
