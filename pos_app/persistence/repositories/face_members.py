"""Who a face belongs to, for the face dialogs: a member by id, card number or phone number.

Read-only; the member's full name and phone number stay in the core (the screens get them
masked, see ``pos_app.services.face_counter``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pos_app.persistence.models import MemberRow


@dataclass(frozen=True, slots=True)
class MemberRecord:
    id: str
    name: str
    phone: str
    card_no: str


class FaceMemberLookup:
    def __init__(self, session: Session) -> None:
        self._session = session

    def by_id(self, member_id: str) -> MemberRecord | None:
        return self._first(MemberRow.id == member_id)

    def by_code(self, code: str) -> MemberRecord | None:
        """The member whose card number or phone number is ``code`` exactly."""
        return self._first(or_(MemberRow.card_no == code, MemberRow.phone == code))

    def _first(self, condition: object) -> MemberRecord | None:
        row = self._session.execute(
            select(MemberRow.id, MemberRow.name, MemberRow.phone, MemberRow.card_no)
            .where(condition)  # type: ignore[arg-type]
            .limit(1)
        ).first()
        return None if row is None else MemberRecord(row.id, row.name, row.phone, row.card_no)
