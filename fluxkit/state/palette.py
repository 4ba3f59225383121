"""The command palette (Ctrl/⌘-K on every signed-in page): jump to a page, find my tasks, mail
and events, run the common actions.

Every handler re-derives the user from the session, so each search runs as whoever is signed
in now and only finds their own rows (the services filter by owner). What a result does is
kept server-side (`_targets`, never sent to the browser): the browser only says "the 3rd
result", so a tampered event can at most open one of the user's own results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

import reflex as rx
from sqlmodel import Session

from fluxkit import routes
from fluxkit.db import session_scope
from fluxkit.navigation import ADMIN_ONLY, NAV_ITEMS, SETTINGS_PAGES, settings_path
from fluxkit.services import calendar, mailbox, user_time
from fluxkit.services import tasks as task_service
from fluxkit.services.dto import Identity
from fluxkit.state.session import SignedInState
from fluxkit.state.shell import ShellState
from fluxkit.state.tasks.page import TasksState

QUERY_MAX = 100
PER_KIND = 5  # results of each kind (tasks, mail) for one search
TASKS_ROUTE = routes.TASKS
# The hidden button the palette's "Toggle theme" clicks (Reflex's color-mode toggle lives in the page).
THEME_TOGGLE_ID = "palette-theme-toggle"


@dataclass(frozen=True)
class PaletteItem:
    kind: str  # page, action, task, mail, event
    label: str
    detail: str
    icon: str
    section: str = ""  # the heading shown above the first result of each kind


# (id, label, detail, icon, words it is also found by)
ACTIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("new-task", "New task", "Add a task", "plus", "create add todo"),
    (
        "toggle-theme",
        "Toggle theme",
        "Switch between light and dark",
        "sun-moon",
        "dark light mode colour color appearance",
    ),
    ("sign-out", "Sign out", "End this session", "log-out", "log out logout exit leave"),
)
SECTIONS = {"page": "Pages", "action": "Actions", "task": "Tasks", "mail": "Mail", "event": "Events"}
# Events are found among the occurrences in this window around today (a bounded expansion).
EVENTS_BEFORE, EVENTS_AFTER = timedelta(days=30), timedelta(days=180)

Result = tuple[PaletteItem, str]  # what is shown, and its target ("/path" or "action:<id>")


def _matches(text: str, *fields: str) -> bool:
    return not text or any(text in f.lower() for f in fields)


def _pages(me: Identity, text: str) -> list[Result]:
    return [
        (PaletteItem("page", label, f"Go to {href}", icon), href)
        for label, href, icon in NAV_ITEMS
        if (me.user.is_admin or href not in ADMIN_ONLY) and _matches(text, label, href)
    ] + [
        (PaletteItem("page", f"Settings: {label}", f"Go to {settings_path(slug)}", icon), settings_path(slug))
        for label, slug, icon in SETTINGS_PAGES
        if text and _matches(text, label, settings_path(slug))
    ]


def _actions(text: str) -> list[Result]:
    return [
        (PaletteItem("action", label, detail, icon), f"action:{key}")
        for key, label, detail, icon, words in ACTIONS
        if _matches(text, label, words)
    ]


def _tasks(db: Session, user_id: int, text: str) -> list[Result]:
    page = task_service.list_tasks(db, user_id, task_service.TaskQuery(search=text, sort="updated", page_size=10))
    return [
        (
            PaletteItem("task", row.title, f"{row.status.capitalize()} · {row.priority} priority", "list-todo"),
            f"{TASKS_ROUTE}?task={row.id}",
        )
        for row in page.rows[:PER_KIND]
    ]


def _mail(db: Session, user_id: int, text: str) -> list[Result]:
    found: list[mailbox.MailRow] = []
    for folder in ("inbox", "archive", "sent"):
        found += mailbox.list_folder(db, user_id, folder, text, 1, 10).rows
    found.sort(key=lambda row: row.at, reverse=True)
    return [
        (
            PaletteItem(
                "mail",
                row.subject or "(no subject)",
                f"{row.folder.capitalize()} · {row.sender_name or row.sender_email}",
                "mail",
            ),
            f"{mailbox.ROUTE}?folder={row.folder}&open={row.id}",
        )
        for row in found[:PER_KIND]
    ]


def _events(db: Session, user_id: int, text: str) -> list[Result]:
    """Events I organise or am invited to whose title matches: the next occurrence of each
    (or, for a past one, the latest), upcoming first."""
    today = user_time.today_for(db, user_id)
    now = today.isoformat()
    best: dict[int, calendar.Occurrence] = {}
    for occ in calendar.list_range(db, user_id, today - EVENTS_BEFORE, today + EVENTS_AFTER, include_tasks=False):
        if text not in occ.title.lower():
            continue
        seen = best.get(occ.event_id)
        if seen is None or (seen.day < now and occ.day > seen.day):
            best[occ.event_id] = occ
    upcoming = sorted((o for o in best.values() if o.day >= now), key=lambda o: (o.day, o.start))
    past = sorted((o for o in best.values() if o.day < now), key=lambda o: (o.day, o.start), reverse=True)
    return [
        (
            PaletteItem("event", occ.title, f"{occ.day} · {occ.time_label}", "calendar"),
            f"{routes.CALENDAR}?event={occ.event_id}",
        )
        for occ in (upcoming + past)[:PER_KIND]
    ]


# Searches of the user's own data, run in this order for a non-empty query; each takes
# (db, acting user id, text) and answers (item, target) pairs, finding only what that user
# may see (the services filter by owner, recipient, member or invitee).
SEARCHERS: list[Callable[[Session, int, str], list[Result]]] = [_tasks, _mail, _events]


def search(me: Identity, text: str) -> list[Result]:
    """Pages and actions first, then the user's own data."""
    needle = text.replace("\x00", "").strip().lower()[:QUERY_MAX]
    results = _pages(me, needle) + _actions(needle)
    if needle:
        with session_scope() as db:
            for searcher in SEARCHERS:
                results += searcher(db, me.user.id, needle)
    shown, kinds = [], set()
    for item, target in results:
        first = item.kind not in kinds
        kinds.add(item.kind)
        shown.append((replace(item, section=SECTIONS.get(item.kind, "") if first else ""), target))
    return shown


