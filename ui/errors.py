"""Exception -> message: a UserError is shown where it happened; anything else is a bug,
logged with its traceback and shown as "Something went wrong; the sale is safe"."""

from __future__ import annotations

import logging

from pos_app.errors import UserError
from pos_app.i18n import Catalog

log = logging.getLogger(__name__)


def user_message(error: BaseException, catalog: Catalog) -> str:
    if isinstance(error, UserError):
        reason = error.params.get("reason")
        specific = f"error.{error.code}.{reason}"
        if isinstance(reason, str) and catalog.has(specific):
            return catalog.text(specific, **error.params)
        return catalog.text(f"error.{error.code}", **error.params)
    log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    return catalog.text("error.unexpected")
