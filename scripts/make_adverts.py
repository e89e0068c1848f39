"""Draw the demo store's idle adverts (resources/adverts/*.png) with Qt and the CJK font.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_adverts.py [--out resources/adverts]

Flat colours and shapes only (no photos, no wallet logos), 1024x600 like the customer display,
so each PNG stays well under 100 KB. The customer display scales them to fit; run this again
after changing the words, and commit the PNGs (the app never draws them itself).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPainterPath

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ui.theme import FONT_FAMILIES  # noqa: E402  (after the repository is on the path)

SIZE = (1024, 600)
NAVY, WHITE, MUTED, GOLD = "#102a43", "#ffffff", "#9fb3c8", "#ffd54f"


def _font(px: int, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(list(FONT_FAMILIES))
    font.setPixelSize(px)
    font.setBold(bold)
    return font


def _text(p: QPainter, rect: QRectF, text: str, px: int, colour: str, *, bold: bool = False,
          align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> None:
    p.setFont(_font(px, bold=bold))
    p.setPen(QColor(colour))
    p.drawText(rect, int(align | Qt.AlignmentFlag.AlignVCenter), text)


def _pill(p: QPainter, rect: QRectF, fill: str, text: str, px: int, colour: str) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(fill))
    p.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
    _text(p, rect, text, px, colour, bold=True, align=Qt.AlignmentFlag.AlignHCenter)


def fresh_fruit(p: QPainter) -> None:
    p.fillRect(QRectF(0, 0, *SIZE), QColor("#1b4332"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#2d6a4f"))
    p.drawEllipse(QPointF(780, 300), 250, 250)
    for x, y, r, colour in ((700, 330, 110, "#d62828"), (850, 260, 90, "#e63946"),
                            (860, 420, 70, "#f4a261")):
        p.setBrush(QColor(colour))
        p.drawEllipse(QPointF(x, y), r, r)
        leaf = QPainterPath()
        leaf.moveTo(x, y - r + 6)
        leaf.quadTo(x + r * 0.45, y - r - r * 0.35, x + r * 0.6, y - r - r * 0.1)
        leaf.quadTo(x + r * 0.2, y - r + r * 0.05, x, y - r + 6)
        p.setBrush(QColor("#95d5b2"))
        p.drawPath(leaf)
        p.setBrush(QColor(colour))
    _text(p, QRectF(72, 120, 560, 120), "每日鲜果", 104, WHITE, bold=True)
    _text(p, QRectF(76, 250, 560, 60), "红富士苹果 · 当日到店", 40, "#d8f3dc")
    _pill(p, QRectF(76, 340, 300, 76), GOLD, "¥12.80 / kg", 40, "#1b4332")
    _text(p, QRectF(76, 470, 560, 40), "称重商品请交给收银员称重", 26, "#95d5b2")


def member(p: QPainter) -> None:
    p.fillRect(QRectF(0, 0, *SIZE), QColor(NAVY))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#183a5a"))
    p.drawRoundedRect(QRectF(614, 136, 340, 215), 24, 24)
    p.setBrush(QColor(GOLD))
    p.drawRoundedRect(QRectF(630, 120, 340, 215), 24, 24)
    _text(p, QRectF(660, 140, 280, 60), "会员卡", 36, NAVY, bold=True)
    _text(p, QRectF(660, 250, 280, 60), "VIP", 56, NAVY, bold=True,
          align=Qt.AlignmentFlag.AlignRight)
    _text(p, QRectF(72, 110, 520, 120), "成为会员", 104, WHITE, bold=True)
    _text(p, QRectF(76, 240, 500, 60), "积分抵现 · 会员专享价", 40, GOLD)
    _text(p, QRectF(76, 300, 500, 60), "生日当月 双倍积分", 40, GOLD)
    _text(p, QRectF(76, 420, 880, 50), "结账时出示会员码或报手机号，即可入会", 30, MUTED)


def scan_to_pay(p: QPainter) -> None:
    p.fillRect(QRectF(0, 0, *SIZE), QColor("#0b3d91"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#0a2f6e"))
    p.drawRoundedRect(QRectF(700, 70, 240, 460), 36, 36)
    p.setBrush(QColor(WHITE))
    p.drawRoundedRect(QRectF(720, 120, 200, 360), 12, 12)
    _code_pattern(p, QPointF(820, 300), cells=21, cell=8)
    _text(p, QRectF(72, 110, 600, 120), "扫码付款", 104, WHITE, bold=True)
    _text(p, QRectF(76, 240, 600, 60), "一扫即付，不用找零", 40, "#cfe0ff")
    _text(p, QRectF(76, 330, 600, 50), "支持 微信支付 · 支付宝 · 云闪付", 32, GOLD)
    _text(p, QRectF(76, 420, 600, 50), "没有付款码？收银员可在此屏显示收款码", 28, "#9fc3ff")


def _code_pattern(p: QPainter, centre: QPointF, *, cells: int, cell: int) -> None:
    """A QR-like picture (three finder squares, fixed dots): decoration, not a real code."""
    left, top = centre.x() - cells * cell / 2, centre.y() - cells * cell / 2

    def finder(row: int, col: int, r: int, c: int) -> bool | None:
        dr, dc = r - row, c - col
        if not (0 <= dr < 7 and 0 <= dc < 7):
            return None
        return dr in (0, 6) or dc in (0, 6) or (2 <= dr <= 4 and 2 <= dc <= 4)

    p.setBrush(QColor(NAVY))
    for r in range(cells):
        for c in range(cells):
            marks = [finder(0, 0, r, c), finder(0, cells - 7, r, c), finder(cells - 7, 0, r, c)]
            known = [m for m in marks if m is not None]
            near = any(finder(fr - 1, fc - 1, r, c) is not None
                       for fr, fc in ((0, 0), (0, cells - 8), (cells - 8, 0))) if not known \
                else False
            dark = known[0] if known else (not near and (r * 31 + c * 17 + r * c) % 7 < 3)
            if dark:
                p.drawRect(QRectF(left + c * cell, top + r * cell, cell, cell))


ADVERTS: dict[str, Callable[[QPainter], None]] = {
    "01_fresh_fruit.png": fresh_fruit,
    "02_member.png": member,
    "03_scan_to_pay.png": scan_to_pay,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Draw the demo adverts")
    parser.add_argument("--out", type=Path, default=REPO / "resources" / "adverts")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication([])
    args.out.mkdir(parents=True, exist_ok=True)
    for name, draw in ADVERTS.items():
        image = QImage(*SIZE, QImage.Format.Format_RGB32)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        draw(painter)
        painter.end()
        path = args.out / name
        if not image.save(str(path), "PNG", 9):  # type: ignore[call-overload]
            raise SystemExit(f"could not write {path}")
        print(f"{path.relative_to(REPO) if path.is_relative_to(REPO) else path}: "
              f"{path.stat().st_size // 1024} KB")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
