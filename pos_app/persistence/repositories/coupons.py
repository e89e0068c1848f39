"""Coupons: signing keys, batches, issued coupons; find by code, redeem once, release.

"Once only" is the database's: ``redeem`` is ``UPDATE coupons SET state='redeemed' … WHERE
id = :id AND state = 'issued'`` and succeeds only if it touched exactly one row, so two tills
presenting one coupon at the same moment get one True between them. ``release`` gives a coupon
back only if it is still redeemed by that order.

Codes are ``coupons.issue_code`` signatures over (batch, serial) with a key from
``coupon_keys``; keys are random, made at first use, and never leave the database (no log,
no repr). Coupons imported from an online platform may instead carry a random 128-bit id
(32 hex digits), which is then their code.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import RowMapping, Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pos_app.domain.coupons import CouponCode, issue_code, read_code
from pos_app.domain.pricing import Coupon, CouponState, Refusal, coupon_from_dict, coupon_to_dict
from pos_app.persistence.models import CouponBatchRow, CouponKeyRow, CouponRow

KEYS = cast(Table, CouponKeyRow.__table__)
BATCHES = cast(Table, CouponBatchRow.__table__)
COUPONS = cast(Table, CouponRow.__table__)
RANDOM_ID = re.compile(r"[0-9a-f]{32}")
BATCH_CODE = re.compile(r"[A-Z0-9]{1,12}")
KEY_BYTES = 32
_COLUMN_TERMS = ("id", "state", "batch", "member_id")
"""Kept in columns, not in ``terms``."""


@dataclass(frozen=True, slots=True)
class CouponRecord:
    """A stored coupon with what the export shows: its code and where it went."""

    coupon: Coupon
    code: str
    serial: int | None
    issued_at: datetime
    redeemed_order_id: str | None
    redeemed_at: datetime | None


def terms_of(coupon: Coupon) -> dict[str, Any]:
    """A coupon's terms as stored: ``coupon_to_dict`` without the column-kept keys."""
    return {k: v for k, v in coupon_to_dict(coupon).items() if k not in _COLUMN_TERMS}


class CouponRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- keys -------------------------------------------------------------------------------
    def keys(self) -> dict[str, bytes]:
        """Every key by id, retired ones too: codes signed with them still verify."""
        rows = self._session.execute(select(KEYS.c.key_id, KEYS.c.secret))
        return {key_id: bytes(secret) for key_id, secret in rows}

    def signing_key(self, at: datetime) -> tuple[str, bytes]:
        """The active key (the newest), made now if there is none."""
        row = self._session.execute(
            select(KEYS.c.key_id, KEYS.c.secret).where(KEYS.c.active.is_(True))
            .order_by(KEYS.c.created_at.desc(), KEYS.c.key_id.desc()).limit(1)).first()
        if row is not None:
            return row.key_id, bytes(row.secret)
        return self.new_key(at)

    def new_key(self, at: datetime) -> tuple[str, bytes]:
        """A fresh random key K<n>; the older ones stay valid for reading codes."""
        count = int(self._session.execute(select(func.count()).select_from(KEYS)).scalar_one())
        key_id, secret = f"K{count + 1}", secrets.token_bytes(KEY_BYTES)
        try:
            with self._session.begin_nested():
                self._session.execute(update(KEYS).values(active=False))
                self._session.execute(insert(KEYS).values(key_id=key_id, secret=secret,
                                                          created_at=at, active=True))
        except IntegrityError:  # another till made K<n> at the same moment: use theirs
            return self.signing_key(at)
        return key_id, secret

    # --- the till ---------------------------------------------------------------------------
    def find(self, code_text: str) -> Coupon | Refusal:
        """The issued coupon a scanned or typed code names, or why not: the code's own
        refusal (malformed, unknown key, forged), ``coupon.unknown``, ``coupon.already_used``,
        ``coupon.void``. Validity, holder and cart checks are the engine's."""
        text = code_text.strip()
        if RANDOM_ID.fullmatch(text.lower()):
            row = self._row(COUPONS.c.id == text.lower())
        else:
            code = read_code(text, self.keys())
            if isinstance(code, Refusal):
                return code
            row = self._by_code(code)
        if row is None:
            return Refusal("coupon.unknown")
        coupon = _coupon(row)
        if coupon.state is CouponState.REDEEMED:
            return Refusal("coupon.already_used")
        if coupon.state is CouponState.VOID:
            return Refusal("coupon.void")
        return coupon

    def get(self, coupon_id: str) -> Coupon | None:
        """The coupon's terms for pricing a cart that holds it: a redeemed coupon (held by a
        cart, or used by a sale) is given as ``issued``, because holding it is the row's
        business (``redeem``); a void one stays void. ``state_of`` tells the real state."""
        row = self._row(COUPONS.c.id == coupon_id)
        if row is None:
            return None
        coupon = _coupon(row)
        if coupon.state is CouponState.REDEEMED:
            return replace(coupon, state=CouponState.ISSUED)
        return coupon

    def state_of(self, coupon_id: str) -> CouponState | None:
        state = self._session.execute(
            select(COUPONS.c.state).where(COUPONS.c.id == coupon_id)).scalar()
        return None if state is None else CouponState(state)

    def redeem(self, coupon_id: str, order_id: str, at: datetime) -> bool:
        """Mark the coupon used by ``order_id``; True only if this call did."""
        result = self._session.execute(
            update(COUPONS)
            .where(COUPONS.c.id == coupon_id, COUPONS.c.state == CouponState.ISSUED.value)
            .values(state=CouponState.REDEEMED.value, redeemed_order_id=order_id,
                    redeemed_at=at))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def release(self, coupon_id: str, order_id: str) -> bool:
        """Give the coupon back (issued) if ``order_id`` holds it; True only if this call did."""
        result = self._session.execute(
            update(COUPONS)
            .where(COUPONS.c.id == coupon_id, COUPONS.c.state == CouponState.REDEEMED.value,
                   COUPONS.c.redeemed_order_id == order_id)
            .values(state=CouponState.ISSUED.value, redeemed_order_id=None, redeemed_at=None))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def void(self, coupon_id: str) -> bool:
        result = self._session.execute(
            update(COUPONS)
            .where(COUPONS.c.id == coupon_id, COUPONS.c.state == CouponState.ISSUED.value)
            .values(state=CouponState.VOID.value))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def redeemed_by(self, order_id: str) -> list[str]:
        """Ids of the coupons ``order_id`` holds or used."""
        return list(self._session.execute(
            select(COUPONS.c.id).where(COUPONS.c.redeemed_order_id == order_id,
                                       COUPONS.c.state == CouponState.REDEEMED.value)
            .order_by(COUPONS.c.id)).scalars())

    def available_for(self, member_id: str, at: datetime) -> list[Coupon]:
        """The member's own issued coupons valid at ``at``, soonest to expire first."""
        return [record.coupon for record in self.available_records(member_id, at)]

    def available_records(self, member_id: str, at: datetime) -> list[CouponRecord]:
        """``available_for`` with each coupon's code (to show or print for the member)."""
        rows = self._session.execute(
            select(COUPONS).where(COUPONS.c.member_id == member_id,
                                  COUPONS.c.state == CouponState.ISSUED.value,
                                  COUPONS.c.valid_from <= at, COUPONS.c.valid_until > at)
            .order_by(COUPONS.c.valid_until, COUPONS.c.id)).mappings().all()
        return self._records(rows)

    # --- issuing ----------------------------------------------------------------------------
    def issue_batch(self, batch: str, name: str, terms: Mapping[str, Any], count: int, *,
                    at: datetime, member_ids: Sequence[str | None] | None = None,
                    ) -> list[str]:
        """Create ``batch`` with coupons 1..count on ``terms`` (the coupon JSON without id;
        ``member_ids[i]`` binds coupon i+1); returns their codes in serial order. Raises
        ``RuleFormatError`` for bad terms, ``IntegrityError`` if the batch exists."""
        if not BATCH_CODE.fullmatch(batch):
            raise ValueError("a batch code is 1-12 upper-case letters or digits")
        if count < 1 or (member_ids is not None and len(member_ids) != count):
            raise ValueError("count must be positive and match the member list")
        sample = coupon_from_dict({**terms, "id": f"{batch}-1", "name": name, "batch": batch,
                                   "state": CouponState.ISSUED.value})
        key_id, key = self.signing_key(at)
        stored = terms_of(sample)
        self._session.execute(insert(BATCHES).values(
            code=batch, name=name, kind=sample.kind.value, key_id=key_id, created_at=at,
            count=count, terms=json.dumps(stored, ensure_ascii=False, sort_keys=True)))
        owners = member_ids or [None] * count
        rows = [_row_values(replace(sample, id=f"{batch}-{serial}", member_id=owner),
                            serial=serial, issued_at=at)
                for serial, owner in enumerate(owners, start=1)]
        self._session.execute(insert(COUPONS), rows)
        self._session.flush()
        return [issue_code(batch, serial, key_id=key_id, key=key)
                for serial in range(1, count + 1)]

    def add(self, coupon: Coupon, *, issued_at: datetime) -> None:
        """Store one coupon from outside (an online platform) under its own id; raises
        IntegrityError when the id exists."""
        self._session.execute(insert(COUPONS).values(
            _row_values(replace(coupon, batch=""), serial=None, issued_at=issued_at)))

    def batches(self) -> list[tuple[str, str, str, int, datetime]]:
        """(code, name, kind, count, created_at), newest first."""
        rows = self._session.execute(
            select(BATCHES.c.code, BATCHES.c.name, BATCHES.c.kind, BATCHES.c.count,
                   BATCHES.c.created_at).order_by(BATCHES.c.created_at.desc()))
        return [(c, n, k, int(count), at) for c, n, k, count, at in rows]

    def records(self, batch: str | None = None) -> Iterator[CouponRecord]:
        """Every coupon (of ``batch``) with its code, by batch and serial."""
        query = select(COUPONS).order_by(COUPONS.c.batch, COUPONS.c.serial, COUPONS.c.id)
        if batch is not None:
            query = query.where(COUPONS.c.batch == batch)
        yield from self._records(self._session.execute(query).mappings().all())

    # --- rows -------------------------------------------------------------------------------
    def _row(self, where: object) -> RowMapping | None:
        return self._session.execute(
            select(COUPONS).where(where)).mappings().first()  # type: ignore[arg-type]

    def _by_code(self, code: CouponCode) -> RowMapping | None:
        return self._row((COUPONS.c.batch == code.batch) & (COUPONS.c.serial == code.serial))

    def _records(self, rows: Sequence[RowMapping]) -> list[CouponRecord]:
        signing = self._batch_keys({r["batch"] for r in rows if r["batch"]})
        return [CouponRecord(_coupon(r), _code_of(r, signing), r["serial"], r["issued_at"],
                             r["redeemed_order_id"], r["redeemed_at"]) for r in rows]

    def _batch_keys(self, batches: set[str]) -> dict[str, tuple[str, bytes]]:
        if not batches:
            return {}
        keys = self.keys()
        rows = self._session.execute(
            select(BATCHES.c.code, BATCHES.c.key_id).where(BATCHES.c.code.in_(sorted(batches))))
        return {code: (key_id, keys[key_id]) for code, key_id in rows}


def _code_of(row: RowMapping, signing: Mapping[str, tuple[str, bytes]]) -> str:
    if not row["batch"] or row["serial"] is None:
        return str(row["id"])
    key_id, key = signing[row["batch"]]
    return issue_code(row["batch"], int(row["serial"]), key_id=key_id, key=key)


def _coupon(row: RowMapping) -> Coupon:
    data = json.loads(row["terms"])
    data.update(id=row["id"], state=row["state"], batch=row["batch"] or "",
                member_id=row["member_id"])
    return coupon_from_dict(data)


def _row_values(coupon: Coupon, *, serial: int | None, issued_at: datetime) -> dict[str, Any]:
    return {
        "id": coupon.id, "batch": coupon.batch or None, "serial": serial,
        "kind": coupon.kind.value, "member_id": coupon.member_id,
        "terms": json.dumps(terms_of(coupon), ensure_ascii=False, sort_keys=True),
        "valid_from": coupon.valid_from, "valid_until": coupon.valid_until,
        "state": coupon.state.value, "issued_at": issued_at,
    }
