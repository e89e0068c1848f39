"""The Qt binding we ship keeps Python's reference counts straight under many signals.

PySide6 6.12.0 on Python 3.11 dropped a reference to True (and None) on every emit and
aborted the process after a few hundred thousand ("bool_dealloc"); the running till would
crash within minutes. This guards the pinned version.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication


class Emitter(QObject):
    flag = Signal(bool)
    value = Signal(object)


def test_emitting_signals_leaves_reference_counts_alone(qapp: QApplication) -> None:
    emitter = Emitter()
    emitter.flag.connect(lambda _: None)
    emitter.value.connect(lambda _: None)
    before = sys.getrefcount(True)
    for _ in range(20_000):
        emitter.flag.emit(True)
        emitter.value.emit(True)
    # Other code may hold a few more or fewer references meanwhile; the bug lost 40,000.
    assert abs(sys.getrefcount(True) - before) < 100
