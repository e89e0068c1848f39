"""Message catalogues: every text a person reads goes through one of these.

A catalogue is a folder ``resources/i18n/<locale>/`` of JSON files, one per area (errors,
receipt, cashier screens...), each mapping a stable key to a ``str.format`` template; a key
defined in two files of one locale is an error. Simplified Chinese (zh_CN) is the store
default; English (en) is complete; a key missing from the chosen locale falls back to
English, then to the key itself, so a gap shows up as a visible key rather than a crash.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

DEFAULT_LOCALE = "zh_CN"
FALLBACK_LOCALE = "en"


class Catalog:
    def __init__(
        self, locale: str, messages: Mapping[str, str], fallback: Mapping[str, str] | None = None
    ) -> None:
        self.locale = locale
        self._messages = dict(messages)
        self._fallback = dict(fallback or {})

    def text(self, key: str, **params: Any) -> str:
        template = self._messages.get(key) or self._fallback.get(key)
        if template is None:
            log.warning("missing message key %s for locale %s", key, self.locale)
            return key
        try:
            return template.format(**params)
        except (KeyError, IndexError, ValueError):
            log.warning("message %s does not fit its parameters %s", key, sorted(params))
            return template

    def has(self, key: str) -> bool:
        return key in self._messages

    def keys(self) -> frozenset[str]:
        return frozenset(self._messages)


def read_messages(directory: Path, locale: str) -> dict[str, str]:
    folder = directory / locale
    files = sorted(folder.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no message files in {folder}")
    messages: dict[str, str] = {}
    for path in files:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise ValueError(f"{path} must map message keys to strings")
        clash = messages.keys() & data.keys()
        if clash:
            raise ValueError(f"{path} defines {sorted(clash)[0]} again")
        messages.update(data)
    return messages


def load_catalog(directory: Path, locale: str = DEFAULT_LOCALE) -> Catalog:
    fallback = read_messages(directory, FALLBACK_LOCALE)
    messages = fallback if locale == FALLBACK_LOCALE else read_messages(directory, locale)
    return Catalog(locale, messages, fallback)
