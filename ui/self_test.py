"""`pos self-test`: checks config, database, migrations, store, messages, printer, the face
models, the barcode decoders and Qt headless, one line per check ("ok"/"FAIL", the check, what
was found), exit 1 on any failure.

Part of the composition root (like ui/main.py) because it reaches the configured devices.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from pos_app.config import AppConfig
from pos_app.errors import PosError

Check = tuple[str, Callable[[], str]]


def run_self_test(config: AppConfig) -> int:
    failures = 0
    for name, check in _checks(config):
        try:
            detail = check()
        except (PosError, OSError, ValueError, ImportError, SQLAlchemyError) as exc:
            failures += 1
            print(f"FAIL {name}: {exc}", flush=True)
        else:
            print(f"ok   {name}: {detail}", flush=True)
    print("self-test passed" if failures == 0 else f"self-test failed: {failures} check(s)")
    return 0 if failures == 0 else 1


def _checks(config: AppConfig) -> list[Check]:
    return [
        ("config", lambda: str(config.source or "built-in defaults")),
        ("database", lambda: _database(config)),
        ("store", lambda: _store(config)),
        ("messages", lambda: _messages(config)),
        ("printer", lambda: _printer(config)),
        ("face models", lambda: _face_models(config)),
        ("barcode decoders", _decoders),
        ("qt", _qt),
    ]


def _database(config: AppConfig) -> str:
    from sqlalchemy.engine import make_url

    from pos_app.bootstrap import open_database
    from pos_app.persistence.migrate import current_revision, head_revision

    engine = open_database(config)
    revision = current_revision(engine)
    engine.dispose()
    if revision != head_revision():
        raise PosError(f"schema at {revision}, expected {head_revision()}")
    safe = make_url(config.database_url).render_as_string(hide_password=True)
    return f"{safe} at revision {revision}"


def _store(config: AppConfig) -> str:
    from pos_app.bootstrap import find_site, open_database
    from pos_app.persistence.db import make_session_factory

    engine = open_database(config, migrate=False)
    store, site = find_site(make_session_factory(engine), config)
    engine.dispose()
    return f"{store.code} {store.name}, terminal {site.terminal_code}"


def _messages(config: AppConfig) -> str:
    from pos_app.i18n import FALLBACK_LOCALE, load_catalog
    from pos_app.resources import resources_dir

    catalog = load_catalog(resources_dir() / "i18n", config.store.locale)
    english = load_catalog(resources_dir() / "i18n", FALLBACK_LOCALE)
    missing = english.keys() - catalog.keys()
    if missing:
        raise PosError(f"{len(missing)} messages missing in {config.store.locale}, "
                       f"e.g. {sorted(missing)[0]}")
    return f"{config.store.locale}: {len(catalog.keys())} messages"


def _printer(config: AppConfig) -> str:
    from hardware.printer.transports import prepare_escpos_env
    from hardware.wiring import check_printer

    prepare_escpos_env()
    return check_printer(config.devices.printer, config.data_dir)


def _face_models(config: AppConfig) -> str:
    """Both shipped models present and unchanged (SHA-256), and OpenCV able to load them;
    with face recognition off it only says so."""
    from hardware.faces.models import MODEL_ID, SFACE, YUNET, load_model

    sizes = [len(load_model(model)) for model in (YUNET, SFACE)]
    import cv2

    state = "enabled" if config.faces.enabled else "off ([faces] enabled = false)"
    return (f"{MODEL_ID}: YuNet {sizes[0] // 1024} KiB, SFace {sizes[1] // 1024} KiB, "
            f"SHA-256 ok, OpenCV {cv2.__version__}; face recognition {state}")


def _decoders() -> str:
    """zxing-cpp and pyzbar (with libzbar) decode a QR code drawn here."""
    import numpy as np
    import zxingcpp
    from pyzbar import pyzbar

    text = "POS-SELF-TEST"
    matrix = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode)
    image = np.asarray(matrix.to_image(scale=4, add_quiet_zones=True), dtype=np.uint8)
    zxing = [r.text for r in zxingcpp.read_barcodes(image)]
    zbar = [r.data.decode() for r in pyzbar.decode(image)]
    if zxing != [text] or zbar != [text]:
        raise PosError(f"decoded {zxing} with zxing-cpp and {zbar} with zbar, "
                       f"expected [{text!r}]")
    return "zxing-cpp and zbar (libzbar) both read a QR code"


def _qt() -> str:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QFontDatabase
    from PySide6.QtWidgets import QApplication, QLabel

    from ui.theme import register_bundled_fonts

    app = QApplication.instance() or QApplication(sys.argv[:1])
    register_bundled_fonts()
    label = QLabel("收银台 ¥12.30")
    image = label.grab()
    cjk = [f for f in QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)]
    if not cjk:
        raise PosError("no font with Simplified Chinese: install fonts-wqy-microhei")
    return (f"{app.platformName()} platform, rendered {image.width()}x{image.height()}, "
            f"CJK font {cjk[0]}")
