"""`pos promotions|coupons|members …`: pricing and member data in and out (formats:
docs/pricing-data.md). Bad input names the row (or item) and field and imports nothing."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pos_app.bootstrap import find_site, open_database
from pos_app.bus import EventBus
from pos_app.clock import SystemClock
from pos_app.config import AppConfig
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.catalog_csv import RowError
from pos_app.services.coupons import CouponService, new_batch_code
from pos_app.services.member_data import MemberDataService
from pos_app.services.members import MemberService
from pos_app.services.pricing_data import PricingDataService

COMMANDS = ("promotions", "coupons", "members")
UowFactory = Callable[[], UnitOfWork]


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    promotions = sub.add_parser("promotions", help="automatic promotions: import, export")
    p_sub = promotions.add_subparsers(dest="promotions_command", required=True)
    p_import = p_sub.add_parser("import", help="import promotions from a JSON file")
    p_import.add_argument("file", type=Path)
    p_import.add_argument("--replace", action="store_true",
                          help="deactivate stored promotions the file does not list")
    p_export = p_sub.add_parser("export", help="write every promotion as JSON")
    p_export.add_argument("file", type=Path, nargs="?")

    coupons = sub.add_parser("coupons", help="coupons: generate a signed batch, export, import")
    c_sub = coupons.add_subparsers(dest="coupons_command", required=True)
    generate = c_sub.add_parser("generate", help="issue a batch of signed coupon codes")
    generate.add_argument("--name", required=True)
    generate.add_argument("--terms", required=True, type=Path, help="coupon terms (JSON)")
    generate.add_argument("--count", required=True, type=int)
    generate.add_argument("--member", action="append", default=[], metavar="PHONE",
                          help="bind --count coupons to this member (repeatable)")
    generate.add_argument("--batch", help="batch code: 1-12 A-Z/0-9 (default: random)")
    generate.add_argument("--out", required=True, type=Path, help="CSV of the codes")
    c_export = c_sub.add_parser("export", help="every coupon with its code and state, as CSV")
    c_export.add_argument("--batch")
    c_export.add_argument("--out", type=Path)
    c_import = c_sub.add_parser("import", help="import online-platform coupons (JSON)")
    c_import.add_argument("file", type=Path)

    members = sub.add_parser("members", help="members: import, export, member code")
    m_sub = members.add_subparsers(dest="members_command", required=True)
    m_import = m_sub.add_parser("import", help="import members from a CSV file")
    m_import.add_argument("file", type=Path)
    m_export = m_sub.add_parser("export", help="write every member as CSV")
    m_export.add_argument("file", type=Path, nargs="?")
    code = m_sub.add_parser("code", help="print a member's current dynamic member code")
    code.add_argument("phone", help="mobile number or card number")


def run(args: argparse.Namespace, config: AppConfig) -> int:
    uow = _uow_factory(config)
    clock = SystemClock()
    if args.command == "promotions":
        data = PricingDataService(uow, clock)
        if args.promotions_command == "import":
            report = data.import_promotions(args.file, replace=args.replace)
            if report.errors:
                return _refused(report.errors, "item")
            print(f"imported: {report.created} created, {report.updated} updated, "
                  f"{report.deactivated} deactivated")
            return 0
        return _write(args.file, data.export_promotions())
    if args.command == "coupons":
        return _coupons(args, CouponService(uow, clock), uow)
    members = MemberDataService(uow, clock)
    if args.members_command == "import":
        m_report = members.import_csv(args.file)
        if m_report.errors:
            return _refused(m_report.errors)
        print(f"imported: {m_report.created} created, {m_report.updated} updated")
        return 0
    if args.members_command == "export":
        return _write(args.file, members.export_csv())
    print(MemberService(uow, clock, EventBus()).current_code(args.phone))
    return 0


def _coupons(args: argparse.Namespace, service: CouponService, uow: UowFactory) -> int:
    if args.coupons_command == "export":
        return _write(args.out, service.export_csv(args.batch))
    if args.coupons_command == "import":
        count, errors = service.import_json(args.file)
        if errors:
            return _refused(errors, "item")
        print(f"imported: {count} coupons")
        return 0
    try:
        terms = coupon_terms(json.loads(args.terms.read_text(encoding="utf-8-sig")),
                             SystemClock().now())
    except (OSError, ValueError) as exc:
        print(f"error: {args.terms}: {exc}", file=sys.stderr)
        return 2
    member_ids = _member_ids(uow, args.member) if args.member else None
    if member_ids is None and args.member:
        return 2
    batch = args.batch or new_batch_code()
    codes = service.generate_batch(args.name, terms, args.count, member_ids=member_ids,
                                   batch=batch, actor_id="cli")
    _write(args.out, service.export_csv(batch))
    print(f"batch {batch}: {len(codes)} coupons written to {args.out}")
    return 0


def coupon_terms(data: Any, now: datetime) -> dict[str, Any]:
    """The terms file, with ``valid_from`` defaulting to now and ``valid_days`` turned into
    ``valid_until``."""
    if not isinstance(data, dict):
        raise ValueError("the terms file holds one JSON object")
    terms = dict(data)
    start = datetime.fromisoformat(terms.get("valid_from") or now.isoformat())
    terms["valid_from"] = start.isoformat()
    days = terms.pop("valid_days", None)
    if days is not None and "valid_until" not in terms:
        terms["valid_until"] = (start + timedelta(days=int(days))).isoformat()
    return terms


def _member_ids(uow: UowFactory, phones: Sequence[str]) -> list[str] | None:
    ids: list[str] = []
    with uow() as work:
        for phone in phones:
            member = work.members.by_phone(phone.strip())
            if member is None:
                print(f"error: no member with phone {phone}", file=sys.stderr)
                return None
            ids.append(member.id)
    return ids


def _uow_factory(config: AppConfig) -> UowFactory:
    sessions = make_session_factory(open_database(config))
    _, site = find_site(sessions, config)
    bus = EventBus()

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions, bus, site)
    return uow


def _refused(errors: Sequence[RowError], unit: str = "row") -> int:
    """``row N`` as a spreadsheet numbers it (CSV), ``item N`` from 1 (JSON lists)."""
    for error in errors:
        where = f"{unit} {error.row}" if error.row else "file"
        print(f"{where}: {error.column}: {error.code}: {error.detail}", file=sys.stderr)
    print(f"nothing imported: {len(errors)} error(s)", file=sys.stderr)
    return 1


def _write(path: Path | None, text: str) -> int:
    if path is None:
        sys.stdout.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return 0
