"""Secrets for the payment adapters: read from files or the environment, never shown.

A ``Secret`` holds a key or a key object; its ``repr`` and ``str`` are ``***`` so a secret
that reaches a log line, a traceback's locals or a dataclass repr shows nothing. A reference
is a file path (PEM keys, the WeChat v2 API key in a one-line text file) or ``env:NAME``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Generic, TypeVar

from cryptography.hazmat.primitives.asymmetric import rsa

from backends.payments.signing import load_private_key, load_public_key
from pos_app.errors import ConfigError

T = TypeVar("T")


class Secret(Generic[T]):
    """A value that must not be printed: ``reveal()`` is the one way to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: T) -> None:
        self._value = value

    def reveal(self) -> T:
        return self._value

    def __repr__(self) -> str:
        return "***"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Secret is not pickled")


def read_bytes(reference: str, *, what: str) -> bytes:
    """The bytes behind ``reference``: ``env:NAME`` or a file path. Errors name ``what``."""
    if reference.startswith("env:"):
        name = reference[4:]
        value = os.environ.get(name)
        if not value:
            raise ConfigError(f"{what}: environment variable {name} is not set")
        return value.encode()
    path = Path(reference).expanduser()
    try:
        return path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{what}: cannot read {path}: {error.strerror}") from None


def read_text_secret(reference: str, *, what: str) -> Secret[str]:
    """A one-line secret such as the WeChat v2 API key (32 characters)."""
    text = read_bytes(reference, what=what).decode("utf-8").strip()
    if not text:
        raise ConfigError(f"{what}: empty")
    return Secret(text)


def read_private_key(reference: str, *, what: str) -> Secret[rsa.RSAPrivateKey]:
    """An unencrypted RSA private key, PKCS#1 or PKCS#8 PEM."""
    try:
        return Secret(load_private_key(read_bytes(reference, what=what)))
    except ValueError:
        raise ConfigError(f"{what}: not an unencrypted RSA private key in PEM") from None


def read_public_key(reference: str, *, what: str) -> rsa.RSAPublicKey:
    """An RSA public key as PEM or as the bare Base64 the Alipay console shows (not secret)."""
    try:
        return load_public_key(read_bytes(reference, what=what))
    except ValueError:
        raise ConfigError(f"{what}: not an RSA public key (PEM or Base64 DER)") from None


def read_apiv3_key(reference: str, *, what: str) -> Secret[bytes]:
    """The WeChat Pay APIv3 key: 32 characters, used as the AES-256-GCM key of callbacks."""
    key = read_bytes(reference, what=what).strip()
    if len(key) != 32:
        raise ConfigError(f"{what}: an APIv3 key is 32 characters")
    return Secret(key)


def read_certificates(references: Sequence[str], *, what: str) -> list[bytes]:
    """PEM files (WeChat Pay platform certificates): public, so not wrapped in ``Secret``."""
    return [read_bytes(reference, what=what) for reference in references]
