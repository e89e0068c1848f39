"""Ports for the face camera: an encoder that finds faces in a frame, a matcher over members.

An embedding crosses these ports as ``bytes``: 128 little-endian float32 values, L2-normalised
(512 bytes), so the core stores and passes it without numpy. Two embeddings are compared by
cosine similarity (their dot product), which the adapter computes. Embeddings are only
comparable when made by the same model: ``FaceEncoder.model_id`` names it, and the core keeps
it beside every stored embedding.

Embeddings are face data (sensitive personal information): never log them, and keep them out
of ``repr`` (the dataclasses below do).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from pos_app.domain.faces import EMBEDDING_BYTES, EMBEDDING_SIZE, check_embedding

__all__ = [
    "EMBEDDING_BYTES",
    "EMBEDDING_SIZE",
    "DetectedFace",
    "FaceBox",
    "FaceCallback",
    "FaceEncoder",
    "FaceMatcher",
    "FaceSighting",
    "Match",
    "check_embedding",
]


@dataclass(frozen=True, slots=True)
class FaceBox:
    """Where a face is in the frame, in pixels (x, y of the top-left corner)."""

    x: int
    y: int
    width: int
    height: int

    @property
    def area(self) -> int:
        return max(0, self.width) * max(0, self.height)


@dataclass(frozen=True, slots=True)
class DetectedFace:
    """One face in one frame: where, how sure the detector is (0..1), and its embedding."""

    box: FaceBox
    score: float
    embedding: bytes = field(repr=False)

    def __post_init__(self) -> None:
        check_embedding(self.embedding)


@dataclass(frozen=True, slots=True)
class FaceSighting:
    """What a face camera reports: the nearest (largest) face and how many faces were in view.

    With more than one face in view the screen should ask for one person at a time rather
    than guess whose face it is.
    """

    camera: str
    face: DetectedFace
    faces_in_view: int
    window: int = 0
    """The watch window the frame was read in (the number ``watch`` gave): a face seen for an
    earlier request is never taken for a later one."""


FaceCallback = Callable[[FaceSighting], None]
"""Called on the face camera's thread; the composition root publishes it as FaceSeen."""

ImageT_contra = TypeVar("ImageT_contra", contravariant=True)


class FaceEncoder(Protocol[ImageT_contra]):
    """Finds faces in a camera frame and embeds each; the frame type is the adapter's own.

    Not thread-safe: one thread uses an encoder (the face camera's).
    """

    @property
    def model_id(self) -> str:
        """Names the embedding model; embeddings of different models are not comparable."""
        ...

    def encode(self, image: ImageT_contra) -> list[DetectedFace]:
        """Every face found, largest first; empty when there is none."""
        ...


@dataclass(frozen=True, slots=True)
class Match:
    """The nearest enrolled member to a probe.

    ``score`` is the best cosine similarity over the member's captures; ``margin`` is how far
    it is above the best score of any other member (the score itself when nobody else is
    enrolled, as if the runner-up scored 0: an unrelated face scores about 0).
    """

    member_id: str
    score: float
    margin: float

    @property
    def second_score(self) -> float:
        return self.score - self.margin


class FaceMatcher(Protocol):
    """Nearest-member search over the enrolled embeddings, held in memory on this terminal.

    Thread-safe: updates may come from the store lane while the face camera identifies.
    """

    def enrol(self, member_id: str, embeddings: Sequence[bytes]) -> None:
        """Add captures of a member (added to any the member already has)."""
        ...

    def load(self, entries: Iterable[tuple[str, bytes]]) -> None:
        """Replace everything with (member_id, embedding) pairs: the rebuild at start-up."""
        ...

    def remove(self, member_id: str) -> None:
        """Forget every capture of a member; nothing of them stays in memory."""
        ...

    def identify(self, embedding: bytes) -> Match | None:
        """The nearest member and the runner-up's score; None when nobody is enrolled."""
        ...

    def count(self) -> int:
        """Members enrolled (people, not captures)."""
        ...
