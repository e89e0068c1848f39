"""Generated demo products from the word lists in ``resources/demo/catalog_words.json``.

Pure and lazy: ``CatalogGenerator.products`` yields one ``DemoProduct`` at a time and keeps
O(brands + categories) state, so a million products need no more memory than a thousand.
The same seed always yields the same products.

Invariants:
- every barcode is a valid EAN-13 starting 69 (GS1 China, prefixes 690-699): "69", a 5-digit
  company number, a 5-digit item reference, the check digit. Company 00000 (barcodes
  6900000xxxxxC) is never generated: it is reserved for ``KNOWN_PRODUCTS`` and sample files.
- barcodes are unique: each brand owns company numbers (an affine permutation of 1-99999, so
  never the same twice) and numbers its items in sequence.
- weighed goods have unit kg, a price per kg, no barcode and a unique PLU from 1000 up (PLUs
  below 1000 are reserved for known products); when 1000-99999 run out, only packaged goods
  are generated.
- names are unique per category until its word combinations run out; then an edition
  ("家庭装", "促销装 2", ...) is appended.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pos_app.catalog_text import pinyin_initials
from pos_app.domain.scan_codes import check_digit
from pos_app.resources import resources_dir

FIRST_GENERATED_PLU = 1000
LAST_PLU = 99_999
_COMPANIES = 99_999  # company numbers 1..99999; 0 is reserved
_ITEM_REFS = 99_999
_SECOND_BARCODE_SHARE = 0.015
_MEMBER_PRICE_SHARE = 0.3
_MEMBER_DISCOUNTS_PERCENT = (85, 88, 90, 92, 95)
_PRICE_ENDINGS_FEN = (0, 50, 80, 90)


@dataclass(frozen=True, slots=True)
class Line:
    """Products of one kind: every brand x kind x variant x size combination is a name."""

    brands: tuple[str, ...]
    kinds: tuple[str, ...]
    variants: tuple[str, ...]
    sizes: tuple[tuple[str, int, int], ...]  # (size, lowest fen, highest fen)
    weighed: bool
    tax_rate_bp: int
    min_age: int | None

    @property
    def combinations(self) -> int:
        return len(self.brands) * len(self.kinds) * len(self.variants) * len(self.sizes)


@dataclass(frozen=True, slots=True)
class CategoryWords:
    code: str
    name: str
    share: int
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class CatalogWords:
    categories: tuple[CategoryWords, ...]
    editions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DemoProduct:
    """One generated SKU; prices in fen (per kg when weighed), barcodes as printed EAN-13."""

    sku: str
    name: str
    pinyin: str
    category_code: str
    list_price_fen: int
    member_price_fen: int | None
    tax_rate_bp: int
    weighed: bool
    min_age: int | None
    plu: str | None
    barcodes: tuple[str, ...]

    @property
    def unit(self) -> str:
        return "kg" if self.weighed else "piece"


def load_catalog_words(path: Path | None = None) -> CatalogWords:
    source = path or resources_dir() / "demo" / "catalog_words.json"
    data = json.loads(source.read_text(encoding="utf-8"))
    categories = tuple(_category(raw) for raw in data["categories"])
    return CatalogWords(categories, tuple(data["editions"]))


def _category(raw: dict[str, Any]) -> CategoryWords:
    tax, min_age = int(raw["tax_rate_bp"]), raw.get("min_age")
    lines = tuple(
        Line(
            brands=tuple(line["brands"]),
            kinds=tuple(line.get("kinds", [""])),
            variants=tuple(line.get("variants", [""])),
            sizes=tuple((str(s), int(lo), int(hi)) for s, lo, hi in line["sizes"]),
            weighed=bool(line.get("weighed", False)),
            tax_rate_bp=int(line.get("tax_rate_bp", tax)),
            min_age=line.get("min_age", min_age),
        )
        for line in raw["lines"]
    )
    if all(line.weighed for line in lines):
        raise ValueError(f"category {raw['code']}: needs a packaged line for when PLUs run out")
    return CategoryWords(str(raw["code"]), str(raw["name"]), int(raw["share"]), lines)


@lru_cache(maxsize=8192)
def _part_initials(part: str) -> str:
    # pypinyin segments words only within a run of Han characters, so the initials of a name
    # are the initials of its space-separated parts joined: caching parts makes 1M names cheap.
    return pinyin_initials(part, max_length=1_000)


def name_initials(parts: tuple[str, ...]) -> str:
    """Equal to ``pinyin_initials(" ".join(parts))``, computed from cached parts."""
    return "".join(_part_initials(p) for p in parts)[:60]


class _Permutation:
    """k -> (a*k + b) mod n with gcd(a, n) = 1: every index once per round, in a mixed order."""

    def __init__(self, n: int, rng: random.Random) -> None:
        self.n = n
        self._a = 1
        while n > 2:
            self._a = rng.randrange(1, n)
            if math.gcd(self._a, n) == 1:
                break
        self._b = rng.randrange(n)

    def __call__(self, k: int) -> int:
        return (self._a * k + self._b) % self.n


class BarcodeAllocator:
    """Unique 69x EAN-13 barcodes: each brand gets its own company numbers."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._companies = _Permutation(_COMPANIES, rng)
        self._issued_companies = 0
        self._next_item: dict[str, tuple[int, int]] = {}

    def issue(self, brand: str) -> str:
        company, item = self._next_item.get(brand) or self._new_company()
        if item > _ITEM_REFS:
            company, item = self._new_company()
        self._next_item[brand] = (company, item + 1)
        body = f"69{company:05d}{item:05d}"
        return body + str(check_digit(body))

    def _new_company(self) -> tuple[int, int]:
        if self._issued_companies >= _COMPANIES:
            raise ValueError("no 69x company numbers left for demo barcodes")
        company = self._companies(self._issued_companies) + 1
        self._issued_companies += 1
        return company, self._rng.randint(1, 30_000)


