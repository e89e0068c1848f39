"""The open cart: adding, repeat scans, weighed lines, quantities, voids, suspend, totals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.domain.cart import Cart, CartStatus
from pos_app.domain.catalog import Product, Unit
from pos_app.domain.ids import ProductId
from pos_app.domain.money import Money
from pos_app.errors import UserError
from pos_app.events import ItemScanned, LineVoided


def a_product(sku: str = "S1", price: int = 3_50, *, weighed: bool = False,
              active: bool = True) -> Product:
    return Product(id=ProductId(f"id-{sku}"), sku=sku, name=f"商品{sku}", pinyin="sp",
                   unit=Unit.KG if weighed else Unit.PIECE, list_price=Money(price),
                   member_price=None, tax_rate_bp=1300, category="饮料", weighed=weighed,
                   min_age=None, active=active)


def test_a_repeat_scan_of_the_last_product_adds_to_its_line() -> None:
    cart = Cart.open("T01", "u1")
    cola = a_product("COLA", 3_50)
    cart.add_product(cola)
    cart.add_product(cola)
    assert [(line.sku, line.quantity, line.amount) for line in cart.active_lines()] == [
        ("COLA", 2, Money(7_00))]


def test_a_product_scanned_again_after_another_gets_a_new_line() -> None:
    cart = Cart.open("T01", "u1")
    cola, chips = a_product("COLA"), a_product("CHIPS", 7_50)
    for product in (cola, chips, cola):
        cart.add_product(product)
    assert [line.sku for line in cart.active_lines()] == ["COLA", "CHIPS", "COLA"]
    assert cart.totals().total == Money(14_50)
    assert cart.totals().item_count == 3


def test_a_weighed_line_costs_price_per_kg_times_weight() -> None:
    cart = Cart.open("T01", "u1")
    apples = a_product("APPLE", 12_80, weighed=True)
    line = cart.add_weighed(apples, 532)
    assert (line.grams, line.amount) == (532, Money(681))
    with pytest.raises(UserError) as refused:
        cart.set_quantity(line.id, 2)
    assert refused.value.code == "cart.weighed_quantity"


def test_a_weighed_product_cannot_be_added_as_pieces() -> None:
    cart = Cart.open("T01", "u1")
    with pytest.raises(UserError) as refused:
        cart.add_product(a_product("APPLE", weighed=True))
    assert refused.value.code == "cart.needs_weight"
    assert cart.lines == []


def test_a_voided_line_stays_for_the_record_but_counts_for_nothing() -> None:
    cart = Cart.open("T01", "u1")
    line = cart.add_product(a_product("COLA"))
    cart.add_product(a_product("CHIPS", 7_50))
    cart.void_line(line.id)
    assert len(cart.lines) == 2
    assert cart.totals().total == Money(7_50)
    assert isinstance(cart.take_events()[-1], LineVoided)
    with pytest.raises(UserError):
        cart.void_line(line.id)


@pytest.mark.parametrize("quantity", [0, -1, 1000])
def test_quantities_outside_1_to_999_are_refused(quantity: int) -> None:
    cart = Cart.open("T01", "u1")
    line = cart.add_product(a_product())
    with pytest.raises(UserError) as refused:
        cart.set_quantity(line.id, quantity)
    assert refused.value.code == "cart.bad_quantity"
    assert cart.active_lines()[0].quantity == 1


def test_a_suspended_cart_takes_no_scans_until_resumed() -> None:
    cart = Cart.open("T01", "u1")
    cart.add_product(a_product())
    cart.suspend()
    with pytest.raises(UserError):
        cart.add_product(a_product())
    cart.resume()
    cart.add_product(a_product("OTHER"))
    assert cart.status is CartStatus.OPEN and len(cart.lines) == 2


def test_an_empty_cart_cannot_be_suspended() -> None:
    with pytest.raises(UserError) as refused:
        Cart.open("T01", "u1").suspend()
    assert refused.value.code == "cart.empty"


def test_an_inactive_product_is_refused_by_name() -> None:
    with pytest.raises(UserError) as refused:
        Cart.open("T01", "u1").add_product(a_product(active=False))
    assert refused.value.code == "catalog.inactive"


@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C"]),
                          st.integers(min_value=1, max_value=9)), min_size=1, max_size=40))
def test_total_is_the_sum_of_line_amounts_and_never_negative(scans: list[tuple[str, int]]) -> None:
    prices = {"A": 3_50, "B": 7_50, "C": 1}
    cart = Cart.open("T01", "u1")
    for sku, quantity in scans:
        cart.add_product(a_product(sku, prices[sku]), quantity)
    expected = sum(prices[sku] * quantity for sku, quantity in scans)
    assert cart.totals().total == Money(expected)
    assert sum(line.amount.fen for line in cart.active_lines()) == expected
    assert sum(isinstance(e, ItemScanned) for e in cart.take_events()) == len(scans)


def test_a_price_only_scale_label_is_one_package_at_the_label_price() -> None:
    cart = Cart.open("T01", "u1")
    line = cart.add_priced_label(a_product("APPLE", 12_80, weighed=True), Money(6_81), None)
    assert (line.quantity, line.unit_price, line.amount) == (1, Money(6_81), Money(6_81))


def test_an_age_restricted_line_carries_its_age_limit() -> None:
    beer = Product(id=ProductId("beer"), sku="BEER", name="青岛啤酒", pinyin="qdpj",
                   unit=Unit.PIECE, list_price=Money(6_00), member_price=None,
                   tax_rate_bp=1300, category="酒类", weighed=False, min_age=18, active=True)
    assert Cart.open("T01", "u1").add_product(beer).min_age == 18
