"""Promotions in and out as JSON (format: docs/pricing-data.md), all or nothing.

A file is ``{"promotions": [...]}`` (or just the list); each item is the JSON of
``promotion_to_dict`` plus an optional ``"active"`` (default true). Every item is read before
anything is written; any error (named by item number and field) means nothing is imported.
Import upserts by id; ``replace=True`` also deactivates stored promotions the file omits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pos_app.clock import Clock
from pos_app.domain.pricing import Promotion, promotion_from_dict, promotion_to_dict
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.catalog_csv import RowError

UowFactory = Callable[[], UnitOfWork]
FORMAT = "pos-promotions/1"


@dataclass(frozen=True, slots=True)
class PromotionImportReport:
    created: int
    updated: int
    deactivated: int
    errors: tuple[RowError, ...]


class PricingDataService:
    def __init__(self, uow: UowFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def import_promotions(self, path: Path, *, replace: bool = False,
                          actor_id: str = "import") -> PromotionImportReport:
        items, errors = read_json_items(path, "promotions")
        promotions, more = read_promotions(items) if not errors else ([], ())
        errors = errors + more
        if errors:
            return PromotionImportReport(0, 0, 0, errors)
        now = self._clock.now()
        with self._uow() as uow:
            if replace:
                created, updated, gone = uow.promotions.replace_all(promotions, now)
            else:
                (created, updated), gone = uow.promotions.upsert(promotions, now), 0
            uow.audit.append(now, actor_id=actor_id, action="promotions.imported",
                             subject=path.name,
                             details={"created": created, "updated": updated,
                                      "deactivated": gone, "replace": replace})
            uow.commit()
        return PromotionImportReport(created, updated, gone, ())

    def export_promotions(self) -> str:
        """Every stored promotion (active or not), by id, as the import reads it."""
        with self._uow() as uow:
            stored = uow.promotions.all()
        data = {"format": FORMAT,
                "promotions": [{**promotion_to_dict(p), "active": active} for p, active in stored]}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def read_promotions(items: list[Any]) -> tuple[list[tuple[Promotion, bool]], tuple[RowError, ...]]:
    """Checked (promotion, active) pairs, or errors naming item number (1 = first) and field."""
    read: list[tuple[Promotion, bool]] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append(RowError(number, "", "import.bad_promotion", "expected an object"))
            continue
        active = item.get("active", True)
        if not isinstance(active, bool):
            errors.append(RowError(number, "active", "import.bad_boolean", repr(active)))
            continue
        try:
            promotion = promotion_from_dict(item)
        except ValueError as error:
            errors.append(RowError(number, field_of(error), "import.bad_promotion", str(error)))
            continue
        if promotion.id in seen:
            errors.append(RowError(number, "id", "import.duplicate_id", promotion.id))
        seen.add(promotion.id)
        read.append((promotion, active))
    return read, tuple(errors)


def read_json_items(path: Path, key: str) -> tuple[list[Any], tuple[RowError, ...]]:
    """The list under ``key`` of a JSON file (or the file's top-level list)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        return [], (RowError(0, "", "import.unreadable_file", f"{path.name}: {exc.strerror}"),)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [], (RowError(0, "", "import.bad_json", str(exc)),)
    items = data.get(key) if isinstance(data, dict) else data
    if not isinstance(items, list):
        return [], (RowError(0, key, "import.bad_json", f"expected a list under {key!r}"),)
    return items, ()


def field_of(error: Exception) -> str:
    """``coupon.scope.skus: …`` -> ``scope.skus``."""
    head = str(error).split(":", 1)[0]
    return head.split(".", 1)[1] if "." in head else head
