"""What the page states share: `refresh` for the live layer, and the view of a paged list.

`ReloadMixin` is for a page whose state reads everything it shows in `_reload(me)`: its
`refresh` is what the live layer calls (fluxkit.py, LIVE_HANDLERS) when the user's data
changed elsewhere. `PagedListMixin` adds the handlers of one page of a searchable, filtered,
sorted list whose view is kept in the URL (the tasks page and the users admin): search,
filters, sort, page and page size.

Like every handler, each one here re-derives the user from the session first, and then asks
the state's own gate `_may_view(me)` (the users admin: an active admin, checked in the
database). Every value the browser sends is only a request: names are checked against the
state's lists, and the state's `_reload` re-validates the whole view through its service.
"""

from __future__ import annotations

import json
from typing import ClassVar

import reflex as rx

from fluxkit.services import live
from fluxkit.services.dto import Identity

ALL = "all"  # what a filter select sends for "no filter" (Radix selects cannot hold "")


class ReloadMixin(rx.State, mixin=True):
    """A page state that reads what it shows in `_reload(me)`; mixed into a SignedInState.

    The state defines `_reload(me)`: call `self._reading()` first, read the page for `me`,
    set `loaded`, and answer a toast to show or None.
    """

    loaded: bool = False  # `_reload` sets it: this tab has shown the page
    # Where and when (services.live.clock) this tab's last `_reload` began, if it notes it.
    _read_in: str = ""
    _read_at: float = 0.0

    def _may_view(self, me: Identity) -> bool:
        """Whether `me` may see the page at all (after the sign-in check); most pages: yes."""
        return True

    def _reading(self) -> None:
        """Called first thing in `_reload`: lets `refresh` skip a re-read that would show
        nothing new (the tab that made a change re-read after it; then the announcement comes)."""
        self._read_in = live.INSTANCE
        self._read_at = live.clock()

    def _shows_latest(self, me: Identity) -> bool:
        return self._read_in == live.INSTANCE and live.read_covers(me.user.id, self._read_at)

    @rx.event
    def refresh(self):
        """The live layer: this user's data changed elsewhere (another tab, the API, a job)."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self.loaded or self._shows_latest(me):
            return None  # not shown in this tab, or already read after the change
        if self._may_view(me):
            return self._reload(me)
        return None


class PagedListMixin(ReloadMixin, mixin=True):
    """One page of a list and its view; the state's `_reload` reads it, and its `_url()`
    (which the state defines) says it as a bookmarkable address."""

    # What the state's list offers. Each state sets them as ClassVar too: a plain class
    # attribute of a state would become a var (and be sent to the browser).
    FILTERS: ClassVar[tuple[str, ...]] = ()  # each one's value is in the var f"{name}_filter"
    SORTS: ClassVar[tuple[str, ...]] = ()
    DESCENDING_FIRST: ClassVar[tuple[str, ...]] = ("created",)  # sorted newest / highest first
    PAGE_SIZES: ClassVar[tuple[int, ...]] = ()
    SEARCH_INPUT: ClassVar[str] = ""  # the search box's id, emptied by clear_filters

    # The view (re-validated by the state's query before use) and the current page's totals.
    search: str = ""
    sort: str = "created"
    descending: bool = True
    page: int = 1
    page_size: int = 10
    total: int = 0
    pages: int = 1

    @rx.var
    def first_shown(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.page_size + 1

    @rx.var
    def last_shown(self) -> int:
        return min(self.total, self.page * self.page_size)

    def _sync_url(self) -> rx.event.EventSpec:
        """Keep the view in the address bar (bookmarkable) without a navigation."""
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {json.dumps(self._url())})")

    def _view_changed(self, me: Identity) -> list:
        """Read the page of the changed view and put the view in the address bar."""
        self._reload(me)
        return [self._sync_url()]

    @rx.event
    def set_search(self, value: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_view(me):
            return None
        self.search = value if isinstance(value, str) else ""
        self.page = 1
        return self._view_changed(me)

    @rx.event
    def set_filter(self, name: str, value: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_view(me) or name not in self.FILTERS:
            return None
        setattr(self, f"{name}_filter", "" if value == ALL or not isinstance(value, str) else value)
        self.page = 1
        return self._view_changed(me)

    @rx.event
    def clear_filters(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_view(me):
            return None
        self.search = ""
        for name in self.FILTERS:
            setattr(self, f"{name}_filter", "")
        self.page = 1
        return [*self._view_changed(me), rx.set_value(self.SEARCH_INPUT, "")]

    @rx.event
    def sort_by(self, column: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_view(me) or column not in self.SORTS:
            return None
        if self.sort == column:
            self.descending = not self.descending
        else:
            self.sort = column
            self.descending = column in self.DESCENDING_FIRST
        self.page = 1
        return self._view_changed(me)

    @rx.event
    def go_to_page(self, page: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_view(me) or not isinstance(page, int) or isinstance(page, bool):
            return None
        self.page = max(1, min(page, self.pages))
        return self._view_changed(me)

    @rx.event
    def set_page_size(self, size: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._may_view(me):
            return None
        try:
            value = int(size)
        except (TypeError, ValueError):
            return None
        if value not in self.PAGE_SIZES:
            return None
        # Keep the first row shown in view.
        first = (self.page - 1) * self.page_size
        self.page_size = value
        self.page = first // value + 1
        return self._view_changed(me)
