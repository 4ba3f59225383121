"""/tasks: one page of the user's tasks, its filters (kept in the URL), and every action on it.

The state holds one page of rows (TaskRow DTOs), never the whole table. Every handler
re-derives the user from the session and hands only that id to `services.tasks`, which
checks ownership: an id sent by the browser is a request, never a permission. Values the
browser sends (filters, sizes, statuses) are re-validated through `TaskQuery.parse` and the
service rules, so a tampered event can at most show the user their own data another way.

The add / edit and details dialogs live in `dialog.py`, CSV export and import in
`csv.py`, and the list's view handlers (search, filters, sort, paging) and
`refresh` in `state/paged_list.py`; all are mixed into `TasksState`, so the page has one state.
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlencode

import reflex as rx

from fluxkit.db import session_scope
from fluxkit.services import tasks as task_service
from fluxkit.services.dto import Identity
from fluxkit.services.errors import NotFound
from fluxkit.services.tasks import TaskQuery, TaskRow, TaskStats
from fluxkit.state.notifications import BellState
from fluxkit.state.paged_list import ALL, PagedListMixin
from fluxkit.state.session import SignedInState, service_call
from fluxkit.state.tasks.columns import TaskColumnsStorage, read_hidden, write_hidden
from fluxkit.state.tasks.common import NOT_FOUND, ROUTE, plural
from fluxkit.state.tasks.csv import TaskCsvMixin
from fluxkit.state.tasks.dialog import TaskDialogMixin

__all__ = ["ALL", "COLUMNS", "NOT_FOUND", "ROUTE", "TasksState"]

# Columns the user can hide (the title column always shows).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("status", "Status"),
    ("priority", "Priority"),
    ("category", "Category"),
    ("due", "Due"),
    ("created", "Created"),
    ("updated", "Updated"),
)
_COLUMN_KEYS = [key for key, _ in COLUMNS]
DEFAULT_HIDDEN = ["updated"]


class TasksState(TaskDialogMixin, TaskCsvMixin, PagedListMixin, SignedInState):
    # The list's view handlers (search, filters, sort, paging) and `refresh` are PagedListMixin's.
    FILTERS: ClassVar[tuple[str, ...]] = ("status", "priority", "category", "due")
    SORTS: ClassVar[tuple[str, ...]] = task_service.SORTS
    # Text-like columns read best A→Z first; dates newest first.
    DESCENDING_FIRST: ClassVar[tuple[str, ...]] = ("created", "updated", "priority")
    PAGE_SIZES: ClassVar[tuple[int, ...]] = task_service.PAGE_SIZES
    SEARCH_INPUT: ClassVar[str] = "task-search"

    # The current page and its totals (with PagedListMixin's `total` and `pages`).
    rows: list[TaskRow] = []
    stats: TaskStats = TaskStats()

    # The view (mirrors TaskQuery; always re-validated before use), with PagedListMixin's
    # `search`, `sort`, `descending`, `page` and `page_size` (10).
    status_filter: str = ""
    priority_filter: str = ""
    category_filter: str = ""
    due_filter: str = ""
    hidden_columns: list[str] = list(DEFAULT_HIDDEN)  # remembered per user in this browser

    # Row selection (ids on the current page).
    selected: list[int] = []

    # Undo banner after a delete.
    undo_message: str = ""
    _undo_ids: list[int] = []

    # ---- computed -------------------------------------------------------------------------

    @rx.var
    def has_filters(self) -> bool:
        return bool(
            self.search or self.status_filter or self.priority_filter or self.category_filter or self.due_filter
        )

    @rx.var
    def all_selected(self) -> bool:
        ids = {row.id for row in self.rows}
        return bool(ids) and ids <= set(self.selected)

    # ---- private helpers ----------------------------------------------------------------------

    def _query(self) -> TaskQuery:
        """The view as the service sees it: every value re-validated."""
        return TaskQuery.parse(
            {
                "search": self.search,
                "status": self.status_filter,
                "priority": self.priority_filter,
                "category": self.category_filter,
                "due": self.due_filter,
                "sort": self.sort,
                "order": "desc" if self.descending else "asc",
                "page": str(self.page),
                "page_size": str(self.page_size),
            }
        )

    def _apply_query(self, query: TaskQuery) -> None:
        self.search = query.search
        self.status_filter = query.status
        self.priority_filter = query.priority
        self.category_filter = query.category
        self.due_filter = query.due
        self.sort = query.sort
        self.descending = query.descending
        self.page = query.page
        self.page_size = query.page_size

    def _reload(self, me: Identity) -> None:
        """Fetch the current page and the stat cards."""
        self._reading()
        query = self._query()
        with session_scope() as db:
            counts = task_service.stats(db, me.user.id)
            page = task_service.list_tasks(db, me.user.id, query, counts=counts)
            self.stats = counts
            if self.details_open and self.detail.id:
                try:
                    self._fill_details(db, me, self.detail.id)
                except NotFound:
                    self._close_details()
        self._apply_query(query)
        self.page = page.page
        self.rows = page.rows
        self.total = page.total
        self.pages = page.pages
        on_page = {row.id for row in page.rows}
        self.selected = [task_id for task_id in self.selected if task_id in on_page]
        self.loaded = True

    def _url_params(self) -> dict[str, str]:
        params = dict(self._query().as_params())
        if self.details_open and self.detail.id:
            params["task"] = str(self.detail.id)
        return params

    def _url(self) -> str:
        encoded = urlencode(self._url_params())
        return f"{ROUTE}?{encoded}" if encoded else ROUTE

    def _view_changed(self, me: Identity) -> list:
        self.selected = []
        return super()._view_changed(me)

    async def _refresh_bell(self, me: Identity) -> None:
        bell = await self.get_state(BellState)
        bell._reload(me)

    # ---- loading ------------------------------------------------------------------------------

    @rx.event
    async def load(self):
        """on_load: the view from the URL (?status=…&page=…&task=<id>), then its page of rows."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        params = dict(self.router.url.query_parameters)
        self._apply_query(TaskQuery.parse(params))
        storage = await self.get_state(TaskColumnsStorage)
        remembered = read_hidden(storage.saved, me.user.id, _COLUMN_KEYS)
        self.hidden_columns = list(DEFAULT_HIDDEN) if remembered is None else remembered
        self.selected = []
        self.undo_message = ""
        self._undo_ids = []
        self.import_open = False
        self.dialog_open = False
        self._close_details()
        events: list = []
        task_param = params.get("task", "")
        if task_param and (refusal := self._show_details_from_url(me, task_param)):
            events.append(refusal)
        self._reload(me)
        if self._url_params() != params:
            events.append(self._sync_url())  # normalise what the address bar says
        return events or None

    # ---- the view -----------------------------------------------------------------------------

    @rx.event
    async def toggle_column(self, column: str):
        """Show or hide a column; this browser remembers the choice for this user."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if column not in _COLUMN_KEYS:
            return None
        if column in self.hidden_columns:
            self.hidden_columns = [c for c in self.hidden_columns if c != column]
        else:
            self.hidden_columns = [*self.hidden_columns, column]
        storage = await self.get_state(TaskColumnsStorage)
        storage.saved = write_hidden(storage.saved, me.user.id, self.hidden_columns)
        return None

    # ---- selection and bulk actions -------------------------------------------------------------

    @rx.event
    def toggle_select(self, task_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if task_id in self.selected:
            self.selected = [i for i in self.selected if i != task_id]
        elif any(row.id == task_id for row in self.rows):
            self.selected = [*self.selected, task_id]
        return None

    @rx.event
    def toggle_select_page(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        ids = [row.id for row in self.rows]
        self.selected = [] if ids and set(ids) <= set(self.selected) else ids
        return None

    @rx.event
    def clear_selection(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.selected = []
        return None

    @rx.event
    async def bulk_status(self, status: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self.selected:
            return rx.toast.info("Select some tasks first.")
        with service_call() as call:
            result = task_service.bulk_change_status(call.db, me.user.id, list(self.selected), status)
        if call.refused:
            return call.toast
        self.selected = []
        self._reload(me)
        await self._refresh_bell(me)
        events = []
        if result.changed:
            events.append(rx.toast.success(f"Moved {plural(result.changed, 'task')} to {status}."))
        if result.refused:
            shown = result.refused[:5]
            more = len(result.refused) - len(shown)
            detail = "\n".join(shown) + (f"\n…and {more} more." if more > 0 else "")
            events.append(
                rx.toast.warning(
                    f"{plural(len(result.refused), 'task')} not changed", description=detail, duration=10000
                )
            )
        if not events:
            events.append(rx.toast.info(f"The selected tasks are already {status}."))
        return events

    @rx.event
    def bulk_delete(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self.selected:
            return rx.toast.info("Select some tasks first.")
        with session_scope() as db:
            deleted = task_service.bulk_delete(db, me.user.id, list(self.selected))
        self.selected = []
        self._reload(me)
        if not deleted:
            return rx.toast.error(NOT_FOUND)
        self._undo_ids = deleted
        self.undo_message = f"Deleted {plural(len(deleted), 'task')}."
        return None

    # ---- one task ---------------------------------------------------------------------------------

    @rx.event
    async def change_status(self, task_id: int, status: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with service_call(NOT_FOUND) as call:  # also TransitionRefused, InvalidInput, PlanLimitReached
            row = task_service.change_status(call.db, me.user.id, task_id, status)
        if call.refused:
            return call.toast
        self._reload(me)
        await self._refresh_bell(me)
        return rx.toast.success(f"“{row.title}” is now {row.status}.")

    @rx.event
    def delete(self, task_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with service_call(NOT_FOUND) as call:
            title = task_service.get_task(call.db, me.user.id, task_id).title
            task_service.delete_task(call.db, me.user.id, task_id)
        if call.refused:
            return call.toast
        if self.detail.id == task_id:
            self._close_details()
        self._reload(me)
        self._undo_ids = [task_id]
        self.undo_message = f"Deleted “{title}”."
        return None

    @rx.event
    def undo_delete(self):
        """Bring back what the last delete removed (the service checks owner and time window)."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        ids, self._undo_ids, self.undo_message = self._undo_ids, [], ""
        restored, problems = 0, []
        for task_id in ids:
            with service_call() as call:
                task_service.restore_task(call.db, me.user.id, task_id)
            if call.refused:
                problems.append(call.refused.message)
            else:
                restored += 1
        self._reload(me)
        if problems:
            return rx.toast.error(
                problems[0] if restored == 0 else f"Restored {restored}; {len(problems)} could not be: {problems[0]}"
            )
        if restored:
            return rx.toast.success(f"Restored {plural(restored, 'task')}.")
        return None

    @rx.event
    def dismiss_undo(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._undo_ids = []
        self.undo_message = ""
        return None
