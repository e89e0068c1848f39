"""A "no sale" drawer opening needs a manager's PIN, is written to the audit log first and only
then kicks the drawer; a wrong PIN, a cashier's PIN or a used-up approval opens nothing and
writes nothing. On SQLite and PostgreSQL, with the real ESC/POS printer writing to a file."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from builders import a_store
from escpos_decode import DrawerKick, decode
from sqlalchemy import Engine, func, select

from hardware.printer.escpos_printer import EscposReceiptPrinter
from hardware.wiring import build_printer
from pos_app.bootstrap import find_site
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import PrinterConfig, parse_config
from pos_app.domain.audit import AuditEntry, verify_chain
from pos_app.errors import UserError
from pos_app.i18n import load_catalog
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.models import AuditRow, EventRow
from pos_app.persistence.repositories.journal import AuditLog
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.resources import resources_dir
from pos_app.services.approvals import APPROVAL_VALID_FOR, ApprovalService
from pos_app.services.drawer import NO_SALE, DrawerService

CASHIER_ID, MANAGER_ID = "user-1", "user-9"  # 1001/1234 王芳, 9001/9999 张经理 (builders)
BOTH_PINS = [DrawerKick(2, 100, 100), DrawerKick(5, 100, 100)]


@pytest.fixture
def uow(engine: Engine, bus: EventBus, tmp_path: Path) -> Callable[[], UnitOfWork]:
    a_store(engine)
    sessions = make_session_factory(engine)
    _, site = find_site(sessions, parse_config({}, data_dir=tmp_path))
    return lambda: UnitOfWork(sessions, bus, site)


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    return tmp_path / "printer.escpos"


@pytest.fixture
def printer(paper: Path, bus: EventBus, tmp_path: Path) -> Iterator[EscposReceiptPrinter]:
    catalog = load_catalog(resources_dir() / "i18n", "zh_CN")
    device = build_printer(PrinterConfig(path=str(paper)), bus, catalog, tmp_path)
    assert isinstance(device, EscposReceiptPrinter)
    yield device
    device.close()


@pytest.fixture
def approvals(uow: Callable[[], UnitOfWork], clock: FixedClock) -> ApprovalService:
    return ApprovalService(uow, clock)


@pytest.fixture
def drawer(
    uow: Callable[[], UnitOfWork],
    clock: FixedClock,
    printer: EscposReceiptPrinter,
    approvals: ApprovalService,
) -> DrawerService:
    return DrawerService(uow, clock, printer, approvals=approvals)


def kicks(printer: EscposReceiptPrinter, paper: Path) -> list[DrawerKick]:
    """Every drawer pulse the printer was sent (closing it first lets queued work finish)."""
    printer.close()
    return decode(paper.read_bytes(), "gb18030").drawer_kicks if paper.exists() else []


def audit(engine: Engine) -> list[AuditEntry]:
    with make_session_factory(engine)() as session:
        return list(AuditLog(session).entries())


def rows(engine: Engine) -> tuple[int, int]:
    """(audit entries, journal events): what a refusal must leave untouched."""
    with engine.connect() as c:
        return tuple(  # type: ignore[return-value]
            int(c.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (AuditRow, EventRow)
        )


def test_an_approved_no_sale_opening_is_audited_with_both_people_and_kicks_the_drawer(
    engine: Engine,
    approvals: ApprovalService,
    drawer: DrawerService,
    printer: EscposReceiptPrinter,
    paper: Path,
    clock: FixedClock,
) -> None:
    manager = approvals.approve("9001", "9999")

    opening = drawer.open_drawer(NO_SALE, CASHIER_ID, manager.id)

    assert (manager.name, manager.role) == ("张经理", "manager")
    assert (opening.manager_name, opening.reason, opening.at) == ("张经理", "no sale", clock.now())
    assert kicks(printer, paper) == BOTH_PINS
    assert decode(paper.read_bytes(), "gb18030").lines == []  # a kick prints nothing
    [entry] = audit(engine)
    assert (entry.action, entry.actor_id, entry.subject, entry.seq) == (
        "drawer.opened",
        CASHIER_ID,
        "T01",
        opening.audit_seq,
    )
    assert json.loads(entry.details) == {
        "reason": "no sale",
        "cashier": CASHIER_ID,
        "manager": MANAGER_ID,
        "terminal": "T01",
    }
    assert verify_chain(audit(engine)) is None
    with engine.connect() as c:
        assert c.execute(select(EventRow.kind)).scalars().all() == ["drawer.opened"]


def test_each_opening_needs_its_own_approval_and_the_chain_holds_over_several(
    engine: Engine,
    approvals: ApprovalService,
    drawer: DrawerService,
    printer: EscposReceiptPrinter,
    paper: Path,
) -> None:
    drawer.open_drawer(NO_SALE, CASHIER_ID, approvals.approve("9001", "9999").id)

    with pytest.raises(UserError) as refused:
        drawer.open_drawer(NO_SALE, CASHIER_ID, MANAGER_ID)
    drawer.open_drawer(NO_SALE, CASHIER_ID, approvals.approve("9001", "9999").id)

    assert refused.value.code == "approval.required"
    assert [entry.seq for entry in audit(engine)] == [1, 2]
    assert verify_chain(audit(engine)) is None
    assert kicks(printer, paper) == BOTH_PINS * 2


def test_a_wrong_pin_is_refused_and_writes_and_opens_nothing(
    engine: Engine,
    approvals: ApprovalService,
    drawer: DrawerService,
    printer: EscposReceiptPrinter,
    paper: Path,
) -> None:
    before = rows(engine)

    with pytest.raises(UserError) as wrong:
        approvals.approve("9001", "1111")
    with pytest.raises(UserError) as unapproved:
        drawer.open_drawer(NO_SALE, CASHIER_ID, MANAGER_ID)

    assert (wrong.value.code, wrong.value.params) == ("auth.wrong_pin", {"left": 4})
    assert unapproved.value.code == "approval.required"
    assert rows(engine) == before
    assert kicks(printer, paper) == []


def test_a_cashier_cannot_approve_even_with_their_own_right_pin(
    engine: Engine, approvals: ApprovalService
) -> None:
    before = rows(engine)

    with pytest.raises(UserError) as refused:
        approvals.approve("1001", "1234")

    assert (refused.value.code, refused.value.params) == (
        "approval.not_manager",
        {"staff_no": "1001"},
    )
    assert rows(engine) == before


def test_an_unknown_staff_number_or_an_empty_pin_is_refused_like_at_login(
    approvals: ApprovalService,
) -> None:
    with pytest.raises(UserError) as unknown:
        approvals.approve("7777", "9999")
    with pytest.raises(UserError) as empty:
        approvals.approve("9001", "")

    assert unknown.value.code == "auth.wrong_pin"
    assert empty.value.code == "auth.missing"


def test_five_wrong_pins_lock_the_manager_number_even_for_the_right_pin(
    approvals: ApprovalService,
) -> None:
    codes = []
    for _ in range(5):
        with pytest.raises(UserError) as wrong:
            approvals.approve("9001", "0000")
        codes.append(wrong.value.code)
    with pytest.raises(UserError) as locked:
        approvals.approve("9001", "9999")

    assert codes == ["auth.wrong_pin"] * 4 + ["auth.locked"]
    assert locked.value.code == "auth.locked"


def test_an_approval_not_used_within_two_minutes_lapses(
    engine: Engine,
    approvals: ApprovalService,
    drawer: DrawerService,
    printer: EscposReceiptPrinter,
    paper: Path,
    clock: FixedClock,
) -> None:
    manager = approvals.approve("9001", "9999")
    clock.advance(APPROVAL_VALID_FOR + timedelta(seconds=1))

    with pytest.raises(UserError) as lapsed:
        drawer.open_drawer(NO_SALE, CASHIER_ID, manager.id)

    assert lapsed.value.code == "approval.required"
    assert audit(engine) == []
    assert kicks(printer, paper) == []


def test_the_drawer_stays_shut_when_its_opening_cannot_be_recorded(
    engine: Engine,
    approvals: ApprovalService,
    drawer: DrawerService,
    printer: EscposReceiptPrinter,
    paper: Path,
) -> None:
    manager = approvals.approve("9001", "9999")

    with pytest.raises(ValueError, match="no active staff"):
        drawer.open_drawer(NO_SALE, "nobody", manager.id)

    assert audit(engine) == []
    assert kicks(printer, paper) == []


def test_a_till_without_a_printer_has_no_drawer_to_open(
    engine: Engine,
    uow: Callable[[], UnitOfWork],
    clock: FixedClock,
    approvals: ApprovalService,
) -> None:
    no_drawer = DrawerService(uow, clock, None, approvals=approvals)
    manager = approvals.approve("9001", "9999")

    with pytest.raises(UserError) as refused:
        no_drawer.open_drawer(NO_SALE, CASHIER_ID, manager.id)

    assert not no_drawer.available
    assert refused.value.code == "drawer.unavailable"
    assert audit(engine) == []
