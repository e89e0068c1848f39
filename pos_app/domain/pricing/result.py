"""Turning the chosen state into a PricedCart: per-line adjustments with reasons, coupon
outcomes, entitlements and per-offer uses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter

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
from pos_app.domain.pricing.makers import (
    Said,
    add_adjustments,
    offer_uses,
    priced_lines,
)
from pos_app.domain.pricing.offers import Offer
from pos_app.domain.pricing.state import Basket, State

_ZERO = Money(0)
_KIND = itemgetter(0)
_SOURCE = itemgetter(1)


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
    line_ids = [line.line_id for line in basket.lines]
    said, offers, counts = _said(state)
    per_line, saved = _adjustments(basket, state, member, line_ids, said, len(offers))
    position = dict(zip(line_ids, range(len(line_ids)), strict=True))
    order = [position[line.line_id] for line in lines]
    listed, pay = basket.listed, state.pay
    subtotal, total = sum(listed), sum(pay)
    outcomes, entitlements = _coupon_outcomes(state, offers, saved, coupons, refusals, coupon_lines)
    priced, adjustments = priced_lines(order, line_ids, listed, pay, per_line)
    return PricedCart(
        lines=tuple(priced),
        adjustments=tuple(adjustments),
        subtotal=Money(subtotal),
        discount_total=Money(subtotal - total),
        total=Money(total),
        coupons=outcomes,
        entitlements=entitlements,
        uses=_uses(offers, counts, saved),
        exact=exact,
    )


def _said(state: State) -> tuple[list[Said], list[Offer], list[int]]:
    """Per application: its adjustments' (reason, params, source, kind) and where their
    savings are summed, one place per offer (an offer applies many times in a big cart, once
    per line for a per-unit one, and the uses and the coupons want only the sums). And the
    offers in that order, with their applications summed. Applications with their offer's
    params (most) share one tuple: it is only read."""
    said: list[Said] = []
    first: dict[Offer, Said] = {}
    counts: list[int] = []
    for offer, applications, params in state.apps:
        if offer in first:
            known = first[offer]
            counts[known[4]] += applications
            if params is not known[1]:
                known = (offer.reason, params, offer.source, offer.kind, known[4])
        else:
            known = first[offer] = (offer.reason, params, offer.source, offer.kind, len(counts))
            counts.append(applications)
        said.append(known)
    return said, list(first), counts


def _adjustments(
    basket: Basket,
    state: State,
    member: PricingMember | None,
    line_ids: list[str],
    said: list[Said],
    offers: int,
) -> tuple[list[tuple[Adjustment, ...]], list[int]]:
    """Per line: the member price first, then one adjustment per application in application
    order (offer key, then the order applied); a line has one entry per application. And
    the savings of each of the ``offers``, summed in the same pass over the entries.

    ``state.entries`` are already in that order on each line: every stage applies its nodes
    in canonical (offer key) order, a line is worked by one cluster at a time, a result
    replayed or a cluster re-solved puts back all of its lines' entries in that order, and
    the order stage comes after the item stage. So they are taken as they come
    (``tests/domain/pricing/test_pricing_properties.py`` checks the order)."""
    made: list[list[Adjustment]] = [[] for _ in line_ids]
    saved = [0] * (offers + 1)  # the last for the member price, dropped below
    if member is not None:  # the member price first on its line: an application of its own
        tier = {"tier": member.tier}
        said.append(("member.price", tier, MEMBER_PRICE_SOURCE, SourceKind.MEMBER_PRICE, offers))
        add_adjustments(made, _member_entries(basket, len(state.apps)), line_ids, said, saved)
    add_adjustments(made, state.entries, line_ids, said, saved)
    del saved[offers:]
    return list(map(tuple, made)), saved


def _member_entries(basket: Basket, app: int) -> list[tuple[int, int, int]]:
    """(line, fen, ``app``) for each line whose base is its member price. (By index: most
    lines have none, and a line passed over is then two reads, not a pair made and taken
    apart.)"""
    listed, amount = basket.listed, basket.amount
    return [(i, listed[i] - amount[i], app) for i in range(len(listed)) if listed[i] > amount[i]]


def _uses(offers: list[Offer], counts: list[int], saved: list[int]) -> tuple[OfferUse, ...]:
    """Applications and saving per (kind, source), from the sums per offer, in (kind, source)
    order: sorted by source, then stably by kind, which is the order of sorting the pairs,
    with each sort comparing plain values rather than going through the pairs."""
    totals: dict[tuple[SourceKind, str], list[int]] = {}
    for offer, count, fen in zip(offers, counts, saved, strict=True):
        key = offer.kind, offer.source
        entry = totals.get(key)
        if entry is None:
            totals[key] = [count, fen]
        else:
            entry[0] += count
            entry[1] += fen
    keys = sorted(totals, key=_SOURCE)
    keys.sort(key=_KIND)
    return tuple(offer_uses(keys, totals))


def _coupon_outcomes(
    state: State,
    offers: list[Offer],
    saved_by_offer: list[int],
    coupons: Sequence[Coupon],
    refusals: Mapping[str, Refusal],
    coupon_lines: Mapping[str, tuple[int, ...]],
) -> tuple[tuple[CouponOutcome, ...], tuple[Entitlement, ...]]:
    by_coupon: dict[str, int] = {}
    for offer, fen in zip(offers, saved_by_offer, strict=True):
        if offer.coupon is not None:
            by_coupon[offer.source] = by_coupon.get(offer.source, 0) + fen
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
