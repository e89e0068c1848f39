"""FaceDesk: face recognition at the cashier screen, and where a confirmed member comes out.

The sale screen's face key calls ``recognise``: the FaceIdentifyDialog asks the camera (on the
network lane) and shows "Is this 王**?"; only when the member confirms does ``member_confirmed``
emit the member id, for the cart. "Not me", a refusal or a closed dialog emit nothing. From that
dialog (or ``enrol``) the FaceEnrolDialog records consent, enrols and deletes face data.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QDialog, QWidget

from pos_app.i18n import Catalog
from pos_app.services.face_counter import FaceCounterService
from pos_app.services.views import StaffView
from ui.cashier.face_enrol import FaceEnrolDialog
from ui.cashier.face_identify import FaceIdentifyDialog
from ui.tasks import TaskRunner


class DialogHost(Protocol):
    """The screen the dialogs open over (SaleLayout: one dialog at a time)."""

    def active_dialog(self) -> QDialog | None: ...

    def open_dialog(self, dialog: QDialog) -> None: ...


class FaceDesk(QObject):
    member_confirmed = Signal(str)
    """A member id the member confirmed ("yes, that is me"): attach it to the cart."""

    def __init__(
        self,
        *,
        counter: FaceCounterService,
        tasks: TaskRunner,
        catalog: Catalog,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.counter = counter
        self._tasks = tasks
        self._catalog = catalog

    def recognise(self, host: DialogHost, cashier: StaffView | None) -> FaceIdentifyDialog | None:
        """Open the identification over ``host`` and start looking; None when not now."""
        if cashier is None or host.active_dialog() is not None:
            return None
        dialog = FaceIdentifyDialog(
            counter=self.counter, tasks=self._tasks, catalog=self._catalog,
            staff_id=cashier.id, parent=_widget(host),
        )  # fmt: skip
        dialog.member_confirmed.connect(self.member_confirmed)
        dialog.enrol_requested.connect(
            lambda member_id: QTimer.singleShot(0, lambda: self.enrol(host, cashier, member_id))
        )
        host.open_dialog(dialog)
        dialog.start()
        return dialog

    def enrol(
        self, host: DialogHost, cashier: StaffView | None, member_id: str | None = None
    ) -> FaceEnrolDialog | None:
        """Open enrolment and deletion for ``member_id`` (or a member the cashier finds)."""
        if cashier is None or host.active_dialog() is not None:
            return None
        dialog = FaceEnrolDialog(
            counter=self.counter, tasks=self._tasks, catalog=self._catalog,
            staff_id=cashier.id, member_id=member_id, parent=_widget(host),
        )  # fmt: skip
        host.open_dialog(dialog)
        return dialog


def _widget(host: DialogHost) -> QWidget | None:
    return host if isinstance(host, QWidget) else None
