"""Turning the chosen state into a PricedCart: per-line adjustments with reasons, coupon
outcomes, entitlements and per-offer uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain

from pos_app.domain.money import Money
from pos_app.domain.pricing.adjustments import (
    MEMBER_PRICE_SOURCE,
    Adjustment,
    CouponOutcome,
    Entitlement,
    OfferUse,
    PricedCart,
    PricingLine,
    PricingMember,
    Refusal,
    SourceKind,
)
from pos_app.domain.pricing.coupon_terms import PRODUCT_KINDS, Coupon, CouponKind
from pos_app.domain.pricing.makers import add_adjustments, money, offer_use, priced_lines
from pos_app.domain.pricing.offers import Offer
from pos_app.domain.pricing.state import Basket, State

_ZERO = Money(0)


def assemble(
    basket: Basket,
    lines: Sequence[PricingLine],
    state: State,
    *,
    member: PricingMember | None,
    coupons: Sequence[Coupon],
    refusals: Mapping[str, Refusal],
    coupon_lines: Mapping[str, tuple[int, ...]],
    exact: bool,
) -> PricedCart:
    per_line = _adjustments(basket, state, member)
    position = {line.line_id: i for i, line in enumerate(basket.lines)}
    listed, pay = basket.listed, state.pay
    priced = priced_lines((line.line_id for line in lines), position, listed, pay, per_line)
    subtotal, total = sum(listed), sum(pay)
    saved = _saved_by_app(state)
    outcomes, entitlements = _coupon_outcomes(state, saved, coupons, refusals, coupon_lines)
    return PricedCart(
        lines=tuple(priced),
        adjustments=tuple(chain.from_iterable(line.adjustments for line in priced)),
        subtotal=Money(subtotal),
        discount_total=Money(subtotal - total),
        total=Money(total),
        coupons=outcomes,
        entitlements=entitlements,
        uses=_uses(state, saved),
        exact=exact,
    )


def _adjustments(
    basket: Basket, state: State, member: PricingMember | None
) -> list[tuple[Adjustment, ...]]:
    """Per line: the member price first, then one adjustment per application in application
    order (offer key, then the order applied); a line has one entry per application.

    ``state.entries`` are already in that order on each line: every stage applies its nodes
    in canonical (offer key) order, a line is worked by one cluster at a time, a result
    replayed or a cluster re-solved puts back all of its lines' entries in that order, and
    the order stage comes after the item stage. So they are taken as they come
    (``tests/domain/pricing/test_pricing_properties.py`` checks the order)."""
    apps = state.apps
    said = [(app.offer.reason, app.params, app.offer.source, app.offer.kind) for app in apps]
    line_ids = [line.line_id for line in basket.lines]
    made: list[list[Adjustment]] = [[] for _ in line_ids]
    if member is not None:  # the member price first on its line: an application of its own
        said.append(
            ("member.price", {"tier": member.tier}, MEMBER_PRICE_SOURCE, SourceKind.MEMBER_PRICE)
        )
        first = _member_entries(basket, len(apps))
        add_adjustments(made, first, line_ids, said)
    add_adjustments(made, state.entries, line_ids, said)
    return [tuple(adjustments) for adjustments in made]


def _member_entries(basket: Basket, app: int) -> list[tuple[int, int, int]]:
    """(line, fen, ``app``) for each line whose base is its member price."""
    return [
        (i, listed - amount, app)
        for i, (listed, amount) in enumerate(zip(basket.listed, basket.amount, strict=True))
        if listed > amount
    ]


def _saved_by_app(state: State) -> list[int]:
    saved = [0] * len(state.apps)
    for _, fen, k in state.entries:
        saved[k] += fen
    return saved


def _uses(state: State, saved: list[int]) -> tuple[OfferUse, ...]:
    """Applications and saving per source: summed per offer first (an offer applies many
    times in a big cart, once per line for a per-unit one), then per (kind, source)."""
    counts: dict[Offer, int] = {}
    fens: dict[Offer, int] = {}
    for app, fen in zip(state.apps, saved, strict=True):
        offer = app.offer
        counts[offer] = counts.get(offer, 0) + app.applications
        fens[offer] = fens.get(offer, 0) + fen
    totals: dict[tuple[SourceKind, str], list[int]] = {}
    for offer, count in counts.items():
        entry = totals.setdefault((offer.kind, offer.source), [0, 0])
        entry[0] += count
        entry[1] += fens[offer]
    return tuple(
        offer_use(source, kind, count, money(fen))
        for (kind, source), (count, fen) in sorted(totals.items())
    )


def _coupon_outcomes(
    state: State,
    saved_by_app: list[int],
    coupons: Sequence[Coupon],
    refusals: Mapping[str, Refusal],
    coupon_lines: Mapping[str, tuple[int, ...]],
) -> tuple[tuple[CouponOutcome, ...], tuple[Entitlement, ...]]:
    by_coupon: dict[str, int] = {}
    for app, fen in zip(state.apps, saved_by_app, strict=True):
        if app.offer.coupon is not None:
            by_coupon[app.offer.source] = by_coupon.get(app.offer.source, 0) + fen
    outcomes: list[CouponOutcome] = []
    entitlements: list[Entitlement] = []
    for coupon in coupons:
        refusal = refusals.get(coupon.id)
        saved = by_coupon.get(coupon.id, 0)
        lines = coupon_lines.get(coupon.id, ())
        if refusal is None and coupon.kind is CouponKind.PARKING:
            refusal = _short(coupon, sum(map(state.pay.__getitem__, lines)))
            if refusal is None:
                entitlements.append(
                    Entitlement(
                        coupon.id, "parking", {"name": coupon.name, "minutes": str(coupon.minutes)}
                    )
                )
        elif refusal is None and saved == 0:
            refusal = _why_unused(coupon, lines, state, _before_money_coupons(state))
        outcomes.append(
            CouponOutcome(coupon.id, Money(saved) if refusal is None else _ZERO, refusal)
        )
    return tuple(outcomes), tuple(entitlements)


def _before_money_coupons(state: State) -> list[int]:
    """What each line would still cost without the money coupons."""
    before = list(state.pay)
    for i, fen, app in state.entries:
        coupon = state.apps[app].offer.coupon
        if coupon is not None and coupon.kind not in PRODUCT_KINDS:
            before[i] += fen
    return before


def _short(coupon: Coupon, spent: int) -> Refusal | None:
    missing = coupon.min_spend.fen - spent
    if missing <= 0:
        return None
    return Refusal("coupon.min_spend", {"missing": Money(missing).yuan_text()})


def _why_unused(coupon: Coupon, lines: tuple[int, ...], state: State, before: list[int]) -> Refusal:
    if coupon.kind in PRODUCT_KINDS:
        return Refusal("coupon.not_best")
    eligible = [i for i in lines if coupon.with_promotions or not state.promoted[i]]
    if not eligible:
        return Refusal("coupon.excluded_by_promotions")
    return _short(coupon, sum(before[i] for i in eligible)) or Refusal("coupon.not_best")
