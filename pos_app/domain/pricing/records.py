"""Reading JSON records into typed values, with errors that name the key (``promotion.reward
.percent: ...``), for the promotion and coupon formats in ``formats``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pos_app.domain.money import Money, MoneyFormatError

_T = TypeVar("_T")


class RuleFormatError(ValueError):
    """A promotion or coupon record that cannot be read; the message names the key."""


class Reader:
    def __init__(self, data: Mapping[str, Any], where: str) -> None:
        if not isinstance(data, Mapping):
            raise RuleFormatError(f"{where}: expected an object")
        self.data, self.where = data, where

    def value(self, key: str, read: Callable[[Any], Any], default: Any) -> Any:
        value = self.data.get(key)
        if value is None:
            if default is REQUIRED:
                raise RuleFormatError(f"{self.where}.{key}: required")
            return default
        try:
            return read(value)
        except (ValueError, TypeError, MoneyFormatError, InvalidOperation) as error:
            raise RuleFormatError(f"{self.where}.{key}: {error or 'invalid'}") from error

    def text(self, key: str, default: Any = None) -> Any:
        return self.value(key, text_of, default)

    def money(self, key: str, default: Any = None) -> Any:
        return self.value(key, lambda v: Money.parse(text_of(v)), default)

    def percent(self, key: str, default: Any = None) -> Any:
        return self.value(key, lambda v: Decimal(text_of(v)), default)

    def integer(self, key: str, default: Any = None) -> Any:
        return self.value(key, integer_of, default)

    def flag(self, key: str, default: bool) -> bool:
        return bool(self.value(key, flag_of, default))

    def words(self, key: str) -> frozenset[str]:
        return frozenset(self.value(key, lambda v: [text_of(x) for x in list_of(v)], []))

    def numbers(self, key: str) -> frozenset[int]:
        return frozenset(self.value(key, lambda v: [integer_of(x) for x in list_of(v)], []))

    def instant(self, key: str, default: Any = None) -> Any:
        return self.value(key, instant_of, default)

    def child(self, key: str) -> Reader:
        return Reader(self.data.get(key) or {}, f"{self.where}.{key}")


REQUIRED = object()


def text_of(value: Any) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise TypeError("expected text")
    return str(value)


def integer_of(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("expected an integer")
    return value


def flag_of(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("expected true or false")
    return value


def list_of(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value


def instant_of(value: Any) -> datetime:
    moment = datetime.fromisoformat(text_of(value))
    if moment.utcoffset() is None:
        raise ValueError("needs a UTC offset")
    return moment


def built(make: Callable[[], _T], where: str) -> _T:
    try:
        return make()
    except RuleFormatError:
        raise
    except ValueError as error:
        raise RuleFormatError(f"{where}: {error}") from error
