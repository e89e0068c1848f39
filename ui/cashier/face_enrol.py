"""FaceEnrolDialog: a member's separate consent, their face enrolment, and deletion on request.

The cashier finds the member (card or phone number, or the member already recognised); the
member reads the notice and agrees (a ticked box, a guardian for a child under 14); "Agree and
capture" records the consent (who, when, which notice, which cashier) on the store lane, takes
several captures from the face camera on the network lane (the screen stays live), and stores
their embeddings, never a picture. "Delete my face data" erases them and withdraws the consent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.faces import ConsentScope, Guardian
from pos_app.i18n import Catalog
from pos_app.services.face_counter import Captures, FaceCounterService, FaceMember
from pos_app.services.faces import Enrolment
from ui.errors import user_message
from ui.tasks import TaskRunner
from ui.widgets.confirm_dialog import ConfirmDialog


class FaceEnrolDialog(QDialog):
    def __init__(
        self,
        *,
        counter: FaceCounterService,
        tasks: TaskRunner,
        catalog: Catalog,
        staff_id: str,
        member_id: str | None = None,
        retention_days: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("FaceEnrolDialog")
        self.setWindowTitle(catalog.text("face.enrol.title"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(860)
        self._counter = counter
        self._tasks = tasks
        self._catalog = catalog
        self._staff_id = staff_id
        self._days = retention_days or counter.faces.policy.retention.idle_days
        self.member: FaceMember | None = None
        self.busy = False
        self._closed = False
        self.confirm_dialog: ConfirmDialog | None = None
        self._build()
        self.finished.connect(lambda _: self._stop())
        if member_id is not None:
            self._run(self._tasks.store, lambda: counter.member(member_id), self._show_member)
        self._update()

    # -- actions ----------------------------------------------------------------------------

    def find_member(self) -> None:
        code = self.member_edit.text().strip()
        if code and not self.busy:
            counter = self._counter
            self._run(self._tasks.store, lambda: counter.find_member(code), self._show_member)

    def capture(self) -> None:
        """Record the consent, then capture and enrol; refused without the member's consent."""
        member = self.member
        if member is None or self.busy:
            self._show_status(self._catalog.text("face.enrol.need_member"), problem=True)
            return
        if not self.agree_box.isChecked():
            self._show_status(self._catalog.text("face.enrol.need_consent"), problem=True)
            return
        guardian = self._guardian()
        if self.minor_box.isChecked() and guardian is None:
            self._show_status(self._catalog.text("face.enrol.need_guardian"), problem=True)
            return
        counter, staff_id = self._counter, self._staff_id
        scope = ConsentScope.STORE if self.store_box.isChecked() else ConsentScope.TERMINAL

        def consent() -> None:
            counter.record_consent(member.id, staff_id=staff_id, scope=scope, guardian=guardian)

        self._say("face.enrol.recording")
        self._run(self._tasks.store, consent, lambda _: self._take_captures(member))

    def delete(self) -> None:
        """Ask once more, then erase the member's face data (their request)."""
        member = self.member
        if member is None or self.busy:
            return
        text = self._catalog.text
        dialog = ConfirmDialog(text("face.enrol.delete_question", name=member.masked_name),
                               yes_text=text("face.enrol.delete_yes"), no_text=text("face.no"),
                               danger=True, parent=self)
        dialog.accepted.connect(lambda: self._delete(member))
        dialog.finished.connect(lambda _: setattr(self, "confirm_dialog", None))
        self.confirm_dialog = dialog
        dialog.open()

    def status(self) -> str:
        return self._status.text()

    # -- steps (each answer on the main thread) ---------------------------------------------

    def _take_captures(self, member: FaceMember) -> None:
        self._say("face.enrol.capturing")
        self._run(self._tasks.network, self._counter.capture,
                  lambda captures: self._store_captures(member, captures))

    def _store_captures(self, member: FaceMember, captures: Captures) -> None:
        counter, staff_id = self._counter, self._staff_id
        self._say("face.enrol.saving")
        self._run(self._tasks.store,
                  lambda: counter.enrol(member.id, captures, staff_id=staff_id),
                  self._on_enrolled)

    def _on_enrolled(self, enrolment: Enrolment) -> None:
        self._refresh_member(enrolment.member_id, "face.enrol.enrolled",
                             captures=enrolment.captures)

    def _delete(self, member: FaceMember) -> None:
        counter, staff_id = self._counter, self._staff_id
        self._run(self._tasks.store, lambda: counter.delete(member.id, staff_id=staff_id),
                  lambda erased: self._refresh_member(member.id, "face.enrol.deleted",
                                                      captures=erased))

    def _refresh_member(self, member_id: str, key: str, **params: object) -> None:
        counter = self._counter
        self._run(self._tasks.store, lambda: counter.member(member_id),
                  lambda member: (self._show_member(member), self._say(key, **params)))

    def _show_member(self, member: FaceMember) -> None:
        self.member = member
        text = self._catalog.text
        face = (text("face.enrol.status_enrolled", captures=member.captures) if member.captures
                else text("face.enrol.status_none"))
        self.member_label.setText(text("face.enrol.member", name=member.masked_name,
                                       phone=member.masked_phone, face=face))
        self._update()

    # -- building ---------------------------------------------------------------------------

    def _build(self) -> None:
        text = self._catalog.text
        self.member_edit = QLineEdit(self)
        self.member_edit.setPlaceholderText(text("face.enrol.member_hint"))
        self.member_edit.returnPressed.connect(self.find_member)
        find = self._button(text("face.enrol.find"), "CancelButton", self.find_member)
        self.member_label = QLabel(text("face.enrol.need_member"), self)
        self.member_label.setObjectName("FieldCaption")
        notice_title = QLabel(text("face.enrol.notice_title", version=self._counter.notice_version),
                              self)
        notice_title.setStyleSheet("font-weight: bold;")
        self.notice = notice = QLabel(text("face.enrol.notice", days=self._days), self)
        notice.setObjectName("FaceNotice")
        notice.setWordWrap(True)
        notice.setStyleSheet("font-size: 18px; padding: 8px; border: 1px solid #c8d0d8;"
                             " border-radius: 6px; background: white;")
        self.agree_box = QCheckBox(text("face.enrol.agree"), self)
        self.store_box = QCheckBox(text("face.enrol.store_scope"), self)
        self.store_box.setChecked(self._counter.default_scope is ConsentScope.STORE)
        self.minor_box = QCheckBox(text("face.enrol.minor"), self)
        self.guardian_name = QLineEdit(self)
        self.guardian_name.setPlaceholderText(text("face.enrol.guardian_name"))
        self.guardian_relationship = QLineEdit(self)
        self.guardian_relationship.setPlaceholderText(text("face.enrol.guardian_relationship"))
        for box in (self.agree_box, self.minor_box):
            box.toggled.connect(lambda _: self._update())
        self._status = QLabel(self)
        self._status.setObjectName("FieldCaption")
        self._status.setWordWrap(True)
        close = self._button(text("face.close"), "CancelButton", self.reject)
        self.delete_button = self._button(text("face.enrol.delete"), "DangerButton", self.delete)
        self.capture_button = self._button(text("face.enrol.capture"), "ConfirmButton",
                                           self.capture)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addLayout(_row(self.member_edit, find))
        for widget in (self.member_label, notice_title, notice, self.agree_box, self.store_box,
                       self.minor_box):
            layout.addWidget(widget)
        layout.addLayout(_row(self.guardian_name, self.guardian_relationship))
        layout.addWidget(self._status)
        buttons = _row(close, self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.capture_button)
        layout.addLayout(buttons)

    def _button(self, label: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(label, self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def _update(self) -> None:
        member = self.member
        minor = self.minor_box.isChecked()
        if self.guardian_name.isVisibleTo(self) != minor:
            self.guardian_name.setVisible(minor)
            self.guardian_relationship.setVisible(minor)
            self.adjustSize()  # room for the fields without squeezing the notice
        ready = member is not None and self.agree_box.isChecked() and not self.busy
        self.capture_button.setEnabled(ready)
        can_delete = member is not None and (member.consent or member.captures > 0)
        self.delete_button.setEnabled(can_delete and not self.busy)

    def _guardian(self) -> Guardian | None:
        if not self.minor_box.isChecked():
            return None
        try:
            return Guardian(self.guardian_name.text(), self.guardian_relationship.text())
        except ValueError:
            return None

    def _say(self, key: str, **params: object) -> None:
        self._show_status(self._catalog.text(key, **params), problem=False)

    def _show_status(self, message: str, *, problem: bool) -> None:
        """A problem in the big red style; progress and success in the caption style."""
        name = "InlineError" if problem else "FieldCaption"
        if self._status.objectName() != name:
            self._status.setObjectName(name)
            self._status.style().unpolish(self._status)
            self._status.style().polish(self._status)
        self._status.setText(message)

    def _run(self, lane: Callable[..., Any], work: Callable[[], Any],
             then: Callable[[Any], None]) -> None:
        """``work`` on ``lane``; the dialog is busy until its answer, dropped once closed."""
        self.busy = True
        self._update()

        def done(value: Any) -> None:
            if not self._closed:
                self.busy = False
                then(value)
                self._update()

        def failed(error: BaseException) -> None:
            if not self._closed:
                self.busy = False
                self._show_status(user_message(error, self._catalog), problem=True)
                self._update()

        lane(work, then=done, on_error=failed)

    def _stop(self) -> None:
        if not self._closed:
            self._closed = True
            self._counter.cancel()

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The notice is read in full, never squeezed: its height follows its wrapped lines."""
        super().resizeEvent(event)
        needed = self.notice.heightForWidth(self.notice.width())
        if needed > 0 and needed != self.notice.minimumHeight():
            self.notice.setMinimumHeight(needed)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop()
        super().closeEvent(event)


def _row(*widgets: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    for widget in widgets:
        row.addWidget(widget)
    return row
