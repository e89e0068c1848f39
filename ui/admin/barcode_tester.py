"""BarcodeTesterWidget: the settings box where IT scans or types a code and sees how the till
reads it (kind, GTIN-14, PLU and weight or price of a scale label, GS1 fields) or the message a
cashier would get.

Scans arrive through the application's ScanEventFilter (``scanned``), so a wedge scan never
lands in the text field as keystrokes; typed text is tested on Enter or the button. Only a
visible tester reacts to scans. GS (FNC1) is shown as <GS> in the field and read back as GS.
Reading follows the till: the GS1 parser first, then ``scan_codes.classify`` with the store's
label layouts (an AIM symbology identifier such as ]E0 is shown and stripped first).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.clock import Clock, SystemClock
from pos_app.domain.gs1 import Gs1Date, Gs1Scan, classify_gs1, split_symbology
from pos_app.domain.scan_codes import (
    InternalCode,
    LabelLayout,
    PluCode,
    ProductCode,
    ScanCode,
    WeighedLabel,
    alternative_reading,
    classify,
)
from pos_app.errors import UserError
from pos_app.i18n import Catalog
from ui.errors import user_message
from ui.formatting import money, weight
from ui.input.scan_filter import ScanEventFilter
from ui.widgets.status_label import Severity, StatusLabel

KEY = "admin.barcode_tester."
GS, GS_SHOWN = "\x1d", "<GS>"
_DATES = (
    ("production_date", "production_date"),
    ("packaging_date", "packaging_date"),
    ("best_before", "best_before"),
    ("sell_by", "sell_by"),
    ("expiry", "expiry"),
)
_TYPED_AIS = frozenset({"01", "02", "10", "11", "13", "15", "16", "17", "21", "30", "37"})

Fields = list[tuple[str, str]]


class BarcodeTesterWidget(QWidget):
    def __init__(
        self,
        catalog: Catalog,
        *,
        scan_filter: ScanEventFilter | None = None,
        layouts: Sequence[LabelLayout] = (),
        clock: Clock | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("BarcodeTester")
        self._catalog = catalog
        self._layouts = tuple(layouts)
        self._clock = clock or SystemClock()
        self.code_edit = QLineEdit(self)
        self.code_edit.setPlaceholderText(self._text("placeholder"))
        self.test_button = QPushButton(self._text("test"), self)
        self.kind_label = QLabel(self)
        self.kind_label.setObjectName("BarcodeTesterKind")
        self.fields = QFormLayout()
        self._rows: list[tuple[QLabel, QLabel]] = []
        self.message_label = StatusLabel(self)
        self._build()
        self.code_edit.returnPressed.connect(self._on_test)
        self.test_button.clicked.connect(self._on_test)
        if scan_filter is not None:
            scan_filter.scanned.connect(self._on_scanned)

    def _build(self) -> None:
        title = QLabel(self._text("title"), self)
        title.setObjectName("BarcodeTesterTitle")
        entry = QHBoxLayout()
        entry.addWidget(self.code_edit, 1)
        entry.addWidget(self.test_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(QLabel(self._text("hint"), self))
        layout.addLayout(entry)
        layout.addWidget(self.kind_label)
        layout.addLayout(self.fields)
        layout.addWidget(self.message_label)
        layout.addStretch(1)

    def field_texts(self) -> dict[str, str]:
        """What the box shows, label -> value (for tests and screenshots)."""
        return {label.text(): value.text() for label, value in self._rows}

    def test(self, text: str) -> None:
        """Read ``text`` as the till would and show the result."""
        self.code_edit.setText(text.replace(GS, GS_SHOWN))
        self._clear()
        try:
            kind, fields = self._describe(text)
        except UserError as error:
            self.message_label.show_message(user_message(error, self._catalog), Severity.ERROR)
            return
        self.kind_label.setText(kind)
        for label, value in fields:
            row = (QLabel(label, self), QLabel(value, self))
            self.fields.addRow(*row)
            self._rows.append(row)
        self.message_label.show_message(self._text("ok"), Severity.SUCCESS)

    @Slot()
    def _on_test(self) -> None:
        self.test(self.code_edit.text().replace(GS_SHOWN, GS))

    @Slot(str)
    def _on_scanned(self, text: str) -> None:
        if self.isVisible():
            self.test(text)

    def _clear(self) -> None:
        self.kind_label.clear()
        while self.fields.rowCount():
            self.fields.removeRow(0)  # deletes the row's labels too
        self._rows.clear()
        self.message_label.clear_message()

    def _describe(self, text: str) -> tuple[str, Fields]:
        gs1 = classify_gs1(text, current_year=self._clock.now().year)
        if gs1 is not None:
            return self._kind("gs1", symbology=gs1.symbology or "GS1"), self._gs1_fields(gs1)
        ident, data = split_symbology(text.strip())
        fields: Fields = [(self._field("symbology_id"), ident)] if ident else []
        code = classify(data if ident else text, self._layouts)
        kind, details = self._scan_code(code)
        return kind, fields + details

    def _scan_code(self, code: ScanCode) -> tuple[str, Fields]:
        if isinstance(code, ProductCode):
            fields = [(self._field("gtin"), code.gtin)]
            other = alternative_reading(code)
            if other is not None:
                fields.append((self._field("alternative_gtin"), other.gtin))
            return self._kind("product", symbology=code.symbology), fields
        if isinstance(code, WeighedLabel):
            fields = [(self._field("prefix"), code.prefix), (self._field("plu"), code.plu)]
            if code.grams is not None:
                fields.append((self._field("weight"), weight(code.grams)))
            if code.price is not None:
                fields.append((self._field("price"), money(code.price)))
            return self._kind("weighed"), fields
        if isinstance(code, PluCode):
            return self._kind("plu"), [(self._field("plu"), code.plu)]
        assert isinstance(code, InternalCode)
        return self._kind("internal"), [(self._field("code"), code.code)]

    def _gs1_fields(self, scan: Gs1Scan) -> Fields:
        fields: Fields = []
        for name, value in (("gtin", scan.gtin), ("content_gtin", scan.content_gtin),
                            ("batch", scan.batch), ("serial", scan.serial)):  # fmt: skip
            if value is not None:
                fields.append((self._field(name), value))
        for name, attribute in _DATES:
            day: Gs1Date | None = getattr(scan, attribute)
            if day is not None:
                fields.append((self._field(name), self._date(day)))
        if scan.net_grams is not None:
            fields.append((self._field("weight"), weight(scan.net_grams)))
        if scan.price is not None:
            fields.append((self._field("price"), money(scan.price)))
        for name, number in (("count", scan.count), ("contained", scan.contained)):
            if number is not None:
                fields.append((self._field(name), str(number)))
        for element in scan.elements:
            typed = element.ai in _TYPED_AIS or element.ai[:3] in ("310", "392", "393")
            if not typed:
                fields.append((self._field("ai", ai=element.ai), element.value))
        return fields

    def _date(self, day: Gs1Date) -> str:
        return day.resolve(self._clock.now().year).isoformat()

    def _kind(self, kind: str, **params: str) -> str:
        return self._text(f"kind.{kind}", **params)

    def _field(self, name: str, **params: str) -> str:
        return self._text(f"field.{name}", **params)

    def _text(self, key: str, **params: str) -> str:
        return self._catalog.text(KEY + key, **params)
