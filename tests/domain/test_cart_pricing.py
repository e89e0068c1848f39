"""The cart priced by the engine: discounts on lines, totals that add up, order-independence."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from pos_app.domain.cart import Cart, CartMember
from pos_app.domain.catalog import Product, Unit
from pos_app.domain.ids import ProductId
from pos_app.domain.money import Money
from pos_app.domain.pricing import PricingMember, RuleIndex, price, promotion_from_dict

AT = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # a Wednesday, noon in Shanghai
TZ = "Asia/Shanghai"


def a_product(sku: str, fen: int, category: str = "饮料", *, member_fen: int | None = None,
              weighed: bool = False) -> Product:
    return Product(id=ProductId(f"id-{sku}"), sku=sku, name=f"商品{sku}", pinyin="sp",
                   unit=Unit.KG if weighed else Unit.PIECE, list_price=Money(fen),
                   member_price=None if member_fen is None else Money(member_fen),
                   tax_rate_bp=1300, category=category, weighed=weighed, min_age=None,
                   active=True)


SECOND_HALF = promotion_from_dict({
    "id": "P1", "name": "饮料第二件半价", "scope": {"categories": ["饮料"]},
    "reward": {"kind": "nth_item_off", "nth": 2, "percent": "50"}})
SPEND_SAVE = promotion_from_dict({
    "id": "P2", "name": "满30减5", "scope": {},
    "reward": {"kind": "spend_tiers", "tiers": [{"threshold": "30.00", "off": "5.00"}]}})
RULES = RuleIndex([SECOND_HALF])
COLA, SPRITE, CHIPS = a_product("COLA", 350), a_product("SPRITE", 300), a_product(
    "CHIPS", 750, "零食")


def priced(cart: Cart, rules: RuleIndex = RULES) -> Cart:
    cart.apply_pricing(price(cart.pricing_lines(), rules, AT, time_zone=TZ,
                             member=cart.pricing_member(), coupons=cart.coupons), AT)
    return cart


def test_the_saving_sits_on_the_cheaper_drink_and_the_totals_add_up() -> None:
    cart = Cart.open("T01", "u1")
    cart.add_product(COLA)
    cart.add_product(SPRITE)
    cart.add_product(CHIPS)
    priced(cart)
    sprite = cart.active_lines()[1]
    assert sprite.discount == Money(150)
    assert [a.reason for a in cart.adjustments_of(sprite.id)] == ["promo.second_half_price"]
    totals = cart.totals()
    assert (totals.subtotal, totals.savings, totals.total) == (Money(1400), Money(150),
                                                                Money(1250))


def test_a_void_takes_the_saving_away_once_the_cart_is_priced_again() -> None:
    cart = Cart.open("T01", "u1")
    cart.add_product(COLA)
    line = cart.add_product(SPRITE)
    priced(cart)
    cart.void_line(line.id)
    priced(cart)
    assert cart.totals().savings == Money(0)
    assert cart.pricing.adjustments == ()


def test_a_member_gets_the_member_price_as_an_explained_saving() -> None:
    cart = Cart.open("T01", "u1")
    cart.add_product(a_product("MILK", 1200, "乳品", member_fen=990))
    cart.set_member(CartMember(id="m1", name="王小明", tier="gold", tier_name="金卡",
                               pricing=PricingMember("m1", "gold")))
    priced(cart)
    assert cart.totals().total == Money(990)
    assert [a.reason for a in cart.pricing.adjustments] == ["member.price"]


def test_a_priced_scale_label_keeps_its_printed_amount_before_savings() -> None:
    cart = Cart.open("T01", "u1")
    line = cart.add_priced_label(a_product("BEEF", 8800, "生鲜", weighed=True), Money(2345), 266)
    priced(cart, RuleIndex([SPEND_SAVE]))
    assert line.label_priced and cart.pricing_lines()[0].amount == Money(2345)
    assert cart.totals().total == Money(2345)  # under the 满30 threshold


@settings(max_examples=60, deadline=None)
@given(st.permutations([COLA, SPRITE, CHIPS, COLA, a_product("TEA", 480)]))
def test_scan_order_changes_neither_the_total_nor_the_savings(products: list[Product]) -> None:
    cart = Cart.open("T01", "u1")
    for product in products:
        cart.add_product(product)
    priced(cart, RuleIndex([SECOND_HALF, SPEND_SAVE]))
    totals = cart.totals()
    assert totals.subtotal == Money(350 * 2 + 300 + 750 + 480)
    assert totals.total == totals.subtotal - totals.savings
    assert sum(a.amount.fen for a in cart.pricing.adjustments) == totals.savings.fen
    reference = Cart.open("T01", "u1")
    for product in sorted(products, key=lambda p: p.sku):
        reference.add_product(product)
    assert priced(reference, RuleIndex([SECOND_HALF, SPEND_SAVE])).totals() == totals