class PaletteState(SignedInState):
    open: bool = False
    query: str = ""
    items: list[PaletteItem] = []
    active: int = 0
    _targets: list[str] = []
    _new_task_pending: bool = False

    def _search(self, me: Identity) -> None:
        results = search(me, self.query)
        self.items = [item for item, _ in results]
        self._targets = [target for _, target in results]
        self.active = 0

    def _close(self) -> None:
        self.open = False
        self.query = ""
        self.items = []
        self._targets = []
        self.active = 0

    def _run(self, target: str):
        self._close()
        if target == "action:new-task":
            if self.router.url.path.rstrip("/") == TASKS_ROUTE:
                return TasksState.open_new
            self._new_task_pending = True  # opened by `resume` once /tasks has loaded
            return rx.redirect(TASKS_ROUTE)
        if target == "action:toggle-theme":
            return rx.call_script(f"document.getElementById('{THEME_TOGGLE_ID}').click()")
        if target == "action:sign-out":
            return ShellState.sign_out
        if target.startswith(f"{TASKS_ROUTE}?task=") and self.router.url.path.rstrip("/") == TASKS_ROUTE:
            return TasksState.open_details(int(target.rpartition("=")[2]))
        return rx.redirect(target)

    # ---- opening and closing ------------------------------------------------------------------

    @rx.event
    def toggle(self):
        """Ctrl/⌘-K: open the palette (or close it when open)."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if self.open:
            self._close()
            return None
        self.query = ""
        self._search(me)
        self.open = True
        return None

    @rx.event
    def open_palette(self):
        """The header's search button."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.query = ""
        self._search(me)
        self.open = True
        return None

    @rx.event
    def set_open(self, open: bool):
        """The dialog closed itself (Esc, a click outside)."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if open is not True:
            self._close()
        return None

    # ---- searching and choosing ------------------------------------------------------------------

    @rx.event
    def set_query(self, value: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.query = value[:QUERY_MAX] if isinstance(value, str) else ""
        self._search(me)
        return None

    @rx.event
    def move(self, offset: int):
        """Arrow keys: the next (1) or previous (-1) result, wrapping around."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if self.items and offset in (-1, 1) and not isinstance(offset, bool):
            self.active = (self.active + offset) % len(self.items)
        return None

    @rx.event
    def run_active(self):
        """Enter: do what the highlighted result says."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self.open or not 0 <= self.active < len(self._targets):
            return None
        return self._run(self._targets[self.active])

    @rx.event
    def choose(self, index: int):
        """A click on a result."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if (
            not self.open
            or not isinstance(index, int)
            or isinstance(index, bool)
            or not 0 <= index < len(self._targets)
        ):
            return None
        return self._run(self._targets[index])

    @rx.event
    def resume(self):
        """Last on_load of /tasks: finish a "New task" chosen on another page."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self._new_task_pending:
            return None
        self._new_task_pending = False
        return TasksState.open_new


def after_load(route: str) -> list:
    """Extra on_load handlers of a page (fluxkit.py): /tasks finishes a "New task" chosen elsewhere."""
    return [PaletteState.resume] if route == TASKS_ROUTE else []
