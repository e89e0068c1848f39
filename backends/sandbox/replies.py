"""What a sandbox handler hands back to the HTTP server: a body, plus the transport faults the
magic codes ask for (drop the connection, answer late)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Effect:
    drop: bool = False  # close the connection without a reply (after acting on the request)
    delay_s: float = 0.0  # answer this late (after acting on the request)
    bad_sign: bool = False  # sign the reply wrongly


NO_EFFECT = Effect()


@dataclass(frozen=True, slots=True)
class Reply:
    body: bytes
    content_type: str
    status: int = 200
    effect: Effect = NO_EFFECT


def corrupt(signature: str) -> str:
    """A signature of the same shape that does not verify (first character changed)."""
    if not signature:
        return "A"
    first = signature[0]
    return ("B" if first == "A" else "A") + signature[1:]
