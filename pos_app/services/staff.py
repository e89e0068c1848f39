"""StaffService: PIN login with a lock-out after repeated failures.

A wrong PIN changes nothing in the database: the failure count lives in this process, and a
locked staff number stays locked until a manager logs in on this terminal or the app restarts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from pos_app.bus import EventBus
from pos_app.clock import Clock
from pos_app.domain.staff import verify_pin
from pos_app.errors import UserError
from pos_app.events import UserLoggedIn
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.views import StaffView

log = logging.getLogger(__name__)

MAX_FAILED_LOGINS = 5


class StaffService:
    def __init__(self, uow: Callable[[], UnitOfWork], clock: Clock, bus: EventBus) -> None:
        self._uow = uow
        self._clock = clock
        self._bus = bus
        self._failures: dict[str, int] = {}

    def login(self, staff_no: str, pin: str) -> StaffView:
        staff_no = staff_no.strip()
        if not staff_no or not pin:
            raise UserError("auth.missing")
        if self._failures.get(staff_no, 0) >= MAX_FAILED_LOGINS:
            raise UserError("auth.locked")
        with self._uow() as uow:
            staff = uow.staff.by_staff_no(staff_no)
            if staff is None or not staff.active or not verify_pin(pin, staff.pin_hash):
                failures = self._failures.get(staff_no, 0) + 1
                self._failures[staff_no] = failures
                log.info("login refused for staff number %s (%d failures)", staff_no, failures)
                if failures >= MAX_FAILED_LOGINS:
                    raise UserError("auth.locked")
                raise UserError("auth.wrong_pin", left=MAX_FAILED_LOGINS - failures)
            uow.journal.append("staff.login", self._clock.now(), payload={"staff": staff.id})
            uow.record(UserLoggedIn(staff.id, uow.site.terminal_code))
            uow.commit()
        self._failures.pop(staff_no, None)
        if staff.role == "manager":
            self._failures.clear()
        return StaffView(id=staff.id, staff_no=staff.staff_no, name=staff.name, role=staff.role)
