"""EventBridge: the UI's one subscriber to the core bus; re-emits events on the main thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from pos_app.bus import EventBus
from pos_app.events import (
    BarcodeScanned,
    CustomerViewChanged,
    DeviceStatusChanged,
    Event,
    OrderCodeShown,
    PaymentQrShown,
    PaymentStateChanged,
    PrintJobFinished,
    SaleCompleted,
    WeightRead,
)


class EventBridge(QObject):
    """Signals are emitted on the publisher's thread; Qt queues them to receivers living on
    the main thread (AutoConnection), so slots never run on a worker thread."""

    customer_view_changed = Signal(object)
    print_job_finished = Signal(object)
    device_status_changed = Signal(object)
    sale_completed = Signal(object)
    weight_read = Signal(object)
    order_code_shown = Signal(object)
    payment_qr_shown = Signal(object)
    payment_state_changed = Signal(object)
    barcode_scanned = Signal(object)
    """A scan from a device scanner (serial, camera): the wedge's scans come from the filter."""

    def __init__(self, bus: EventBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = bus.subscribe(Event, self._on_event)

    def close(self) -> None:
        self._unsubscribe()

    def _on_event(self, event: Event) -> None:
        if isinstance(event, CustomerViewChanged):
            self.customer_view_changed.emit(event.view)
        elif isinstance(event, PrintJobFinished):
            self.print_job_finished.emit(event)
        elif isinstance(event, DeviceStatusChanged):
            self.device_status_changed.emit(event)
        elif isinstance(event, SaleCompleted):
            self.sale_completed.emit(event)
        elif isinstance(event, WeightRead):
            self.weight_read.emit(event)
        elif isinstance(event, OrderCodeShown):
            self.order_code_shown.emit(event)
        elif isinstance(event, PaymentQrShown):
            self.payment_qr_shown.emit(event)
        elif isinstance(event, PaymentStateChanged):
            self.payment_state_changed.emit(event)
        elif isinstance(event, BarcodeScanned):
            self.barcode_scanned.emit(event)
