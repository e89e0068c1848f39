"""Exception roots: UserError for what a person did, the rest for what broke.

A UserError carries a stable ``code`` and ``params``; the UI turns them into a translated
message shown where it happened. Nothing else is shown to a person as-is.
"""

from __future__ import annotations

from typing import Any


class PosError(Exception):
    """Root of every error the app raises on purpose."""


class UserError(PosError):
    """Something the user can fix: an unknown barcode, a wrong PIN, too little cash."""

    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        if not self.params:
            return self.code
        details = ", ".join(f"{k}={v!r}" for k, v in sorted(self.params.items()))
        return f"{self.code} ({details})"


class DeviceError(PosError):
    """A device failed or is absent; the sale goes on without it."""


class PrinterOffline(DeviceError):
    """The receipt printer cannot be reached or is out of paper."""


class GatewayError(PosError):
    """A remote party failed in a way that is not an outcome."""


class ConfigError(PosError):
    """The configuration is wrong; the message names the key."""


class IllegalTransition(PosError):
    """A state machine was asked for a move its table does not allow."""
