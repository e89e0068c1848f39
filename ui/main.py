"""`pos`: the entry point and composition root (config, logging, adapters, core, windows).

`pos` starts the app; subcommands serve IT and automation (see README "Commands").
This is the one module that imports pos_app, ui, hardware and backends together.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pos_app import cli
from pos_app.config import AppConfig, load_config
from pos_app.errors import ConfigError, PosError

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget
    from sqlalchemy import Engine

    from pos_app.clock import Clock

log = logging.getLogger("pos")

DEMO_STORE_CODE = "DEMO01"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos", description="Point of sale for new retail")
    parser.add_argument("--config", type=Path, default=_env_path("POS_CONFIG"),
                        help="config file (default: $POS_CONFIG or ~/.config/pos/pos.toml)")
    parser.add_argument("--data-dir", type=Path, default=_env_path("POS_DATA_DIR"),
                        help="data folder (database, logs, receipts); overrides the config")
    parser.add_argument("--quit-when-ready", action="store_true",
                        help="print 'ready <seconds>' once the cashier window is usable, then exit")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("self-test", help="check config, database, migrations, devices; headless")
    sub.add_parser("sandbox", help="payment provider sandbox on loopback: pos sandbox --help")
    decode = sub.add_parser("decode", help="read barcodes in images; one JSON object per symbol")
    decode.add_argument("images", nargs="+", type=Path)
    bench = sub.add_parser("bench", help="run speed benchmarks; one JSON object per line")
    bench.add_argument("metrics", nargs="*", help="metric names (default: all)")
    payments = sub.add_parser("payments", help="wallet payments: pos payments reconcile --help")
    payments_sub = payments.add_subparsers(dest="payments_command", required=True)
    reconcile = payments_sub.add_parser(
        "reconcile", help="a day's wallet attempts against the providers; exit 1 on mismatches")
    reconcile.add_argument("--date", required=True, type=date.fromisoformat,
                           metavar="YYYY-MM-DD", help="the store-local day")
    cli.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    raw = sys.argv[1:] if argv is None else argv
    if raw[:1] == ["sandbox"]:  # its own options: pos sandbox --port 8765 --state-dir D
        from backends.sandbox import main as sandbox_main

        return sandbox_main(raw[1:])
    args = build_parser().parse_args(raw)
    try:
        config = load_config(args.config, data_dir=args.data_dir)
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 2
    if args.command is None:
        return run_app(config, quit_when_ready=args.quit_when_ready, started=started)
    if args.command == "self-test":
        from ui.self_test import run_self_test

        return run_self_test(config)
    if args.command == "bench":
        return _bench(args.metrics)
    if args.command == "decode":
        from hardware.camera.decode_cli import decode_files

        return decode_files(args.images, sys.stdout, err=sys.stderr)
    if args.command == "payments":
        return reconcile_payments(config, args.date)
    return cli.run(args, config)


def run_app(config: AppConfig, *, quit_when_ready: bool = False, started: float = 0.0) -> int:
    _setup_logging(config.data_dir)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    try:
        pos = PosApplication.start(config, app)  # type: ignore[arg-type]
    except PosError as exc:
        log.error("cannot start: %s", exc)
        print(f"cannot start: {exc}", file=sys.stderr)
        return 2
    if quit_when_ready:
        pos.quit_when_ready(lambda: print(f"ready {time.perf_counter() - started:.3f}",
                                          flush=True))
    try:
        return int(app.exec())
    finally:
        pos.shut_down()


class PosApplication:
    """Everything one running terminal holds; built once, torn down once."""

    def __init__(self, config: AppConfig, app: QApplication, *, clock: Clock | None = None) -> None:
        """``clock``: the system clock unless given (an end-to-end test fixes the day, as
        promotions with weekday windows would otherwise price differently on some days)."""
        from hardware.printer.transports import prepare_escpos_env
        from hardware.wiring import build_devices
        from pos_app.bootstrap import build_core, open_database, settle_heap
        from pos_app.bus import EventBus
        from pos_app.clock import SystemClock
        from pos_app.i18n import load_catalog
        from pos_app.resources import resources_dir
        from ui import theme
        from ui.errors import user_message
        from ui.event_bridge import EventBridge
        from ui.input.scan_filter import ScanEventFilter
        from ui.input.wedge import WedgeSettings
        from ui.tasks import TaskRunner

        prepare_escpos_env()
        theme.apply(app)
        self.catalog = load_catalog(resources_dir() / "i18n", config.store.locale)
        self.bus = EventBus()
        engine = open_database(config)
        ensure_demo_store(engine, config)
        self.devices = build_devices(config.devices, self.bus, self.catalog, config.data_dir)
        self.sandbox, self.gateways = build_payment_gateways(config)
        face_matcher, face_model = build_face_matcher(config)
        self.core = build_core(config, bus=self.bus, clock=clock or SystemClock(),
                               printer=self.devices.printer, engine=engine,  # type: ignore[arg-type]
                               gateways=self.gateways,
                               drawer=self.devices.printer,  # type: ignore[arg-type]
                               face_matcher=face_matcher, face_model=face_model)
        self.diagnostics = build_diagnostics(self.core, self.devices, self.bus, config)
        self.tasks = TaskRunner(on_error=lambda exc: log.error(
            "background task failed: %s", user_message(exc, self.catalog)))
        self.bridge = EventBridge(self.bus)
        self.scan_filter = ScanEventFilter(WedgeSettings(
            max_gap_ms=config.scan.wedge_max_gap_ms, min_length=config.scan.wedge_min_length,
            prefix=config.scan.wedge_prefix, suffix=config.scan.wedge_suffix), parent=app)
        app.installEventFilter(self.scan_filter)
        # serial and camera scanners publish on the bus; every scan reaches the screens the
        # same way, whatever read it
        self.bridge.barcode_scanned.connect(
            lambda event: self.scan_filter.scanned.emit(event.text))
        self.windows = self._build_windows(config)
        self.face_desk = build_face_desk(self.core, self.devices, self.bus, self.tasks,
                                         self.catalog, self.windows[0])
        self.tasks.store(self.core.printing.retry_waiting)
        # what lives all day (catalogue caches, Qt wrappers, modules) is moved out of the
        # collector's way, so a full collection never pauses a scan or a reprice
        settle_heap()
        if self.core.payments is not None:  # settle payments a crash left in flight
            self.tasks.network(self.core.payments.resolve_in_flight)

    def _build_windows(self, config: AppConfig) -> list[QWidget]:
        from ui.cashier.cashier_window import CashierWindow
        from ui.customer.customer_window import CustomerWindow

        cashier = CashierWindow(
            checkout=self.core.checkout, sales=self.core.sales, staff=self.core.staff,
            printing=self.core.printing, tasks=self.tasks, bridge=self.bridge,
            scan_filter=self.scan_filter, catalog=self.catalog,
            store_name=self.core.store.name, terminal_code=self.core.site.terminal_code,
            time_zone=self.core.store.time_zone, scale=self.devices.scale,
            payments=self.core.payments, approvals=self.core.approvals, drawer=self.core.drawer,
            diagnostics=self.diagnostics,
            order_codes=self.core.order_codes, members=self.core.members,
            refunds=self.core.refunds, reports=self.core.reports,
            exports_dir=config.data_dir / "exports")
        windows: list[QWidget] = [cashier]
        if config.ui.customer_display:
            customer = CustomerWindow(bridge=self.bridge, catalog=self.catalog,
                                      store_name=self.core.store.name,
                                      advert_after_ms=config.ui.advert_after_s * 1000,
                                      advert_slide_ms=config.ui.advert_slide_s * 1000)
            customer.show_on(config.ui.customer_screen)
            windows.append(customer)
        if config.ui.fullscreen:
            cashier.showFullScreen()
        else:
            cashier.show()
        return windows

    @classmethod
    def start(
        cls, config: AppConfig, app: QApplication, *, clock: Clock | None = None
    ) -> PosApplication:
        return cls(config, app, clock=clock)

    def quit_when_ready(self, report: Callable[[], None]) -> None:
        """Report once the event loop has painted the cashier window, then quit."""
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication

        def ready() -> None:
            report()
            QApplication.quit()

        QTimer.singleShot(0, ready)

    def shut_down(self) -> None:
        self.tasks.shutdown()
        self.bridge.close()
        self.devices.close()
        if self.gateways is not None:
            self.gateways.close()
        if self.sandbox is not None:
            self.sandbox.stop()
        self.core.engine.dispose()


def build_diagnostics(core: Any, devices: Any, bus: Any, config: AppConfig) -> Any:
    """The IT checks of every configured device and the database (diagnostics screen)."""
    from pos_app.clock import SystemClock
    from pos_app.services.diagnostics import DiagnosedDevices, DiagnosticsService

    return DiagnosticsService(
        DiagnosedDevices(printer=devices.printer, drawer=core.drawer,
                         pole_display=devices.pole_display, scale=devices.scale,
                         camera=devices.camera, face_camera=devices.face_camera),
        bus=bus, clock=SystemClock(), engine=core.engine, data_dir=config.data_dir,
        store=core.store, terminal_code=core.site.terminal_code)


def build_face_matcher(config: AppConfig) -> tuple[Any, str]:
    """(in-memory face index, embedding model id) when [faces] is enabled, else (None, "")."""
    if not config.faces.enabled:
        return None, ""
    from hardware.faces.matcher import NumpyFaceMatcher
    from hardware.faces.models import MODEL_ID

    return NumpyFaceMatcher(), MODEL_ID


def build_face_desk(core: Any, devices: Any, bus: Any, tasks: Any, catalog: Any,
                    cashier: Any) -> Any:
    """Face recognition on the sale screen (F1) when [faces] is enabled and a face camera is
    configured; its ``member_confirmed(member_id)`` signal is the confirmed member. The index
    is rebuilt, and expired face data erased, on the store lane."""
    if core.faces is None or devices.face_camera is None:
        return None
    from pos_app.persistence.db import make_session_factory
    from pos_app.services.face_counter import FaceCounterService
    from ui.cashier.face_desk import FaceDesk

    counter = FaceCounterService(core.faces, devices.face_camera, bus,
                                 make_session_factory(core.engine))
    desk = FaceDesk(counter=counter, tasks=tasks, catalog=catalog, parent=cashier)
    cashier.sale_screen.attach_faces(desk)
    tasks.store(core.faces.purge_expired)
    tasks.store(core.faces.start)
    return desk


def reconcile_payments(config: AppConfig, day: date) -> int:
    """pos payments reconcile --date D: a header and one tab-separated line per wallet attempt
    of that store-local day; exit 1 when a line is not OK, 2 when it cannot run."""
    from pos_app.bootstrap import find_site, open_database
    from pos_app.clock import SystemClock
    from pos_app.persistence.db import make_session_factory
    from pos_app.services.reconciliation import ReconciliationService

    sandbox, gateways = build_payment_gateways(config)
    if gateways is None:
        print("no wallet provider is configured (payments.wechat_pay / payments.alipay)",
              file=sys.stderr)
        return 2
    try:
        engine = open_database(config)
        try:
            sessions = make_session_factory(engine)
            store, _site = find_site(sessions, config)
            report = ReconciliationService(
                sessions, gateways, SystemClock(), time_zone=store.time_zone).reconcile(day)
        finally:
            engine.dispose()
    except PosError as exc:
        print(f"reconcile: {exc}", file=sys.stderr)
        return 2
    finally:
        gateways.close()
        if sandbox is not None:
            sandbox.stop()
    sys.stdout.write(report.text())
    return 1 if report.mismatches else 0


def build_payment_gateways(config: AppConfig) -> tuple[Any, Any]:
    """(embedded sandbox or None, payment router or None). Training mode pays through the
    sandbox (one inside this process unless payments.sandbox_url names a running one); a
    live store configures its providers; neither means cash only."""
    from backends.wiring import AlipaySettings, PaymentSettings, WechatPaySettings, build_gateways

    payments = config.payments
    if payments.training:
        from backends.sandbox import pos_settings, serve
        from backends.sandbox.keys import ensure_keys

        folder = Path(payments.sandbox_state_dir) if payments.sandbox_state_dir \
            else config.data_dir / "sandbox"
        sandbox = None if payments.sandbox_url else serve("127.0.0.1", 0, folder)
        url = payments.sandbox_url or sandbox.url  # type: ignore[union-attr]
        if payments.sandbox_wechat_api == "v3":  # WeChat over the JSON API v3
            from backends.sandbox.settings_v3 import pos_settings_v3

            return sandbox, build_gateways(pos_settings_v3(url, ensure_keys(folder)))
        return sandbox, build_gateways(pos_settings(url, ensure_keys(folder)))
    wechat, alipay = payments.wechat_pay, payments.alipay
    if wechat is None and alipay is None:
        return None, None
    return None, build_gateways(PaymentSettings(
        wechat_pay=None if wechat is None else WechatPaySettings(
            appid=wechat.appid, mch_id=wechat.mch_id, api_key=wechat.api_key,
            base_url=wechat.base_url, sign_type=wechat.sign_type,
            client_cert=wechat.client_cert, client_key=wechat.client_key,
            ca_bundle=wechat.ca_bundle, api=wechat.api, serial_no=wechat.serial_no,
            private_key_file=wechat.private_key_file, apiv3_key=wechat.apiv3_key,
            platform_certificate_files=tuple(wechat.platform_certificate_files),
            public_key_file=wechat.public_key_file, public_key_id=wechat.public_key_id,
            store_id=wechat.store_id),
        alipay=None if alipay is None else AlipaySettings(
            app_id=alipay.app_id, app_private_key=alipay.app_private_key,
            alipay_public_key=alipay.alipay_public_key, gateway_url=alipay.gateway_url,
            store_id=alipay.store_id, ca_bundle=alipay.ca_bundle),
        connect_timeout_s=payments.connect_timeout_s, read_timeout_s=payments.read_timeout_s))


def ensure_demo_store(engine: Engine, config: AppConfig) -> None:
    """A terminal configured for the demo store gets it seeded on first start. The generator
    (and its pinyin dictionary) is imported only then, to keep ordinary starts fast."""
    from pos_app.clock import SystemClock
    from pos_app.persistence.db import make_session_factory
    from pos_app.persistence.repositories.staff import SiteRepository

    if config.store.code != DEMO_STORE_CODE:
        return
    with make_session_factory(engine)() as session:
        if SiteRepository(session).store(DEMO_STORE_CODE) is not None:
            return
    from pos_app.persistence.demo_store import DemoStoreExists, seed_demo_store

    log.info("empty database: seeding the demo store")
    with contextlib.suppress(DemoStoreExists):  # another terminal seeded it just now
        seed_demo_store(engine, now=SystemClock().now())


def _bench(metrics: list[str]) -> int:
    try:
        from benchmarks.run import run_benchmarks
    except ImportError:
        print("benchmarks are not part of this installation (run from a source checkout)",
              file=sys.stderr)
        return 2
    return run_benchmarks(metrics)


def _setup_logging(data_dir: Path) -> None:
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(logs / "pos.log", maxBytes=5_000_000, backupCount=5,
                                  encoding="utf-8")
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    console = logging.StreamHandler()
    console.setLevel(logging.WARNING)
    root.addHandler(console)


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


if __name__ == "__main__":
    sys.exit(main())
