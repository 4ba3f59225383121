"""/calendar's files: the private subscription feed URL and importing an .ics file.

The feed token is shown once, right after it is made; only its keyed hash is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from fluxkit.clock import system_clock
from fluxkit.db import session_scope
from fluxkit.services.calendar import ics as calendar_ics
from fluxkit.services.errors import ServiceError
from fluxkit.settings import get_settings
from fluxkit.state.calendar.page import CalendarState
from fluxkit.state.session import SignedInState


@dataclass(frozen=True)
class ImportProblem:
    item: str
    reason: str


class CalendarFilesState(SignedInState):
    feed_open: bool = False
    has_feed: bool = False
    feed_url: str = ""
    import_open: bool = False
    import_done: bool = False
    import_created: int = 0
    import_refused: list[ImportProblem] = []
    import_error: str = ""

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

    # ---- import -----------------------------------------------------------------------------------------

    @rx.event
    def set_import_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.import_open = open is True
        self.import_done = False
        self.import_error = ""
        self.import_refused = []
        return None

    @rx.event
    async def import_file(self, files: list[rx.UploadFile]):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not isinstance(files, list) or not files:
            return rx.toast.error("Choose an .ics file to import.")
        data = await files[0].read(calendar_ics.MAX_BYTES + 1)
        self.import_done, self.import_error = False, ""
        try:
            with session_scope() as db:
                report = calendar_ics.import_ics(db, me.user.id, data, system_clock)
        except ServiceError as exc:
            self.import_error = exc.message
            return None
        self.import_done = True
        self.import_created = report.created
        self.import_refused = [ImportProblem(item=r.item, reason=r.reason) for r in report.refused]
        calendar = await self.get_state(CalendarState)
        if calendar.loaded:
            calendar._reload(me)
        return (
            rx.toast.success(f"Imported {report.created} event{'s' if report.created != 1 else ''}.")
            if report.created
            else None
        )
