"""Which columns of the tasks table a user hid, remembered in this browser for that user.

The browser keeps one localStorage entry, `fluxkit.task-columns`: JSON mapping a user id to
the column keys that user hid, e.g. `{"12": ["updated", "category"]}`. It holds nothing but
column names. Whatever the browser sends back is only a suggestion: on load it is validated
(unknown column names are ignored, a broken entry counts as none) before the table uses it.
"""

from __future__ import annotations

import json

import reflex as rx

STORAGE_NAME = "fluxkit.task-columns"
MAX_USERS = 20  # people sharing one browser whose choice it remembers


class TaskColumnsStorage(rx.State):
    """The browser's copy. Deliberately not a SignedInState: the session gate wipes those when
    the tab changes hands, which would also wipe this browser's entry for everyone else."""

    saved: str = rx.LocalStorage("", name=STORAGE_NAME)


def _entries(saved: str) -> dict[str, object]:
    if not isinstance(saved, str):  # a value of the wrong shape counts as none
        return {}
    try:
        data = json.loads(saved) if saved else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def read_hidden(saved: str, user_id: int, known: list[str]) -> list[str] | None:
    """The user's hidden columns, in table order, or None when nothing usable is stored."""
    entry = _entries(saved).get(str(user_id))
    if not isinstance(entry, list):
        return None
    return [key for key in known if key in entry]


def write_hidden(saved: str, user_id: int, hidden: list[str]) -> str:
    """The entry with this user's choice stored (most recent user last, oldest dropped)."""
    entries = {key: value for key, value in _entries(saved).items() if key != str(user_id)}
    entries[str(user_id)] = list(hidden)
    kept = list(entries.items())[-MAX_USERS:]
    return json.dumps(dict(kept), separators=(",", ":"))
