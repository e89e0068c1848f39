"""The manager approval dialog: staff number and PIN typed at the till; a wrong PIN or a
cashier's number is said inline and approves nothing; a manager's PIN approves, and the
"no sale" drawer opening that follows is audited (the flow the sale screen's key runs)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from hardware.wiring import build_printer
from pos_app.bootstrap import Core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import PrinterConfig
from pos_app.errors import UserError
from pos_app.i18n import Catalog
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.demo_store import DEMO_STAFF
from pos_app.persistence.models import AuditRow, EventRow
from pos_app.persistence.repositories.journal import AuditLog
from pos_app.persistence.repositories.staff import StaffRepository
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.approvals import ApprovalService
from pos_app.services.drawer import NO_SALE, DrawerOpening, DrawerService
from pos_app.services.views import StaffView
from ui.input.scan_filter import NO_SCAN_PROPERTY
from ui.manager.approval_dialog import ApprovalDialog, approval_message
from ui.tasks import TaskRunner

CASHIER, MANAGER = DEMO_STAFF[0], DEMO_STAFF[2]  # 1001/1234 王芳, 9001/9999 张经理


@pytest.fixture
def approvals(core: Core, bus: EventBus, clock: FixedClock) -> ApprovalService:
    sessions = make_session_factory(core.engine)
    return ApprovalService(lambda: UnitOfWork(sessions, bus, core.site), clock)


@pytest.fixture
def dialog(
    qtbot: QtBot, approvals: ApprovalService, tasks: TaskRunner, catalog: Catalog
) -> ApprovalDialog:
    shown = ApprovalDialog(
        approvals=approvals,
        tasks=tasks,
        catalog=catalog,
        action=catalog.text("manager.no_sale.action"),
    )
    qtbot.addWidget(shown)
    shown.open()
    qtbot.waitExposed(shown)
    return shown


@pytest.fixture
def approved(dialog: ApprovalDialog) -> list[StaffView]:
    managers: list[StaffView] = []
    dialog.approved.connect(managers.append)
    return managers


def type_in(qtbot: QtBot, dialog: ApprovalDialog, staff_no: str, pin: str) -> None:
    """Number, Enter, PIN, Enter: as the manager types it."""
    qtbot.keyClicks(dialog.staff_no_edit, staff_no)
    qtbot.keyClick(dialog.staff_no_edit, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.pin_edit, pin)
    qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)


def written(core: Core) -> tuple[int, int]:
    with core.engine.connect() as c:
        return tuple(  # type: ignore[return-value]
            int(c.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (AuditRow, EventRow)
        )


def test_the_dialog_says_what_is_approved_and_hides_the_pin_from_the_scanner(
    dialog: ApprovalDialog,
) -> None:
    assert dialog.windowTitle() == "经理授权"
    assert dialog.pin_edit.echoMode() == dialog.pin_edit.EchoMode.Password
    assert dialog.pin_edit.property(NO_SCAN_PROPERTY) is True
    assert dialog.property(NO_SCAN_PROPERTY) is True
    assert dialog.staff_no_edit.hasFocus()


def test_a_wrong_pin_is_said_inline_clears_the_pin_and_writes_nothing(
    qtbot: QtBot, dialog: ApprovalDialog, approved: list[StaffView], core: Core
) -> None:
    before = written(core)

    type_in(qtbot, dialog, MANAGER.staff_no, "1111")
    qtbot.waitUntil(lambda: dialog.message_text() != "")

    assert dialog.message_text() == "工号或密码错误，还可尝试 4 次"
    assert dialog.pin_edit.text() == "" and dialog.pin_edit.hasFocus()
    assert dialog.isVisible() and approved == []
    assert written(core) == before


def test_a_cashiers_number_is_refused_as_not_a_manager(
    qtbot: QtBot, dialog: ApprovalDialog, approved: list[StaffView]
) -> None:
    type_in(qtbot, dialog, CASHIER.staff_no, CASHIER.pin)
    qtbot.waitUntil(lambda: dialog.message_text() != "")

    assert dialog.message_text() == "工号 1001 不是经理：请经理本人输入工号和密码"
    assert dialog.staff_no_edit.hasFocus() and approved == []


def test_the_managers_pin_approves_and_closes_the_dialog(
    qtbot: QtBot, dialog: ApprovalDialog, approved: list[StaffView]
) -> None:
    type_in(qtbot, dialog, MANAGER.staff_no, "1111")
    qtbot.waitUntil(lambda: dialog.message_text() != "")

    with qtbot.waitSignal(dialog.finished, timeout=3000):
        qtbot.keyClicks(dialog.pin_edit, MANAGER.pin)
        qtbot.keyClick(dialog.pin_edit, Qt.Key.Key_Return)

    assert [(m.name, m.role) for m in approved] == [("张经理", "manager")]
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.pin_edit.text() == ""


def test_esc_cancels_without_approving(
    qtbot: QtBot, dialog: ApprovalDialog, approved: list[StaffView]
) -> None:
    qtbot.keyClicks(dialog.staff_no_edit, MANAGER.staff_no)

    with qtbot.waitSignal(dialog.finished, timeout=3000):
        qtbot.keyClick(dialog.staff_no_edit, Qt.Key.Key_Escape)

    assert dialog.result() == QDialog.DialogCode.Rejected and approved == []


@pytest.fixture
def printer(bus: EventBus, catalog: Catalog, tmp_path: Path) -> Iterator[Any]:
    device = build_printer(PrinterConfig(path="paper.escpos"), bus, catalog, tmp_path)
    yield device
    device.close()  # type: ignore[union-attr]


def test_an_approved_no_sale_opening_is_audited_with_cashier_and_manager(
    qtbot: QtBot,
    dialog: ApprovalDialog,
    approvals: ApprovalService,
    tasks: TaskRunner,
    core: Core,
    bus: EventBus,
    clock: FixedClock,
    printer: Any,
    tmp_path: Path,
) -> None:
    sessions = make_session_factory(core.engine)
    drawer = DrawerService(
        lambda: UnitOfWork(sessions, bus, core.site), clock, printer, approvals=approvals
    )
    with sessions() as session:
        staff = StaffRepository(session).by_staff_no(CASHIER.staff_no)
    assert staff is not None
    cashier_id = staff.id
    opened: list[DrawerOpening] = []
    dialog.approved.connect(
        lambda manager: tasks.store(
            lambda: drawer.open_drawer(NO_SALE, cashier_id, manager.id), then=opened.append
        )
    )

    type_in(qtbot, dialog, MANAGER.staff_no, MANAGER.pin)
    qtbot.waitUntil(lambda: bool(opened))

    with sessions() as session:
        [entry] = AuditLog(session).entries()
    assert json.loads(entry.details)["reason"] == "no sale"
    assert json.loads(entry.details)["cashier"] == cashier_id
    assert opened[0].manager_name == "张经理"
    printer.close()
    assert b"\x1bp" in (tmp_path / "paper.escpos").read_bytes()


def test_refusals_from_this_area_read_as_sentences(catalog: Catalog) -> None:
    assert approval_message(UserError("drawer.unavailable"), catalog) == (
        "本收银台没有钱箱（未配置小票打印机）"
    )
    assert approval_message(UserError("approval.required"), catalog) == (
        "需要经理授权：请经理重新输入密码"
    )
    assert approval_message(UserError("auth.locked"), catalog) == ("该工号已锁定，请经理登录解锁")
