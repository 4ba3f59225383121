"""/calendar: the month, week, day or agenda around a date, and every action on events.

The state holds the occurrences of the visible range only. Every handler re-derives the
user from the session and passes only that id to `services.calendar`, which checks that
the user takes part in an event (organizer or invited): an id from the browser is a
request, never a permission, and an event one is not part of is simply not found.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import urlencode

import reflex as rx

from fluxkit import routes
from fluxkit.clock import system_clock
from fluxkit.db import session_scope
from fluxkit.services import calendar as cal
from fluxkit.services import user_time
from fluxkit.services.calendar import EventDetail, UserPick
from fluxkit.services.calendar import ics as calendar_ics
from fluxkit.services.dto import Identity
from fluxkit.services.errors import NotFound, ServiceError
from fluxkit.state.calendar.layout import (
    HOUR_PX,
    MONTH_ITEMS,
    VIEWS,
    AgendaDay,
    DayCell,
    DayColumn,
    heading,
    on_day,
    parse_day,
    place,
    step_anchor,
    visible_range,
)
from fluxkit.state.paged_list import ReloadMixin
from fluxkit.state.session import SignedInState

ROUTE = routes.CALENDAR
GONE = "That event was not found. It may have been deleted, or you were not invited."

_EMPTY_DETAIL = EventDetail(
    id=0,
    title="",
    description="",
    location="",
    type="event",
    color="blue",
    all_day=False,
    start="",
    end="",
    start_utc="",
    end_utc="",
    timezone="UTC",
    repeat="",
    repeat_until="",
    repeat_count=0,
    when="",
    organizer_id=0,
    organizer_name="",
    organizer_email="",
    is_organizer=False,
    my_status="",
    attendees=[],
)


class CalendarState(ReloadMixin, SignedInState):
    """`refresh` (the live layer) is ReloadMixin's: it reloads the visible range."""

    # The view.
    view: str = "month"
    anchor: str = ""
    today: str = ""
    heading: str = ""
    month_cells: list[DayCell] = []
    columns: list[DayColumn] = []
    agenda: list[AgendaDay] = []
    pending_invites: int = 0
    # "Show tasks" off: only events. Remembered in this browser ("1" = tasks hidden).
    hide_tasks: str = rx.LocalStorage("", name="fluxkit.calendar-hide-tasks")

    # Add / edit dialog.
    dialog_open: bool = False
    editing_id: int = 0
    form_key: int = 0
    form_title: str = ""
    form_description: str = ""
    form_location: str = ""
    form_type: str = "meeting"
    form_color: str = "blue"
    form_all_day: bool = False
    form_start: str = ""
    form_end: str = ""
    form_repeat: str = "none"
    form_repeat_end: str = "until"
    form_repeat_until: str = ""
    form_repeat_count: str = "10"
    form_attendees: list[UserPick] = []
    attendee_query: str = ""
    attendee_results: list[UserPick] = []
    form_errors: dict[str, str] = {}

    # Details dialog.
    details_open: bool = False
    detail: EventDetail = _EMPTY_DETAIL
    confirm_delete: bool = False

    # ---- private helpers ----------------------------------------------------------------------

    def _anchor(self, me: Identity) -> date:
        found = parse_day(self.anchor)
        if found is None:
            with session_scope() as db:
                found = user_time.today_for(db, me.user.id, system_clock)
        return found

    def _reload(self, me: Identity) -> None:
        self._reading()
        view = self.view if self.view in VIEWS else "month"
        anchor = self._anchor(me)
        start, end = visible_range(view, anchor)
        with session_scope() as db:
            today = user_time.today_for(db, me.user.id, system_clock)
            items = cal.list_range(db, me.user.id, start, end)
            if self.details_open and self.detail.id:
                try:
                    self.detail = cal.get_event(db, me.user.id, self.detail.id)
                except NotFound:
                    self._close_details()
        self.view, self.anchor, self.today = view, anchor.isoformat(), today.isoformat()
        self.heading = heading(view, anchor, start, end)
        self.pending_invites = len({o.event_id for o in items if o.my_status == "pending"})
        if self.hide_tasks == "1":
            items = [o for o in items if o.task_id == 0]
        days = [start + timedelta(days=n) for n in range((end - start).days)]
        self.month_cells, self.columns, self.agenda = [], [], []
        if view == "month":
            for day in days:
                shown = on_day(items, day.isoformat())
                self.month_cells.append(
                    DayCell(
                        date=day.isoformat(),
                        number=day.day,
                        in_month=day.month == anchor.month,
                        is_today=day == today,
                        shown=shown[:MONTH_ITEMS],
                        more=max(0, len(shown) - MONTH_ITEMS),
                    )
                )
        elif view in ("week", "day"):
            for day in days:
                iso = day.isoformat()
                self.columns.append(
                    DayColumn(
                        date=iso,
                        label=f"{day:%a} {day.day}",
                        is_today=day == today,
                        all_day=[o for o in on_day(items, iso) if o.all_day],
                        timed=place(items, iso),
                    )
                )
        else:
            for day in days:
                shown = on_day(items, day.isoformat())
                if shown:
                    self.agenda.append(
                        AgendaDay(
                            date=day.isoformat(),
                            label=f"{day:%A}, {day.day} {day:%B}",
                            is_today=day == today,
                            shown=shown,
                        )
                    )
        self.loaded = True

    def _url(self) -> str:
        params = {"view": self.view, "date": self.anchor}
        if self.details_open and self.detail.id:
            params["event"] = str(self.detail.id)
        return f"{ROUTE}?{urlencode(params)}"

    def _sync_url(self) -> rx.event.EventSpec:
        """The view in the address bar (bookmarkable); a fresh week or day opens at 07:00."""
        script = f"window.history.replaceState(window.history.state, '', {json.dumps(self._url())});"
        if self.view in ("week", "day"):
            script += (
                "setTimeout(() => { "
                "const v = document.querySelector('#calendar-scroll [data-radix-scroll-area-viewport]');"
                f" if (v && v.scrollTop === 0) v.scrollTo(0, {7 * HOUR_PX}); }}, 80);"
            )
        return rx.call_script(script)

    def _close_details(self) -> None:
        self.details_open = False
        self.detail = _EMPTY_DETAIL
        self.confirm_delete = False

    def _open_details(self, me: Identity, event_id: int) -> bool:
        try:
            with session_scope() as db:
                self.detail = cal.get_event(db, me.user.id, event_id)
        except NotFound:
            self._close_details()
            return False
        self.details_open = True
        self.confirm_delete = False
        return True

    def _fill_form(self, detail: EventDetail | None, start: str = "", end: str = "", all_day: bool = False) -> None:
        self.form_key += 1
        self.form_errors = {}
        self.attendee_query = ""
        self.attendee_results = []
        self.editing_id = detail.id if detail else 0
        self.form_title = detail.title if detail else ""
        self.form_description = detail.description if detail else ""
        self.form_location = detail.location if detail else ""
        self.form_type = detail.type if detail else "meeting"
        self.form_color = detail.color if detail else "blue"
        self.form_all_day = detail.all_day if detail else all_day
        self.form_start = detail.start if detail else start
        self.form_end = detail.end if detail else end
        self.form_repeat = (detail.repeat if detail else "") or "none"
        self.form_repeat_end = "count" if detail and detail.repeat_count else "until"
        self.form_repeat_until = detail.repeat_until if detail else ""
        self.form_repeat_count = str(detail.repeat_count) if detail and detail.repeat_count else "10"
        self.form_attendees = (
            [UserPick(id=a.user_id, name=a.name, email=a.email) for a in detail.attendees] if detail else []
        )
        self.dialog_open = True

    # ---- loading --------------------------------------------------------------------------------

    @rx.event
    def load(self):
        """on_load: ?view=month|week|day|agenda&date=YYYY-MM-DD&event=<id>."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        params = self.router.url.query_parameters
        self.view = params.get("view", "") if params.get("view", "") in VIEWS else "month"
        self.anchor = parse_day(params.get("date", "")).isoformat() if parse_day(params.get("date", "")) else ""
        self.dialog_open = False
        self._close_details()
        events: list = []
        event_param = params.get("event", "")
        if event_param:
            if event_param.isdigit() and self._open_details(me, int(event_param)):
                if not self.anchor:
                    self.anchor = self.detail.start[:10]
            else:
                events.append(rx.toast.error(GONE))
        self._reload(me)
        events.append(self._sync_url())
        return events

    # ---- the view ---------------------------------------------------------------------------------

    @rx.event
    def set_show_tasks(self, show: bool):
        """The "Show tasks" switch: tasks due on the calendar, or events only."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.hide_tasks = "" if show is True else "1"
        self._reload(me)
        return None

    @rx.event
    def set_view(self, view: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if view not in VIEWS:
            return None
        self.view = view
        self._reload(me)
        return self._sync_url()

    @rx.event
    def step(self, direction: int):
        """Previous (-1) or next (1) month, week, day or agenda page."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if direction not in (-1, 1):
            return None
        self.anchor = step_anchor(self.view, self._anchor(me), direction).isoformat()
        self._reload(me)
        return self._sync_url()

    @rx.event
    def go_today(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.anchor = ""
        self._reload(me)
        return self._sync_url()

    @rx.event
    def show_day(self, day: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if parse_day(day) is None:
            return None
        self.view, self.anchor = "day", day
        self._reload(me)
        return self._sync_url()

    # ---- create / edit ------------------------------------------------------------------------------

    @rx.event
    def open_new(self, day: str, hour: int):
        """A click on an empty slot: the dialog prefilled with that day and hour (-1: all day)."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        when = parse_day(day) or self._anchor(me)
        if not isinstance(hour, int) or isinstance(hour, bool) or not -1 <= hour <= 23:
            hour = 9
        if hour < 0:
            self._fill_form(None, when.isoformat(), when.isoformat(), all_day=True)
        else:
            end_hour = (
                f"{when.isoformat()}T{hour + 1:02d}:00"
                if hour < 23
                else f"{(when + timedelta(days=1)).isoformat()}T00:00"
            )
            self._fill_form(None, f"{when.isoformat()}T{hour:02d}:00", end_hour)
        return None

    @rx.event
    def edit_event(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self.detail.id or not self._open_details(me, self.detail.id):
            self._reload(me)
            return rx.toast.error(GONE)
        if not self.detail.is_organizer:
            return rx.toast.error("Only the organizer can change this event.")
        self._fill_form(self.detail)
        self.details_open = False
        return None

    @rx.event
    def set_dialog_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.dialog_open = bool(open is True and self.dialog_open)
        return None

    @rx.event
    def set_all_day(self, value: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.form_all_day = value is True
        if self.form_all_day:
            self.form_start, self.form_end = self.form_start[:10], self.form_end[:10] or self.form_start[:10]
        else:
            day = self.form_start[:10] or self._anchor(me).isoformat()
            self.form_start, self.form_end = f"{day}T09:00", f"{day}T10:00"
        return None

    @rx.event
    def set_form_choice(self, name: str, value: str):
        """The dialog's controlled choices: repeat, how it ends, type, color."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        allowed = {
            "repeat": ("none", "daily", "weekly", "monthly"),
            "repeat_end": ("until", "count"),
            "type": cal.TYPES,
            "color": cal.COLORS,
        }
        if name in allowed and value in allowed[name]:
            setattr(self, f"form_{name}", value)
        return None

    @rx.event
    def search_attendees(self, query: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.attendee_query = query[:100] if isinstance(query, str) else ""
        with session_scope() as db:
            found = cal.find_users(db, me.user.id, self.attendee_query)
        chosen = {u.id for u in self.form_attendees}
        self.attendee_results = [u for u in found if u.id not in chosen]
        return None

    @rx.event
    def add_attendee(self, user_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        pick = next((u for u in self.attendee_results if u.id == user_id), None)
        if pick is None or any(u.id == user_id for u in self.form_attendees):
            return None
        self.form_attendees = [*self.form_attendees, pick]
        self.attendee_results = []
        self.attendee_query = ""
        return rx.set_value("event-attendee-search", "")

    @rx.event
    def remove_attendee(self, user_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.form_attendees = [u for u in self.form_attendees if u.id != user_id]
        return None

    def _form_data(self, form: dict) -> dict:
        def text(key: str) -> str:
            value = form.get(key) if isinstance(form, dict) else None
            return value if isinstance(value, str) else ""

        data: dict[str, object] = {
            "title": text("title"),
            "description": text("description"),
            "location": text("location"),
            "type": self.form_type,
            "color": self.form_color,
            "all_day": self.form_all_day,
            "start": text("start"),
            "end": text("end"),
            "repeat": "" if self.form_repeat == "none" else self.form_repeat,
            "repeat_until": None,
            "repeat_count": None,
            "attendees": [u.id for u in self.form_attendees],
        }
        if data["repeat"]:
            if self.form_repeat_end == "count":
                count = text("repeat_count").strip()
                data["repeat_count"] = int(count) if count.isdigit() else (count or None)
            else:
                data["repeat_until"] = text("repeat_until") or None
        return data

    @rx.event
    async def save(self, form: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        data = self._form_data(form)
        self.form_title, self.form_description, self.form_location = (
            data["title"],
            data["description"],
            data["location"],
        )
        self.form_start, self.form_end = data["start"], data["end"]
        try:
            with session_scope() as db:
                if self.editing_id:
                    saved = cal.update_event(db, me.user.id, self.editing_id, data, system_clock)
                else:
                    saved = cal.create_event(db, me.user.id, data, system_clock)
        except NotFound:
            self.dialog_open = False
            self._reload(me)
            return rx.toast.error(GONE)
        except ServiceError as exc:
            self.form_errors = exc.fields or {"form": exc.message}
            return None
        was_editing = bool(self.editing_id)
        self.dialog_open = False
        self.form_errors = {}
        self.anchor = saved.start[:10] if self.view != "agenda" or not was_editing else self.anchor
        self._reload(me)
        return [self._sync_url(), rx.toast.success("Event saved." if was_editing else "Event created.")]

    # ---- one event ---------------------------------------------------------------------------------

    @rx.event
    def open_item(self, event_id: int, task_id: int):
        """A click on the calendar: an event opens its details, a task opens on /tasks."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if isinstance(task_id, int) and not isinstance(task_id, bool) and task_id > 0:
            return rx.redirect(f"{routes.TASKS}?task={task_id}")
        if not isinstance(event_id, int) or isinstance(event_id, bool) or not self._open_details(me, event_id):
            self._reload(me)
            return rx.toast.error(GONE)
        return self._sync_url()

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
    def ask_delete(self, value: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.confirm_delete = value is True and self.detail.is_organizer
        return None

    @rx.event
    def delete_event(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        try:
            with session_scope() as db:
                cal.delete_event(db, me.user.id, self.detail.id)
        except NotFound:
            self._close_details()
            self._reload(me)
            return rx.toast.error(GONE)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        title = self.detail.title
        self._close_details()
        self._reload(me)
        return [self._sync_url(), rx.toast.success(f"Deleted “{title}”.")]

    @rx.event
    async def respond(self, response: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        try:
            with session_scope() as db:
                self.detail = cal.respond(db, me.user.id, self.detail.id, response, system_clock)
        except NotFound:
            self._close_details()
            self._reload(me)
            return rx.toast.error(GONE)
        except ServiceError as exc:
            return rx.toast.error(exc.message)
        self._reload(me)
        return rx.toast.success("You accepted." if response == "accepted" else "You declined.")

    @rx.event
    def download_ics(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        try:
            with session_scope() as db:
                name, data = calendar_ics.event_ics(db, me.user.id, self.detail.id, system_clock)
        except NotFound:
            self._close_details()
            self._reload(me)
            return rx.toast.error(GONE)
        return rx.download(data=data.decode("utf-8"), filename=name, mime_type="text/calendar")
