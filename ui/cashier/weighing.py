"""Weighing: a weighed product without a scale label is put on the scale and added by weight.

The scale port returns at once; its answer arrives as a WeightRead event through the bridge.
Only a stable weight above zero is used. While the goods settle ("motion") the scale is asked
again, a few times; overload, under-zero or no answer is a clear message and adds nothing.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from pos_app.events import WeightRead
from pos_app.ports.scale import Scale
from ui.event_bridge import EventBridge

ASK_AGAIN_MS = 300
MAX_ASKS = 10


class Weighing(QObject):
    weighed = Signal(str, int)
    """(SKU, grams): a stable weight for the product being weighed."""
    problem = Signal(str, object)
    """(message key, parameters) when the weight could not be taken."""

    def __init__(self, scale: Scale | None, bridge: EventBridge,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scale = scale
        self._sku: str | None = None
        self._name = ""
        self._asks = 0
        self._again = QTimer(self)
        self._again.setSingleShot(True)
        self._again.timeout.connect(self._ask)
        bridge.weight_read.connect(self._on_weight_read)

    @property
    def available(self) -> bool:
        return self._scale is not None

    @property
    def waiting(self) -> bool:
        return self._sku is not None

    def start(self, sku: str, name: str) -> None:
        self._sku, self._name, self._asks = sku, name, 0
        self._ask()

    def cancel(self) -> None:
        self._sku = None
        self._again.stop()

    def _ask(self) -> None:
        if self._scale is None or self._sku is None:
            return
        self._asks += 1
        self._scale.request_weight()

    def _on_weight_read(self, reading: WeightRead) -> None:
        sku = self._sku
        if sku is None:
            return
        if reading.stable and reading.grams > 0:
            self.cancel()
            self.weighed.emit(sku, reading.grams)
        elif reading.status == "motion" and self._asks < MAX_ASKS:
            self._again.start(ASK_AGAIN_MS)
        else:
            self.cancel()
            key = "cashier.weigh.empty" if reading.status == "stable" else \
                f"cashier.weigh.{reading.status}"
            self.problem.emit(key, {"name": self._name})
