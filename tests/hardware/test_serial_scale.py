"""The serial scale answers every request on its own thread, reads only what the scale sent
after the request, and survives a pulled cable: offline, then back once plugged in again.

A real pseudo-terminal stands in for the serial line; the test plays the scale on its master.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from serial_pty import WAIT, PtyCable

from hardware.scale.nci import NciResponse, NciScp01, NciWeight
from hardware.scale.protocols import ScaleProtocol, ToledoContinuous, ToledoFrame, ToledoUnit
from hardware.scale.serial_scale import SerialScale
from hardware.simulated.scale import SimulatedScale
from pos_app.errors import ConfigError
from pos_app.ports.scale import Scale, WeightReading, WeightStatus

TIMEOUT_S = 0.3
RETRY_S = 0.05

STABLE_1234 = NciResponse(NciWeight(1234, 3, "KG")).encode()


@dataclass
class Heard:
    """What the adapter reported: readings and (online, detail) changes, waited for without
    sleeping."""

    readings: list[WeightReading] = field(default_factory=list)
    statuses: list[tuple[bool, str]] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def reading(self, reading: WeightReading) -> None:
        with self._arrived:
            self.readings.append(reading)
            self._arrived.notify_all()

    def status(self, online: bool, detail: str) -> None:
        with self._arrived:
            self.statuses.append((online, detail))
            self._arrived.notify_all()

    def next_reading(self, count: int) -> WeightReading:
        with self._arrived:
            assert self._arrived.wait_for(lambda: len(self.readings) >= count, WAIT)
            return self.readings[count - 1]

    def wait_online(self, online: bool) -> str:
        with self._arrived:
            assert self._arrived.wait_for(
                lambda: bool(self.statuses) and self.statuses[-1][0] is online, WAIT
            ), self.statuses
            return self.statuses[-1][1]


class NciScale:
    """Plays an NCI scale: answers each W CR with ``answers`` in turn (the last one repeats)."""

    def __init__(self, *answers: bytes) -> None:
        self.answers = list(answers)
        self.requests = 0
        self._pending = b""

    def __call__(self, data: bytes) -> bytes:
        self._pending += data
        reply = b""
        while b"W\r" in self._pending:
            self._pending = self._pending.split(b"W\r", 1)[1]
            self.requests += 1
            reply += self.answers[min(self.requests, len(self.answers)) - 1]
        return reply


@pytest.fixture
def heard() -> Heard:
    return Heard()


@pytest.fixture
def scale_answers() -> NciScale:
    return NciScale(STABLE_1234)


@pytest.fixture
def cable(tmp_path: Path, scale_answers: NciScale) -> Iterator[PtyCable]:
    far_end = PtyCable(tmp_path / "ttyScale", respond=scale_answers)
    yield far_end
    far_end.close()


def a_scale(cable: PtyCable, heard: Heard, protocol: ScaleProtocol | None = None) -> SerialScale:
    return SerialScale(
        str(cable.link),
        9600,
        protocol or NciScp01(),
        on_reading=heard.reading,
        on_status=heard.status,
        timeout_s=TIMEOUT_S,
        retry_s=RETRY_S,
    )


@pytest.fixture
def scale(cable: PtyCable, heard: Heard) -> Iterator[SerialScale]:
    device = a_scale(cable, heard)
    yield device
    device.close()


def test_a_request_is_answered_with_the_stable_weight_in_grams(
    scale: SerialScale, cable: PtyCable, heard: Heard
) -> None:
    port: Scale = scale
    port.request_weight()

    assert heard.next_reading(1) == WeightReading(1234, True, WeightStatus.STABLE)
    assert cable.received == b"W\r"
    assert heard.statuses == [(True, f"{cable.link} (nci)")]


def test_an_unchanged_weight_read_again_is_the_same_weight_not_zero(
    scale: SerialScale, heard: Heard
) -> None:
    scale.request_weight()
    scale.request_weight()

    assert heard.next_reading(1).grams == 1234
    assert heard.next_reading(2).grams == 1234
    assert heard.statuses == [(True, heard.statuses[0][1])]  # told once, not on every read


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        (NciResponse(None, motion=True).encode(), WeightStatus.MOTION),
        (NciResponse(None, over_capacity=True).encode(), WeightStatus.OVERLOAD),
        (NciResponse(None, under_capacity=True).encode(), WeightStatus.UNDERZERO),
    ],
)
def test_a_weight_that_is_not_stable_is_reported_as_not_usable(
    scale: SerialScale, scale_answers: NciScale, heard: Heard, answer: bytes, status: WeightStatus
) -> None:
    scale_answers.answers = [answer]
    scale.request_weight()

    reading = heard.next_reading(1)
    assert (reading.status, reading.stable, reading.usable) == (status, False, False)
    assert scale.online is True


def test_noise_before_the_answer_is_skipped(
    scale: SerialScale, scale_answers: NciScale, heard: Heard
) -> None:
    scale_answers.answers = [b"\x00\xff\x7fnoise\n?" + STABLE_1234]
    scale.request_weight()

    assert heard.next_reading(1).grams == 1234


def test_an_unreadable_answer_is_asked_for_once_more(
    scale: SerialScale, scale_answers: NciScale, heard: Heard
) -> None:
    scale_answers.answers = [b"\n1.2.3KG\r\nS00\r\x03", STABLE_1234]
    scale.request_weight()

    assert heard.next_reading(1).grams == 1234
    assert scale_answers.requests == 2


def test_a_silent_scale_fails_the_request_after_the_timeout_and_goes_offline(
    scale: SerialScale, scale_answers: NciScale, heard: Heard
) -> None:
    scale_answers.answers = [b""]
    started = time.monotonic()
    scale.request_weight()
    returned = time.monotonic() - started

    assert heard.next_reading(1) == WeightReading.failed()
    assert returned < 0.05  # the port never blocks the caller
    assert TIMEOUT_S <= time.monotonic() - started < TIMEOUT_S + 1.0
    assert "no answer from the scale within 0.3 s" in heard.wait_online(False)


def test_a_partial_answer_then_silence_fails_as_unreadable(
    scale: SerialScale, scale_answers: NciScale, heard: Heard
) -> None:
    scale_answers.answers = [STABLE_1234[:7]]
    scale.request_weight()

    assert heard.next_reading(1) == WeightReading.failed()
    assert "no readable nci frame in 7 bytes" in heard.wait_online(False)


def test_a_pulled_cable_reports_offline_and_plugging_it_back_recovers(
    scale: SerialScale, cable: PtyCable, heard: Heard
) -> None:
    scale.request_weight()
    assert heard.next_reading(1).stable

    cable.unplug()
    scale.request_weight()
    assert heard.next_reading(2) == WeightReading.failed()
    heard.wait_online(False)

    cable.plug_in()  # a new pty behind the same link, as udev does for /dev/serial/by-id
    heard.wait_online(True)  # the background retry found it; no request was needed
    scale.request_weight()
    assert heard.next_reading(3) == WeightReading(1234, True, WeightStatus.STABLE)
    assert [online for online, _ in heard.statuses] == [True, False, True]


def test_a_scale_missing_at_start_comes_online_when_plugged_in(
    cable: PtyCable, heard: Heard
) -> None:
    cable.unplug()
    scale = a_scale(cable, heard)
    try:
        scale.request_weight()
        assert heard.next_reading(1) == WeightReading.failed()
        assert "cannot open" in heard.wait_online(False)

        cable.plug_in()
        heard.wait_online(True)
        scale.request_weight()
        assert heard.next_reading(2).grams == 1234
    finally:
        scale.close()


def test_close_stops_the_retries(cable: PtyCable, heard: Heard) -> None:
    cable.unplug()
    scale = a_scale(cable, heard)
    scale.request_weight()
    heard.wait_online(False)
    scale.close()

    cable.plug_in()
    assert not threading.Event().wait(RETRY_S * 4)  # a bounded wait: long enough for retries
    assert [online for online, _ in heard.statuses] == [False]
    with pytest.raises(RuntimeError):
        scale.request_weight()


@pytest.fixture
def toledo_cable(tmp_path: Path) -> Iterator[PtyCable]:
    far_end = PtyCable(tmp_path / "ttyToledo")
    yield far_end
    far_end.close()


def test_a_continuous_toledo_scale_gives_the_next_whole_frame_after_the_request(
    toledo_cable: PtyCable, heard: Heard
) -> None:
    frame = {"now": ToledoFrame(480, motion=True, tare=0).encode()}
    noise = b"\x00\xff" + frame["now"][:9]  # a cut-off frame and noise between frames
    toledo_cable.stream(lambda: noise + frame["now"])
    scale = a_scale(toledo_cable, heard, ToledoContinuous())
    try:
        scale.request_weight()
        assert heard.next_reading(1) == WeightReading(480, False, WeightStatus.MOTION)

        frame["now"] = ToledoFrame(1250, tare=0).encode()
        assert threading.Event().wait(0.05) is False  # let the stale frames pile up
        scale.request_weight()
        assert heard.next_reading(2) == WeightReading(1250, True, WeightStatus.STABLE)
        assert toledo_cable.received == b""  # a continuous scale is never asked anything
    finally:
        scale.close()


def test_a_demand_mode_toledo_scale_is_asked_with_its_print_command(
    toledo_cable: PtyCable, heard: Heard
) -> None:
    toledo_cable.respond = lambda data: ToledoFrame(2, decimals=2, unit=ToledoUnit.G).encode()
    scale = a_scale(toledo_cable, heard, ToledoContinuous(with_tare=False, command=b"P\r\n"))
    try:
        scale.request_weight()
        assert heard.next_reading(1).grams == 2
        assert toledo_cable.received == b"P\r\n"
    finally:
        scale.close()


def test_a_wrong_framing_setting_is_a_config_error(cable: PtyCable, heard: Heard) -> None:
    with pytest.raises(ConfigError, match="8N1"):
        SerialScale(
            str(cable.link),
            9600,
            NciScp01(),
            on_reading=heard.reading,
            on_status=heard.status,
            framing="9X1",
        )


def test_the_simulated_scale_answers_like_the_real_one(heard: Heard) -> None:
    simulated = SimulatedScale(on_reading=heard.reading, on_status=heard.status, grams=532)
    port: Scale = simulated
    try:
        port.request_weight()
        port.request_weight()
        assert [heard.next_reading(n).grams for n in (1, 2)] == [532, 532]  # not zero
        simulated.set_weight(1800, WeightStatus.MOTION)
        port.request_weight()
        assert heard.next_reading(3) == WeightReading(1800, False, WeightStatus.MOTION)

        simulated.unplug()
        port.request_weight()
        assert heard.next_reading(4) == WeightReading.failed()
        simulated.plug_in()
        port.request_weight()
        assert heard.next_reading(5).status is WeightStatus.MOTION
        assert [online for online, _ in heard.statuses] == [False, True]
    finally:
        simulated.close()
