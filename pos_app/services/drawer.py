"""DrawerService: open the cash drawer outside a sale ("no sale"), only with a manager's approval.

The opening is written first, in one transaction: a ``drawer.opened`` entry on the
hash-chained audit log naming the reason, the cashier who asked and the manager who approved,
and the same fact in the event journal for the shift's figures. Only after the commit is the
drawer kicked, so the drawer never opens without its audit entry. The kick itself returns at
once (the printer's thread sends it); an unplugged printer is logged by the adapter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pos_app.clock import Clock
from pos_app.domain.staff import Role
from pos_app.errors import UserError
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.ports.printing import CashDrawer
from pos_app.services.approvals import ApprovalService

log = logging.getLogger(__name__)

NO_SALE = "no sale"
"""The reason recorded when the drawer opens without a sale."""

DRAWER_TEST = "diagnostics test"
"""The reason recorded when IT tests the drawer from the diagnostics screen."""


@dataclass(frozen=True, slots=True)
class DrawerOpening:
    """What was recorded: when, why, who asked and who approved (by id and name)."""

    at: datetime
    reason: str
    cashier_id: str
    manager_id: str
    manager_name: str
    audit_seq: int


class DrawerService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        drawer: CashDrawer | None,
        *,
        approvals: ApprovalService,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._drawer = drawer
        self._approvals = approvals

    @property
    def available(self) -> bool:
        """False when this terminal has no drawer (no receipt printer to kick it)."""
        return self._drawer is not None

    def open_drawer(self, reason: str, cashier_id: str, manager_id: str) -> DrawerOpening:
        """Record the opening, then kick the drawer. UserError ``drawer.unavailable`` without
        a drawer, ``approval.required`` unless ``manager_id`` approved it just before (the
        approval is used up). ``reason`` is stored as given (``NO_SALE``)."""
        if self._drawer is None:
            raise UserError("drawer.unavailable")
        if not reason.strip():
            raise ValueError("a drawer opening needs a reason")
        self._approvals.redeem(manager_id)
        opening = self._record(reason, cashier_id, manager_id)
        self._drawer.open_drawer()
        log.info("drawer opened (%s) by %s, approved by %s", reason, cashier_id, manager_id)
        return opening

    def _record(self, reason: str, cashier_id: str, manager_id: str) -> DrawerOpening:
        now = self._clock.now()
        with self._uow() as uow:
            cashier = uow.staff.by_id(cashier_id)
            manager = uow.staff.by_id(manager_id)
            if cashier is None or not cashier.active:
                raise ValueError(f"no active staff with id {cashier_id!r}")
            if manager is None or not manager.active or manager.role != Role.MANAGER:
                raise UserError("approval.required")
            terminal = uow.site.terminal_code
            details = {
                "reason": reason,
                "cashier": cashier_id,
                "manager": manager_id,
                "terminal": terminal,
            }
            entry = uow.audit.append(
                now, actor_id=cashier_id, action="drawer.opened", subject=terminal, details=details
            )
            uow.journal.append("drawer.opened", now, payload=details)
            uow.commit()
        return DrawerOpening(
            at=now,
            reason=reason,
            cashier_id=cashier_id,
            manager_id=manager_id,
            manager_name=manager.name,
            audit_seq=entry.seq,
        )
