"""ApprovalService: a manager approves an override (a "no sale" drawer opening) with a PIN.

``approve`` checks the PIN the way logging in does (``verify_pin``, the same error codes and
the same lock-out after ``MAX_FAILED_LOGINS`` wrong PINs) but writes nothing: a wrong PIN
leaves no trace in the database, and a right one is recorded by the action it approves.
An approval is a grant held in this process for one manager: it is used up by the first
action that ``redeem``s it and lapses after ``APPROVAL_VALID_FOR``, so no action can claim a
manager's approval that was never given on this terminal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from pos_app.clock import Clock
from pos_app.domain.staff import Role, verify_pin
from pos_app.errors import UserError
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.staff import MAX_FAILED_LOGINS
from pos_app.services.views import StaffView

log = logging.getLogger(__name__)

APPROVAL_VALID_FOR = timedelta(minutes=2)
"""How long an approval waits for the action it approves."""


class ApprovalService:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock) -> None:
        self._uow = uow
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, int] = {}
        self._grants: dict[str, datetime] = {}
        """Manager id -> when the approval lapses."""

    def approve(self, staff_no: str, pin: str) -> StaffView:
        """The manager whose PIN this is; UserError ``auth.missing``, ``auth.wrong_pin``
        (with ``left``), ``auth.locked`` or ``approval.not_manager`` otherwise. Read-only."""
        staff_no = staff_no.strip()
        if not staff_no or not pin:
            raise UserError("auth.missing")
        with self._lock:
            if self._failures.get(staff_no, 0) >= MAX_FAILED_LOGINS:
                raise UserError("auth.locked")
        with self._uow() as uow:
            staff = uow.staff.by_staff_no(staff_no)
        if staff is not None and staff.active and staff.role != Role.MANAGER:
            # Said before the PIN is checked: the answer tells nothing about the PIN.
            raise UserError("approval.not_manager", staff_no=staff_no)
        if staff is None or not staff.active or not verify_pin(pin, staff.pin_hash):
            raise self._refused(staff_no)
        with self._lock:
            self._failures.pop(staff_no, None)
            self._grants[staff.id] = self._clock.now() + APPROVAL_VALID_FOR
        log.info("manager %s approved an override", staff.staff_no)
        return StaffView(id=staff.id, staff_no=staff.staff_no, name=staff.name, role=staff.role)

    def redeem(self, manager_id: str) -> None:
        """Use up the approval ``manager_id`` gave; UserError ``approval.required`` when there
        is none (never given, already used, or lapsed)."""
        with self._lock:
            lapses = self._grants.pop(manager_id, None)
        if lapses is None or self._clock.now() > lapses:
            raise UserError("approval.required")

    def _refused(self, staff_no: str) -> UserError:
        with self._lock:
            failures = self._failures.get(staff_no, 0) + 1
            self._failures[staff_no] = failures
        log.info("approval refused for staff number %s (%d failures)", staff_no, failures)
        if failures >= MAX_FAILED_LOGINS:
            return UserError("auth.locked")
        return UserError("auth.wrong_pin", left=MAX_FAILED_LOGINS - failures)
