"""FaceCounterService: the face camera at the counter, for the cashier's face dialogs.

A member asks to be recognised (or to enrol): the camera watches for a few seconds, the
embeddings it reports as ``FaceSeen`` on the bus are gathered here, and only then searched
(``FaceService.identify``) or stored (``FaceService.enrol``, under a recorded consent). A
candidate is shown masked ("王**") and used only once the member confirms; close to the
threshold the member first proves it with the last four digits of their phone number.

``capture`` and ``recognise`` wait on the camera: run them on the network lane, never on the UI
thread or the store lane; ``cancel`` (any thread) ends a wait at once. The rest is local and
quick (store lane). Embeddings live in memory only between the camera and the database; no
picture is ever taken, and nothing here logs face data.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from pos_app.bus import EventBus
from pos_app.domain.faces import ConsentScope, Guardian, MatchOutcome
from pos_app.errors import UserError
from pos_app.events import FaceSeen
from pos_app.persistence.repositories.face_members import FaceMemberLookup, MemberRecord
from pos_app.services.faces import Enrolment, FaceService
from pos_app.services.viewmaking import masked_name

log = logging.getLogger(__name__)

PHONE_TAIL = 4


class FaceWatcher(Protocol):
    """The face camera as the core sees it (hardware.wiring.FaceCamera)."""

    @property
    def online(self) -> bool: ...

    def watch(self, seconds: float) -> int:
        """Report faces (as FaceSeen) for the next ``seconds``; returns at once, with the
        window's number that those FaceSeen carry."""
        ...

    def stop_watching(self) -> None: ...


@dataclass(frozen=True, slots=True)
class FaceMember:
    """A member as the face dialogs show them: masked name and phone, and their face data."""

    id: str
    masked_name: str
    masked_phone: str
    consent: bool
    captures: int


@dataclass(frozen=True, slots=True)
class Captures:
    """Embeddings of one face, taken for an enrolment; held in memory only."""

    embeddings: tuple[bytes, ...] = field(repr=False)

    def __len__(self) -> int:
        return len(self.embeddings)


@dataclass(frozen=True, slots=True)
class Recognition:
    """What the camera found. ACCEPT: ask "is this <member>?". ASK_TO_CONFIRM: ask for the
    phone's last digits first (``member`` is None until then). REFUSE: ``reason`` says why;
    offer the member code, phone number or card."""

    outcome: MatchOutcome
    member: FaceMember | None
    reason: str | None
    candidate_id: str | None = field(default=None, repr=False)
    """ASK_TO_CONFIRM: whom the phone digits are checked against (not for the screen)."""


@dataclass(frozen=True, slots=True)
class Timing:
    enrol_s: float = 20.0
    recognise_s: float = 10.0
    spacing_s: float = 0.25
    """Enrolment captures come from frames at least this far apart."""


