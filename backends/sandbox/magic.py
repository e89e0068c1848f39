"""Magic payment codes: the sandbox's behaviour is chosen by the code the customer "shows".

A sandbox code is a real-looking code of the wallet (WeChat Pay 18 digits starting 10-15,
Alipay 16-24 digits starting 25-30) whose 3rd-4th digits pick the scenario and 5th-6th digits
its parameter ``NN``; the rest is free, so every test can use a fresh code (a code works once).
``make_code(Provider.WECHAT_PAY, Scenario.PASSWORD_THEN_PAYS, 5)`` -> ``13 01 05 …``.

==  ============================  ==============================================================
SS  scenario                      WeChat Pay v2 / Alipay behaviour (NN = parameter)
==  ============================  ==============================================================
00  PAYS_AT_ONCE                  SUCCESS / 10000 at once (any unlisted SS does the same)
01  PASSWORD_THEN_PAYS            USERPAYING / 10003; paid NN s later (query: USERPAYING ->
                                  SUCCESS / WAIT_BUYER_PAY -> TRADE_SUCCESS)
02  PASSWORD_THEN_CANCELS         USERPAYING / 10003; NN s later the customer closes the
                                  password box: PAYERROR / TRADE_CLOSED
03  PASSWORD_NEVER                USERPAYING / 10003 and the customer never pays: WeChat
                                  revokes it at 45 s (REVOKED), Alipay closes it at 3 min
                                  (TRADE_CLOSED); a WeChat reverse before that answers
                                  USERPAYING recall=Y, an Alipay cancel closes it
04  SYSTEM_ERROR_PAID             charged, but the reply is SYSTEMERROR / 20000
                                  aop.ACQ.SYSTEM_ERROR
05  NOT_ENOUGH                    NOTENOUGH / 40004 ACQ.BUYER_BALANCE_NOT_ENOUGH; nothing charged
06  DROP_AFTER_CHARGE             charged, then the connection is closed without a reply
07  REVERSE_ASKS_RETRY            as 03, and the first reverse / cancel answers SYSTEMERROR
                                  recall=Y / 40004 ACQ.SYSTEM_ERROR retry_flag=Y
08  BAD_SIGNATURE                 charged; the pay reply's signature is wrong (later replies
                                  are signed correctly)
09  SLOW_REPLY                    charged, then the reply waits NN s (00: 10 s), past the
                                  client's read timeout
10  CODE_EXPIRED                  AUTHCODEEXPIRE / 40004 ACQ.PAYMENT_AUTH_CODE_INVALID
11  NEVER_ARRIVED                 SYSTEMERROR / 20000 isp.unknow-error and no order recorded:
                                  query says ORDERNOTEXIST / ACQ.TRADE_NOT_EXIST; a re-submit
                                  of the identical request is then taken as new (and paid)
12  REFUND_SYSTEM_ERROR           paid at once; the first refund is recorded but answers
                                  SYSTEMERROR / 20000 ACQ.SYSTEM_ERROR
13  SYSTEM_ERROR_PAID_ANY_CODE    charged, but the reply is BANKERROR / 40004 ACQ.SYSTEM_ERROR
==  ============================  ==============================================================

Behaviours that follow from state rather than from the code (docs/sandbox.md): ORDERPAID /
ACQ.TRADE_HAS_SUCCESS when a paid out_trade_no is re-submitted; OUT_TRADE_NO_USED /
ACQ.CONTEXT_INCONSISTENT when its parameters differ; AUTH_CODE_ERROR /
ACQ.PAYMENT_AUTH_CODE_INVALID for a code used before; AUTH_CODE_INVALID for a code that is not
the wallet's; a wrong request signature refused (unsigned return_code=FAIL / signed 40002
isv.invalid-signature); REVERSE_EXPIRE after 7 days; refunds PROCESSING -> SUCCESS, partial,
at most 50, idempotent by out_refund_no / out_request_no (fund_change=N on a replay,
ACQ.DISCORDANT_REPEAT_REQUEST when the amount differs); a precreated QR answers
ACQ.TRADE_NOT_EXIST until it is scanned.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import IntEnum

from pos_app.domain.payment_codes import Provider


class Scenario(IntEnum):
    PAYS_AT_ONCE = 0
    PASSWORD_THEN_PAYS = 1
    PASSWORD_THEN_CANCELS = 2
    PASSWORD_NEVER = 3
    SYSTEM_ERROR_PAID = 4
    NOT_ENOUGH = 5
    DROP_AFTER_CHARGE = 6
    REVERSE_ASKS_RETRY = 7
    BAD_SIGNATURE = 8
    SLOW_REPLY = 9
    CODE_EXPIRED = 10
    NEVER_ARRIVED = 11
    REFUND_SYSTEM_ERROR = 12
    SYSTEM_ERROR_PAID_ANY_CODE = 13


WAITING_SCENARIOS = frozenset(
    {
        Scenario.PASSWORD_THEN_PAYS,
        Scenario.PASSWORD_THEN_CANCELS,
        Scenario.PASSWORD_NEVER,
        Scenario.REVERSE_ASKS_RETRY,
    }
)

_PREFIX = {Provider.WECHAT_PAY: "13", Provider.ALIPAY: "28", Provider.UNIONPAY: "62"}
_LENGTH = {Provider.WECHAT_PAY: 18, Provider.ALIPAY: 18, Provider.UNIONPAY: 19}


@dataclass(frozen=True, slots=True)
class Magic:
    scenario: Scenario
    param: int


def decode(code: str) -> Magic:
    """The scenario a code asks for; anything unreadable pays at once."""
    digits = code[2:6]
    if len(digits) != 4 or not digits.isdigit():
        return Magic(Scenario.PAYS_AT_ONCE, 0)
    number, param = int(digits[:2]), int(digits[2:])
    try:
        return Magic(Scenario(number), param)
    except ValueError:
        return Magic(Scenario.PAYS_AT_ONCE, param)


def make_code(
    provider: Provider, scenario: Scenario = Scenario.PAYS_AT_ONCE, param: int = 0
) -> str:
    """A fresh sandbox code of ``provider`` asking for ``scenario`` with ``param`` (0-99)."""
    if not 0 <= param <= 99:
        raise ValueError("a magic parameter is two digits")
    head = f"{_PREFIX[provider]}{int(scenario):02d}{param:02d}"
    tail = "".join(secrets.choice("0123456789") for _ in range(_LENGTH[provider] - len(head)))
    return head + tail
