"""Store, terminal and staff rows as the services need them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_app.persistence.models import StoreRow, TerminalRow, UserRow
from pos_app.persistence.repositories.carts import Site


@dataclass(frozen=True, slots=True)
class StaffRecord:
    id: str
    staff_no: str
    name: str
    role: str
    pin_hash: str
    active: bool


@dataclass(frozen=True, slots=True)
class StoreRecord:
    id: str
    code: str
    name: str
    address: str
    time_zone: str


class StaffRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def by_staff_no(self, staff_no: str) -> StaffRecord | None:
        row = self._session.execute(select(UserRow).where(UserRow.staff_no == staff_no)).scalar()
        return None if row is None else _staff(row)

    def by_id(self, user_id: str) -> StaffRecord | None:
        row = self._session.get(UserRow, user_id)
        return None if row is None else _staff(row)


class SiteRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def store(self, store_code: str) -> StoreRecord | None:
        # Named columns, not the whole row: diagnostics read stores on a database that may be
        # behind on migrations, where newer columns do not exist yet.
        row = self._session.execute(
            select(StoreRow.id, StoreRow.code, StoreRow.name, StoreRow.address,
                   StoreRow.time_zone).where(StoreRow.code == store_code)).first()
        if row is None:
            return None
        return StoreRecord(row.id, row.code, row.name, row.address, row.time_zone)

    def site(self, store_code: str, terminal_code: str) -> Site | None:
        row = self._session.execute(
            select(StoreRow.id, StoreRow.time_zone, TerminalRow.id.label("terminal_id"))
            .join(TerminalRow, TerminalRow.store_id == StoreRow.id)
            .where(StoreRow.code == store_code, TerminalRow.code == terminal_code)
        ).first()
        if row is None:
            return None
        return Site(store_id=row.id, terminal_id=row.terminal_id, terminal_code=terminal_code,
                    time_zone=row.time_zone)


def _staff(row: UserRow) -> StaffRecord:
    return StaffRecord(row.id, row.staff_no, row.name, row.role, row.pin_hash, row.active)
