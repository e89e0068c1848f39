"""MemberService: identify a member by dynamic member code, phone or card; join; summary;
stored-value top-up. Each public method is one transaction and returns a ``MemberView``.

The member code (``M`` + card number + TOTP) is checked with ``verify_totp`` (one step either
side of now) and then accepted by the database (``accept_code_step``: the step must be after
the last accepted one), so one code is accepted once even when two tills scan it at once.
Refusals are ``UserError``s with stable codes: ``member.unknown``, ``member.bad_phone``,
``member.code_expired``, ``member.code_not_yet_valid``, ``member.code_replayed``,
``member.code_wrong``, ``stored_value.bad_amount``.

``join`` with a phone number that is already a member's returns that member (a second press
of "join", or two tills joining the same shopper, is not an error).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from pos_app.bus import EventBus
from pos_app.clock import Clock
from pos_app.domain.ids import new_id
from pos_app.domain.members import (
    CARD_NUMBER,
    Member,
    TotpSettings,
    member_code_text,
    new_member_secret,
    parse_member_code,
    verify_totp,
)
from pos_app.domain.money import Money
from pos_app.domain.pricing import Refusal
from pos_app.errors import UserError
from pos_app.persistence.repositories.members import DEFAULT_TIER
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.member_views import MemberView, coupon_view, mask_phone

log = logging.getLogger(__name__)

UowFactory = Callable[[], UnitOfWork]
PHONE = re.compile(r"1[3-9]\d{9}")
"""A mainland mobile number: 11 digits, 1 then 3-9."""
TOP_UP_LIMIT = Money(1_000_000)
"""¥10,000.00 at most per cash top-up: anything above is a typo or needs the back office."""
JOIN_ATTEMPTS = 3
DEFAULT_TOTP = TotpSettings()
_CODE_REFUSALS = {
    "member_code.expired": "member.code_expired",
    "member_code.not_yet_valid": "member.code_not_yet_valid",
    "member_code.replayed": "member.code_replayed",
    "member_code.malformed": "member.code_wrong",
    "member_code.wrong": "member.code_wrong",
}


class MemberService:
    def __init__(self, uow: UowFactory, clock: Clock, bus: EventBus, *,
                 totp: TotpSettings = DEFAULT_TOTP) -> None:
        self._uow = uow
        self._clock = clock
        self._bus = bus
        self._totp = totp

    def identify(self, text: str) -> MemberView:
        """A member from a scanned member code, a mobile number or a member card number."""
        text = text.strip()
        now = self._clock.now()
        code = parse_member_code(text)
        with self._uow() as uow:
            member: Member | None
            if code is not None:
                member = self._by_code(uow, *code, now)
            elif PHONE.fullmatch(text):
                member = uow.members.by_phone(text)
            elif CARD_NUMBER.fullmatch(text):
                member = uow.members.by_card(text)
            elif text.isascii() and text.isdigit() and len(text) == 11:
                raise UserError("member.bad_phone")
            else:
                member = None
            if member is None:
                raise UserError("member.unknown")
            view = self._view(uow, member, now)
            uow.commit()
        return view

    def _by_code(self, uow: UnitOfWork, card_no: str, otp: str, now: datetime) -> Member:
        member = uow.members.by_card(card_no)
        if member is None:
            raise UserError("member.unknown")
        secret, last_step = uow.members.code_secret(member.id)
        if secret is None:
            raise UserError("member.code_wrong")
        step = verify_totp(otp, secret, now, last_step, self._totp)
        if isinstance(step, Refusal):
            raise UserError(_CODE_REFUSALS.get(step.code, "member.code_wrong"))
        if not uow.members.accept_code_step(member.id, step):
            raise UserError("member.code_replayed")  # another till took this step first
        return member

    def join(self, phone: str, name: str = "") -> MemberView:
        """Make the shopper a member (tier regular, next card number, a member-code secret);
        an existing member with this phone is returned as is."""
        phone, name = phone.strip(), name.strip()[:80]
        if not PHONE.fullmatch(phone):
            raise UserError("member.bad_phone")
        now = self._clock.now()
        for _ in range(JOIN_ATTEMPTS):
            with self._uow() as uow:
                existing = uow.members.by_phone(phone)
                if existing is not None:
                    return self._view(uow, existing, now)
                member = Member(id=new_id(), phone=phone, tier=DEFAULT_TIER, name=name,
                                card_number=uow.members.next_card_no())
                try:
                    uow.members.add(member, created_at=now, totp_secret=new_member_secret())
                except IntegrityError:  # another till took the card number or the phone
                    continue
                uow.journal.append("member.joined", now, payload={"member": member.id})
                view = self._view(uow, member, now)
                uow.commit()
                log.info("member joined: card %s", member.card_number)
                return view
        raise UserError("member.join_busy")

    def summary(self, member_id: str) -> MemberView:
        now = self._clock.now()
        with self._uow() as uow:
            member = uow.members.get(member_id)
            if member is None:
                raise UserError("member.unknown")
            return self._view(uow, member, now)

    def top_up(self, member_id: str, amount: Money, *, cashier_id: str) -> MemberView:
        """Cash top-up of stored value (预存款), ledgered and audited."""
        if amount.fen <= 0 or amount.fen > TOP_UP_LIMIT.fen:
            raise UserError("stored_value.bad_amount", limit=TOP_UP_LIMIT.yuan_text())
        now = self._clock.now()
        with self._uow() as uow:
            member = uow.members.get(member_id)
            if member is None:
                raise UserError("member.unknown")
            balance = uow.stored_value.top_up(
                member.id, amount, order_id=None, terminal_code=uow.site.terminal_code,
                actor_id=cashier_id, at=now)
            uow.audit.append(now, actor_id=cashier_id, action="stored_value.top_up",
                             subject=member.id,
                             details={"amount": amount.yuan_text(),
                                      "balance": balance.yuan_text(),
                                      "terminal": uow.site.terminal_code, "tender": "cash"})
            view = self._view(uow, member, now)
            uow.commit()
        return view

    def current_code(self, phone_or_card: str) -> str:
        """The member code the member's phone would show now (for demos and testers); makes
        the member's secret first if they have none."""
        text, now = phone_or_card.strip(), self._clock.now()
        with self._uow() as uow:
            member = (uow.members.by_card(text) if CARD_NUMBER.fullmatch(text)
                      else uow.members.by_phone(text))
            if member is None or member.card_number is None:
                raise UserError("member.unknown")
            secret, _ = uow.members.code_secret(member.id)
            if secret is None:
                secret = new_member_secret()
                uow.members.set_code_secret(member.id, secret)
                uow.commit()
        return member_code_text(member.card_number, secret, now, self._totp)

    def _view(self, uow: UnitOfWork, member: Member, now: datetime) -> MemberView:
        rule = uow.members.tier_rule(member.tier)
        coupons = tuple(coupon_view(r.coupon, r.code)
                        for r in uow.coupons.available_records(member.id, now))
        return MemberView(
            id=member.id, name=member.name, phone=mask_phone(member.phone),
            card_no=member.card_number or "", tier=member.tier, tier_name=rule.name,
            points=uow.points.balance(member.id),
            stored_value=uow.stored_value.balance(member.id), coupons=coupons,
            recent_purchases=tuple(uow.members.recent_purchases(member.id, 5)))
