"""Keyboard-wedge scan detector: tells a scanner's key burst from a person typing (pure Python).

A wedge scanner types its code as fast key presses ending in a terminator (Enter or Tab). The
detector sees one key at a time with a monotonic timestamp in milliseconds and answers what the
caller must do with that key (`WedgeVerdict`). Invariants:

- No character is lost: every fed character ends up, exactly once and in input order, in a
  verdict's `replay` text, in a `Scan` (with its terminator consumed), or in `flush_due()`'s text.
  The only characters that do not come back are a configured prefix/suffix stripped from a scan.
- A printable character is always held first (`BUFFER`); it is known to be typing only once a
  gap longer than `max_gap_ms` follows it or a terminator ends a burst that is too short.

Prefix/suffix rule: a configured prefix or suffix is stripped when present and not required
when absent (a second scanner without it, or a changed scanner setting, must not lose scans);
nothing is logged either way. `min_length` applies to the code after stripping.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class WedgeSettings:
    """How one terminal's wedge scanner types; times in milliseconds."""

    max_gap_ms: int = 50
    """Longest pause between two characters of one scan (scanners pause up to ~50 ms)."""
    min_length: int = 3
    """Shortest code accepted as a scan, after stripping prefix and suffix."""
    terminators: frozenset[str] = frozenset({"\r", "\n", "\t"})
    prefix: str = ""
    suffix: str = ""

    def __post_init__(self) -> None:
        if self.max_gap_ms < 0:
            raise ValueError(f"max_gap_ms must be >= 0, got {self.max_gap_ms}")
        if self.min_length < 1:
            raise ValueError(f"min_length must be >= 1, got {self.min_length}")
        if not self.terminators or any(len(t) != 1 for t in self.terminators):
            raise ValueError("terminators must be a non-empty set of single characters")
        if any(t in self.prefix + self.suffix for t in self.terminators):
            raise ValueError("prefix and suffix must not contain a terminator")


DEFAULT_WEDGE_SETTINGS = WedgeSettings()


@dataclass(frozen=True, slots=True)
class Scan:
    """A complete code read by a wedge scanner, prefix/suffix and terminator removed."""

    text: str


class VerdictKind(StrEnum):
    BUFFER = "buffer"
    """This key is held back as a possible scan: the caller swallows it."""
    SCAN = "scan"
    """This terminator completed a scan: the caller swallows it and handles `scan`."""
    TYPED = "typed"
    """This key is typing: `replay` ends with this key's own character."""


@dataclass(frozen=True, slots=True)
class WedgeVerdict:
    """What to do with the key just fed.

    `replay` is text to deliver as normal typing now, in order, before anything else: for TYPED
    it is the held characters followed by this key's own character; for BUFFER it holds the
    characters of an earlier burst that went stale (this key then starts a new burst); for SCAN
    it is empty.
    """

    kind: VerdictKind
    replay: str = ""
    scan: Scan | None = None


class WedgeDetector:
    """Stateful burst detector for one keyboard; feed it keys in arrival order."""

    __slots__ = ("_buffer", "_last_ms", "_settings")

    def __init__(self, settings: WedgeSettings = DEFAULT_WEDGE_SETTINGS) -> None:
        self._settings = settings
        self._buffer: list[str] = []
        self._last_ms = 0

    @property
    def settings(self) -> WedgeSettings:
        return self._settings

    @property
    def buffered(self) -> str:
        """Characters currently held back as a possible scan."""
        return "".join(self._buffer)

    def feed(self, char: str, at_ms: int) -> WedgeVerdict:
        """Take one printable character or terminator typed at monotonic time `at_ms`."""
        if len(char) != 1:
            raise ValueError(f"feed() takes exactly one character, got {char!r}")
        stale = self.flush_due(at_ms) or ""
        if char in self._settings.terminators:
            return self._end_burst(char, stale)
        self._buffer.append(char)
        self._last_ms = at_ms
        return WedgeVerdict(VerdictKind.BUFFER, replay=stale)

    def flush_due(self, now_ms: int) -> str | None:
        """Give back a burst that went stale (no key for over max_gap_ms) as typing, else None."""
        if not self._buffer or now_ms - self._last_ms <= self._settings.max_gap_ms:
            return None
        text = self.buffered
        self.reset()
        return text

    def due_at(self) -> int | None:
        """The earliest time at which `flush_due` gives back the held characters, if any."""
        if not self._buffer:
            return None
        return self._last_ms + self._settings.max_gap_ms + 1

    def in_burst(self, now_ms: int) -> bool:
        """True while held characters could still become a scan."""
        return bool(self._buffer) and now_ms - self._last_ms <= self._settings.max_gap_ms

    def reset(self) -> None:
        """Forget held characters (the caller takes responsibility for them)."""
        self._buffer.clear()

    def _end_burst(self, terminator: str, stale: str) -> WedgeVerdict:
        raw = self.buffered
        self.reset()
        code = self._strip(raw)
        if raw and len(code) >= self._settings.min_length:
            return WedgeVerdict(VerdictKind.SCAN, scan=Scan(code))
        return WedgeVerdict(VerdictKind.TYPED, replay=stale + raw + terminator)

    def _strip(self, raw: str) -> str:
        return raw.removeprefix(self._settings.prefix).removesuffix(self._settings.suffix)
