"""Helpers for the tests that pay through the sandbox."""

from __future__ import annotations

import itertools
import secrets
from pathlib import Path

from backends.sandbox import SandboxServer, pos_settings
from backends.sandbox.keys import SandboxKeys, ensure_keys
from backends.wiring import PaymentSettings

_serial = itertools.count(1)


def settings_for(
    server: SandboxServer,
    *,
    sign_type: str = "HMAC-SHA256",
    read_timeout_s: float = 5.0,
    tls: bool = False,
) -> PaymentSettings:
    return pos_settings(
        server.url, server.keys, sign_type=sign_type, tls=tls, read_timeout_s=read_timeout_s
    )


def new_trade_no() -> str:
    """8-32 of [0-9A-Za-z], unique per test run."""
    return f"T{next(_serial):06d}{secrets.token_hex(6).upper()}"


def write_wrong_keys(folder: Path, keys: SandboxKeys) -> SandboxKeys:
    """A copy of ``keys`` whose POS-side secrets are someone else's."""
    other = ensure_keys(folder)
    for name in (
        "alipay_gateway_public_key.pem",
        "alipay_gateway_private_key.pem",
        "alipay_app_public_key.pem",
        "sandbox_ca.pem",
        "apiclient_cert.pem",
        "apiclient_key.pem",
    ):
        (folder / name).write_bytes((keys.folder / name).read_bytes())
    return other
