"""Pinyin initials for product search: 可口可乐 -> "kkkl".

Uses pypinyin (a pure-Python dictionary library, no I/O, no network); the one third-party
import of the core besides SQLAlchemy and Alembic. Letters and digits in the name are kept,
lower-cased; other characters are dropped. Its dictionaries take ~0.25 s to load, so they
are imported on the first call (an import or a new product), not when the till starts.
"""

from __future__ import annotations


def pinyin_initials(name: str, *, max_length: int = 60) -> str:
    from pypinyin import Style, lazy_pinyin

    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda chars: list(chars))
    kept = "".join(ch for part in initials for ch in part.lower() if ch.isascii() and ch.isalnum())
    return kept[:max_length]
