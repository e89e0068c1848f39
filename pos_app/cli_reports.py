"""`pos report`: the store manager's sales report for IT and automation (docs/reports.md).

    pos report [--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD] [--terminal CODE]
               [--csv DIR]

Without a date: today in the store's time zone. Prints the report as one JSON object (keys in
the order of ``services.report_views``; every amount twice, ``<field>_fen`` as integer fen and
``<field>_yuan`` as "12.30"); with ``--csv DIR`` writes one CSV per section there and prints
their paths, one a line. A bad date, range or terminal: one line on stderr, exit code 2, and
nothing written.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pos_app.bootstrap import find_site, open_database
from pos_app.bus import EventBus
from pos_app.clock import SystemClock
from pos_app.config import AppConfig
from pos_app.domain.money import Money
from pos_app.errors import UserError
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.services.report_views import SalesReportView
from pos_app.services.reports import ReportService, check_days

COMMANDS = ("report",)
EXIT_BAD_INPUT = 2
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadInput(ValueError):
    """A date or range the command refuses before touching the database."""


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    report = sub.add_parser(
        "report", help="sales report of store-local days as JSON, or CSV files with --csv"
    )
    report.add_argument("--date", metavar="YYYY-MM-DD", help="one day (default: today)")
    report.add_argument(
        "--from", dest="from_day", metavar="YYYY-MM-DD", help="first day of a range (with --to)"
    )
    report.add_argument(
        "--to",
        dest="to_day",
        metavar="YYYY-MM-DD",
        help="last day of a range, included (with --from)",
    )
    report.add_argument("--terminal", metavar="CODE", help="one terminal (default: all)")
    report.add_argument(
        "--csv",
        type=Path,
        metavar="DIR",
        help="write one CSV per section into DIR and print their paths",
    )


def run(args: argparse.Namespace, config: AppConfig) -> int:
    try:
        days = report_days(args.date, args.from_day, args.to_day)
        if days is not None:
            check_days(*days)
    except BadInput as exc:
        return _refuse(str(exc))
    except UserError as exc:
        return _refuse(user_message(exc))
    service = ReportService(_uow_factory(config), SystemClock())
    if days is None:
        today = service.today()
        days = (today, today)
    first, last = days
    try:
        view = service.report(first, last, terminal_code=args.terminal)
    except UserError as exc:
        return _refuse(user_message(exc))
    if args.csv is None:
        print(json.dumps(report_json(view), ensure_ascii=False, indent=2))
        return 0
    try:
        paths = service.export_csv(view, args.csv)
    except OSError as exc:
        return _refuse(f"cannot write the CSV files to {args.csv}: {exc.strerror or exc}")
    for path in paths:
        print(path)
    return 0


def report_days(one: str | None, first: str | None, last: str | None) -> tuple[date, date] | None:
    """(first, last) from ``--date`` or ``--from``/``--to``; None for today."""
    if one is not None and (first is not None or last is not None):
        raise BadInput("give either --date or --from and --to, not both")
    if one is not None:
        day = _day("--date", one)
        return day, day
    if (first is None) != (last is None):
        raise BadInput("--from and --to go together")
    if first is None or last is None:
        return None
    return _day("--from", first), _day("--to", last)


def report_json(view: SalesReportView) -> dict[str, Any]:
    """The view as JSON-ready data: fields in declaration order, dates and times in ISO 8601,
    every ``Money`` field ``x`` as ``x_fen`` (int) and ``x_yuan`` ("12.30")."""
    data = _plain(view)
    assert isinstance(data, dict)
    return data


def user_message(error: UserError) -> str:
    """A person's sentence for the report's refusals."""
    p = error.params
    if error.code == "report.bad_range":
        return f"the range ends ({p['last']}) before it starts ({p['first']})"
    if error.code == "report.range_too_long":
        return f"{p['days']} days asked; a report covers at most {p['max_days']} days"
    if error.code == "report.unknown_terminal":
        return f"no terminal {p['terminal']!r} in this store"
    return str(error)


def _plain(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        out: dict[str, object] = {}
        for f in fields(value):
            item = getattr(value, f.name)
            if isinstance(item, Money):
                out[f"{f.name}_fen"] = item.fen
                out[f"{f.name}_yuan"] = item.yuan_text()
            else:
                out[f.name] = _plain(item)
        return out
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _day(option: str, text: str) -> date:
    try:
        if not ISO_DAY.fullmatch(text.strip()):
            raise ValueError(text)
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def _refuse(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _uow_factory(config: AppConfig) -> Callable[[], UnitOfWork]:
    sessions = make_session_factory(open_database(config))
    _, site = find_site(sessions, config)
    bus = EventBus()

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions, bus, site)

    return uow
