"""The tasks page's two dialogs: add / edit a task, and a task's details with its history.

`TaskDialogMixin` is mixed into `TasksState` (page.py), whose `_reload`,
`_refresh_bell` and `_sync_url` it calls after a change. Like every handler there, each one
re-derives the user from the session first; a task id from the browser is only ever looked
up among that user's own tasks (by the service).
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from fluxkit.services import organizations as org_service
from fluxkit.services import tasks as task_service
from fluxkit.services.dto import Identity
from fluxkit.services.errors import NotFound
from fluxkit.services.tasks import HistoryRow, TaskRow
from fluxkit.state.session import service_call
from fluxkit.state.tasks.common import EMPTY_ROW, NOT_FOUND, form_text

UNASSIGNED = "none"  # what the assignee select sends for nobody (Radix selects cannot hold "")


@dataclass(frozen=True)
class AssigneeChoice:
    value: str  # a user id, or UNASSIGNED
    label: str


def _assignee_choices(db: Session, user_id: int, row: TaskRow | None) -> list[AssigneeChoice]:
    """Nobody, then the other members of the active organization (and the current assignee)."""
    members = org_service.assignable(db, user_id)
    if not members and not (row and row.assignee_id):
        return []
    choices = [AssigneeChoice(UNASSIGNED, "Unassigned")]
    choices += [AssigneeChoice(str(m.user_id), f"{m.name} ({m.email})") for m in members]
    if row and row.assignee_id and all(c.value != str(row.assignee_id) for c in choices):
        choices.append(AssigneeChoice(str(row.assignee_id), row.assignee_name))
    return choices


class TaskDialogMixin(rx.State, mixin=True):
    # Add / edit dialog.
    dialog_open: bool = False
    editing_id: int = 0
    form_key: int = 0
    form_title: str = ""
    form_description: str = ""
    form_priority: str = "medium"
    form_category: str = "feature"
    form_due: str = ""
    form_status: str = "pending"
    form_status_options: list[str] = list(task_service.STATUSES)
    form_errors: dict[str, str] = {}
    form_assignee: str = UNASSIGNED
    assignee_choices: list[AssigneeChoice] = []  # empty: no organization, no Assignee field

    # Details dialog.
    details_open: bool = False
    detail: TaskRow = EMPTY_ROW
    history: list[HistoryRow] = []

    # ---- private helpers ----------------------------------------------------------------------

    def _open_form(self, row: TaskRow | None, choices: list[AssigneeChoice] | None = None) -> None:
        self.form_key += 1
        self.assignee_choices = choices or []
        self.form_assignee = str(row.assignee_id) if row and row.assignee_id else UNASSIGNED
        self.form_errors = {}
        self.editing_id = row.id if row else 0
        self.form_title = row.title if row else ""
        self.form_description = row.description if row else ""
        self.form_priority = row.priority if row else "medium"
        self.form_category = row.category if row else "feature"
        self.form_due = row.due_date if row else ""
        self.form_status = row.status if row else "pending"
        if row:
            allowed = task_service.TRANSITIONS[row.status]
            self.form_status_options = [s for s in task_service.STATUSES if s == row.status or s in allowed]
        else:
            self.form_status_options = list(task_service.STATUSES)
        self.dialog_open = True

    def _edit(self, me: Identity, task_id: int) -> rx.event.EventSpec | None:
        """Open the form on one of the user's tasks; an error toast when it is not theirs (or gone)."""
        with service_call(NOT_FOUND) as call:
            row = task_service.get_task(call.db, me.user.id, task_id)
            choices = _assignee_choices(call.db, me.user.id, row)
        if call.refused:
            return call.toast
        if row.owner_name:
            return rx.toast.info(f"Only {row.owner_name}, who owns this task, can edit it. You can change its status.")
        self._open_form(row, choices)
        return None

    def _fill_details(self, db: Session, me: Identity, task_id: int) -> None:
        """The task and its history (NotFound when it is not the user's)."""
        self.detail = task_service.get_task(db, me.user.id, task_id)
        self.history = task_service.history(db, me.user.id, task_id)

    def _show_details(self, me: Identity, task_id: int) -> rx.event.EventSpec | None:
        with service_call(NOT_FOUND) as call:
            self._fill_details(call.db, me, task_id)
        if call.refused:
            return call.toast
        self.details_open = True
        return None

    def _show_details_from_url(self, me: Identity, param: str) -> rx.event.EventSpec | None:
        """?task=<id>: open that task's details, or say it was not found."""
        try:
            task_id = int(param)
        except ValueError:
            return rx.toast.error(NOT_FOUND)
        return self._show_details(me, task_id)

    def _close_details(self) -> None:
        self.details_open = False
        self.detail = EMPTY_ROW
        self.history = []

    # ---- add / edit dialog ------------------------------------------------------------------------

    @rx.event
    def open_new(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with service_call() as call:
            choices = _assignee_choices(call.db, me.user.id, None)
        self._open_form(None, choices if not call.refused else [])
        return None

    @rx.event
    def open_edit(self, task_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        return self._edit(me, task_id)

    @rx.event
    def set_dialog_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.dialog_open = bool(open) and self.dialog_open
        if not self.dialog_open:
            self.form_errors = {}
        return None

    @rx.event
    async def save(self, form: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        data: dict[str, object] = {
            "title": form_text(form, "title"),
            "description": form_text(form, "description"),
            "priority": form_text(form, "priority"),
            "category": form_text(form, "category"),
            "due_date": form_text(form, "due_date"),
        }
        status = form_text(form, "status")
        # Keep what was typed, so a refused save does not lose it.
        self.form_title = str(data["title"])
        self.form_description = str(data["description"])
        self.form_due = str(data["due_date"])
        if status:
            data["status"] = status
        assignee = form_text(form, "assignee")
        if assignee:  # only sent when the Assignee field shows
            self.form_assignee = assignee
            data["assignee_id"] = None if assignee == UNASSIGNED else int(assignee) if assignee.isdigit() else -1
        with service_call(NOT_FOUND) as call:
            if self.editing_id:
                row = task_service.update_task(call.db, me.user.id, self.editing_id, data)
            else:
                row = task_service.create_task(call.db, me.user.id, data)
        if isinstance(call.refused, NotFound):
            self.dialog_open = False
            self._reload(me)
            return call.toast
        if call.refused:
            self.form_errors = call.refused.fields or {"form": call.refused.message}
            return None
        created = not self.editing_id
        self.form_errors = {}
        self.dialog_open = False
        self.editing_id = 0
        self._reload(me)
        if not created:  # an edit can complete the task (a notification); a new task notifies no one but an assignee
            await self._refresh_bell(me)
        return rx.toast.success(f"Task {'created' if created else 'saved'}: “{row.title}”.")

    # ---- details --------------------------------------------------------------------------------

    @rx.event
    def open_details(self, task_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        return self._show_details(me, task_id) or self._sync_url()

    @rx.event
    def set_details_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if open is True and self.detail.id:
            return None
        self._close_details()
        return self._sync_url()

    @rx.event
    def edit_from_details(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        task_id = self.detail.id
        if not task_id:
            return None
        self._close_details()
        return self._edit(me, task_id) or self._sync_url()
