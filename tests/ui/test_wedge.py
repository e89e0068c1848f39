"""Keyboard-wedge detector: scans are recognised by timing, typing is never lost or reordered."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui.input.wedge import Scan, VerdictKind, WedgeDetector, WedgeSettings, WedgeVerdict

TERMINATORS = "\r\n\t"
code_chars = st.characters(exclude_characters=TERMINATORS, codec="utf-8")
any_chars = st.one_of(code_chars, st.sampled_from(TERMINATORS))
settings_strategy = st.builds(
    WedgeSettings,
    max_gap_ms=st.integers(min_value=0, max_value=200),
    min_length=st.integers(min_value=1, max_value=8),
)


def feed_all(
    detector: WedgeDetector, chars: str, gaps: list[int], start_ms: int = 1_000
) -> list[WedgeVerdict]:
    """Feed chars[i] at start + sum(gaps[:i]); gaps[i] is the pause before chars[i + 1]."""
    times = itertools.accumulate([start_ms, *gaps])
    return [detector.feed(char, at) for char, at in zip(chars, times, strict=False)]


def delivered_text(verdicts: list[WedgeVerdict], chars: str, tail: str | None) -> str:
    """Everything the caller ends up with: typing replayed, scans with their terminators."""
    out = []
    for char, verdict in zip(chars, verdicts, strict=True):
        out.append(verdict.replay)
        if verdict.scan is not None:
            out.append(verdict.scan.text + char)
    return "".join(out) + (tail or "")


@given(
    settings=settings_strategy,
    data=st.data(),
    terminator=st.sampled_from(TERMINATORS),
)
def test_a_fast_burst_ending_in_a_terminator_is_exactly_one_scan(
    settings: WedgeSettings, data: st.DataObject, terminator: str
) -> None:
    code = data.draw(st.text(code_chars, min_size=settings.min_length, max_size=40))
    gaps = data.draw(st.lists(st.integers(0, settings.max_gap_ms), min_size=len(code)))
    detector = WedgeDetector(settings)

    verdicts = feed_all(detector, code + terminator, gaps)

    assert [v.kind for v in verdicts[:-1]] == [VerdictKind.BUFFER] * len(code)
    assert all(v.replay == "" for v in verdicts)
    assert verdicts[-1] == WedgeVerdict(VerdictKind.SCAN, scan=Scan(code))
    assert detector.buffered == ""


@given(settings=settings_strategy, chars=st.text(any_chars, max_size=40), data=st.data())
def test_keys_all_further_apart_than_the_max_gap_never_make_a_scan(
    settings: WedgeSettings, chars: str, data: st.DataObject
) -> None:
    slow = st.integers(settings.max_gap_ms + 1, settings.max_gap_ms + 1_000)
    gaps = data.draw(st.lists(slow, min_size=len(chars), max_size=len(chars)))

    verdicts = feed_all(WedgeDetector(settings), chars, gaps)

    assert all(v.scan is None and v.kind is not VerdictKind.SCAN for v in verdicts)


@given(settings=settings_strategy, chars=st.text(any_chars, max_size=60), data=st.data())
def test_no_key_is_ever_lost_or_reordered(
    settings: WedgeSettings, chars: str, data: st.DataObject
) -> None:
    gap = st.integers(0, 2 * settings.max_gap_ms + 1)
    gaps = data.draw(st.lists(gap, min_size=len(chars), max_size=len(chars)))
    detector = WedgeDetector(settings)

    verdicts = feed_all(detector, chars, gaps)
    tail = detector.flush_due(10**12)

    assert delivered_text(verdicts, chars, tail) == chars


def test_a_terminator_after_a_short_burst_is_typing_with_the_held_chars_first() -> None:
    detector = WedgeDetector(WedgeSettings(min_length=3))

    verdicts = feed_all(detector, "12\r", [10, 10])

    assert verdicts[-1] == WedgeVerdict(VerdictKind.TYPED, replay="12\r")


def test_a_lone_enter_is_typing() -> None:
    assert WedgeDetector().feed("\r", 0) == WedgeVerdict(VerdictKind.TYPED, replay="\r")


def test_a_long_pause_replays_the_held_chars_and_starts_a_new_burst() -> None:
    detector = WedgeDetector(WedgeSettings(max_gap_ms=50))

    verdicts = feed_all(detector, "ab1234\r", [51, 5, 5, 5, 5, 5])

    assert verdicts[1] == WedgeVerdict(VerdictKind.BUFFER, replay="a")
    assert verdicts[2] == WedgeVerdict(VerdictKind.BUFFER, replay="")
    assert verdicts[-1].scan == Scan("b1234")


def test_a_gap_of_exactly_max_gap_still_belongs_to_the_burst() -> None:
    verdicts = feed_all(WedgeDetector(WedgeSettings(max_gap_ms=50)), "123\r", [50, 50, 50])

    assert verdicts[-1].scan == Scan("123")


def test_flush_due_gives_back_held_chars_only_once_the_burst_is_stale() -> None:
    detector = WedgeDetector(WedgeSettings(max_gap_ms=50))
    detector.feed("7", 100)

    assert detector.due_at() == 151
    assert detector.flush_due(150) is None
    assert detector.flush_due(151) == "7"
    assert detector.flush_due(500) is None
    assert detector.due_at() is None


def test_prefix_and_suffix_are_stripped_from_a_scan() -> None:
    detector = WedgeDetector(WedgeSettings(prefix="]E0", suffix="#"))

    verdicts = feed_all(detector, "]E06901234567892#\r", [1] * 17)

    assert verdicts[-1].scan == Scan("6901234567892")


def test_a_scan_without_its_configured_prefix_is_still_accepted() -> None:
    detector = WedgeDetector(WedgeSettings(prefix="]E0", suffix="#"))

    verdicts = feed_all(detector, "6901234567892\n", [1] * 13)

    assert verdicts[-1].scan == Scan("6901234567892")


def test_min_length_counts_the_code_after_stripping_the_prefix() -> None:
    detector = WedgeDetector(WedgeSettings(prefix="PX", min_length=3))

    verdicts = feed_all(detector, "PX12\r", [1] * 4)

    assert verdicts[-1] == WedgeVerdict(VerdictKind.TYPED, replay="PX12\r")


def test_tab_is_not_a_terminator_when_not_configured() -> None:
    detector = WedgeDetector(WedgeSettings(terminators=frozenset({"\r"})))

    verdicts = feed_all(detector, "ab\tc\r", [1] * 4)

    assert verdicts[-1].scan == Scan("ab\tc")


def test_reset_forgets_held_chars() -> None:
    detector = WedgeDetector()
    feed_all(detector, "123", [1, 1])

    detector.reset()

    assert detector.feed("\r", 5) == WedgeVerdict(VerdictKind.TYPED, replay="\r")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_gap_ms": -1},
        {"min_length": 0},
        {"terminators": frozenset()},
        {"terminators": frozenset({"\r\n"})},
        {"prefix": "\t"},
    ],
)
def test_settings_that_cannot_work_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        WedgeSettings(**kwargs)  # type: ignore[arg-type]


def test_feed_takes_exactly_one_character() -> None:
    with pytest.raises(ValueError):
        WedgeDetector().feed("ab", 0)