class _CategoryCursor:
    """Walks one category's name combinations in a seeded order, round after round."""

    def __init__(self, words: CategoryWords, rng: random.Random) -> None:
        self.words = words
        self._sizes = [line.combinations for line in words.lines]
        self._order = _Permutation(sum(self._sizes), rng)
        self._k = 0

    def next(self) -> tuple[Line, tuple[str, ...], tuple[str, int, int], int]:
        """(line, name parts without edition, size, round); round 0 is the first pass."""
        index, rounds = self._order(self._k), self._k // self._order.n
        self._k += 1
        for line, size in zip(self.words.lines, self._sizes, strict=True):
            if index < size:
                index, s = divmod(index, len(line.sizes))
                index, v = divmod(index, len(line.variants))
                b, k = divmod(index, len(line.kinds))
                sized = line.sizes[s]
                parts = (line.brands[b], line.kinds[k], line.variants[v], sized[0])
                return line, tuple(p for p in parts if p), sized, rounds
            index -= size
        raise AssertionError("index beyond the category's combinations")


class CatalogGenerator:
    """Seeded product stream; ``reserved_names`` (known products) are never generated."""

    def __init__(self, words: CatalogWords, *, seed: int, reserved_names: frozenset[str]) -> None:
        self._rng = random.Random(seed)
        self._words = words
        self._reserved = reserved_names
        self._cursors = [_CategoryCursor(c, self._rng) for c in words.categories]
        self._weights = [c.share for c in words.categories]
        self._barcodes = BarcodeAllocator(self._rng)
        self._next_plu = FIRST_GENERATED_PLU

    def products(self, count: int, *, first_number: int = 1) -> Iterator[DemoProduct]:
        for number in range(first_number, first_number + count):
            cursor = self._rng.choices(self._cursors, weights=self._weights)[0]
            yield self._product(f"S{number:07d}", cursor)

    def _product(self, sku: str, cursor: _CategoryCursor) -> DemoProduct:
        line, parts, (_, lowest, highest), rounds = self._pick(cursor)
        if rounds:
            parts = (*parts, *self._edition(rounds))
        name = " ".join(parts)
        price = self._price(lowest, highest)
        plu = None
        barcodes: tuple[str, ...] = ()
        if line.weighed:
            plu, self._next_plu = str(self._next_plu), self._next_plu + 1
        else:
            barcodes = self._issue_barcodes(parts[0])
        return DemoProduct(
            sku=sku,
            name=name,
            pinyin=name_initials(parts),
            category_code=cursor.words.code,
            list_price_fen=price,
            member_price_fen=self._member_price(price),
            tax_rate_bp=line.tax_rate_bp,
            weighed=line.weighed,
            min_age=line.min_age,
            plu=plu,
            barcodes=barcodes,
        )

    def _pick(
        self, cursor: _CategoryCursor
    ) -> tuple[Line, tuple[str, ...], tuple[str, int, int], int]:
        while True:
            line, parts, size, rounds = cursor.next()
            if line.weighed and self._next_plu > LAST_PLU:
                continue
            if rounds == 0 and " ".join(parts) in self._reserved:
                continue
            return line, parts, size, rounds

    def _edition(self, rounds: int) -> tuple[str, ...]:
        editions = self._words.editions
        word = editions[(rounds - 1) % len(editions)]
        repeat = (rounds - 1) // len(editions)
        return (word,) if repeat == 0 else (word, str(repeat + 1))

    def _price(self, lowest: int, highest: int) -> int:
        fen = self._rng.randint(lowest, highest) // 10 * 10
        if fen >= 1000:
            fen = fen // 100 * 100 + self._rng.choice(_PRICE_ENDINGS_FEN)
        return max(fen, 10)

    def _member_price(self, price: int) -> int | None:
        if price < 100 or self._rng.random() >= _MEMBER_PRICE_SHARE:
            return None
        member = price * self._rng.choice(_MEMBER_DISCOUNTS_PERCENT) // 100 // 10 * 10
        return member if 0 < member < price else None

    def _issue_barcodes(self, brand: str) -> tuple[str, ...]:
        first = self._barcodes.issue(brand)
        if self._rng.random() < _SECOND_BARCODE_SHARE:
            return first, self._barcodes.issue(brand)
        return (first,)


def seeded_id(rng: random.Random) -> str:
    """A UUID4-shaped row id drawn from ``rng``, so a seeded demo has the same ids each time."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))
