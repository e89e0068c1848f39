"""The demo store's site and people: store DEMO01, terminals T01/T02, staff, members.

Members come from the word lists in ``resources/demo/member_names.json``: unique card numbers
(886 + 9 digits, in sequence) and unique mobile numbers, seeded names, tiers and points, and
a random member-code secret each (``pos members code PHONE`` prints a current code).
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy import Connection, insert

from pos_app.domain.members import new_member_secret
from pos_app.domain.staff import Role, hash_pin
from pos_app.persistence.demo_catalog import seeded_id
from pos_app.persistence.models import Base, MemberRow, StoreRow, TerminalRow, UserRow
from pos_app.resources import resources_dir

_TABLES = Base.metadata.tables
DEMO_STORE_CODE = "DEMO01"
DEMO_STORE_NAME = "新零售示范店"
DEMO_STORE_ADDRESS = "上海市徐汇区漕溪北路88号1楼"
DEMO_TIME_ZONE = "Asia/Shanghai"
DEMO_TERMINALS = (("T01", "1号收银台"), ("T02", "2号收银台"))
_MEMBER_BATCH = 10_000
_TIERS = (("regular", 60, 0, 3_000), ("silver", 25, 1_000, 10_000), ("gold", 15, 5_000, 40_000))


@dataclass(frozen=True, slots=True)
class DemoStaff:
    staff_no: str
    pin: str
    name: str
    role: Role


DEMO_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("1001", "1234", "王芳", Role.CASHIER),
    DemoStaff("1002", "2345", "李强", Role.CASHIER),
    DemoStaff("9001", "9999", "张经理", Role.MANAGER),
)


def insert_site(connection: Connection, ids: random.Random) -> int:
    """Store, terminals and staff; returns the number of terminals."""
    store_id = seeded_id(ids)
    connection.execute(
        insert(_TABLES[StoreRow.__tablename__]).values(
            id=store_id,
            code=DEMO_STORE_CODE,
            name=DEMO_STORE_NAME,
            address=DEMO_STORE_ADDRESS,
            time_zone=DEMO_TIME_ZONE,
        )
    )
    connection.execute(
        insert(_TABLES[TerminalRow.__tablename__]),
        [
            {"id": seeded_id(ids), "store_id": store_id, "code": code, "name": name}
            for code, name in DEMO_TERMINALS
        ],
    )
    connection.execute(
        insert(_TABLES[UserRow.__tablename__]),
        [
            {
                "id": seeded_id(ids),
                "store_id": store_id,
                "staff_no": staff.staff_no,
                "name": staff.name,
                "role": staff.role.value,
                "active": True,
                "pin_hash": hash_pin(staff.pin, os.urandom(16)),
            }
            for staff in DEMO_STAFF
        ],
    )
    return len(DEMO_TERMINALS)


def insert_members(
    connection: Connection, count: int, *, seed: int, now: datetime, ids: random.Random
) -> int:
    rows = _member_rows(count, random.Random(f"demo-members:{seed}"), now, ids)
    inserted = 0
    while batch := list(islice(rows, _MEMBER_BATCH)):
        connection.execute(insert(_TABLES[MemberRow.__tablename__]), batch)
        inserted += len(batch)
    return inserted


def _member_rows(
    count: int, rng: random.Random, now: datetime, ids: random.Random
) -> Iterator[dict[str, object]]:
    words = json.loads((resources_dir() / "demo" / "member_names.json").read_text("utf-8"))
    phones: set[str] = set()
    tiers = [tier for tier, *_ in _TIERS]
    weights = [weight for _, weight, *_ in _TIERS]
    points = {tier: (low, high) for tier, _, low, high in _TIERS}
    for number in range(1, count + 1):
        phone = _unique_phone(rng, words["mobile_prefixes"], phones)
        tier = rng.choices(tiers, weights=weights)[0]
        yield {
            "id": seeded_id(ids),
            "card_no": f"886{number:09d}",
            "phone": phone,
            "name": rng.choice(words["surnames"]) + rng.choice(words["given_names"]),
            "tier": tier,
            "points": rng.randint(*points[tier]),
            "totp_secret": new_member_secret(),  # random: the member code works at once
            "created_at": now
            - timedelta(days=rng.randint(1, 1_000), seconds=rng.randint(0, 86_399)),
        }


def _unique_phone(rng: random.Random, prefixes: list[str], used: set[str]) -> str:
    while True:
        phone = rng.choice(prefixes) + f"{rng.randrange(100_000_000):08d}"
        if phone not in used:
            used.add(phone)
            return phone
