"""Headless `pos` subcommands that need only the core: demo, catalog import, migrate,
verify-audit, and (``cli_pricing``) promotions, coupons and members in and out. Output is
stable, one fact per line, for IT scripts; errors go to stderr and the exit code is non-zero."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from pos_app import cli_pricing, cli_reports
from pos_app.bootstrap import open_database
from pos_app.clock import SystemClock
from pos_app.config import AppConfig
from pos_app.domain.audit import verify_chain
from pos_app.errors import PosError
from pos_app.persistence.db import make_session_factory
from pos_app.persistence.migrate import current_revision, head_revision
from pos_app.persistence.repositories.journal import AuditLog


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    demo = sub.add_parser("demo", help="create the demo store in the configured database")
    demo.add_argument("--products", type=int, default=2000)
    demo.add_argument("--members", type=int, default=60)
    demo.add_argument("--seed", type=int, default=2026)
    catalog = sub.add_parser("catalog", help="catalogue import")
    catalog_sub = catalog.add_subparsers(dest="catalog_command", required=True)
    importing = catalog_sub.add_parser("import", help="import products from a CSV file")
    importing.add_argument("file", type=Path)
    sub.add_parser("migrate", help="upgrade the database schema (with a backup first)")
    sub.add_parser("verify-audit", help="check the audit log's hash chain")
    cli_pricing.add_commands(sub)
    cli_reports.add_commands(sub)


def run(args: argparse.Namespace, config: AppConfig) -> int:
    try:
        if args.command == "demo":
            return _demo(config, args.products, args.members, args.seed)
        if args.command == "catalog":
            return _catalog_import(config, args.file)
        if args.command == "migrate":
            engine = open_database(config)
            print(f"database {current_revision(engine)} (head {head_revision()})")
            return 0
        if args.command == "verify-audit":
            return _verify_audit(config)
        if args.command in cli_pricing.COMMANDS:
            return cli_pricing.run(args, config)
        if args.command in cli_reports.COMMANDS:
            return cli_reports.run(args, config)
    except PosError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"database error: {exc.__class__.__name__}: {exc.args[0] if exc.args else ''}",
              file=sys.stderr)
        return 2
    raise AssertionError(f"unhandled command {args.command}")


def _demo(config: AppConfig, products: int, members: int, seed: int) -> int:
    from pos_app.persistence.demo_store import DemoStoreExists, seed_demo_store

    engine = open_database(config)
    try:
        summary = seed_demo_store(engine, products=products, members=members, seed=seed,
                                  now=SystemClock().now())
    except DemoStoreExists:
        print(f"error: the demo store already exists in {_safe_url(config)}", file=sys.stderr)
        return 1
    print(f"demo store created in {_safe_url(config)}: {summary}")
    return 0


def _catalog_import(config: AppConfig, path: Path) -> int:
    from pos_app.services.catalog_import import CatalogImportService

    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    engine = open_database(config)
    report = CatalogImportService(make_session_factory(engine), SystemClock()).import_csv(path)
    for error in report.errors:
        print(f"row {error.row}: {error.column}: {error.code}: {error.detail}", file=sys.stderr)
    if report.errors:
        print(f"nothing imported: {len(report.errors)} error(s)", file=sys.stderr)
        return 1
    print(f"imported: {report.created} created, {report.updated} updated")
    return 0


def _verify_audit(config: AppConfig) -> int:
    engine = open_database(config)
    with make_session_factory(engine)() as session:
        entries = list(AuditLog(session).entries())
    broken = verify_chain(entries)
    if broken is not None:
        print(f"audit chain broken at entry {broken}", file=sys.stderr)
        return 1
    print(f"audit chain intact: {len(entries)} entries")
    return 0


def _safe_url(config: AppConfig) -> str:
    from sqlalchemy.engine import make_url

    return make_url(config.database_url).render_as_string(hide_password=True)
