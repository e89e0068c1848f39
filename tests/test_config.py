"""The config file: every documented key parses, and mistakes name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.config import load_config, parse_config
from pos_app.errors import ConfigError
from pos_app.resources import resources_dir


def test_the_example_file_documents_keys_that_parse_to_the_defaults(tmp_path: Path) -> None:
    example = resources_dir() / "pos.example.toml"
    config = load_config(example, data_dir=tmp_path)
    defaults = parse_config({}, data_dir=tmp_path)
    assert config.store == defaults.store
    assert config.devices == defaults.devices
    assert config.scan == defaults.scan
    assert config.ui == defaults.ui


@pytest.mark.parametrize(("raw", "named"), [
    ({"store": {"cod": "X"}}, "store.cod"),
    ({"devices": {"printer": {"port": "9100"}}}, "devices.printer.port"),
    ({"devices": {"drawer": {}}}, "devices.drawer"),
    ({"ui": {"fullscreen": 1}}, "ui.fullscreen"),
    ({"terminals": {}}, "terminals"),
])
def test_a_mistake_in_the_config_names_the_key(raw: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        parse_config(raw)


def test_a_broken_file_says_where(tmp_path: Path) -> None:
    path = tmp_path / "pos.toml"
    path.write_text("[store\ncode = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pos\.toml"):
        load_config(path)


def test_empty_database_url_means_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    config = parse_config({}, data_dir=tmp_path)
    assert config.database_url == f"sqlite+pysqlite:///{tmp_path / 'pos.sqlite3'}"
    assert parse_config({"database": {"url": "postgresql+psycopg://x/y"}}).database_url == \
        "postgresql+psycopg://x/y"
