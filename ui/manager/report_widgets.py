"""The reports screen's pieces: a headline figure (``FigureTile``), the sales-by-hour bar chart
(``HourChart``, painted with QPainter) and a read-only table (``ReportTable``).

Each shows what it is given and reads nothing; colours and sizes come from ``ui.theme``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.money import Money
from pos_app.i18n import Catalog
from pos_app.services.report_views import HourRow
from ui import theme
from ui.manager.report_texts import TABLE_COLUMNS

TRADING_HOURS = (8, 21)
"""The hours the chart always shows (first and last, included); hours with sales widen it."""
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_NICE_STEPS = (1, 2, 5)


def report_stylesheet(t: theme.Theme) -> str:
    """The reports screen's own rules, over the app's stylesheet (same palette and sizes)."""
    return f"""
#ReportTile {{ background: {t.surface}; border: 1px solid {t.line}; border-radius: 10px; }}
#ReportTile QLabel {{ background: transparent; }}
#ReportTileCaption {{ color: {t.muted}; font-size: 18px; }}
#ReportTileValue {{ font-size: 32px; font-weight: bold; color: {t.text}; }}
#ReportTileDetail {{ color: {t.muted}; font-size: 16px; }}
#ReportTile[tone="main"] #ReportTileValue {{ color: {t.primary}; }}
#ReportTile[tone="returns"] #ReportTileValue {{ color: {t.error}; }}
#ReportTile[tone="savings"] #ReportTileValue {{ color: #b4470f; }}
#StatusLabel[severity="info"] {{ background: transparent; padding-left: 0; }}
#ReportPeriod {{ font-size: 24px; font-weight: bold; }}
#ReportChart {{ background: {t.surface}; border: 1px solid {t.line}; border-radius: 10px; }}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ font-size: 18px; padding: 8px 12px; min-height: 30px; color: {t.muted};
    background: {t.background}; border: 1px solid {t.line}; border-bottom: none;
    border-top-left-radius: 6px; border-top-right-radius: 6px; }}
