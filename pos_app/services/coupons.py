"""CouponService: look a coupon up for the cashier, issue signed batches, export and import.

Redeeming is not here: the checkout holds a coupon for its cart with ``uow.coupons.redeem``
inside the sale's transaction (once only, by the database) and gives it back with ``release``.
Batches are issued in one transaction and audited; the codes are signed (unforgeable) with a
key from the database. Formats: docs/pricing-data.md.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pos_app.clock import Clock
from pos_app.domain.pricing import Coupon, Refusal, RuleFormatError, coupon_from_dict
from pos_app.errors import UserError
from pos_app.persistence.models import MemberRow
from pos_app.persistence.repositories.coupons import RANDOM_ID, CouponRecord
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.catalog_csv import RowError
from pos_app.services.member_views import CouponView, coupon_view
from pos_app.services.pricing_data import field_of, read_json_items

UowFactory = Callable[[], UnitOfWork]
MAX_BATCH = 100_000
EXPORT_COLUMNS = ("coupon_id", "batch", "serial", "code", "kind", "name", "member_card_no",
                  "valid_from", "valid_until", "state", "redeemed_order_id", "redeemed_at")
_BATCH_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_BATCH = re.compile(r"[A-Z0-9]{1,12}")


def new_batch_code() -> str:
    """B + 7 random letters and digits (no 0/O, 1/I): unique enough to never collide."""
    return "B" + "".join(secrets.choice(_BATCH_ALPHABET) for _ in range(7))


class CouponService:
    def __init__(self, uow: UowFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def look_up(self, text: str) -> CouponView:
        """What a presented code is, or the refusal as a UserError (unknown, forged, used,
        void, expired, not yet valid). Member and cart checks happen at the checkout."""
        now = self._clock.now()
        with self._uow() as uow:
            found = uow.coupons.find(text)
        if isinstance(found, Refusal):
            raise found.to_error()
        if now >= found.valid_until:
            raise UserError("coupon.expired", valid_until=found.valid_until.isoformat())
        if now < found.valid_from:
            raise UserError("coupon.not_yet_valid", valid_from=found.valid_from.isoformat())
        code = text.strip().lower()
        return coupon_view(found, code if RANDOM_ID.fullmatch(code) else code.upper())

    def generate_batch(self, name: str, terms: Mapping[str, Any], count: int, *,
                       member_ids: Sequence[str] | None = None, batch: str | None = None,
                       actor_id: str = "system") -> list[str]:
        """Issue ``count`` coupons on ``terms`` (coupon JSON without id), or ``count`` to each
        of ``member_ids``; returns the signed codes in serial order."""
        owners: list[str | None] = (
            [None] * count if member_ids is None
            else [m for m in member_ids for _ in range(count)])
        if not 1 <= len(owners) <= MAX_BATCH or not name.strip():
            raise UserError("coupon.bad_batch", limit=str(MAX_BATCH))
        code = batch or new_batch_code()
        if not _BATCH.fullmatch(code):
            raise UserError("coupon.bad_batch", limit=str(MAX_BATCH))
        now = self._clock.now()
        with self._uow() as uow:
            for member_id in set(member_ids or ()):
                if uow.members.get(member_id) is None:
                    raise UserError("member.unknown")
            try:
                codes = uow.coupons.issue_batch(code, name.strip(), terms, len(owners),
                                                at=now, member_ids=owners)
            except (RuleFormatError, ValueError) as error:
                raise UserError("coupon.bad_terms", detail=str(error)) from error
            except IntegrityError as error:
                raise UserError("coupon.batch_exists", batch=code) from error
            uow.audit.append(now, actor_id=actor_id, action="coupon.batch_issued",
                             subject=code, details={"name": name.strip(), "count": len(owners),
                                                    "kind": str(terms.get("kind", ""))})
            uow.commit()
        return codes

    def export_csv(self, batch: str | None = None) -> str:
        """Every coupon (of ``batch``) with its code, state and where it went, as CSV."""
        with self._uow() as uow:
            records = list(uow.coupons.records(batch))
            owners = {r.coupon.member_id for r in records if r.coupon.member_id}
            cards = dict(uow.session.execute(
                select(MemberRow.id, MemberRow.card_no).where(MemberRow.id.in_(sorted(owners)))
            ).tuples().all()) if owners else {}
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        for record in records:
            writer.writerow(_export_row(record, cards))
        return out.getvalue()

    def import_json(self, path: Path) -> tuple[int, tuple[RowError, ...]]:
        """Coupons from an online platform: ``{"coupons": [coupon JSON with a 32-hex id and
        optionally member_phone]}``; all or nothing. Returns (imported, errors)."""
        items, errors = read_json_items(path, "coupons")
        if errors:
            return 0, errors
        now = self._clock.now()
        with self._uow() as uow:
            coupons, errors = _check_coupons(uow, items)
            if errors:
                return 0, errors
            for coupon in coupons:
                uow.coupons.add(coupon, issued_at=now)
            try:
                uow.session.flush()
            except IntegrityError:
                return 0, (RowError(0, "id", "import.duplicate_coupon",
                                    "a coupon id is already in the database"),)
            uow.audit.append(now, actor_id="import", action="coupon.imported",
                             subject=path.name, details={"count": len(coupons)})
            uow.commit()
        return len(coupons), ()


def _export_row(record: CouponRecord, cards: Mapping[str, str]) -> list[str]:
    c = record.coupon
    return [c.id, c.batch, "" if record.serial is None else str(record.serial), record.code,
            c.kind.value, c.name, cards.get(c.member_id or "", ""), c.valid_from.isoformat(),
            c.valid_until.isoformat(), c.state.value, record.redeemed_order_id or "",
            "" if record.redeemed_at is None else record.redeemed_at.isoformat()]


def _check_coupons(uow: UnitOfWork, items: list[Any]
                   ) -> tuple[list[Coupon], tuple[RowError, ...]]:
    coupons: list[Coupon] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        try:
            data = dict(item)
            phone = data.pop("member_phone", None)
            coupon = coupon_from_dict(data)
        except (TypeError, ValueError) as error:
            errors.append(RowError(number, field_of(error), "import.bad_coupon", str(error)))
            continue
        if not RANDOM_ID.fullmatch(coupon.id):
            errors.append(RowError(number, "id", "import.bad_coupon_id",
                                   "a coupon id is 32 lower-case hex digits"))
        elif coupon.id in seen:
            errors.append(RowError(number, "id", "import.duplicate_coupon", coupon.id))
        seen.add(coupon.id)
        if phone is not None:
            member = uow.members.by_phone(str(phone))
            if member is None:
                errors.append(RowError(number, "member_phone", "import.unknown_member",
                                       "no member with this phone"))
                continue
            coupon = replace(coupon, member_id=member.id)
        elif coupon.member_id is not None and uow.members.get(coupon.member_id) is None:
            errors.append(RowError(number, "member_id", "import.unknown_member",
                                   coupon.member_id))
        coupons.append(coupon)
    return coupons, tuple(errors)
