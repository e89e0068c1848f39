"""build_core: the database, the unit of work and the services, wired once at start-up."""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pos_app.bus import EventBus
from pos_app.clock import Clock
from pos_app.config import AppConfig
from pos_app.domain.scan_codes import LabelLayout, layouts_from_config, preset
from pos_app.errors import ConfigError
from pos_app.persistence.db import make_engine, make_session_factory
from pos_app.persistence.migrate import upgrade
from pos_app.persistence.repositories.carts import Site
from pos_app.persistence.repositories.staff import SiteRepository, StoreRecord
from pos_app.persistence.unit_of_work import UnitOfWork
from pos_app.ports.faces import FaceMatcher
from pos_app.ports.payments import GatewayDirectory
from pos_app.ports.printing import CashDrawer, ReceiptPrinter
from pos_app.services.approvals import ApprovalService
from pos_app.services.checkout import CheckoutService
from pos_app.services.coupons import CouponService
from pos_app.services.drawer import DrawerService
from pos_app.services.faces import FaceService, face_policy
from pos_app.services.members import MemberService
from pos_app.services.order_codes import OrderCodeService
from pos_app.services.payment_refunds import RefundRunner
from pos_app.services.payments import PaymentService
from pos_app.services.printing import PrintService
from pos_app.services.refunds import RefundService
from pos_app.services.reports import ReportService
from pos_app.services.sales import SaleService
from pos_app.services.staff import StaffService

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Core:
    store: StoreRecord
    site: Site
    checkout: CheckoutService
    sales: SaleService
    staff: StaffService
    printing: PrintService
    approvals: ApprovalService
    drawer: DrawerService
    order_codes: OrderCodeService
    members: MemberService
    coupons: CouponService
    refunds: RefundService
    """Returns and refunds by original sale, with a manager's approval."""
    reports: ReportService
    """The manager's sales report and its CSV export."""
    engine: Engine
    payments: PaymentService | None = None
    """Wallet payments; None when no payment gateway is configured (cash only)."""
    faces: FaceService | None = None
    """Members recognised by face; None unless [faces] enabled and a face matcher is given."""


YOUNG_COLLECTION = 10_000
"""Container allocations between two collections of the youngest generation (CPython's
default is 700). Repricing a big cart makes a few thousand short-lived containers, nearly all
freed by reference counting: at the default the collector still ran several times per
reprice (4 % of its instructions on the 200-line benchmark, callgrind), at this one once in
several reprices; each run looks only at the young objects still alive."""


def settle_heap() -> tuple[int, int, int]:
    """Once the long-lived data is loaded (catalogue caches, rules, Qt wrappers, modules):
    collect, move what survives out of the collector's reach (``gc.freeze``) so a full
    collection never pauses a scan or a reprice, and collect the young generation less
    often (``YOUNG_COLLECTION``). Returns the thresholds before, for ``unsettle_heap``."""
    before = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION, before[1], before[2])
    return before


def unsettle_heap(before: tuple[int, int, int]) -> None:
    """Undo ``settle_heap`` (the benchmarks measure several set-ups in one process)."""
    gc.set_threshold(*before)
    gc.unfreeze()


def open_database(config: AppConfig, *, migrate: bool = True) -> Engine:
    engine = make_engine(config.database_url)
    if migrate:
        upgrade(engine)
    return engine


def find_site(sessions: sessionmaker[Session], config: AppConfig) -> tuple[StoreRecord, Site]:
    with sessions() as session:
        sites = SiteRepository(session)
        store = sites.store(config.store.code)
        site = sites.site(config.store.code, config.terminal.code)
    if store is None or site is None:
        raise ConfigError(
            f"store.code {config.store.code!r} with terminal.code {config.terminal.code!r} "
            "is not in the database (run `pos demo` for the demo store)")
    return store, site


def label_layouts(config: AppConfig) -> tuple[LabelLayout, ...]:
    try:
        if config.scan.labels:
            return layouts_from_config(list(config.scan.labels))
        return preset(config.scan.label_preset)
    except ValueError as exc:
        raise ConfigError(f"scan: {exc}") from exc


def build_core(config: AppConfig, *, bus: EventBus, clock: Clock,
               printer: ReceiptPrinter | None, engine: Engine | None = None,
               gateways: GatewayDirectory | None = None,
               drawer: CashDrawer | None = None, face_matcher: FaceMatcher | None = None,
               face_model: str = "") -> Core:
    """``drawer`` is the cash drawer port (usually the receipt printer, which drives it);
    ``face_matcher`` searches the embeddings ``face_model`` makes (faces.enabled only)."""
    engine = engine or open_database(config)
    sessions = make_session_factory(engine)
    store, site = find_site(sessions, config)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions, bus, site)

    checkout = CheckoutService(uow, clock, bus, label_layouts=label_layouts(config))
    sales = SaleService(uow, clock, bus, checkout)
    payments = None if gateways is None else PaymentService(
        uow, clock, bus, gateways, sales, terminal_code=site.terminal_code)
    approvals = ApprovalService(uow, clock)
    refunds = RefundService(
        uow, clock, bus,
        None if gateways is None else RefundRunner(uow, clock, gateways,
                                                   terminal_code=site.terminal_code),
        approvals, printer=printer, drawer=drawer, store_code=config.store.code)
    return Core(
        store=store, site=site, checkout=checkout, sales=sales,
        staff=StaffService(uow, clock, bus),
        printing=PrintService(uow, clock, bus, printer, store_code=config.store.code),
        approvals=approvals, drawer=DrawerService(uow, clock, drawer, approvals=approvals),
        order_codes=OrderCodeService(uow, clock, checkout, store_code=config.store.code),
        members=MemberService(uow, clock, bus), coupons=CouponService(uow, clock),
        refunds=refunds, reports=ReportService(uow, clock), engine=engine, payments=payments,
        faces=None if face_matcher is None or not config.faces.enabled else FaceService(
            sessions, face_matcher, clock, terminal_code=site.terminal_code,
            model_id=face_model, policy=face_policy(config.faces)),
    )
