"""Returns and refunds by original sale, on SQLite and PostgreSQL: what goes back to which
tender, points and coupons, stock, the audit; refused without a manager or a second time."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from builders import SALT, BuiltProduct, a_core, a_product, a_store, stock_of
from escpos_decode import decode
from sqlalchemy import Engine, func, insert, select, text

from backends.payments.router import PaymentRouter
from backends.sandbox import SandboxConfig, SandboxServer, pos_settings, serve
from backends.sandbox.keys import SandboxKeys, ensure_keys
from backends.sandbox.magic import Scenario, make_code
from backends.wiring import build_gateways
from hardware.wiring import build_printer
from pos_app.bootstrap import Core, build_core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import PrinterConfig, parse_config
from pos_app.domain.audit import verify_chain
from pos_app.domain.money import Money
from pos_app.domain.payment_codes import Provider
from pos_app.domain.pricing import CouponState
from pos_app.domain.pricing.formats import promotion_from_dict
from pos_app.domain.staff import hash_pin
from pos_app.errors import UserError
from pos_app.i18n import load_catalog
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.models import OrderLineRow, OrderRow, PaymentRow, UserRow
from pos_app.persistence.repositories.coupons import CouponRepository
from pos_app.persistence.repositories.journal import AuditLog
from pos_app.persistence.repositories.promotions import PromotionRepository
from pos_app.persistence.repositories.returns import ReturnRepository
from pos_app.persistence.repositories.stored_value import StoredValueRepository
from pos_app.resources import resources_dir
from pos_app.services.refund_views import ReturnView
from pos_app.services.tendering import OtherTenders

CASHIER, MANAGER = "user-1", "user-9"


@pytest.fixture
def store(engine: Engine) -> Engine:
    a_store(engine)
    return engine


def approve(core: Core, staff_no: str = "9001", pin: str = "9999") -> str:
    return core.approvals.approve(staff_no, pin).id


def a_member(core: Core, *, stored: str = "0") -> str:
    member = core.members.join("13812345678", "李刚")
    if stored != "0":
        core.members.top_up(member.id, Money.parse(stored), cashier_id=CASHIER)
    return member.id


def half_price_second(engine: Engine, product: BuiltProduct, clock: FixedClock) -> None:
    promotion = promotion_from_dict({
        "id": "P-2ND", "name": "第二件半价", "scope": {"skus": [product.sku]},
        "reward": {"kind": "nth_item_off", "nth": 2, "percent": "50"}})
    with make_session_factory(engine)() as session:
        PromotionRepository(session).upsert([(promotion, True)], clock.now())
        session.commit()


def a_sale(core: Core, scans: list[str], *, member: str | None = None,
           coupon: str | None = None, cash: str = "100.00",
           others: OtherTenders | None = None) -> str:
    cart = core.checkout.open_cart(CASHIER).id
    if member is not None:
        core.checkout.set_member(cart, member)
    for code in scans:
        core.checkout.scan(cart, code)
    if coupon is not None:
        core.checkout.add_coupon(cart, coupon)
    return core.sales.complete(cart, cash=Money.parse(cash),
                               others=others or OtherTenders()).order_number


def rows(engine: Engine, query: str, **params: object) -> list[tuple[object, ...]]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text(query), params)]


def audit_actions(engine: Engine) -> list[tuple[str, dict[str, object]]]:
    with make_session_factory(engine)() as session:
        entries = list(AuditLog(session).entries())
    assert verify_chain(entries) is None
    return [(e.action, json.loads(e.details)) for e in entries]


def test_a_whole_cash_sale_with_a_promotion_and_a_coupon_goes_back_whole(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    cola = a_product(store, name="可口可乐 330ml", price="4.00", stock=10)
    chips = a_product(store, name="乐事薯片 70g", price="10.00", stock=5)
    half_price_second(store, cola, clock)
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    member = a_member(core)
    [coupon] = core.coupons.generate_batch("现金券5元", {
        "kind": "cash", "amount": "5.00", "valid_from": (clock.now() - timedelta(days=1))
        .isoformat(), "valid_until": (clock.now() + timedelta(days=30)).isoformat()}, 1,
        member_ids=[member], batch="RF")
    number = a_sale(core, [cola.barcode, cola.barcode, chips.barcode], member=member,
                    coupon=coupon, cash="20.00")
    assert core.members.summary(member).points == 11  # ¥16.00 less the ¥5 coupon

    sale = core.refunds.find_sale(number)
    assert sale.total == Money(11_00) and sale.coupons == ("现金券5元",)
    assert [(line.name, line.returnable) for line in sale.lines] == [
        ("可口可乐 330ml", 2), ("乐事薯片 70g", 1)]
    assert any(s.reason for s in sale.lines[0].savings)  # the half price, explained
    picks = [(line.line_id, line.returnable) for line in sale.lines]
    preview = core.refunds.preview(number, picks)
    assert (preview.total, preview.cash, preview.whole_sale) == (Money(11_00), Money(11_00), True)
    assert preview.points_taken_back == 11 and preview.coupons_given_back == ("现金券5元",)

    done = core.refunds.refund(number, picks, cashier_id=CASHIER, manager_id=approve(core))

    assert done.return_number == "T01-20261124-0002" and done.manager_name == "张经理"
    assert core.members.summary(member).points == 0
    assert stock_of(store, cola.id) == 10 and stock_of(store, chips.id) == 5
    with make_session_factory(store)() as session:
        assert CouponRepository(session).state_of("RF-1") is CouponState.ISSUED
    assert rows(store, "SELECT kind, total_fen, original_order_id IS NOT NULL FROM orders "
                       "WHERE order_number = :n", n=done.return_number) == [
        ("return", -11_00, True)]
    assert rows(store, "SELECT method, amount_fen, state FROM payments WHERE order_id = :o",
                o=done.return_id) == [("cash", -11_00, "refunded")]
    actions = audit_actions(store)
    returned = [d for a, d in actions if a == "sale.returned"]
    assert len(returned) == 1 and returned[0]["manager"] == MANAGER
    assert returned[0]["total_fen"] == 11_00
    assert ("coupon.released", {"coupon": "RF-1", "return": done.return_id}) in actions
    assert actions[-1][0] == "drawer.opened"

    with pytest.raises(UserError) as again:
        core.refunds.refund(number, picks, cashier_id=CASHIER, manager_id=approve(core))
    assert again.value.code == "refund.nothing_left"


def test_a_stored_value_and_cash_sale_gives_stored_value_back_first(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    rice = a_product(store, name="五常大米 5kg", price="40.00", stock=10)
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    member = a_member(core, stored="50.00")
    number = a_sale(core, [rice.barcode, rice.barcode], member=member, cash="30.00",
                    others=OtherTenders(stored_value=Money(50_00)))
    line = core.refunds.find_sale(number).lines[0]

    first = core.refunds.refund(number, [(line.line_id, 1)], cashier_id=CASHIER,
                                manager_id=approve(core))

    assert [(t.method, t.amount) for t in first.preview.tenders] == [
        ("stored_value", Money(40_00))]
    assert core.members.summary(member).stored_value == Money(40_00)
    assert stock_of(store, rice.id) == 9
    assert core.refunds.find_sale(number).lines[0].returnable == 1

    second = core.refunds.refund(number, [(line.line_id, 1)], cashier_id=CASHIER,
                                 manager_id=approve(core))

    assert [(t.method, t.amount) for t in second.preview.tenders] == [
        ("stored_value", Money(10_00)), ("cash", Money(30_00))]
    assert core.members.summary(member).stored_value == Money(50_00)
    with make_session_factory(store)() as session:
        sale_id = core.refunds.find_sale(number).id
        assert StoredValueRepository(session).paid_for_order(sale_id) == Money(0)
    assert core.refunds.find_sale(number).earlier_returns == (
        first.return_number, second.return_number)


def test_points_go_back_as_points_and_a_card_is_refunded_on_its_terminal(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    tea = a_product(store, name="东方树叶 500ml", price="5.00")
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    member = a_member(core)
    with store.begin() as c:
        c.execute(text("UPDATE members SET points = 1000 WHERE id = :m"), {"m": member})
    number = a_sale(core, [tea.barcode] * 4, member=member, cash="0",
                    others=OtherTenders(points=1000, card=(Money(10_00), "a1b2c3")))
    tea_line = core.refunds.find_sale(number).lines[0]
    assert core.members.summary(member).points == 10  # 1000 spent, 10 earned on the card

    back = core.refunds.refund(number, [(tea_line.line_id, 3)], cashier_id=CASHIER,
                               manager_id=approve(core))

    assert [(t.method, t.amount, t.points, t.reference) for t in back.preview.tenders] == [
        ("bank_card", Money(10_00), 0, "A1B2C3"), ("points", Money(5_00), 500, None)]
    # 500 points back; 7 of the 10 earned taken back (¥15 of ¥20, rounded down)
    assert back.points_taken_back == 7
    assert core.members.summary(member).points == 10 + 500 - 7
    assert rows(store, "SELECT method, amount_fen, state, reference, points FROM payments "
                       "WHERE order_id = :o ORDER BY method", o=back.return_id) == [
        ("bank_card", -10_00, "card_terminal", "A1B2C3", 0),
        ("points", -5_00, "refunded", member, -500)]


def test_a_refund_without_a_managers_approval_is_refused_and_writes_nothing(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    water = a_product(store, name="农夫山泉 550ml", price="2.00")
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    number = a_sale(core, [water.barcode])
    line = core.refunds.find_sale(number).lines[0]
    before = rows(store, "SELECT count(*) FROM orders")

    for manager in (MANAGER, CASHIER):
        with pytest.raises(UserError) as refused:
            core.refunds.refund(number, [(line.line_id, 1)], cashier_id=CASHIER,
                                manager_id=manager)
        assert refused.value.code == "approval.required"
    manager_id = approve(core)
    core.refunds.refund(number, [(line.line_id, 1)], cashier_id=CASHIER, manager_id=manager_id)
    with pytest.raises(UserError) as used_up:  # one approval, one refund
        core.refunds.refund(number, [(line.line_id, 1)], cashier_id=CASHIER,
                            manager_id=manager_id)
    assert used_up.value.code == "approval.required"
    assert rows(store, "SELECT count(*) FROM orders") == [(before[0][0] + 1,)]


def test_unknown_numbers_and_returns_are_not_sales(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    water = a_product(store, name="农夫山泉 550ml", price="2.00")
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    number = a_sale(core, [water.barcode])
    line = core.refunds.find_sale(number.lower()).lines[0]
    back = core.refunds.refund(number, [(line.line_id, 1)], cashier_id=CASHIER,
                               manager_id=approve(core))
    for typed, code in (("T01-20261124-0099", "refund.unknown_order"),
                        (back.return_number, "refund.not_a_sale")):
        with pytest.raises(UserError) as refused:
            core.refunds.find_sale(typed)
        assert refused.value.code == code


def test_one_line_returned_from_two_tills_at_once_goes_back_once(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    cola = a_product(store, name="可口可乐 330ml", price="3.50", stock=10)
    with store.begin() as c:
        c.execute(insert(UserRow).values(id="user-8", store_id="store-1", staff_no="9002",
                                         name="李经理", role="manager",
                                         pin_hash=hash_pin("8888", SALT, 1000)))
    tills = [a_core(store, tmp_path / str(n), bus=bus, clock=clock) for n in range(2)]
    number = a_sale(tills[0], [cola.barcode, cola.barcode])
    line = tills[0].refunds.find_sale(number).lines[0]
    managers = [approve(tills[0]), approve(tills[1], "9002", "8888")]
    start = threading.Barrier(2)
    done: list[ReturnView] = []
    refused: list[str] = []

    def give_back(n: int) -> None:
        start.wait()
        try:
            done.append(tills[n].refunds.refund(number, [(line.line_id, 2)],
                                                cashier_id=CASHIER, manager_id=managers[n]))
        except UserError as error:
            refused.append(error.code)

    threads = [threading.Thread(target=give_back, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(done) == 1 and refused in (["refund.nothing_left"], ["refund.more_than_left"])
    assert stock_of(store, cola.id) == 10
    with store.connect() as c:
        assert c.execute(select(func.count()).select_from(OrderRow)
                         .where(OrderRow.kind == "return")).scalar_one() == 1
        assert c.execute(select(OrderLineRow.returned_quantity)
                         .where(OrderLineRow.id == line.line_id)).scalar_one() == 2
        assert c.execute(select(func.sum(PaymentRow.amount_fen))).scalar_one() == 0


def test_the_database_refuses_more_back_than_the_line_had(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    cola = a_product(store, name="可口可乐 330ml", price="3.50")
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    number = a_sale(core, [cola.barcode])
    line_id = core.refunds.find_sale(number).lines[0].line_id
    with make_session_factory(store)() as session:
        returns = ReturnRepository(session)
        assert returns.take_back(line_id, 2) is False
        assert returns.take_back(line_id, 1) is True
        assert returns.take_back(line_id, 1) is False
        session.commit()


# --- a wallet tender, refunded through the sandbox ---------------------------------------------

@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    keys: SandboxKeys = ensure_keys(tmp_path_factory.mktemp("refund-sandbox-keys"))
    server = serve("127.0.0.1", 0, keys.folder, SandboxConfig(refund_settle_s=1.0))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def router(sandbox: SandboxServer) -> Iterator[PaymentRouter]:
    built = build_gateways(pos_settings(sandbox.url, sandbox.keys, read_timeout_s=1.5))
    yield built
    built.close()


@pytest.mark.parametrize("provider", [Provider.WECHAT_PAY, Provider.ALIPAY],
                         ids=["wechat", "alipay"])
def test_a_wallet_tender_is_refunded_by_the_provider_under_one_refund_number(
        store: Engine, tmp_path: Path, clock: FixedClock, sandbox: SandboxServer,
        router: PaymentRouter, provider: Provider) -> None:
    rice = a_product(store, name="五常大米 1kg", price="12.34")
    core = build_core(parse_config({}, data_dir=tmp_path), bus=EventBus(), clock=clock,
                      printer=None, engine=store, gateways=router)
    assert core.payments is not None
    cart = core.checkout.open_cart(CASHIER).id
    for _ in range(2):
        core.checkout.scan(cart, rice.barcode)
    paid = core.payments.pay_by_code(cart, make_code(provider, Scenario.PAYS_AT_ONCE))
    assert paid.sale is not None
    line = core.refunds.find_sale(paid.sale.order_number).lines[0]

    view = core.refunds.refund(paid.sale.order_number, [(line.line_id, 1)],
                               cashier_id=CASHIER, manager_id=approve(core))
    assert [(r.amount, r.state) for r in view.wallet] == [(Money(12_34), "requested")]
    for _ in range(20):
        view = core.refunds.settle(view)
        if view.done:
            break
        seconds = max(0.5, math.ceil(view.next_check_in_s * 1000) / 1000)
        clock.advance(timedelta(seconds=seconds))
        sandbox.advance(seconds)

    assert view.done and [r.state for r in view.wallet] == ["succeeded"]
    assert sandbox.ledger.net_fen(paid.out_trade_no) == 12_34
    assert sandbox.ledger.double_charges() == []
    [out_refund_no] = [r.out_refund_no for r in view.wallet]
    assert rows(store, "SELECT method, amount_fen, state, reference, provider FROM payments "
                       "WHERE order_id = :o", o=view.return_id) == [
        (paid.kind, -12_34, "refund_requested", out_refund_no, provider.value)]


def test_a_cash_refund_prints_its_slip_which_opens_the_drawer(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    water = a_product(store, name="农夫山泉 550ml", price="2.00")
    catalog = load_catalog(resources_dir() / "i18n", "zh_CN")
    printer = build_printer(PrinterConfig(path="paper.escpos"), bus, catalog, tmp_path)
    try:
        core = build_core(parse_config({}, data_dir=tmp_path), bus=bus, clock=clock,
                          printer=printer, engine=store)  # type: ignore[arg-type]
        number = a_sale(core, [water.barcode], cash="2.00")
        paper = tmp_path / "paper.escpos"
        line = core.refunds.find_sale(number).lines[0]

        back = core.refunds.refund(number, [(line.line_id, 1)], cashier_id=CASHIER,
                                   manager_id=approve(core))
    finally:
        printer.close()  # type: ignore[union-attr]

    printed = decode(paper.read_bytes(), "gb18030")
    sale, slip = printed.all_text.split("测试门店\n")[1:]  # the sale's receipt, then the slip
    assert f"单号：{back.return_number}" in slip and number in slip
    assert "现金                                     -￥2.00" in slip  # what went back
    assert "-￥" not in sale
    assert "销售小票" in sale and "退货单" in slip and "销售小票" not in slip
    assert len(printed.drawer_kicks) == 4  # two pins, for the sale and for the refund
    assert rows(store, "SELECT state FROM print_jobs WHERE id = :j",
                j=back.print_job_id) == [("printed",)]


def test_weighed_goods_go_back_whole_with_their_grams(
        store: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> None:
    apples = a_product(store, name="红富士苹果", price="12.80", weighed=True, plu="101",
                       stock=10_000)
    core = a_core(store, tmp_path, bus=bus, clock=clock)
    cart = core.checkout.open_cart(CASHIER).id
    core.checkout.add_product(cart, apples.sku, grams=532)
    number = core.sales.pay_cash(cart, Money(10_00)).order_number
    line = core.refunds.find_sale(number).lines[0]
    assert (line.weighed, line.paid, stock_of(store, apples.id)) == (True, Money(6_81), 9_468)

    back = core.refunds.refund(number, [(line.line_id, 1)], cashier_id=CASHIER,
                               manager_id=approve(core))

    assert back.preview.total == Money(6_81) and stock_of(store, apples.id) == 10_000
    assert rows(store, "SELECT quantity, grams, amount_fen FROM order_lines WHERE order_id = :o",
                o=back.return_id) == [(-1, -532, -6_81)]
