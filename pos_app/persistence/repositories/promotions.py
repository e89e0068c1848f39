"""Automatic promotions as stored JSON, and the pricing version a till caches rules by.

Every write to ``promotions`` bumps ``pricing_version`` in the same transaction, so
``version()`` is one primary-key read and a till rebuilds its ``RuleIndex`` only when it moved.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from pos_app.domain.pricing import Promotion, promotion_from_dict, promotion_to_dict
from pos_app.persistence.models import PricingVersionRow, PromotionRow

PROMOTIONS = cast(Table, PromotionRow.__table__)
VERSION = cast(Table, PricingVersionRow.__table__)


class PromotionRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def version(self) -> int:
        found = self._session.execute(select(VERSION.c.version).where(VERSION.c.id == 1)).scalar()
        return 0 if found is None else int(found)

    def live(self) -> list[Promotion]:
        """The active promotions, by id."""
        rows = self._session.execute(
            select(PROMOTIONS.c.data).where(PROMOTIONS.c.active.is_(True))
            .order_by(PROMOTIONS.c.id)).scalars()
        return [promotion_from_dict(json.loads(data)) for data in rows]

    def all(self) -> list[tuple[Promotion, bool]]:
        """Every stored promotion with its active flag, by id."""
        rows = self._session.execute(
            select(PROMOTIONS.c.data, PROMOTIONS.c.active).order_by(PROMOTIONS.c.id))
        return [(promotion_from_dict(json.loads(data)), bool(active)) for data, active in rows]

    def upsert(self, promotions: Sequence[tuple[Promotion, bool]], at: datetime) -> tuple[int, int]:
        """Insert or replace each (promotion, active); returns (created, updated)."""
        created = updated = 0
        for promotion, active in promotions:
            values = {"data": json.dumps(promotion_to_dict(promotion), ensure_ascii=False,
                                         sort_keys=True),
                      "active": active, "updated_at": at}
            changed = self._session.execute(
                update(PROMOTIONS).where(PROMOTIONS.c.id == promotion.id).values(**values))
            if changed.rowcount == 1:  # type: ignore[attr-defined]
                updated += 1
            else:
                self._session.execute(insert(PROMOTIONS).values(id=promotion.id, **values))
                created += 1
        self._bump()
        return created, updated

    def replace_all(self, promotions: Sequence[tuple[Promotion, bool]],
                    at: datetime) -> tuple[int, int, int]:
        """Make the stored set exactly these: others are deactivated (kept for history).
        Returns (created, updated, deactivated)."""
        created, updated = self.upsert(promotions, at)
        keep = [promotion.id for promotion, _ in promotions]
        gone = self._session.execute(
            update(PROMOTIONS)
            .where(PROMOTIONS.c.id.not_in(keep), PROMOTIONS.c.active.is_(True))
            .values(active=False, updated_at=at))
        return created, updated, int(gone.rowcount)  # type: ignore[attr-defined]

    def set_active(self, promotion_id: str, active: bool, at: datetime) -> bool:
        changed = self._session.execute(
            update(PROMOTIONS).where(PROMOTIONS.c.id == promotion_id)
            .values(active=active, updated_at=at))
        self._bump()
        return bool(changed.rowcount == 1)  # type: ignore[attr-defined]

    def _bump(self) -> None:
        changed = self._session.execute(
            update(VERSION).where(VERSION.c.id == 1).values(version=VERSION.c.version + 1))
        if changed.rowcount == 0:  # type: ignore[attr-defined]
            self._session.execute(insert(VERSION).values(id=1, version=1))
