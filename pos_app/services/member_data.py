"""Members in and out as CSV (format: docs/pricing-data.md), all or nothing.

Columns: card_no, phone, name, tier, points, stored_value, joined_at (header = row 1; any
order; phone and name required). A row whose card number (or, without one, phone) is known
updates that member's phone, name and tier; its balances must be empty or equal to the stored
ones (an import never moves money or points of an existing member). A new member gets the
next card number when the row has none, and the row's balances as opening ledger entries.
The file holds personal data (full phone numbers): keep it where the member list is kept.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pos_app.clock import Clock
from pos_app.domain.ids import new_id
from pos_app.domain.members import CARD_NUMBER, Member
from pos_app.domain.money import ZERO, Money, MoneyFormatError
from pos_app.persistence.repositories.members import DEFAULT_TIER
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.catalog_csv import RowError
from pos_app.services.members import PHONE

UowFactory = Callable[[], UnitOfWork]
COLUMNS = ("card_no", "phone", "name", "tier", "points", "stored_value", "joined_at")
REQUIRED = ("phone", "name")
_TIER = re.compile(r"[a-z0-9_]{1,16}")


@dataclass(frozen=True, slots=True)
class MemberRowIn:
    row: int
    card_no: str
    phone: str
    name: str
    tier: str
    points: int | None
    stored_value: Money | None
    joined_at: datetime | None


@dataclass(frozen=True, slots=True)
class MemberImportReport:
    created: int
    updated: int
    errors: tuple[RowError, ...]


class MemberDataService:
    def __init__(self, uow: UowFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def export_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        with self._uow() as uow:
            for record in uow.members.records():
                m = record.member
                writer.writerow([m.card_number or "", m.phone, m.name, m.tier, m.points,
                                 record.stored_value.yuan_text(),
                                 record.created_at.isoformat()])
        return out.getvalue()

    def import_csv(self, path: Path) -> MemberImportReport:
        rows, errors = read_members(path)
        if errors:
            return MemberImportReport(0, 0, errors)
        now = self._clock.now()
        with self._uow() as uow:
            errors = _check_against_database(uow, rows)
            if errors:
                return MemberImportReport(0, 0, errors)
            created = updated = 0
            for row in rows:
                known = (uow.members.by_card(row.card_no) if row.card_no
                         else uow.members.by_phone(row.phone))
                if known is not None:
                    uow.members.update_details(known.id, phone=row.phone, name=row.name,
                                               tier=row.tier)
                    updated += 1
                else:
                    _create(uow, row, now)
                    created += 1
            uow.audit.append(now, actor_id="import", action="members.imported",
                             subject=path.name, details={"created": created, "updated": updated})
            uow.commit()
        return MemberImportReport(created, updated, ())


def _create(uow: UnitOfWork, row: MemberRowIn, now: datetime) -> None:
    member = Member(id=new_id(), phone=row.phone, tier=row.tier, name=row.name,
                    card_number=row.card_no or uow.members.next_card_no())
    uow.members.add(member, created_at=row.joined_at or now)
    if row.points:
        uow.points.adjust(member.id, row.points, now)
    if row.stored_value is not None and row.stored_value.fen > 0:
        uow.stored_value.top_up(member.id, row.stored_value, order_id=None,
                                terminal_code=uow.site.terminal_code, actor_id="import", at=now)


def _check_against_database(uow: UnitOfWork, rows: list[MemberRowIn]) -> tuple[RowError, ...]:
    tiers = {rule.tier for rule in uow.members.tiers()}
    errors: list[RowError] = []
    for row in rows:
        if tiers and row.tier not in tiers:
            errors.append(RowError(row.row, "tier", "import.unknown_tier", row.tier))
        known = (uow.members.by_card(row.card_no) if row.card_no
                 else uow.members.by_phone(row.phone))
        owner = uow.members.by_phone(row.phone)
        if owner is not None and (known is None or owner.id != known.id):
            errors.append(RowError(row.row, "phone", "import.phone_taken",
                                   "another member has this phone"))
        if known is None:
            continue
        if row.points is not None and row.points != uow.points.balance(known.id):
            errors.append(RowError(row.row, "points", "import.balance_change",
                                   "an import does not change an existing member's points"))
        if row.stored_value is not None and row.stored_value != uow.stored_value.balance(
                known.id):
            errors.append(RowError(row.row, "stored_value", "import.balance_change",
                                   "an import does not change an existing member's balance"))
    return tuple(errors)


def read_members(path: Path) -> tuple[list[MemberRowIn], tuple[RowError, ...]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        return [], (RowError(0, "", "import.unreadable_file", f"{path.name}: {exc.strerror}"),)
    except UnicodeDecodeError as exc:
        return [], (RowError(0, "", "import.bad_encoding", f"not UTF-8 at byte {exc.start}"),)
    records = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip().lower() for h in (records[0] if records else [])]
    errors = [RowError(1, c, "import.missing_column", c) for c in REQUIRED if c not in header]
    errors += [RowError(1, c, "import.unknown_column", c) for c in header if c not in COLUMNS]
    if errors:
        return [], tuple(errors)
    rows: list[MemberRowIn] = []
    seen: dict[str, set[str]] = {"phone": set(), "card_no": set()}
    for number, values in enumerate(records[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            errors.append(RowError(number, "", "import.too_many_values", str(len(values))))
            continue
        fields = {h: v.strip() for h, v in zip(header, values, strict=False)}
        row, problems = _row(number, fields)
        for column in ("phone", "card_no"):
            value = getattr(row, column)
            if value and value in seen[column]:
                problems.append(RowError(number, column, f"import.duplicate_{column}", value))
            seen[column].add(value)
        errors += problems
        rows.append(row)
    return rows, tuple(errors)


def _row(number: int, f: dict[str, str]) -> tuple[MemberRowIn, list[RowError]]:
    errors: list[RowError] = []

    def bad(column: str, code: str, detail: str) -> None:
        errors.append(RowError(number, column, code, detail))

    phone, card, name = f.get("phone", ""), f.get("card_no", ""), f.get("name", "")
    tier = f.get("tier", "") or DEFAULT_TIER
    if not PHONE.fullmatch(phone):
        bad("phone", "import.bad_phone", phone)
    if card and not CARD_NUMBER.fullmatch(card):
        bad("card_no", "import.bad_card_no", card)
    if not name or len(name) > 80:
        bad("name", "import.missing_value" if not name else "import.too_long", name)
    if not _TIER.fullmatch(tier):
        bad("tier", "import.unknown_tier", tier)
    points = stored = joined = None
    if f.get("points"):
        if f["points"].isascii() and f["points"].isdigit():
            points = int(f["points"])
        else:
            bad("points", "import.bad_points", f["points"])
    if f.get("stored_value"):
        try:
            stored = Money.parse(f["stored_value"])
            if stored.fen < 0:
                bad("stored_value", "import.negative_price", f["stored_value"])
                stored = ZERO
        except (MoneyFormatError, ValueError):
            bad("stored_value", "import.bad_price", f["stored_value"])
    if f.get("joined_at"):
        try:
            joined = datetime.fromisoformat(f["joined_at"])
            if joined.utcoffset() is None:
                raise ValueError("no offset")
        except ValueError:
            bad("joined_at", "import.bad_date", f["joined_at"])
            joined = None
    return MemberRowIn(number, card, phone, name, tier, points, stored, joined), errors
