"""What the tasks page's state modules share: its route, messages and form helpers."""

from __future__ import annotations

from fluxkit import routes
from fluxkit.services.tasks import TaskRow

ROUTE = routes.TASKS
NOT_FOUND = "That task was not found. It may have been deleted."

EMPTY_ROW = TaskRow(
    id=0,
    title="",
    description="",
    status="pending",
    priority="medium",
    category="feature",
    due_date="",
    created_at="",
    updated_at="",
    completed_at="",
    overdue=False,
)


def form_text(form: object, key: str) -> str:
    """A text field of a submitted form; anything else the browser sent reads as ""."""
    value = form.get(key) if isinstance(form, dict) else None
    return value if isinstance(value, str) else ""


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
