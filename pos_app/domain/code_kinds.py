"""What a scanned or typed code is, by its form alone, before anything is looked up.

A till reads many kinds of code through one scanner: goods (EAN/UPC, scale labels, GS1), an
order QR code (订单POS), a coupon code, the customer's dynamic member code and the
customer's payment code (付款码). Forms, checked in this order:

- order QR: ``looks_like_order_code`` (``pos_app.domain.order_codes``);
- coupon: ``CP<key id>-<base32>`` (``pos_app.domain.coupons``), letter case ignored;
- member code: ``M`` + 12-digit member card number + 6-digit TOTP (19 characters);
- payment code: 16-24 digits with a wallet prefix (``pos_app.domain.payment_codes``): only
  digit strings longer than any product code (GTIN-14), so a barcode is never taken for one;
- anything else is a product code, and ``scan_codes.classify`` says which kind.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pos_app.domain.order_codes import looks_like_order_code
from pos_app.domain.payment_codes import route
from pos_app.errors import UserError

_COUPON = re.compile(r"CP[A-Z0-9]{1,4}-[A-Z2-7]{8,}")
_MEMBER = re.compile(r"M\d{18}")
_LONGEST_PRODUCT_CODE = 14


class CodeKind(StrEnum):
    PRODUCT = "product"
    ORDER = "order"
    COUPON = "coupon"
    MEMBER = "member"
    PAYMENT = "payment"


def kind_of(text: str) -> CodeKind:
    code = text.strip()
    if looks_like_order_code(code):
        return CodeKind.ORDER
    upper = code.upper()
    if _COUPON.fullmatch(upper):
        return CodeKind.COUPON
    if _MEMBER.fullmatch(upper):
        return CodeKind.MEMBER
    if code.isascii() and code.isdigit() and len(code) > _LONGEST_PRODUCT_CODE:
        try:
            route(code)
        except UserError:
            return CodeKind.PRODUCT
        return CodeKind.PAYMENT
    return CodeKind.PRODUCT
