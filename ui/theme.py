"""Palette, fonts and touch sizes, as one readable Qt stylesheet.

Widgets carry an object name (``TotalValue``, ``PayButton``...) or a dynamic property
(``severity``) and the stylesheet styles those; no widget sets colours itself. Sizes are in
pixels for a 1280x800 cashier screen and an 800x480 to 1024x600 customer display.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QWidget

from pos_app.resources import resources_dir

FONT_FAMILIES = (
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "sans-serif",
)
"""CJK first: WenQuanYi Micro Hei is the small Debian font; YaHei and PingFang on Windows/macOS."""

FONT_FILE_SUFFIXES = (".ttf", ".ttc", ".otf")
SAVINGS_ON_DARK = "#ff8a65"
"""Savings rows on the dark customer display (the same orange as the theme's savings)."""


@dataclass(frozen=True, slots=True)
class Theme:
    background: str = "#eef1f5"
    surface: str = "#ffffff"
    text: str = "#1f2933"
    muted: str = "#5f6b7a"
    line: str = "#d3d9e0"
    primary: str = "#1565c0"
    panel: str = "#102a43"
    panel_text: str = "#ffffff"
    total: str = "#ffd54f"
    savings: str = "#ff8a65"
    pay: str = "#2e7d32"
    pay_pressed: str = "#1b5e20"
    error: str = "#c62828"
    error_back: str = "#fdecea"
    success: str = "#1b5e20"
    success_back: str = "#e8f5e9"
    highlight: str = "#fff3c4"
    base_px: int = 18
    touch_px: int = 64
    """Smallest height of anything a finger presses."""


def font(size_px: int = 18) -> QFont:
    chosen = QFont()
    chosen.setFamilies(list(FONT_FAMILIES))
    chosen.setPixelSize(size_px)
    return chosen


def apply(app: QApplication, theme: Theme | None = None) -> None:
    """Application-wide font and stylesheet; call once before the windows are built."""
    theme = theme or Theme()
    register_bundled_fonts()
    app.setFont(font(theme.base_px))
    app.setStyleSheet(stylesheet(theme))


def register_bundled_fonts(folder: Path | None = None) -> list[str]:
    """Add the fonts shipped in resources/fonts/ (the bundle's CJK font) to Qt's font database,
    so Chinese renders where no CJK font is installed; returns the families added.
    Needs a QGuiApplication; a font the system also has is harmless."""
    folder = folder or resources_dir() / "fonts"
    if not folder.is_dir():
        return []
    families: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in FONT_FILE_SUFFIXES:
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id != -1:
                families.extend(QFontDatabase.applicationFontFamilies(font_id))
    return families


def apply_to(widget: QWidget, theme: Theme | None = None) -> None:
    """The same look for one window (tests and screenshots build windows without ``apply``)."""
    theme = theme or Theme()
    widget.setFont(font(theme.base_px))
    widget.setStyleSheet(stylesheet(theme))


def stylesheet(theme: Theme) -> str:
    return "\n".join((_base(theme), _cashier(theme), _dialogs(theme), _customer(theme)))


def _families() -> str:
    return ", ".join(f'"{name}"' for name in FONT_FAMILIES)


def _base(t: Theme) -> str:
    return f"""
QWidget {{ font-family: {_families()}; font-size: {t.base_px}px; color: {t.text}; }}
QMainWindow, QDialog, #LoginScreen, #SaleScreen {{ background: {t.background}; }}
QLineEdit {{ background: {t.surface}; border: 2px solid {t.line}; border-radius: 6px;
    padding: 6px 10px; font-size: 24px; min-height: 40px; }}
QLineEdit:focus {{ border-color: {t.primary}; }}
QPushButton {{ background: {t.surface}; border: 1px solid {t.line}; border-radius: 8px;
    padding: 6px 14px; min-height: 48px; }}
QPushButton:pressed {{ background: {t.line}; }}
QPushButton:default {{ border: 2px solid {t.primary}; }}
QTableView, QListView {{ background: {t.surface}; border: 1px solid {t.line};
    gridline-color: {t.line}; selection-background-color: {t.highlight};
    selection-color: {t.text}; font-size: 20px; }}
QTableView::item {{ padding: 0 10px; }}
QHeaderView::section {{ background: {t.background}; color: {t.muted}; border: none;
    border-bottom: 1px solid {t.line}; padding: 6px; font-size: 16px; }}
#InlineError {{ color: {t.error}; font-size: 20px; font-weight: bold; }}
#Caption {{ color: {t.muted}; font-size: 16px; }}
#Title {{ font-size: 30px; font-weight: bold; }}
"""


def _cashier(t: Theme) -> str:
    return f"""
#TopBar {{ background: {t.panel}; }}
#TopBar QLabel {{ color: {t.panel_text}; font-size: 18px; }}
#StatusLabel {{ font-size: 24px; padding: 8px 16px; min-height: 40px; border-radius: 6px;
    background: {t.surface}; color: {t.muted}; }}
#StatusLabel[severity="error"] {{ background: {t.error}; color: white; font-size: 28px;
    font-weight: bold; }}
#StatusLabel[severity="warning"] {{ background: #fff3cd; color: #8a5300; font-size: 24px;
  font-weight: bold; }}
#StatusLabel[severity="success"] {{ background: {t.success_back}; color: {t.success};
    font-weight: bold; }}
#CartTable {{ font-size: 22px; }}
#TotalPanel {{ background: {t.panel}; border-radius: 10px; }}
#TotalPanel QLabel {{ color: {t.panel_text}; font-size: 22px; }}
#TotalPanel #Caption {{ color: #9fb3c8; font-size: 18px; }}
#TotalPanel #SavingsValue {{ color: {t.savings}; }}
#TotalPanel #SavingsValue[zero="true"] {{ color: #7b8794; }}
#TotalPanel #TotalValue {{ color: {t.total}; font-size: 64px; font-weight: bold; }}
#TotalPanel #ChangeValue {{ color: {t.total}; font-size: 64px; font-weight: bold; }}
#PayButton {{ background: {t.pay}; color: white; font-size: 30px; font-weight: bold;
    min-height: 84px; border: none; }}
#PayButton:pressed {{ background: {t.pay_pressed}; }}
#FKeyButton {{ min-height: {t.touch_px}px; font-size: 18px; padding: 4px 8px; }}
#CodeEntry {{ font-size: 26px; }}
#MemberLine {{ font-size: 20px; padding: 6px 10px; border-radius: 6px; color: {t.muted};
    background: {t.surface}; border: 1px solid {t.line}; }}
#MemberLine[member="true"] {{ color: {t.text}; font-weight: bold; border-color: {t.primary}; }}
#SavingsList {{ font-size: 18px; color: #b4470f; }}
"""


def _dialogs(t: Theme) -> str:
    return f"""
#DueValue {{ font-size: 64px; font-weight: bold; color: {t.text}; }}
#DialogChange {{ font-size: 48px; font-weight: bold; color: {t.pay}; }}
#TenderedEdit {{ font-size: 40px; min-height: 64px; }}
#FieldCaption {{ color: {t.muted}; font-size: 24px; }}
#QuickCashButton {{ font-size: 24px; min-height: 80px; min-width: 140px; }}
#TenderButton {{ font-size: 20px; min-height: 56px; }}
#MemberSummary {{ font-size: 22px; font-weight: bold; color: {t.text}; }}
#MemberCoupons {{ font-size: 20px; min-height: 96px; }}
#RefundPreview {{ font-size: 22px; font-weight: bold; color: {t.text}; }}
#ApprovalCodeEdit {{ font-size: 28px; }}
#ConfirmButton {{ background: {t.primary}; color: white; font-size: 22px; border: none;
    min-height: {t.touch_px}px; }}
#DangerButton {{ background: {t.error}; color: white; font-size: 22px; border: none;
    min-height: {t.touch_px}px; }}
#CancelButton {{ font-size: 22px; min-height: {t.touch_px}px; }}
#LoginCard {{ background: {t.surface}; border-radius: 12px; }}
#LoginCard QLineEdit {{ font-size: 30px; min-height: 56px; }}
"""


def _customer(t: Theme) -> str:
    return f"""
#CustomerWindow {{ background: {t.panel}; }}
#CustomerWindow QLabel {{ color: {t.panel_text}; }}
#CustomerWindow #StoreName {{ font-size: 28px; color: #9fb3c8; }}
#CustomerWindow #Headline {{ font-size: 96px; font-weight: bold; }}
#CustomerWindow #Subline {{ color: #9fb3c8; font-size: 30px; }}
#CustomerWindow #LastItemName {{ font-size: 30px; font-weight: bold; }}
#CustomerWindow #LastItemAmount {{ font-size: 30px; color: {t.total}; }}
#CustomerWindow #Caption {{ color: #9fb3c8; font-size: 22px; }}
#CustomerWindow #MemberGreeting {{ color: #ffd166; font-size: 26px; font-weight: bold; }}
#CustomerWindow #CustomerSavings {{ color: {t.savings}; font-size: 28px; font-weight: bold; }}
#CustomerWindow #CustomerTotal {{ color: {t.total}; font-size: 72px; font-weight: bold; }}
#CustomerWindow #PaidLine {{ font-size: 34px; }}
#CustomerWindow #ChangeLine {{ color: {t.total}; font-size: 56px; font-weight: bold; }}
#CustomerWindow QTableWidget {{ background: #183a5a; color: {t.panel_text}; border: none;
    font-size: 22px; gridline-color: #24507a; border-radius: 8px; }}
#CustomerWindow QTableWidget::item {{ padding: 0 12px; }}
#CustomerWindow QHeaderView::section {{ background: #183a5a; color: #9fb3c8; font-size: 20px;
    border: none; border-bottom: 1px solid #24507a; padding: 6px 12px; }}
"""
