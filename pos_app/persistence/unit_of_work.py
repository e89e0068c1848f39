"""UnitOfWork: one session and its repositories; explicit commit, then the events go out.

Use it as a context manager. Leaving without ``commit()`` rolls back, so an exception in a
use case never leaves half a sale behind. Events collected with ``record`` are published
only after the commit succeeded.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from pos_app.bus import EventBus
from pos_app.events import Event
from pos_app.persistence.repositories.carts import CartRepository, Site
from pos_app.persistence.repositories.catalog import ProductRepository
from pos_app.persistence.repositories.coupons import CouponRepository
from pos_app.persistence.repositories.journal import AuditLog, EventJournal, PrintJobs
from pos_app.persistence.repositories.members import MemberRepository
from pos_app.persistence.repositories.payment_attempts import PaymentAttemptRepository
from pos_app.persistence.repositories.points import PointsRepository
from pos_app.persistence.repositories.promotions import PromotionRepository
from pos_app.persistence.repositories.returns import ReturnRepository
from pos_app.persistence.repositories.sales import SaleRepository
from pos_app.persistence.repositories.staff import SiteRepository, StaffRepository
from pos_app.persistence.repositories.stored_value import StoredValueRepository


class UnitOfWork:
    def __init__(self, sessions: sessionmaker[Session], bus: EventBus, site: Site) -> None:
        self._sessions = sessions
        self._bus = bus
        self.site = site
        self._pending: list[Event] = []

    def __enter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.products = ProductRepository(self.session)
        self.carts = CartRepository(self.session, self.site)
        self.sales = SaleRepository(self.session)
        self.staff = StaffRepository(self.session)
        self.sites = SiteRepository(self.session)
        self.journal = EventJournal(self.session, self.site.terminal_code)
        self.audit = AuditLog(self.session)
        self.print_jobs = PrintJobs(self.session)
        self.attempts = PaymentAttemptRepository(self.session)
        self.members = MemberRepository(self.session)
        self.coupons = CouponRepository(self.session)
        self.promotions = PromotionRepository(self.session)
        self.stored_value = StoredValueRepository(self.session)
        self.points = PointsRepository(self.session)
        self.returns = ReturnRepository(self.session)
        self._pending = []
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()

    def record(self, *events: Event) -> None:
        self._pending.extend(events)

    def commit(self) -> None:
        self.session.commit()
        pending, self._pending = self._pending, []
        self._bus.publish_all(pending)
