"""NumpyFaceMatcher: every enrolled embedding in one float32 matrix, searched by one product.

With the embeddings L2-normalised, cosine similarity is the dot product, so one probe against
N captures is one (N x 128) @ (128,) matrix-vector product; the best capture names the member
and the best capture of any other member is the runner-up. 100,000 captures take 51 MB and a
few milliseconds on a 2-core till (``pos bench face_identify_100k``). Appends go into spare
capacity (grown by half when full). A removal overwrites the member's rows with zeros at once,
so erased face data does not linger in memory, and marks them dead (owner -1); the matrix is
compacted when a quarter of it is dead. One lock guards every read and write.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from pos_app.ports.faces import EMBEDDING_BYTES, EMBEDDING_SIZE, Match

Matrix = npt.NDArray[np.float32]
Owners = npt.NDArray[np.int32]
INITIAL_CAPACITY: Final = 1024
DEAD: Final = -1
"""Owner of a removed row (zeroed, waiting for compaction)."""


def as_matrix(embeddings: Sequence[bytes]) -> Matrix:
    """Captures as rows of float32; ValueError when one is not 512 bytes or not finite."""
    if any(len(e) != EMBEDDING_BYTES for e in embeddings):
        raise ValueError(f"an embedding is {EMBEDDING_BYTES} bytes")
    return _rows(b"".join(embeddings))


def _rows(data: bytes | bytearray) -> Matrix:
    matrix = np.frombuffer(data, dtype="<f4").reshape(-1, EMBEDDING_SIZE)
    if not np.isfinite(matrix).all():
        raise ValueError("an embedding holds a value that is not finite")
    return matrix.astype(np.float32)


class NumpyFaceMatcher:
    """A FaceMatcher over an in-memory matrix of every enrolled capture."""

    def __init__(self, *, capacity: int = INITIAL_CAPACITY) -> None:
        self._lock = threading.Lock()
        self._matrix: Matrix = np.zeros((max(1, capacity), EMBEDDING_SIZE), dtype=np.float32)
        self._owners: Owners = np.zeros(max(1, capacity), dtype=np.int32)
        self._rows = 0
        self._dead = 0
        self._slot_of: dict[str, int] = {}
        self._member_of: list[str | None] = []

    def enrol(self, member_id: str, embeddings: Sequence[bytes]) -> None:
        new = as_matrix(embeddings)
        with self._lock:
            self._reserve(self._rows + len(new))
            slot = self._slot(member_id)
            end = self._rows + len(new)
            self._matrix[self._rows : end] = new
            self._owners[self._rows : end] = slot
            self._rows = end

    def load(self, entries: Iterable[tuple[str, bytes]]) -> None:
        member_of: list[str | None] = []
        slot_of: dict[str, int] = {}
        owners: list[int] = []
        data = bytearray()
        for member_id, embedding in entries:
            if len(embedding) != EMBEDDING_BYTES:
                raise ValueError(f"an embedding is {EMBEDDING_BYTES} bytes")
            slot = slot_of.setdefault(member_id, len(member_of))
            if slot == len(member_of):
                member_of.append(member_id)
            owners.append(slot)
            data += embedding
        rows = len(owners)
        matrix = np.zeros(
            (rows + max(INITIAL_CAPACITY, rows // 8), EMBEDDING_SIZE), dtype=np.float32
        )
        if rows:
            matrix[:rows] = _rows(data)
        owner_array = np.zeros(len(matrix), dtype=np.int32)
        owner_array[:rows] = owners
        data[:] = bytes(len(data))  # the raw copy goes too
        with self._lock:
            old = self._matrix
            self._matrix, self._owners, self._rows = matrix, owner_array, rows
            self._slot_of, self._member_of, self._dead = slot_of, member_of, 0
            old.fill(0.0)

    def remove(self, member_id: str) -> None:
        with self._lock:
            slot = self._slot_of.pop(member_id, None)
            if slot is None:
                return
            self._member_of[slot] = None
            rows = np.flatnonzero(self._owners[: self._rows] == slot)
            self._matrix[rows] = 0.0
            self._owners[rows] = DEAD
            self._dead += len(rows)
            if self._dead * 4 > self._rows:
                self._compact()

    def identify(self, embedding: bytes) -> Match | None:
        probe = as_matrix([embedding])[0]
        with self._lock:
            if self._rows == self._dead:
                return None
            owners = self._owners[: self._rows]
            # einsum, not BLAS: OpenBLAS threads spin after a call and slow the next encode.
            scores = np.einsum("ij,j->i", self._matrix[: self._rows], probe)
            if self._dead:
                scores[owners == DEAD] = -np.inf
            best = int(np.argmax(scores))
            owner = int(owners[best])
            member_id = self._member_of[owner]
            others = scores[owners != owner]
        score = float(scores[best])
        second = float(others.max()) if others.size else -np.inf
        assert member_id is not None  # dead rows score -inf and are never the best
        return Match(member_id, score, score - (second if np.isfinite(second) else 0.0))

    def count(self) -> int:
        with self._lock:
            return len(self._slot_of)

    def captures(self) -> int:
        """Captures held, of every member."""
        with self._lock:
            return self._rows - self._dead

    def _slot(self, member_id: str) -> int:
        slot = self._slot_of.get(member_id)
        if slot is None:
            slot = len(self._member_of)
            self._member_of.append(member_id)
            self._slot_of[member_id] = slot
        return slot

    def _reserve(self, rows: int) -> None:
        if rows > len(self._matrix):
            self._move(max(rows, len(self._matrix) * 3 // 2))

    def _compact(self) -> None:
        self._move(len(self._matrix))

    def _move(self, capacity: int) -> None:
        """Copy the live rows into new buffers of ``capacity`` rows; zero the old ones."""
        keep = self._owners[: self._rows] != DEAD
        rows = int(keep.sum())
        matrix = np.zeros((capacity, EMBEDDING_SIZE), dtype=np.float32)
        owners = np.zeros(capacity, dtype=np.int32)
        matrix[:rows] = self._matrix[: self._rows][keep]
        owners[:rows] = self._owners[: self._rows][keep]
        old = self._matrix
        self._matrix, self._owners, self._rows, self._dead = matrix, owners, rows, 0
        old.fill(0.0)
