"""Every event the app knows: frozen, past-tense facts published after they happened."""

from __future__ import annotations

from dataclasses import dataclass, field

from pos_app.domain.money import Money


@dataclass(frozen=True, slots=True)
class Event:
    """Base of all events; carries nothing itself."""


@dataclass(frozen=True, slots=True)
class BarcodeScanned(Event):
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class ItemScanned(Event):
    cart_id: str
    line_id: str
    sku: str
    name: str
    amount: Money


@dataclass(frozen=True, slots=True)
class LineVoided(Event):
    cart_id: str
    line_id: str
    sku: str


@dataclass(frozen=True, slots=True)
class CartSuspended(Event):
    cart_id: str


@dataclass(frozen=True, slots=True)
class SaleCompleted(Event):
    sale_id: str
    order_number: str
    total: Money
    change: Money


@dataclass(frozen=True, slots=True)
class CustomerViewChanged(Event):
    """The customer-facing snapshot changed; ``view`` is a services.views.CustomerView."""

    view: object


@dataclass(frozen=True, slots=True)
class PrintJobFinished(Event):
    job_id: str
    ok: bool
    error_code: str | None


@dataclass(frozen=True, slots=True)
class DeviceStatusChanged(Event):
    device: str
    online: bool
    detail: str


@dataclass(frozen=True, slots=True)
class WeightRead(Event):
    """A scale answered a weight request; only ``stable`` readings may price a line."""

    grams: int
    stable: bool
    status: str


@dataclass(frozen=True, slots=True)
class PaymentStateChanged(Event):
    """An electronic payment attempt moved; published after the move was committed."""

    attempt_id: str
    cart_id: str
    provider: str
    state: str
    outcome: str


@dataclass(frozen=True, slots=True)
class OrderCodeShown(Event):
    """A till made an order QR code for its open cart, to show on the customer display."""

    cart_id: str
    text: str
    amount: Money


@dataclass(frozen=True, slots=True)
class PaymentQrShown(Event):
    """A till made a dynamic payment QR (WeChat NATIVE ``code_url``, Alipay precreate
    ``qr_code``) for the customer to scan with ``provider``'s app; the customer display shows
    it until ``PaymentStateChanged`` says the attempt moved on."""

    attempt_id: str
    cart_id: str
    text: str
    amount: Money
    provider: str


@dataclass(frozen=True, slots=True)
class FaceSeen(Event):
    """A face camera saw a face while watching. ``embedding`` is face data (512 bytes, see
    pos_app.ports.faces): hand it to FaceService, never log or show it."""

    camera: str
    faces_in_view: int
    detector_score: float
    embedding: bytes = field(repr=False)
    window: int = 0
    """The camera's watch window the frame was read in (see FaceWatcher.watch)."""


@dataclass(frozen=True, slots=True)
class UserLoggedIn(Event):
    user_id: str
    terminal_code: str
