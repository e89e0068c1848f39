"""Tamper-evident audit log: each entry's hash covers its content and the previous hash.

Changing, removing or reordering any entry breaks every hash after it; ``verify_chain``
names the first entry that does not fit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at: datetime
    actor_id: str
    action: str
    subject: str
    details: str
    """Canonical JSON (sorted keys, no spaces)."""
    prev_hash: str
    hash: str


def canonical_details(details: Mapping[str, Any]) -> str:
    return json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(seq: int, at: datetime, actor_id: str, action: str, subject: str,
               details: str, prev_hash: str) -> str:
    body = "\x1f".join([str(seq), at.isoformat(), actor_id, action, subject, details, prev_hash])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def next_entry(previous: AuditEntry | None, *, at: datetime, actor_id: str, action: str,
               subject: str, details: Mapping[str, Any]) -> AuditEntry:
    if at.tzinfo is None:
        raise ValueError("audit times must be aware")
    seq = 1 if previous is None else previous.seq + 1
    prev_hash = GENESIS if previous is None else previous.hash
    text = canonical_details(details)
    digest = entry_hash(seq, at, actor_id, action, subject, text, prev_hash)
    return AuditEntry(seq, at, actor_id, action, subject, text, prev_hash, digest)


def verify_chain(entries: Iterable[AuditEntry]) -> int | None:
    """Return the seq of the first entry that breaks the chain, or None when all hold."""
    prev_hash = GENESIS
    expected_seq = 1
    for entry in entries:
        recomputed = entry_hash(entry.seq, entry.at, entry.actor_id, entry.action,
                                entry.subject, entry.details, entry.prev_hash)
        if entry.seq != expected_seq or entry.prev_hash != prev_hash or entry.hash != recomputed:
            return entry.seq
        prev_hash = entry.hash
        expected_seq += 1
    return None
