"""The export jobs that `fluxkit.offload` runs in a child process (like `fluxkit.importing`).

A 50,000-row CSV export builds hundreds of thousands of objects: in a worker thread its
garbage collections and its share of the GIL would stall the worker's event loop, so other
tabs' clicks and `/api/health` on that worker would wait for it. In a child process they do
not. Kept apart from the states so the child imports only the services and the database.
"""

from __future__ import annotations

from fluxkit.clock import system_clock
from fluxkit.db import session_scope
from fluxkit.services.tasks import csv as task_csv
from fluxkit.services.tasks.rules import TaskQuery


def export_tasks_csv(user_id: int, query: TaskQuery, *, progress=None) -> str:
    """The tasks page's CSV export for `user_id`'s view `query` (the plan is checked again)."""
    with session_scope() as db:
        return task_csv.export_csv(db, user_id, query, system_clock)
