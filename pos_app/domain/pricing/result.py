"""Turning the chosen state into a PricedCart: per-line adjustments with reasons, coupon
outcomes, entitlements and per-offer uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pos_app.domain.money import Money
from pos_app.domain.pricing.adjustments import (
    MEMBER_PRICE_SOURCE,
    Adjustment,
    CouponOutcome,
    Entitlement,
    OfferUse,
    PricedCart,
    PricedLine,
    PricingLine,
    PricingMember,
    Refusal,
    SourceKind,
)
from pos_app.domain.pricing.coupon_terms import PRODUCT_KINDS, Coupon, CouponKind
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
    priced: list[PricedLine] = []
    listed, pay = basket.listed, state.pay
    for line in lines:
        i = position[line.line_id]
        priced.append(
            PricedLine(
                line.line_id,
                Money(listed[i]),
                Money(listed[i] - pay[i]),
                Money(pay[i]),
                per_line[i],
            )
        )
    subtotal, total = sum(listed), sum(pay)
    outcomes, entitlements = _coupon_outcomes(state, coupons, refusals, coupon_lines)
    return PricedCart(
        lines=tuple(priced),
        adjustments=tuple(a for line in priced for a in line.adjustments),
        subtotal=Money(subtotal),
        discount_total=Money(subtotal - total),
        total=Money(total),
        coupons=outcomes,
        entitlements=entitlements,
        uses=_uses(state),
        exact=exact,
    )


def _adjustments(
    basket: Basket, state: State, member: PricingMember | None
) -> list[tuple[Adjustment, ...]]:
    """Per line: the member price first, then one adjustment per application in order."""
    found: list[list[tuple[tuple[int, int, int, int, str], int, int]]] = [[] for _ in basket.lines]
    apps = state.apps
    for i, fen, app_index in state.entries:  # one entry per line and application
        found[i].append((apps[app_index].offer.key, app_index, fen))
    per_line: list[tuple[Adjustment, ...]] = []
    for i, entries in enumerate(found):
        line_id = basket.lines[i].line_id
        made: list[Adjustment] = []
        saved = basket.listed[i] - basket.amount[i]
        if saved > 0 and member is not None:
            made.append(
                Adjustment(
                    line_id,
                    Money(saved),
                    "member.price",
                    {"tier": member.tier},
                    MEMBER_PRICE_SOURCE,
                    SourceKind.MEMBER_PRICE,
                )
            )
        entries.sort()
        for _, app_index, fen in entries:
            offer = apps[app_index].offer
            made.append(
                Adjustment(
                    line_id,
                    Money(fen),
                    offer.reason,
                    apps[app_index].params,
                    offer.source,
                    offer.kind,
                )
            )
        per_line.append(tuple(made))
    return per_line


def _uses(state: State) -> tuple[OfferUse, ...]:
    saved: dict[int, int] = {}
    for _, fen, index in state.entries:
        saved[index] = saved.get(index, 0) + fen
    totals: dict[tuple[SourceKind, str], list[int]] = {}
    for k, app in enumerate(state.apps):
        entry = totals.setdefault((app.offer.kind, app.offer.source), [0, 0])
        entry[0] += app.applications
        entry[1] += saved.get(k, 0)
    return tuple(
        OfferUse(source, kind, count, Money(fen))
        for (kind, source), (count, fen) in sorted(totals.items())
    )


def _coupon_outcomes(
    state: State,
    coupons: Sequence[Coupon],
    refusals: Mapping[str, Refusal],
    coupon_lines: Mapping[str, tuple[int, ...]],
) -> tuple[tuple[CouponOutcome, ...], tuple[Entitlement, ...]]:
    by_coupon: dict[str, int] = {}
    before = list(state.pay)
    for i, fen, app in state.entries:
        offer = state.apps[app].offer
        if offer.coupon is not None:
            by_coupon[offer.source] = by_coupon.get(offer.source, 0) + fen
            if offer.coupon.kind not in PRODUCT_KINDS:
                before[i] += fen
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
            refusal = _why_unused(coupon, lines, state, before)
        outcomes.append(
            CouponOutcome(coupon.id, Money(saved) if refusal is None else _ZERO, refusal)
        )
    return tuple(outcomes), tuple(entitlements)


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
