"""A device's jobs run on its own thread, one after another, and survive each other's failures."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterator

import pytest

from hardware.device_worker import DeviceWorker

WAIT = 5.0
"""Seconds a test waits for the device thread before calling it stuck."""


def blocking_job(started: threading.Event, release: threading.Event) -> Callable[[], None]:
    """A job that says it has started, then holds the device until released."""

    def job() -> None:
        started.set()
        release.wait(WAIT)

    return job


@pytest.fixture
def worker() -> Iterator[DeviceWorker]:
    device = DeviceWorker("test-printer")
    yield device
    device.close()


def test_jobs_run_in_the_order_they_were_submitted(worker: DeviceWorker) -> None:
    ran: list[int] = []
    done = threading.Event()

    for number in range(50):
        worker.submit(functools.partial(ran.append, number))
    worker.submit(done.set)

    assert done.wait(WAIT)
    assert ran == list(range(50))


def test_submit_returns_while_the_device_is_still_busy(worker: DeviceWorker) -> None:
    release = threading.Event()
    started = threading.Event()
    finished = threading.Event()
    worker.submit(blocking_job(started, release))
    worker.submit(finished.set)

    assert started.wait(WAIT)
    assert not finished.is_set()  # submit came back although the first job still blocks
    release.set()
    assert finished.wait(WAIT)


def test_jobs_run_on_the_device_thread_not_the_caller(worker: DeviceWorker) -> None:
    seen: list[str] = []
    done = threading.Event()

    def note_thread() -> None:
        seen.append(threading.current_thread().name)
        done.set()

    worker.submit(note_thread)

    assert done.wait(WAIT)
    assert seen == ["device-test-printer"]


def test_a_failing_job_is_logged_with_its_traceback_and_the_next_job_still_runs(
    worker: DeviceWorker, caplog: pytest.LogCaptureFixture
) -> None:
    def paper_jam() -> None:
        raise OSError("paper jam")

    next_job_ran = threading.Event()
    with caplog.at_level(logging.ERROR, logger="hardware.device_worker"):
        worker.submit(paper_jam)
        worker.submit(next_job_ran.set)
        assert next_job_ran.wait(WAIT)

    [record] = caplog.records
    assert "test-printer" in record.getMessage()
    assert record.exc_info is not None and isinstance(record.exc_info[1], OSError)
    assert worker.running


def test_close_runs_the_jobs_already_queued_then_stops_the_thread() -> None:
    worker = DeviceWorker("drawer")
    release = threading.Event()
    ran: list[str] = []
    worker.submit(lambda: release.wait(WAIT))
    worker.submit(lambda: ran.append("queued before close"))
    release.set()

    assert worker.close() is True

    assert ran == ["queued before close"]
    assert not worker.running


def test_a_closed_worker_refuses_new_jobs() -> None:
    worker = DeviceWorker("scale")
    worker.close()

    with pytest.raises(RuntimeError, match="closed"):
        worker.submit(lambda: None)


def test_close_gives_up_after_its_timeout_when_a_job_hangs() -> None:
    worker = DeviceWorker("hung-printer")
    release = threading.Event()
    started = threading.Event()
    worker.submit(blocking_job(started, release))
    assert started.wait(WAIT)

    assert worker.close(timeout=0.05) is False
    assert worker.running

    release.set()
    assert worker.close() is True
    assert not worker.running


def test_a_job_may_close_its_own_worker_without_deadlocking() -> None:
    worker = DeviceWorker("self-closing")
    done = threading.Event()

    def close_from_inside() -> None:
        worker.close()
        done.set()

    worker.submit(close_from_inside)

    assert done.wait(WAIT)
    assert worker.close() is True
