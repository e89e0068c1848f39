"""Every text is translatable: Chinese and English have the same keys, and the templates'
parameters agree."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from pos_app.i18n import Catalog, load_catalog, read_messages
from pos_app.resources import resources_dir

I18N = resources_dir() / "i18n"


def parameters(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_english_and_chinese_have_the_same_keys() -> None:
    zh, en = read_messages(I18N, "zh_CN"), read_messages(I18N, "en")
    assert sorted(zh.keys() - en.keys()) == []
    assert sorted(en.keys() - zh.keys()) == []


def test_each_translation_uses_the_same_parameters() -> None:
    zh, en = read_messages(I18N, "zh_CN"), read_messages(I18N, "en")
    mismatched = [key for key in zh if parameters(zh[key]) != parameters(en[key])]
    assert mismatched == []


def test_a_missing_key_falls_back_to_english_then_to_the_key() -> None:
    catalog = Catalog("zh_CN", {"a": "甲"}, {"a": "A", "b": "B {n}"})
    assert catalog.text("a") == "甲"
    assert catalog.text("b", n=2) == "B 2"
    assert catalog.text("c") == "c"


def test_a_key_defined_twice_in_one_locale_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "a.json").write_text('{"k": "1"}', encoding="utf-8")
    (tmp_path / "en" / "b.json").write_text('{"k": "2"}', encoding="utf-8")
    with pytest.raises(ValueError, match="defines k again"):
        load_catalog(tmp_path, "en")