class FaceCounterService:
    def __init__(
        self,
        faces: FaceService,
        watcher: FaceWatcher,
        bus: EventBus,
        sessions: sessionmaker[Session],
        *,
        timing: Timing | None = None,
    ) -> None:
        self.faces = faces
        self._watcher = watcher
        self._bus = bus
        self._sessions = sessions
        self.timing = timing or Timing()
        self._lock = threading.Lock()
        self._waits: set[tuple[threading.Event, threading.Event]] = set()

    @property
    def notice_version(self) -> str:
        return self.faces.policy.notice_version

    @property
    def default_scope(self) -> ConsentScope:
        return self.faces.policy.default_scope

    # -- members (store lane) ---------------------------------------------------------------

    def find_member(self, code: str) -> FaceMember:
        """By card number or phone number; UserError face.member_not_found."""
        with self._sessions() as session:
            record = FaceMemberLookup(session).by_code(code.strip())
        if record is None:
            raise UserError("face.member_not_found")
        return self._member(record)

    def member(self, member_id: str) -> FaceMember:
        with self._sessions() as session:
            record = FaceMemberLookup(session).by_id(member_id)
        if record is None:
            raise UserError("face.member_not_found")
        return self._member(record)

    def check_phone(self, member_id: str, digits: str) -> FaceMember:
        """The second factor: the last digits of the member's phone; UserError when wrong."""
        with self._sessions() as session:
            record = FaceMemberLookup(session).by_id(member_id)
        tail = digits.strip()
        if record is None or len(tail) != PHONE_TAIL or not record.phone.endswith(tail):
            raise UserError("face.phone_mismatch")
        return self._member(record)

    # -- consent, enrolment, deletion, confirmation (store lane) ----------------------------

    def record_consent(
        self,
        member_id: str,
        *,
        staff_id: str,
        scope: ConsentScope,
        guardian: Guardian | None = None,
    ) -> None:
        """The member agreed to the notice shown now; kept as it is when already given."""
        if self.faces.status(member_id).consent:
            return
        self.faces.record_consent(
            member_id, notice_version=self.notice_version, scope=scope, staff_id=staff_id,
            minor=guardian is not None, guardian=guardian,
        )  # fmt: skip

    def enrol(self, member_id: str, captures: Captures, *, staff_id: str) -> Enrolment:
        return self.faces.enrol(member_id, captures.embeddings, staff_id=staff_id)

    def delete(self, member_id: str, *, staff_id: str) -> int:
        """The member asked to delete their face data; returns the captures erased."""
        return self.faces.delete(member_id, staff_id=staff_id)

    def confirm(self, member_id: str, *, staff_id: str) -> str:
        """The member said "yes, that is me": the match may now be used; returns the id."""
        self.faces.confirm(member_id, confirmed=True, staff_id=staff_id)
        return member_id

    def reject(self, member_id: str, *, staff_id: str) -> None:
        """"Not me": recorded, and nothing is used."""
        self.faces.confirm(member_id, confirmed=False, staff_id=staff_id)

    # -- the camera (network lane) ----------------------------------------------------------

    def capture(self, count: int | None = None) -> Captures:
        """``count`` embeddings (default: as many as an enrolment may take) of the one face
        in view, from frames ``spacing_s`` apart."""
        wanted = count or self.faces.policy.captures.max_captures
        seen = self._gather(wanted, self.timing.enrol_s, self.timing.spacing_s)
        return Captures(tuple(event.embedding for event in seen))

    def recognise(self) -> Recognition:
        """Look for the one face in view and the member it may be; nothing is recorded."""
        seen = self._gather(1, self.timing.recognise_s, 0.0)
        candidate = self.faces.identify(seen[0].embedding)
        if candidate.outcome is MatchOutcome.REFUSE or candidate.member_id is None:
            return Recognition(MatchOutcome.REFUSE, None, candidate.reason)
        if candidate.outcome is MatchOutcome.ASK_TO_CONFIRM:
            return Recognition(candidate.outcome, None, None, candidate.member_id)
        member = self.member(candidate.member_id)
        return Recognition(candidate.outcome, member, None, candidate.member_id)

    def cancel(self) -> None:
        """End any wait on the camera now (the dialog was closed); returns at once."""
        with self._lock:
            waits = list(self._waits)
        for changed, cancelled in waits:
            cancelled.set()
            changed.set()
        self._watcher.stop_watching()

    def _gather(self, wanted: int, timeout_s: float, spacing_s: float) -> list[FaceSeen]:
        if not self._watcher.online:
            raise UserError("face.camera_offline")
        changed, cancelled = threading.Event(), threading.Event()
        seen: list[FaceSeen] = []
        crowded = [False]
        last = [0.0]
        window: list[int | None] = [None]

        def on_seen(event: FaceSeen) -> None:  # on the camera's thread
            if event.window != window[0]:
                # A face from an earlier request (the previous customer, still being
                # worked on when this one began), or one seen before ``watch`` answered.
                return
            if event.faces_in_view != 1:
                crowded[0] = True
                return
            now = time.monotonic()
            if len(seen) < wanted and (not seen or now - last[0] >= spacing_s):
                last[0] = now
                seen.append(event)
                if len(seen) >= wanted:
                    changed.set()

        unsubscribe = self._bus.subscribe(FaceSeen, on_seen)
        with self._lock:
            self._waits.add((changed, cancelled))
        try:
            window[0] = self._watcher.watch(timeout_s)
            changed.wait(timeout_s)
        finally:
            unsubscribe()
            self._watcher.stop_watching()
            with self._lock:
                self._waits.discard((changed, cancelled))
        if cancelled.is_set():
            raise UserError("face.cancelled")
        return self._result(seen[:wanted], wanted, crowded[0])

    def _result(self, seen: Sequence[FaceSeen], wanted: int, crowded: bool) -> list[FaceSeen]:
        if len(seen) >= wanted:
            return list(seen)
        if crowded:
            raise UserError("face.one_at_a_time")
        raise UserError("face.no_face_seen")

    def _member(self, record: MemberRecord) -> FaceMember:
        status = self.faces.status(record.id)
        phone = "*" * max(0, len(record.phone) - PHONE_TAIL) + record.phone[-PHONE_TAIL:]
        return FaceMember(record.id, masked_name(record.name), phone, status.consent,
                          status.captures)
