"""What a running till knows about its payments beyond the database.

The raw payment code (only for the one identical re-submit §5.2 allows), which pay calls are
out, aborts waiting for them, QR texts, the providers' last words, carts being cancelled and
sales a payment completed. All of it is lost on a restart by design: ``resolve_in_flight``
works from the database alone, and without the code an attempt is never re-sent.
Thread-safe: the UI's network lane runs several calls at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TypeVar

from pos_app.domain.payment_codes import PaymentCode
from pos_app.services.views import SaleView

_KEEP = 256  # recent attempts whose last word and QR stay available to views
V = TypeVar("V")


class PaymentMemory:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._codes: dict[str, PaymentCode] = {}
        self._sending: set[str] = set()
        self._aborts: set[str] = set()
        self._busy: set[str] = set()
        self._qr: OrderedDict[str, str] = OrderedDict()
        self._words: OrderedDict[str, str] = OrderedDict()
        self._sales: OrderedDict[str, SaleView] = OrderedDict()
        self.cancelling: set[str] = set()

    def keep_code(self, attempt_id: str, code: PaymentCode) -> None:
        with self._lock:
            self._codes[attempt_id] = code

    def code(self, attempt_id: str) -> PaymentCode | None:
        with self._lock:
            return self._codes.get(attempt_id)

    def keep_qr(self, attempt_id: str, text: str) -> None:
        with self._lock:
            _put(self._qr, attempt_id, text)

    def qr(self, attempt_id: str) -> str | None:
        with self._lock:
            return self._qr.get(attempt_id)

    def note(self, attempt_id: str, word: str) -> None:
        """The provider's last word about the attempt (USERPAYING, timeout…), for views."""
        with self._lock:
            _put(self._words, attempt_id, word)

    def word(self, attempt_id: str) -> str:
        with self._lock:
            return self._words.get(attempt_id, "")

    def keep_sale(self, cart_id: str, sale: SaleView) -> None:
        with self._lock:
            _put(self._sales, cart_id, sale)

    def sale(self, cart_id: str) -> SaleView | None:
        with self._lock:
            return self._sales.get(cart_id)

    def start_sending(self, attempt_id: str) -> None:
        with self._lock:
            self._sending.add(attempt_id)

    def finish_sending(self, attempt_id: str) -> bool:
        """The call answered and its outcome is stored; True if an abort waits for it."""
        with self._lock:
            self._sending.discard(attempt_id)
            waiting = attempt_id in self._aborts
            self._aborts.discard(attempt_id)
            return waiting

    def sending_now(self, attempt_id: str) -> bool:
        with self._lock:
            return attempt_id in self._sending

    def request_abort(self, attempt_id: str) -> bool:
        """True when the attempt's pay call is out: the abort waits for its answer."""
        with self._lock:
            if attempt_id in self._sending:
                self._aborts.add(attempt_id)
                return True
            return False

    def abort_requested(self, attempt_id: str) -> bool:
        with self._lock:
            return attempt_id in self._aborts

    def claim(self, attempt_id: str) -> bool:
        """One ``advance`` at a time per attempt; False when another is already at it."""
        with self._lock:
            if attempt_id in self._busy:
                return False
            self._busy.add(attempt_id)
            return True

    def release(self, attempt_id: str) -> None:
        with self._lock:
            self._busy.discard(attempt_id)

    def forget(self, attempt_id: str) -> None:
        """The attempt is final: its code and QR are of no more use."""
        with self._lock:
            self._codes.pop(attempt_id, None)
            self._qr.pop(attempt_id, None)


def _put(recent: OrderedDict[str, V], key: str, value: V) -> None:
    recent[key] = value
    recent.move_to_end(key)
    while len(recent) > _KEEP:
        recent.popitem(last=False)
