"""Face recognition: consents, embeddings (never images), and the processing record.

No foreign key to ``members``: the law wants face data kept on the terminal, so a deployment
with a shared store database may keep these tables in a terminal-local database; member ids
are checked by the service instead, and erasing a member erases their face data through it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from pos_app.persistence.models.base import Base, UtcDateTime


class FaceConsentRow(Base):
    """One separate consent; kept after withdrawal as the record of the erasure."""

    __tablename__ = "face_consents"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(36), index=True)
    given_at: Mapped[datetime] = mapped_column(UtcDateTime())
    notice_version: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(16))
    terminal_code: Mapped[str] = mapped_column(String(16))
    recorded_by: Mapped[str] = mapped_column(String(36))
    minor: Mapped[bool] = mapped_column(default=False)
    guardian_name: Mapped[str | None] = mapped_column(String(80), default=None)
    guardian_relationship: Mapped[str | None] = mapped_column(String(32), default=None)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    withdrawal_reason: Mapped[str | None] = mapped_column(String(32), default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    # At most one active consent per member: the database refuses a second, not Python.
    __table_args__ = (
        Index(
            "uq_face_consents_active_member",
            "member_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )


class FaceEmbeddingRow(Base):
    """One capture of a member: 128 little-endian float32 (512 bytes), L2-normalised."""

    __tablename__ = "face_embeddings"
    member_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    capture_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    embedding: Mapped[bytes] = mapped_column(LargeBinary(512))
    model: Mapped[str] = mapped_column(String(48))
    scope: Mapped[str] = mapped_column(String(16))
    terminal_code: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class FaceProcessingRow(Base):
    """The processing record (处理记录): who did what with face data, when; no face data."""

    __tablename__ = "face_processing_log"
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    terminal_code: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    member_id: Mapped[str | None] = mapped_column(String(36), default=None, index=True)
    staff_id: Mapped[str | None] = mapped_column(String(36), default=None)
    detail: Mapped[str] = mapped_column(String(200), default="")
