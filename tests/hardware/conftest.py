"""Printer tests import python-escpos through the same cache set-up the app uses."""

from __future__ import annotations

import pytest

from hardware.printer.transports import prepare_escpos_env


@pytest.fixture(scope="session", autouse=True)
def escpos_capabilities_cache() -> None:
    """Keeps an ESCPOS_CAPABILITIES_PICKLE_DIR already chosen, and creates the folder:
    python-escpos fails at import when it is missing."""
    prepare_escpos_env()
