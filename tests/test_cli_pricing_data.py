"""`pos promotions|coupons|members` as IT runs them: round trips, and a bad row or item that
is named (row or item, field, code) while nothing at all is imported."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from ui.main import main


def run(data_dir: Path, *args: str) -> int:
    return main(["--config", str(data_dir / "none.toml"), "--data-dir", str(data_dir), *args])


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    assert run(tmp_path, "demo", "--products", "20", "--members", "8") == 0
    capsys.readouterr()
    return tmp_path


def output(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> str:
    assert run(data_dir, *args) == 0
    return capsys.readouterr().out


def test_promotions_round_trip_and_a_bad_item_imports_nothing(
        demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exported = json.loads(output(capsys, demo, "promotions", "export"))
    ids = [p["id"] for p in exported["promotions"]]
    assert "DEMO-DRINK-2ND" in ids and all(p["active"] for p in exported["promotions"])

    changed = exported["promotions"]
    changed[0]["name"] = "改名的活动"
    changed.append({"id": "NEW-1", "name": "牛奶9折", "active": False,
                    "reward": {"kind": "percent_off", "percent": "10"},
                    "scope": {"categories": ["乳制品"]}})
    good = demo / "promotions.json"
    good.write_text(json.dumps({"promotions": changed}, ensure_ascii=False), encoding="utf-8")
    assert "imported: 1 created, 5 updated, 0 deactivated" in output(
        capsys, demo, "promotions", "import", str(good))
    after = {p["id"]: p for p in json.loads(output(capsys, demo, "promotions", "export"))[
        "promotions"]}
    assert after[changed[0]["id"]]["name"] == "改名的活动"
    assert after["NEW-1"]["active"] is False

    bad_items = [dict(p) for p in after.values()]
    bad_items[2] = {**bad_items[2], "reward": {"kind": "nth_item_off", "nth": 2,
                                               "percent": "half"}}
    bad_items[0] = {**bad_items[0], "name": "不应导入"}
    bad = demo / "bad.json"
    bad.write_text(json.dumps({"promotions": bad_items}, ensure_ascii=False), encoding="utf-8")

    assert run(demo, "promotions", "import", str(bad)) == 1
    err = capsys.readouterr().err
    assert "item 3: reward.percent: import.bad_promotion" in err
    assert "nothing imported: 1 error(s)" in err
    assert {p["id"]: p for p in json.loads(output(capsys, demo, "promotions", "export"))[
        "promotions"]} == after


def test_members_round_trip_and_a_bad_row_imports_nothing(
        demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exported = output(capsys, demo, "members", "export")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert len(rows) == 8 and rows[0]["card_no"] == "886000000001"
    assert rows[0]["stored_value"] == "200.00"  # the demo's opening top-up

    file = demo / "members.csv"
    file.write_text(exported + ",13700001111,新会员,gold,100,20.00,\n", encoding="utf-8")
    assert "imported: 1 created, 8 updated" in output(capsys, demo, "members", "import",
                                                       str(file))
    again = list(csv.DictReader(io.StringIO(output(capsys, demo, "members", "export"))))
    new = next(r for r in again if r["phone"] == "13700001111")
    assert (new["card_no"], new["tier"], new["points"], new["stored_value"]) == (
        "886000000009", "gold", "100", "20.00")

    lines = exported.splitlines()
    lines[2] = lines[2].replace(lines[2].split(",")[1], "1380000")  # row 3: phone too short
    lines.append(",13700002222,不应导入,,,,")
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run(demo, "members", "import", str(file)) == 1
    err = capsys.readouterr().err
    assert "row 3: phone: import.bad_phone: 1380000" in err
    assert "nothing imported" in err
    assert "13700002222" not in output(capsys, demo, "members", "export")


def test_coupons_are_generated_for_a_member_and_exported_with_codes(
        demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    phone = output(capsys, demo, "members", "export").splitlines()[1].split(",")[1]
    terms = demo / "terms.json"
    terms.write_text('{"kind": "cash", "amount": "5.00", "valid_days": 30}', encoding="utf-8")
    out = demo / "codes.csv"

    assert "3 coupons written" in output(capsys, demo, "coupons", "generate", "--name", "五元券",
                                         "--terms", str(terms), "--count", "3",
                                         "--member", phone, "--batch", "CLI1",
                                         "--out", str(out))
    codes = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["coupon_id"], r["member_card_no"]) for r in codes] == [
        (f"CLI1-{n}", "886000000001") for n in (1, 2, 3)]
    every = output(capsys, demo, "coupons", "export")
    assert all(r["code"] in every for r in codes) and "WELCOME-20" in every

    terms.write_text('{"kind": "threshold", "amount": "5.00", "valid_days": 30}',
                     encoding="utf-8")
    assert run(demo, "coupons", "generate", "--name", "坏券", "--terms", str(terms),
               "--count", "2", "--out", str(demo / "bad.csv")) == 2
    assert "coupon.bad_terms" in capsys.readouterr().err


def test_members_code_prints_a_current_member_code(
        demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    phone = output(capsys, demo, "members", "export").splitlines()[1].split(",")[1]
    code = output(capsys, demo, "members", "code", phone).strip()
    assert re.fullmatch(r"M886000000001\d{6}", code)
    assert run(demo, "members", "code", "13900000000") == 2
    assert "member.unknown" in capsys.readouterr().err
