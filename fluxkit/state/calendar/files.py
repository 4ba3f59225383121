"""/calendar's files: the private subscription feed URL and importing an .ics file.

The feed token is shown once, right after it is made; only its keyed hash is stored.
"""

from __future__ import annotations

import reflex as rx

from fluxkit.clock import system_clock
from fluxkit.db import session_scope
from fluxkit.services.calendar import ics as calendar_ics
from fluxkit.services.dto import Identity
from fluxkit.settings import get_settings
from fluxkit.state.calendar.page import CalendarState
from fluxkit.state.imports import Importer, ImportMixin
from fluxkit.state.session import SignedInState

_IMPORTER = Importer(
    run=calendar_ics.import_ics,
    max_bytes=calendar_ics.MAX_BYTES,
    noun="event",
    choose="Choose an .ics file to import.",
    kind="calendar",
    item="event",
)


class CalendarFilesState(ImportMixin, SignedInState):
    feed_open: bool = False
    has_feed: bool = False
    feed_url: str = ""

    # ---- subscription feed ------------------------------------------------------------------------------

    @rx.event
    def set_feed_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.feed_open = open is True
        self.feed_url = ""
        if self.feed_open:
            with session_scope() as db:
                self.has_feed = calendar_ics.has_feed(db, me.user.id)
        return None

    @rx.event
    def new_feed_url(self):
        """Create (or replace) the private feed URL; shown this once."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with session_scope() as db:
            token = calendar_ics.issue_feed_token(db, me.user.id, system_clock)
        self.has_feed = True
        self.feed_url = f"{get_settings().base_url.rstrip('/')}/api/calendar/feed/{token}.ics"
        return None

    @rx.event
    def revoke_feed(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with session_scope() as db:
            calendar_ics.revoke_feed(db, me.user.id)
        self.has_feed = False
        self.feed_url = ""
        return rx.toast.success("The feed URL no longer works.")

    # ---- import (the shared flow of state/imports.py) -----------------------------------------------------

    def _importer(self) -> Importer:
        return _IMPORTER

    async def _after_import(self, me: Identity) -> None:
        calendar = await self.get_state(CalendarState)
        if calendar.loaded:
            calendar._reload(me)
