"""A terminal process for crash tests: builds the same core the app builds, then obeys
commands on stdin, one per line, and answers "ok ..." after each committed step.

    open                 -> ok <cart id>
    scan <barcode>       -> ok <line count> <total fen>
    pay <fen>            -> ok <order number>
    loop <barcode>       -> sells one item per sale forever, printing "sold <n>" after each

With POS_CRASH_AT=after_payment_insert|after_stock_update|before_commit the process
SIGKILLs itself inside the payment's transaction, at that point, the way a power cut would.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from pos_app.bootstrap import build_core
from pos_app.bus import EventBus
from pos_app.clock import SystemClock
from pos_app.config import parse_config
from pos_app.domain.money import Money
from pos_app.persistence.db import make_engine


def crash_inside_payment(point: str) -> None:
    """Wrap Session.execute to note (and maybe die at) the payment's statements."""
    original = Session.execute

    def execute(self: Session, statement: object, *args: object, **kwargs: object) -> object:
        result = original(self, statement, *args, **kwargs)  # type: ignore[arg-type]
        sql = str(statement)
        if "INSERT INTO payments" in sql:
            self.info["paying"] = True
            if point == "after_payment_insert":
                os.kill(os.getpid(), signal.SIGKILL)
        if "UPDATE stock" in sql and self.info.get("paying") and point == "after_stock_update":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    def before_commit(session: Session) -> None:
        if session.info.get("paying") and point == "before_commit":
            os.kill(os.getpid(), signal.SIGKILL)

    Session.execute = execute  # type: ignore[method-assign,assignment]
    event.listen(Session, "before_commit", before_commit)


def main() -> None:
    url, data_dir = sys.argv[1], Path(sys.argv[2])
    engine = make_engine(url)
    core = build_core(parse_config({}, data_dir=data_dir), bus=EventBus(), clock=SystemClock(),
                      printer=None, engine=engine)
    point = os.environ.get("POS_CRASH_AT")
    if point:
        crash_inside_payment(point)
    cart_id = ""
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "open":
            cart_id = core.checkout.open_cart("user-1").id
            print(f"ok {cart_id}", flush=True)
        elif command == "scan":
            view = core.checkout.scan(cart_id, argument)
            print(f"ok {len(view.lines)} {view.total.fen}", flush=True)
        elif command == "pay":
            sale = core.sales.pay_cash(cart_id, Money(int(argument)))
            print(f"ok {sale.order_number}", flush=True)
        elif command == "loop":
            sold = 0
            while True:
                cart_id = core.checkout.open_cart("user-1").id
                view = core.checkout.scan(cart_id, argument)
                core.sales.pay_cash(cart_id, view.total)
                sold += 1
                print(f"sold {sold}", flush=True)


if __name__ == "__main__":
    main()
