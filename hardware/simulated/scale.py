"""SimulatedScale: the Scale port without hardware, for the demo store and tests.

It behaves like SerialScale seen from the core: request_weight() returns at once and the answer
arrives on the scale's own thread, one reading per request; the weight stays what it was set to
until changed, so a re-read gives the same weight. unplug() and plug_in() play a pulled cable:
requests then fail and on_status reports the change.
"""

from __future__ import annotations

import logging
import threading

from hardware.device_worker import DeviceWorker
from pos_app.ports.scale import (
    DeviceStatusCallback,
    WeightCallback,
    WeightReading,
    WeightStatus,
)

log = logging.getLogger(__name__)


def _ignore_status(online: bool, detail: str) -> None:
    """Default on_status: the demo has nobody to tell."""


class SimulatedScale:
    def __init__(
        self,
        *,
        on_reading: WeightCallback,
        on_status: DeviceStatusCallback = _ignore_status,
        grams: int = 0,
        status: WeightStatus = WeightStatus.STABLE,
        name: str = "scale",
    ) -> None:
        self.name = name
        self._on_reading = on_reading
        self._on_status = on_status
        self._lock = threading.Lock()
        self._reading = WeightReading.of(grams, status)
        self._plugged = True
        self._worker = DeviceWorker(name)

    def set_weight(self, grams: int, status: WeightStatus = WeightStatus.STABLE) -> None:
        """What the platter shows from now on (grams may be negative or over capacity)."""
        reading = WeightReading.of(grams, status)
        with self._lock:
            self._reading = reading

    def unplug(self) -> None:
        self._worker.submit(lambda: self._set_plugged(False))

    def plug_in(self) -> None:
        self._worker.submit(lambda: self._set_plugged(True))

    def request_weight(self) -> None:
        """Queue one request; on_reading follows on the scale thread. RuntimeError after close()."""
        self._worker.submit(self._answer)

    def close(self, timeout: float = 5.0) -> None:
        self._worker.close(timeout)

    def _answer(self) -> None:
        with self._lock:
            reading = self._reading if self._plugged else WeightReading.failed()
        self._on_reading(reading)

    def _set_plugged(self, plugged: bool) -> None:
        with self._lock:
            changed, self._plugged = self._plugged != plugged, plugged
        if changed:
            detail = "simulated scale" if plugged else "simulated scale unplugged"
            log.info("%s %s", self.name, "plugged in" if plugged else "unplugged")
            self._on_status(plugged, detail)
