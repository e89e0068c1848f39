"""Order QR round trip: one terminal shows the order's code, another scans it, loads the
order and takes the money; a paid, forged, expired or changed code is refused."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from builders import a_core, a_product, a_store
from sqlalchemy import Engine, insert, select

from pos_app.bootstrap import Core, build_core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import parse_config
from pos_app.domain.money import Money
from pos_app.errors import UserError
from pos_app.persistence.models import OrderRow, TerminalRow
from pos_app.persistence.models.coupons import CouponRow


@pytest.fixture
def shop(engine: Engine) -> Engine:
    a_store(engine)
    with engine.begin() as c:
        c.execute(insert(TerminalRow).values(id="term-2", store_id="store-1", code="T02",
                                             name="2号收银台"))
    return engine


@pytest.fixture
def handheld(shop: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> Core:
    """A shopping guide's handheld (terminal T01) that rings the goods up."""
    return a_core(shop, tmp_path, bus=bus, clock=clock)


@pytest.fixture
def counter(shop: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> Core:
    """The counter till (terminal T02) that takes the money."""
    config = parse_config({"terminal": {"code": "T02"}}, data_dir=tmp_path)
    return build_core(config, bus=bus, clock=clock, printer=None, engine=shop)


def test_shown_at_one_terminal_scanned_and_paid_at_another(
        shop: Engine, handheld: Core, counter: Core) -> None:
    cola = a_product(shop, name="可口可乐 330ml", price="3.50")
    cart = handheld.checkout.open_cart("user-1")
    handheld.checkout.scan(cart.id, cola.barcode)
    handheld.checkout.scan(cart.id, cola.barcode)
    shown = handheld.order_codes.present(cart.id)
    assert shown.amount == Money(7_00) and shown.text.isascii()
    counter.checkout.open_cart("user-1")  # the counter's own, empty cart gives way

    loaded = counter.order_codes.take_over(shown.text, "user-1")
    sale = counter.sales.pay_cash(loaded.id, Money(10_00))

    assert loaded.id == cart.id and loaded.total == Money(7_00)
    assert sale.change == Money(3_00) and sale.order_number.startswith("T02-")
    with pytest.raises(UserError) as refused:
        counter.order_codes.take_over(shown.text, "user-1")
    assert refused.value.code == "order_qr.already_paid"


def test_a_forged_or_altered_code_is_refused(
        shop: Engine, handheld: Core, counter: Core) -> None:
    cola = a_product(shop, name="可口可乐 330ml", price="3.50")
    cart = handheld.checkout.open_cart("user-1")
    handheld.checkout.scan(cart.id, cola.barcode)
    text = handheld.order_codes.present(cart.id).text
    altered = text[:-1] + ("A" if text[-1] != "A" else "B")
    for bad, code in ((altered, {"order_qr.forged", "order_qr.malformed"}),
                      ("PO1.s1.AAAA.AAAA", {"order_qr.forged", "order_qr.malformed"})):
        with pytest.raises(UserError) as refused:
            counter.order_codes.take_over(bad, "user-1")
        assert refused.value.code in code
    with shop.connect() as c:
        status, terminal = c.execute(select(OrderRow.status, OrderRow.terminal_id)
                                     .where(OrderRow.id == cart.id)).one()
    assert (status, terminal) == ("open", "term-1")  # nothing moved


def test_an_expired_code_is_refused(
        shop: Engine, handheld: Core, counter: Core, clock: FixedClock) -> None:
    cola = a_product(shop, name="可口可乐 330ml", price="3.50")
    cart = handheld.checkout.open_cart("user-1")
    handheld.checkout.scan(cart.id, cola.barcode)
    text = handheld.order_codes.present(cart.id).text
    clock.advance(timedelta(minutes=16))
    with pytest.raises(UserError) as refused:
        counter.order_codes.take_over(text, "user-1")
    assert refused.value.code == "order_qr.expired"


def test_a_code_for_an_order_that_changed_since_is_refused(
        shop: Engine, handheld: Core, counter: Core) -> None:
    cola = a_product(shop, name="可口可乐 330ml", price="3.50")
    cart = handheld.checkout.open_cart("user-1")
    handheld.checkout.scan(cart.id, cola.barcode)
    text = handheld.order_codes.present(cart.id).text
    handheld.checkout.scan(cart.id, cola.barcode)  # one more after the code was shown
    with pytest.raises(UserError) as refused:
        counter.order_codes.take_over(text, "user-1")
    assert refused.value.code == "order_qr.changed"


def test_the_counter_must_finish_its_own_sale_first(
        shop: Engine, handheld: Core, counter: Core) -> None:
    cola = a_product(shop, name="可口可乐 330ml", price="3.50")
    cart = handheld.checkout.open_cart("user-1")
    handheld.checkout.scan(cart.id, cola.barcode)
    text = handheld.order_codes.present(cart.id).text
    own = counter.checkout.open_cart("user-1")
    counter.checkout.scan(own.id, cola.barcode)
    with pytest.raises(UserError) as refused:
        counter.order_codes.take_over(text, "user-1")
    assert refused.value.code == "cart.resume_needs_empty"


def test_a_coupon_waiting_on_the_counters_empty_cart_goes_back_when_it_gives_way(
        shop: Engine, handheld: Core, counter: Core, clock: FixedClock) -> None:
    cola = a_product(shop, name="可口可乐 330ml", price="3.50")
    now = clock.now()
    [code] = counter.coupons.generate_batch("满50减10", {
        "kind": "threshold", "amount": "10.00", "min_spend": "50.00",
        "valid_from": (now - timedelta(days=1)).isoformat(),
        "valid_until": (now + timedelta(days=1)).isoformat()}, 1, batch="WAIT")
    own = counter.checkout.open_cart("user-1")
    waiting = counter.checkout.add_coupon(own.id, code)
    assert waiting.coupons[0].refusal == "coupon.no_eligible_goods"  # held, waiting for goods
    cart = handheld.checkout.open_cart("user-1")
    handheld.checkout.scan(cart.id, cola.barcode)

    counter.order_codes.take_over(handheld.order_codes.present(cart.id).text, "user-1")

    with shop.connect() as c:
        state = c.execute(select(CouponRow.state).where(CouponRow.batch == "WAIT")).scalar()
    assert state == "issued"
