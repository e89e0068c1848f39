"""FaceIdentifyDialog: "look at the camera", then "Is this 王**?" with Confirm and Not me.

States: looking (the camera watches on the network lane, the screen stays live), phone (close
to the threshold: the member types the last four digits of their phone first), question (the
masked name; Enter confirms, Esc is "Not me"), refused (not recognised: the other ways are
offered). The member id goes out through ``member_confirmed`` only once the confirmation is
recorded. Closing the dialog ends the camera's watch at once; answers that come back after
that are dropped. The alternatives (member code, phone, card) are always on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.faces import MatchOutcome
from pos_app.i18n import Catalog
from pos_app.services.face_counter import FaceCounterService, FaceMember, Recognition
from ui.errors import user_message
from ui.tasks import TaskRunner


class Step(StrEnum):
    LOOKING = "looking"
    PHONE = "phone"
    QUESTION = "question"
    REFUSED = "refused"
    BUSY = "busy"


class FaceIdentifyDialog(QDialog):
    member_confirmed = Signal(str)
    """The member id, once the member confirmed and it was recorded."""
    enrol_requested = Signal(object)
    """The cashier asked for enrolment or deletion (a member id when one was recognised)."""

    def __init__(
        self,
        *,
        counter: FaceCounterService,
        tasks: TaskRunner,
        catalog: Catalog,
        staff_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("FaceIdentifyDialog")
        self.setWindowTitle(catalog.text("face.identify.title"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(640)
        self._counter = counter
        self._tasks = tasks
        self._catalog = catalog
        self._staff_id = staff_id
        self._candidate: str | None = None
        self._member: FaceMember | None = None
        self._closed = False
        self.step = Step.LOOKING
        self._build()
        self.finished.connect(lambda _: self._stop())

    # -- what the cashier and the member see ------------------------------------------------

    def headline(self) -> str:
        return self._headline.text()

    def message(self) -> str:
        return self._message.text()

    def start(self) -> None:
        """Ask the camera (network lane) for the one face in view and who it may be."""
        self._candidate = None
        self._member = None
        self._show(Step.LOOKING, self._catalog.text("face.identify.looking"))
        self._ask(self._counter.recognise, self._on_recognised)

    def confirm(self) -> None:
        member = self._member
        if self.step is not Step.QUESTION or member is None:
            return
        counter, staff_id = self._counter, self._staff_id
        self._show(Step.BUSY, self.headline())
        self._tasks.store(
            lambda: counter.confirm(member.id, staff_id=staff_id),
            then=self._answered(self._on_confirmed),
            on_error=self._answered(self._on_failed),
        )

    def not_me(self) -> None:
        member = self._member
        if self.step is not Step.QUESTION or member is None:
            return
        counter, staff_id = self._counter, self._staff_id
        self._show(Step.REFUSED, self._catalog.text("face.identify.rejected"))
        self._member = None
        self._tasks.store(lambda: counter.reject(member.id, staff_id=staff_id))

    def check_phone(self) -> None:
        candidate, digits = self._candidate, self.phone_edit.text()
        if self.step is not Step.PHONE or candidate is None:
            return
        self._show(Step.BUSY, self.headline())
        self._tasks.store(
            lambda: self._counter.check_phone(candidate, digits),
            then=self._answered(self._ask_member),
            on_error=self._answered(self._on_phone_refused),
        )

    # -- answers (main thread) --------------------------------------------------------------

    def _on_recognised(self, found: Recognition) -> None:
        if found.outcome is MatchOutcome.ACCEPT and found.member is not None:
            self._ask_member(found.member)
        elif found.outcome is MatchOutcome.ASK_TO_CONFIRM and found.candidate_id is not None:
            self._candidate = found.candidate_id
            self.phone_edit.clear()
            self._show(Step.PHONE, self._catalog.text("face.identify.phone_hint"))
            self.phone_edit.setFocus()
        else:
            key = f"error.{found.reason}" if found.reason else "error.face.no_match"
            self._show(Step.REFUSED, self._catalog.text(key))

    def _ask_member(self, member: FaceMember) -> None:
        self._member = member
        self._show(Step.QUESTION, self._catalog.text("face.identify.question",
                                                     name=member.masked_name))
        self.confirm_button.setFocus()

    def _on_confirmed(self, member_id: str) -> None:
        self.member_confirmed.emit(member_id)
        self.accept()

    def _on_phone_refused(self, error: BaseException) -> None:
        self._show(Step.PHONE, user_message(error, self._catalog))
        self.phone_edit.selectAll()
        self.phone_edit.setFocus()

    def _on_failed(self, error: BaseException) -> None:
        self._show(Step.REFUSED, user_message(error, self._catalog))

    # -- building and plumbing --------------------------------------------------------------

    def _build(self) -> None:
        text = self._catalog.text
        self._headline = QLabel(self)
        self._headline.setObjectName("Title")
        self._headline.setWordWrap(True)
        self._message = QLabel(self)
        self._message.setObjectName("FieldCaption")
        self._message.setWordWrap(True)
        self.alternatives = QLabel(text("face.identify.alternatives"), self)
        self.alternatives.setObjectName("Caption")
        self.alternatives.setWordWrap(True)
        self.phone_edit = QLineEdit(self)
        self.phone_edit.setMaxLength(4)
        self.phone_edit.setValidator(QRegularExpressionValidator(r"\d{0,4}", self.phone_edit))
        self.phone_edit.returnPressed.connect(self.check_phone)
        self.close_button = self._button(text("face.close"), "CancelButton", self.reject)
        self.enrol_button = self._button(text("face.identify.manage"), "CancelButton",
                                         self._on_enrol_requested)
        self.again_button = self._button(text("face.identify.try_again"), "ConfirmButton",
                                         self.start)
        self.not_me_button = self._button(text("face.identify.not_me"), "CancelButton",
                                          self.not_me)
        self.confirm_button = self._button(text("face.identify.confirm"), "ConfirmButton",
                                           self.confirm)
        self.phone_button = self._button(text("face.identify.check_phone"), "ConfirmButton",
                                         self.check_phone)
        buttons = QHBoxLayout()
        for button in (self.close_button, self.enrol_button, self.not_me_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.again_button, self.phone_button, self.confirm_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(16)
        for widget in (self._headline, self._message, self.phone_edit, self.alternatives):
            layout.addWidget(widget)
        layout.addLayout(buttons)

    def _button(self, label: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(label, self)
        button.setObjectName(name)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def _show(self, step: Step, message: str) -> None:
        self.step = step
        titles = {Step.LOOKING: "face.identify.title", Step.PHONE: "face.identify.phone_title",
                  Step.REFUSED: "face.identify.not_recognised"}
        if step in titles:
            self._headline.setText(self._catalog.text(titles[step]))
            self._message.setText(message)
        elif step is Step.QUESTION:
            self._headline.setText(message)
            member = self._member
            self._message.setText(self._catalog.text(
                "face.identify.question_detail", phone=member.masked_phone if member else ""))
        self.phone_edit.setVisible(step is Step.PHONE)
        self.phone_button.setVisible(step is Step.PHONE)
        self.again_button.setVisible(step is Step.REFUSED)
        self.not_me_button.setVisible(step is Step.QUESTION)
        self.confirm_button.setVisible(step is Step.QUESTION)
        self.confirm_button.setDefault(step is Step.QUESTION)
        self.enrol_button.setVisible(step in (Step.LOOKING, Step.REFUSED))

    def _ask(self, work: Callable[[], Any], then: Callable[[Any], None]) -> None:
        self._tasks.network(work, then=self._answered(then),
                            on_error=self._answered(self._on_failed))

    def _answered(self, callback: Callable[[Any], None]) -> Callable[[Any], None]:
        """Drops an answer that arrives after the dialog was closed."""
        return lambda value: None if self._closed else callback(value)

    def _on_enrol_requested(self) -> None:
        member = self._member
        self.reject()
        self.enrol_requested.emit(member.id if member is not None else None)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Escape and self.step is Step.QUESTION:
            self.not_me()  # Esc at the question is "Not me", never a silent yes
            return
        super().keyPressEvent(event)

    def _stop(self) -> None:
        if not self._closed:
            self._closed = True
            self._counter.cancel()  # returns at once: the camera's wait ends on its own lane

    def closeEvent(self, event: QCloseEvent) -> None:
        self._stop()
        super().closeEvent(event)
