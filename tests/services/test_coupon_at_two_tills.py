"""One single-use coupon scanned at two tills at the same moment: exactly one cart holds it,
the other is told it is used; removed from the cart it is free again. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from builders import a_core, a_product, a_store
from sqlalchemy import Engine, insert, text

from pos_app.bootstrap import Core, build_core
from pos_app.bus import EventBus
from pos_app.clock import FixedClock
from pos_app.config import parse_config
from pos_app.errors import UserError
from pos_app.persistence.models import TerminalRow


@pytest.fixture
def tills(engine: Engine, tmp_path: Path, bus: EventBus, clock: FixedClock) -> list[Core]:
    a_store(engine)
    with engine.begin() as c:
        store_id = c.execute(text("SELECT store_id FROM terminals WHERE code = 'T01'")).scalar()
        c.execute(insert(TerminalRow).values(id="t2", store_id=store_id, code="T02", name=""))
    return [a_core(engine, tmp_path, bus=bus, clock=clock),
            build_core(parse_config({"terminal": {"code": "T02"}}, data_dir=tmp_path),
                       bus=EventBus(), clock=clock, printer=None, engine=engine)]


def test_one_coupon_at_two_tills_at_once_is_held_by_exactly_one(
        engine: Engine, tills: list[Core], clock: FixedClock) -> None:
    rice = a_product(engine, name="五常大米 5kg", price="80.00")
    now = clock.now()
    for round_no in range(10):
        [code] = tills[0].coupons.generate_batch("满50减10", {
            "kind": "threshold", "amount": "10.00", "min_spend": "50.00",
            "valid_from": (now - timedelta(days=1)).isoformat(),
            "valid_until": (now + timedelta(days=1)).isoformat()}, 1, batch=f"RACE{round_no}")
        carts = []
        for till in tills:
            cart = till.checkout.open_cart("user-1")
            till.checkout.scan(cart.id, rice.barcode)
            carts.append(cart.id)
        start, outcomes = threading.Barrier(2), []

        def present(till: Core, cart_id: str, start: threading.Barrier = start,
                    outcomes: list[str] = outcomes, code: str = code) -> None:
            start.wait()
            try:
                view = till.checkout.add_coupon(cart_id, code)
                outcomes.append(f"saved {view.savings.yuan_text()}")
            except UserError as error:
                outcomes.append(error.code)

        threads = [threading.Thread(target=present, args=pair)
                   for pair in zip(tills, carts, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes) == ["coupon.already_used", "saved 10.00"]

        holder = 0 if tills[0].checkout.current(carts[0]).coupons else 1
        other = 1 - holder
        coupon_id = tills[holder].checkout.current(carts[holder]).coupons[0].id
        tills[holder].checkout.remove_coupon(carts[holder], coupon_id)
        assert tills[other].checkout.add_coupon(carts[other], code).savings.fen == 10_00
        for till, cart_id in zip(tills, carts, strict=True):
            till.sales.complete(cart_id, cash=till.checkout.current(cart_id).total)
        with engine.connect() as c:
            state, order = c.execute(text(
                "SELECT state, redeemed_order_id FROM coupons WHERE batch = :b"),
                {"b": f"RACE{round_no}"}).one()
        assert (state, order) == ("redeemed", carts[other])