QTabBar::tab:selected {{ background: {t.surface}; color: {t.text}; font-weight: bold; }}
"""


class FigureTile(QFrame):
    """One headline figure: what it is, the figure in large type, a detail line under it."""

    def __init__(self, caption: str, *, tone: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReportTile")
        self.setProperty("tone", tone)
        self.caption_label = self._label(caption, "ReportTileCaption")
        self.value_label = self._label("", "ReportTileValue")
        self.detail_label = self._label("", "ReportTileDetail")
        self.detail_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(2)
        for label in (self.caption_label, self.value_label, self.detail_label):
            layout.addWidget(label)

    def _label(self, text: str, name: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        return label

    def set_figure(self, value: str, detail: str = "") -> None:
        self.value_label.setText(value)
        self.detail_label.setText(detail)

    def text(self) -> str:
        """Caption, figure and detail as one line: what a manager reads on the tile."""
        parts = (self.caption_label.text(), self.value_label.text(), self.detail_label.text())
        return " ".join(part for part in parts if part)


class HourChart(QWidget):
    """Bars of the sales total per store-local hour, the number of sales over each bar and the
    hour under it; the busiest hour stands out. Shows the trading hours, widened to every hour
    that has sales, so one day's chart lines up with the next."""

    def __init__(
        self, *, empty_text: str, tip: Callable[[HourRow], str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ReportChart")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._theme = theme.Theme()
        self._empty_text = empty_text
        self._tip = tip
        self._rows: tuple[HourRow, ...] = ()
        self.setMinimumSize(420, 240)

    def set_hours(self, rows: Sequence[HourRow]) -> None:
        self._rows = shown_hours(rows)
        self.update()

    def shown_hours(self) -> tuple[HourRow, ...]:
        """The hours on the chart, in order."""
        return self._rows

    def peak(self) -> HourRow | None:
        return peak_hour(self._rows)

    def sizeHint(self) -> QSize:
        return QSize(560, 320)

    # -- painting -----------------------------------------------------------------------------

    def _plot(self) -> QRect:
        """Where the bars go: room on the left for the money scale, above for the counts and
        under for the hours."""
        return self.rect().adjusted(72, 34, -14, -34)

    def _slot(self, index: int, plot: QRect) -> QRect:
        width = plot.width() / max(1, len(self._rows))
        left = plot.left() + round(index * width)
        return QRect(
            left, plot.top(), round((index + 1) * width) - round(index * width), plot.height()
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        plot = self._plot()
        step = scale_step(max((row.sales_total.fen for row in self._rows), default=0))
        self._paint_scale(painter, plot, step)
        if self.peak() is None:
            painter.setPen(QColor(self._theme.muted))
            painter.setFont(theme.font(20))
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, self._empty_text)
        peak = self.peak()
        for index, row in enumerate(self._rows):
            self._paint_bar(painter, self._slot(index, plot), row, step * 4, highlight=row is peak)
        painter.end()

    def _paint_scale(self, painter: QPainter, plot: QRect, step: int) -> None:
        t = self._theme
        painter.setFont(theme.font(14))
        for tick in range(5):
            y = plot.bottom() - round(plot.height() * tick / 4)
            painter.setPen(QColor(t.line if tick else t.muted))
            painter.drawLine(plot.left(), y, plot.right(), y)
            painter.setPen(QColor(t.muted))
            label = QRect(0, y - 10, plot.left() - 8, 20)
            painter.drawText(label, _RIGHT, f"¥{step * tick // 100}")

    def _paint_bar(
        self, painter: QPainter, slot: QRect, row: HourRow, top_fen: int, *, highlight: bool
    ) -> None:
        t = self._theme
        width = max(6, min(44, round(slot.width() * 0.64)))
        height = round(slot.height() * row.sales_total.fen / top_fen) if top_fen else 0
        if row.sales_total.fen > 0:
            height = max(height, 2)
        bar = QRect(slot.center().x() - width // 2, slot.bottom() - height, width, height)
        if height:
            painter.fillRect(bar, QColor(t.pay if highlight else t.primary))
        painter.setPen(QColor(t.text if highlight else t.muted))
        painter.setFont(theme.font(15))
        if row.sales_count:
            above = QRect(slot.left() - 6, bar.top() - 24, slot.width() + 12, 22)
            painter.drawText(above, Qt.AlignmentFlag.AlignCenter, str(row.sales_count))
        under = QRect(slot.left() - 6, slot.bottom() + 6, slot.width() + 12, 24)
        painter.drawText(under, Qt.AlignmentFlag.AlignCenter, str(row.hour))

    # -- tool tips ----------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            row = self.row_at(event.pos())
            if row is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self._tip(row), self)
            return True
        return super().event(event)

    def row_at(self, point: QPoint) -> HourRow | None:
        plot = self._plot()
        for index, row in enumerate(self._rows):
            slot = self._slot(index, plot)
            if slot.left() <= point.x() < slot.left() + slot.width():
                return row
        return None


def shown_hours(rows: Sequence[HourRow]) -> tuple[HourRow, ...]:
    """The trading hours, widened to the first and last hour with sales (or returns)."""
    busy = [row.hour for row in rows if row.sales_count or row.sales_total.fen]
    first = min([TRADING_HOURS[0], *busy])
    last = max([TRADING_HOURS[1], *busy])
    by_hour = {row.hour: row for row in rows}
    return tuple(
        by_hour.get(hour) or HourRow(hour=hour, sales_count=0, sales_total=Money(0))
        for hour in range(first, last + 1)
    )


def peak_hour(rows: Sequence[HourRow]) -> HourRow | None:
    """The hour with the highest sales total (the earlier one on a tie); None without sales."""
    best = max(rows, key=lambda row: (row.sales_total.fen, -row.hour), default=None)
    return best if best is not None and best.sales_total.fen > 0 else None


def scale_step(top_fen: int) -> int:
    """A round step (1, 2 or 5 times a power of ten, at least ¥1) so four steps reach
    ``top_fen``: the chart's gridlines."""
    magnitude = 100
    while True:
        for nice in _NICE_STEPS:
            if nice * magnitude * 4 >= top_fen:
                return nice * magnitude
        magnitude *= 10


class ReportTable(QTableWidget):
    """Rows of text; numeric columns right-aligned; never takes the keyboard focus (the screen's
    keys scroll it)."""

    def __init__(
        self,
        headers: Sequence[str],
        *,
        numeric: Sequence[int],
        stretch: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(0, len(headers), parent)
        self.setHorizontalHeaderLabels(list(headers))
        self._numeric = frozenset(numeric)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(38)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(56)

    def set_rows(self, rows: Sequence[Sequence[str]]) -> None:
        self.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column in self._numeric:
                    item.setTextAlignment(_RIGHT)
                self.setItem(row, column, item)

    def rows(self) -> list[list[str]]:
        """Every cell's text, row by row: what the manager reads."""
        return [
            [self._cell(row, column) for column in range(self.columnCount())]
            for row in range(self.rowCount())
        ]

    def _cell(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return "" if item is None else item.text()

    def scroll_by(self, rows: int) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + rows * bar.singleStep())


def make_tables(catalog: Catalog, parent: QWidget) -> dict[str, ReportTable]:
    """One empty ReportTable per report table, headed in the catalogue's words."""
    tables = {}
    for name, (columns, numeric, stretch) in TABLE_COLUMNS.items():
        headers = [catalog.text(f"reports.column.{column}") for column in columns]
        tables[name] = ReportTable(headers, numeric=numeric, stretch=stretch, parent=parent)
    return tables
