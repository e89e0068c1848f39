"""`pos` subcommands as IT runs them: output lines and exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pos_app.config import parse_config
from pos_app.persistence.db import make_engine
from pos_app.persistence.models import ProductRow
from pos_app.resources import resources_dir
from ui.main import main

SAMPLE = resources_dir() / "demo" / "catalog-sample.csv"


def run(tmp_path: Path, *args: str) -> int:
    return main(["--config", str(tmp_path / "none.toml"), "--data-dir", str(tmp_path), *args])


@pytest.fixture
def no_config(tmp_path: Path) -> Path:
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    return tmp_path


def products(data_dir: Path) -> int:
    engine = make_engine(parse_config({}, data_dir=data_dir).database_url)
    with engine.connect() as c:
        count = int(c.execute(select(func.count()).select_from(ProductRow)).scalar_one())
    engine.dispose()
    return count


def test_demo_then_self_test_pass(no_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(no_config, "demo", "--products", "50") == 0
    assert run(no_config, "demo", "--products", "50") == 1  # never seeds twice
    assert run(no_config, "self-test") == 0
    out = capsys.readouterr().out
    for check in ("config", "database", "store", "messages", "printer", "face models",
                  "barcode decoders", "qt"):
        assert f"ok   {check}:" in out
    assert out.rstrip().endswith("self-test passed")


def test_self_test_fails_clearly_without_a_store(
        no_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(no_config, "self-test") == 1
    out = capsys.readouterr().out
    assert "FAIL store: store.code 'DEMO01' with terminal.code 'T01' is not in the database" in out
    assert "self-test failed: 1 check(s)" in out


def test_catalog_import_of_a_file_with_a_bad_row_imports_nothing_and_names_the_row(
        no_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(no_config, "demo", "--products", "20")
    before = products(no_config)
    bad = no_config / "bad.csv"
    rows = SAMPLE.read_text(encoding="utf-8").splitlines()
    rows[3] = rows[3].replace(",39.90,", ",39.9x,")
    bad.write_text("\n".join(rows) + "\n", encoding="utf-8")
    capsys.readouterr()

    assert run(no_config, "catalog", "import", str(bad)) == 1

    err = capsys.readouterr().err
    assert "row 4: price: import.bad_price" in err
    assert "nothing imported: 1 error(s)" in err
    assert products(no_config) == before


def test_catalog_import_of_a_good_file(no_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(no_config, "demo", "--products", "20")
    before = products(no_config)
    good = no_config / "good.csv"
    shutil.copy(SAMPLE, good)
    assert run(no_config, "catalog", "import", str(good)) == 0
    assert "imported: 10 created, 0 updated" in capsys.readouterr().out
    assert products(no_config) == before + 10


def test_verify_audit_on_a_fresh_store(no_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(no_config, "demo", "--products", "20")
    assert run(no_config, "verify-audit") == 0
    assert "audit chain intact: 0 entries" in capsys.readouterr().out


def test_a_config_mistake_names_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "pos.toml"
    config.write_text("[devices.printer]\ntransport = 42\n", encoding="utf-8")
    assert main(["--config", str(config), "--data-dir", str(tmp_path), "self-test"]) == 2
    assert "devices.printer.transport must be str" in capsys.readouterr().err
