"""Notifications: the header bell (unread count, latest items) and the /notifications page.

Every handler re-derives the user from the session; a notification id from the browser is
only ever looked up among that user's own notifications (by the service).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from fluxkit import routes
from fluxkit.db import session_scope
from fluxkit.services import notifications as notification_service
from fluxkit.services.dto import Identity
from fluxkit.services.notifications import NotificationRow
from fluxkit.state.paged_list import ReloadMixin
from fluxkit.state.session import SignedInState, service_call

ROUTE = routes.NOTIFICATIONS
BELL_ITEMS = 5
GONE = "That notification was not found. It may have been deleted."


def task_link(task_id: int) -> str:
    return f"{routes.TASKS}?task={task_id}"


def link_of(row: NotificationRow) -> str:
    """Where opening a notification leads: its own link (e.g. a mail), its task, or ""."""
    if row.link.startswith("/") and not row.link.startswith("//"):
        return row.link
    return task_link(row.task_id) if row.task_id else ""


class NotificationActionMixin(rx.State, mixin=True):
    """One action on the user's own notifications, then this view and the other one reloaded."""

    async def _act(
        self, me: Identity, action: Callable[..., Any], *args: object
    ) -> tuple[Any, rx.event.EventSpec | None]:
        """`action(db, user_id, *args)` and its result; a notification that is not (or no longer)
        the user's comes back as the "not found" toast, with only this view reloaded."""
        with service_call(GONE) as call:
            result = action(call.db, me.user.id, *args)
        self._reload(me)
        if call.refused:
            return None, call.toast
        await self._reload_other(me)
        return result, None


class BellState(NotificationActionMixin, SignedInState):
    """The bell in the header of every signed-in page."""

    unread: int = 0
    items: list[NotificationRow] = []
    loaded: bool = False

    @rx.var
    def badge(self) -> str:
        return "" if self.unread <= 0 else ("99+" if self.unread > 99 else str(self.unread))

    def _reload(self, me: Identity) -> None:
        with session_scope() as db:
            self.unread = notification_service.unread_count(db, me.user.id)
            self.items = notification_service.latest(db, me.user.id, BELL_ITEMS)
        self.loaded = True

    async def _reload_other(self, me: Identity) -> None:
        page = await self.get_state(NotificationsState)
        if page.loaded:
            page._reload(me)

    @rx.event
    def opened(self, is_open: bool):
        """The bell's list was opened (or closed): read it fresh when it opens."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if is_open is True:
            self._reload(me)
        return None

    @rx.event
    def refresh(self):
        """Reload the count and latest items (on mount, and from the live layer)."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._reload(me)
        return None

    @rx.event
    async def open_item(self, notification_id: int):
        """Mark read, then go to what it is about (or the notifications page)."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        row, refusal = await self._act(me, notification_service.mark_read, notification_id)
        if refusal:
            return refusal
        return rx.redirect(link_of(row) or ROUTE)

    @rx.event
    async def mark_all_read(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        await self._act(me, notification_service.mark_all_read)
        return None


class NotificationsState(NotificationActionMixin, ReloadMixin, SignedInState):
    """/notifications: newest first, one page at a time (`refresh` is ReloadMixin's)."""

    rows: list[NotificationRow] = []
    total: int = 0
    unread: int = 0
    page: int = 1
    pages: int = 1
    unread_only: bool = False

    def _reload(self, me: Identity) -> None:
        self._reading()
        with session_scope() as db:
            result = notification_service.list_page(
                db, me.user.id, self.page, notification_service.PAGE_SIZE, self.unread_only
            )
        self.rows = result.rows
        self.total = result.total
        self.unread = result.unread
        self.page = result.page
        self.pages = result.pages
        self.loaded = True

    async def _reload_other(self, me: Identity) -> None:
        bell = await self.get_state(BellState)
        bell._reload(me)

    def _sync_url(self) -> rx.event.EventSpec:
        params = []
        if self.unread_only:
            params.append("unread=1")
        if self.page > 1:
            params.append(f"page={self.page}")
        url = ROUTE + ("?" + "&".join(params) if params else "")
        return rx.call_script(f"window.history.replaceState(window.history.state, '', '{url}')")

    @rx.event
    def load(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        params = self.router.url.query_parameters
        try:
            self.page = max(1, int(params.get("page", "1")))
        except ValueError:
            self.page = 1
        self.unread_only = params.get("unread", "") in ("1", "true")
        self._reload(me)
        return None

    @rx.event
    def go_to_page(self, page: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not isinstance(page, int) or isinstance(page, bool):
            return None
        self.page = max(1, page)
        self._reload(me)
        return self._sync_url()

    @rx.event
    def set_unread_only(self, value: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.unread_only = value is True
        self.page = 1
        self._reload(me)
        return self._sync_url()

    @rx.event
    async def mark_read(self, notification_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        _, refusal = await self._act(me, notification_service.mark_read, notification_id)
        return refusal

    @rx.event
    async def open(self, notification_id: int):
        """Mark read and open what it is about (its link or task)."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        row, refusal = await self._act(me, notification_service.mark_read, notification_id)
        if refusal:
            return refusal
        if link_of(row):
            return rx.redirect(link_of(row))
        return None

    @rx.event
    async def mark_all_read(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        changed, _ = await self._act(me, notification_service.mark_all_read)
        if changed:
            return rx.toast.success(f"Marked {changed} notification{'s' if changed != 1 else ''} as read.")
        return None

    @rx.event
    async def delete(self, notification_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        _, refusal = await self._act(me, notification_service.delete_notification, notification_id)
        return refusal or rx.toast.success("Notification deleted.")
