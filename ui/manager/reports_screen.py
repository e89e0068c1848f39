"""ReportsScreen: the store manager's sales figures for a day, opened from the sale screen
(Ctrl+M, with a manager's PIN).

It opens on today (store time zone) for the whole store. PgUp/PgDn (or Left/Right) go to the
day before or after, Home back to today, F2 switches between this till and the whole store,
F5 asks again, F6 writes the CSV files (``export_csv``) into the exports folder, 1-5 pick a
table and Up/Down scroll it; Esc closes. Every report is asked on the store lane: the screen
says it is working and keeps the figures it has until the new ones arrive, and a failure is
said inline over the old figures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.clock import Clock, SystemClock
from pos_app.i18n import Catalog
from pos_app.services.report_views import HourRow, SalesReportView
from ui import theme
from ui.errors import user_message
from ui.manager.report_texts import (
    TABLES,
    TILES,
    chart_caption,
    day_text,
    generated_text,
    headline_figures,
    hour_text,
    period_text,
    scope_text,
    table_rows,
)
from ui.manager.report_widgets import FigureTile, HourChart, make_tables, report_stylesheet
from ui.tasks import TaskRunner
from ui.widgets.status_label import Severity, StatusLabel

_TONES = {"sales": "main", "net": "main", "returns": "returns", "savings": "savings"}
Command = tuple[str, str, tuple[str, ...], Callable[[], None]]
"""(name, the key on its button, its shortcuts, what it does)."""


class ReportSource(Protocol):
    """What the screen needs of ``ReportService``."""

    def report(
        self, first: date, last: date | None = None, *, terminal_code: str | None = None
    ) -> SalesReportView: ...

    def export_csv(self, view: SalesReportView, directory: Path) -> list[Path]: ...


class ReportsScreen(QDialog):
    loaded = Signal(object)
    """The SalesReportView now on screen."""
    exported = Signal(object)
    """The files written (list[Path])."""

    def __init__(
        self,
        *,
        reports: ReportSource,
        tasks: TaskRunner,
        catalog: Catalog,
        terminal_code: str,
        time_zone: str = "Asia/Shanghai",
        exports_dir: Path | None = None,
        clock: Clock | None = None,
        manager_name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(catalog.text("reports.title_loading"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(1260, 780)
        self._reports, self._tasks, self._catalog = reports, tasks, catalog
        self._terminal_code, self._time_zone = terminal_code, time_zone
        self._exports_dir, self._clock = exports_dir, clock or SystemClock()
        self._manager_name = manager_name
        self._day = self.today()
        self._terminal: str | None = None
        self._view: SalesReportView | None = None
        self._asked = self._answered = 0
        self._exporting = self._closed = False
        self.buttons: dict[str, QPushButton] = {}
        self._build()
        self._load()

    # -- building -----------------------------------------------------------------------------

    def _build(self) -> None:
        text = self._catalog.text
        body = QWidget(self)  # its own rules, so theme.apply_to(this dialog) keeps them
        body.setStyleSheet(report_stylesheet(theme.Theme()))
        self.title_label = self._label(text("reports.title_loading"), "Title", body)
        self.period_label = self._label(text("reports.none"), "ReportPeriod", body)
        self.generated_label = self._label("", "Caption", body)
        self.status_label = StatusLabel(body)
        self.tiles = {
            name: FigureTile(text(f"reports.tile.{name}"), tone=_TONES.get(name, ""), parent=body)
            for name in TILES
        }
        for tile in self.tiles.values():
            tile.set_figure(text("reports.none"))
        self.chart_label = self._label(text("reports.chart.title"), "Caption", body)
        self.chart_label.setWordWrap(True)  # the peak hour's line never widens the chart
        self.chart = HourChart(
            empty_text=text("reports.chart.empty"), tip=self._hour_tip, parent=body
        )
        self.tabs = QTabWidget(body)
        self.tabs.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tables = make_tables(self._catalog, self.tabs)
        for name, table in self.tables.items():
            self.tabs.addTab(table, text(f"reports.tab.{name}"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(body)
        self._arrange(body)
        self._add_commands(body)

    def _label(self, value: str, name: str, parent: QWidget) -> QLabel:
        label = QLabel(value, parent)
        label.setObjectName(name)
        return label

    def _arrange(self, body: QWidget) -> None:
        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addStretch(1)
        header.addWidget(self.period_label)
        status = QHBoxLayout()
        status.addWidget(self.status_label, 1)
        status.addWidget(self.generated_label)
        tiles = QGridLayout()
        tiles.setSpacing(10)
        for index, name in enumerate(TILES[:5]):
            tiles.addWidget(self.tiles[name], 0, index)
        tiles.addWidget(self.tiles["savings"], 1, 0, 1, 3)
        tiles.addWidget(self.tiles["members"], 1, 3)
        tiles.addWidget(self.tiles["voids"], 1, 4)
        chart = QVBoxLayout()
        chart.setSpacing(4)
        chart.addWidget(self.chart_label)
        chart.addWidget(self.chart, 1)
        middle = QHBoxLayout()
        middle.setSpacing(12)
        middle.addLayout(chart, 9)
        middle.addWidget(self.tabs, 11)
        self._buttons_row = QHBoxLayout()
        self._buttons_row.setSpacing(8)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        for part in (header, status, tiles):
            layout.addLayout(part)
        layout.addLayout(middle, 1)
        layout.addLayout(self._buttons_row)
        hint = self._label(self._catalog.text("reports.keys_hint"), "Caption", body)
        layout.addWidget(hint, 0, Qt.AlignmentFlag.AlignHCenter)

    def _commands(self) -> tuple[Command, ...]:
        return (
            ("previous", "PgUp", ("PgUp", "Left"), self.previous_day),
            ("today", "Home", ("Home",), self.go_today),
            ("next", "PgDn", ("PgDown", "Right"), self.next_day),
            ("scope", "F2", ("F2",), self.toggle_scope),
            ("refresh", "F5", ("F5",), self.refresh),
            ("export", "F6", ("F6",), lambda: self.export()),
            ("close", "Esc", (), self.reject),  # Esc rejects a dialog by itself
        )

    def _add_commands(self, body: QWidget) -> None:
        """A big button per command (the F-key bar's look) and the keys that have none."""
        for name, key, shortcuts, slot in self._commands():
            button = QPushButton(body)
            button.setObjectName("FKeyButton")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setProperty("key", key)
            button.clicked.connect(slot)
            self._buttons_row.addWidget(button)
            self.buttons[name] = button
            self._add_keys(shortcuts, slot)
        self._add_keys(("Up",), lambda: self._scroll(-1))
        self._add_keys(("Down",), lambda: self._scroll(1))
        for index in range(len(TABLES)):
            self._add_keys((str(index + 1),), self._tab_picker(index))
        self._label_buttons()

    def _add_keys(self, shortcuts: tuple[str, ...], slot: Callable[[], None]) -> None:
        if shortcuts:
            action = QAction(self)
            action.setShortcuts([QKeySequence(shortcut) for shortcut in shortcuts])
            action.triggered.connect(slot)
            self.addAction(action)

    def _tab_picker(self, index: int) -> Callable[[], None]:
        return lambda: self.tabs.setCurrentIndex(index)

    def _label_buttons(self) -> None:
        captions = {"scope": "whole_store" if self._terminal else "this_terminal"}
        for name, button in self.buttons.items():
            caption = self._catalog.text(f"reports.button.{captions.get(name, name)}")
            button.setText(f"{button.property('key')}\n{caption}")

    # -- what the manager reads ---------------------------------------------------------------

    @property
    def view(self) -> SalesReportView | None:
        """The report on screen (None until the first one arrives)."""
        return self._view

    @property
    def day(self) -> date:
        """The day asked for last (the figures may still be the previous day's)."""
        return self._day

    @property
    def loading(self) -> bool:
        return self._answered < self._asked

    def status_text(self) -> str:
        return self.status_label.text()

    def today(self) -> date:
        return self._clock.now().astimezone(ZoneInfo(self._time_zone)).date()

    # -- days, scope, tables ------------------------------------------------------------------

    def show_day(self, day: date) -> None:
        self._day = day
        self._load()

    def previous_day(self) -> None:
        self.show_day(self._day - timedelta(days=1))

    def next_day(self) -> None:
        if self._day >= self.today():
            self._say(self._catalog.text("reports.no_future"), Severity.WARNING)
            QApplication.beep()
            return
        self.show_day(self._day + timedelta(days=1))

    def go_today(self) -> None:
        self.show_day(self.today())

    def toggle_scope(self) -> None:
        self._terminal = None if self._terminal else self._terminal_code
        self._label_buttons()
        self._load()

    def refresh(self) -> None:
        self._load()

    def _scroll(self, rows: int) -> None:
        self.tables[TABLES[self.tabs.currentIndex()]].scroll_by(rows)

    # -- asking for the report ----------------------------------------------------------------

    def _load(self) -> None:
        """Ask the store lane; only the answer to the latest question is shown."""
        self._asked += 1
        asked, day, terminal, reports = self._asked, self._day, self._terminal, self._reports
        period = day_text(day, self.today(), self._catalog)
        scope = scope_text(terminal, self._catalog)
        self._say(self._catalog.text("reports.loading", period=period, scope=scope))

        def answered(view: SalesReportView) -> None:
            if self._latest(asked):
                self._show(view)

        def failed(error: BaseException) -> None:
            if self._latest(asked):
                self._show_failure(error, period)

        self._tasks.store(
            lambda: reports.report(day, terminal_code=terminal), then=answered, on_error=failed
        )

    def _latest(self, asked: int) -> bool:
        if self._closed or asked != self._asked:
            return False
        self._answered = asked
        return True

    def _show_failure(self, error: BaseException, period: str) -> None:
        key = "reports.load_failed" if self._view is not None else "reports.load_failed_first"
        reason = user_message(error, self._catalog)
        self._say(self._catalog.text(key, period=period, reason=reason), Severity.ERROR)
        QApplication.beep()

    def _show(self, view: SalesReportView) -> None:
        catalog = self._catalog
        self._view = view
        title = catalog.text("reports.title", store=view.store_name)
        self.title_label.setText(title)
        self.setWindowTitle(title)
        self.period_label.setText(period_text(view, self.today(), catalog))
        self.generated_label.setText(generated_text(view, self._manager_name, catalog))
        self.status_label.clear_message()
        for name, (figure, detail) in headline_figures(view.headline, catalog).items():
            self.tiles[name].set_figure(figure, detail)
        self.chart.set_hours(view.by_hour)
        self.chart_label.setText(chart_caption(self.chart.peak(), catalog))
        for name, rows in table_rows(view, catalog).items():
            self.tables[name].set_rows(rows)
        self.loaded.emit(view)

    def _hour_tip(self, row: HourRow) -> str:
        return hour_text("reports.chart.tip", row, self._catalog)

    # -- export -------------------------------------------------------------------------------

    def export(self, directory: Path | None = None) -> None:
        """Write the CSV files of the report on screen into ``directory`` (default: the exports
        folder; without one, the manager picks a folder). File writing is on the store lane."""
        view, folder = self._view, directory or self._exports_dir
        if view is None:
            self._say(self._catalog.text("reports.nothing_to_export"), Severity.WARNING)
            QApplication.beep()
        elif folder is None:
            self._choose_folder()
        elif not self._exporting:
            self._exporting = True
            self._say(self._catalog.text("reports.exporting", folder=str(folder)))
            reports = self._reports
            self._tasks.store(
                lambda: reports.export_csv(view, folder),
                then=lambda paths: self._exported(paths, folder),
                on_error=lambda error: self._export_failed(error, folder),
            )

    def _choose_folder(self) -> None:
        dialog = QFileDialog(self, self._catalog.text("reports.choose_folder"))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(lambda chosen: self.export(Path(chosen)))
        dialog.open()

    def _exported(self, paths: list[Path], folder: Path) -> None:
        self._exporting = False
        if not self._closed:
            said = self._catalog.text("reports.exported", count=len(paths), folder=str(folder))
            self._say(said, Severity.SUCCESS)
            self.exported.emit(paths)

    def _export_failed(self, error: BaseException, folder: Path) -> None:
        self._exporting = False
        if self._closed:
            return
        if isinstance(error, OSError):
            reason = error.strerror or str(error)
            said = self._catalog.text("reports.export_failed_os", folder=str(folder), reason=reason)
        else:
            said = self._catalog.text(
                "reports.export_failed", reason=user_message(error, self._catalog)
            )
        self._say(said, Severity.ERROR)
        QApplication.beep()

    # -- plumbing -----------------------------------------------------------------------------

    def _say(self, message: str, severity: Severity = Severity.INFO) -> None:
        self.status_label.show_message(message, severity)

    def done(self, result: int) -> None:
        self._closed = True  # answers still on their way are dropped
        super().done(result)
