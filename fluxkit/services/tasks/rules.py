"""Tasks: the rules (fields, status transitions, ownership) and the writes.

The seed's completion side effect lives here (transition check -> `task_completed`
notification, committed in the same transaction as the status change). The read path
(owner index -> filter -> sort -> one page, the stat cards) is listing.py; callers use both
through the package: `tasks.create_task`, `tasks.list_tasks`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from fluxkit.clock import Clock, system_clock
from fluxkit.models import Task, TaskEvent, User
from fluxkit.models.tasks import PRIORITIES, STATUSES
from fluxkit.services import billing, live, notifications, organizations, query_params, topics, user_time
from fluxkit.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from fluxkit.services.paging import ListQuery, paging_fields

OPEN_STATUSES = ("pending", "in progress")  # "active": what plan caps count
CATEGORIES = ("feature", "bug", "documentation", "other")
DUE_FILTERS = ("overdue", "today", "week")
SORTS = ("created", "updated", "due", "title", "priority", "status")
PAGE_SIZES = (10, 25, 50, 100)
TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
UNDO_WINDOW = timedelta(minutes=10)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUL = "Remove the NUL character (\\0): it cannot be stored."  # PostgreSQL text cannot hold it

# The one table of allowed status moves.
TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"in progress", "completed", "cancelled"}),
    "in progress": frozenset({"pending", "completed", "cancelled"}),
    "completed": frozenset({"in progress"}),
    "cancelled": frozenset({"pending"}),
}

_REFUSALS = {
    "completed": "A completed task can only be reopened (moved to in progress).",
    "cancelled": "A cancelled task can only be restored (moved to pending).",
}

TOPIC = topics.TASKS


class TransitionRefused(Conflict):
    code = "invalid_transition"


class NotOwner(Forbidden):
    """The assignee of a task tried what only its owner may (edit, delete, reassign)."""

    code = "not_owner"


# ---- what crosses into states and API answers --------------------------------------------


@dataclass(frozen=True)
class TaskRow:
    id: int
    title: str
    description: str
    status: str
    priority: str
    category: str
    due_date: str  # YYYY-MM-DD or ""
    created_at: str
    updated_at: str
    completed_at: str
    overdue: bool
    # Assignment within an organization: who does it, and whose it is when not the viewer's.
    assignee_id: int = 0
    assignee_name: str = ""
    owner_name: str = ""  # "" when the viewer owns it
    assigned_to_me: bool = False

    @classmethod
    def of(cls, task: Task, today: date, viewer: int | None = None, names: dict[int, str] | None = None) -> TaskRow:
        open_ = task.status in ("pending", "in progress")
        names = names or {}
        mine = viewer is None or task.user_id == viewer
        return cls(
            id=task.id,
            title=task.title,
            description=task.description,
            status=task.status,
            priority=task.priority,
            category=task.category,
            due_date=task.due_date.isoformat() if task.due_date else "",
            created_at=task.created_at.isoformat(),
            updated_at=task.updated_at.isoformat(),
            completed_at=task.completed_at.isoformat() if task.completed_at else "",
            overdue=bool(open_ and task.due_date and task.due_date < today),
            assignee_id=task.assignee_id or 0,
            assignee_name=names.get(task.assignee_id, "Someone") if task.assignee_id else "",
            owner_name="" if mine else names.get(task.user_id, "Someone"),
            assigned_to_me=bool(viewer is not None and task.assignee_id == viewer),
        )


@dataclass(frozen=True)
class TaskQuery(ListQuery):
    status: str = ""
    priority: str = ""
    category: str = ""
    due: str = ""

    @classmethod
    def parse(cls, params: dict[str, object]) -> TaskQuery:
        """From URL or API parameters; anything unknown falls back to the default."""
        return cls(
            # NULs are kept here and dropped by list_tasks, as before
            search=query_params.search_text(params.get("search") or params.get("q"), 100, keep_nul=True),
            status=query_params.choice(params, "status", STATUSES),
            priority=query_params.choice(params, "priority", PRIORITIES),
            category=query_params.choice(params, "category", CATEGORIES),
            due=query_params.choice(params, "due", DUE_FILTERS),
            **paging_fields(params, sorts=SORTS, page_sizes=PAGE_SIZES, default_page_size=10),
        )


@dataclass(frozen=True)
class TaskStats:
    total: int = 0
    pending: int = 0
    in_progress: int = 0
    completed: int = 0
    cancelled: int = 0

    def of(self, status: str) -> int:
        return getattr(self, status.replace(" ", "_"))


@dataclass(frozen=True)
class HistoryRow:
    actor: str
    from_status: str
    to_status: str
    at: str


@dataclass
class BulkResult:
    changed: int = 0
    refused: list[str] = field(default_factory=list)


# ---- field rules -----------------------------------------------------------------------------


def clean_fields(data: dict[str, object], *, partial: bool) -> dict[str, object]:
    """Validated task fields, or InvalidInput naming each bad field. Status is separate."""
    clean: dict[str, object] = {}
    problems: dict[str, str] = {}
    if "title" in data or not partial:
        title = data.get("title")
        title = title.strip() if isinstance(title, str) else ""
        if not title:
            problems["title"] = "Enter a title."
        elif len(title) > TITLE_MAX:
            problems["title"] = f"Use at most {TITLE_MAX} characters."
        elif "\x00" in title:
            problems["title"] = _NUL
        else:
            clean["title"] = title
    if "description" in data:
        description = data.get("description")
        if description is None:
            description = ""
        if not isinstance(description, str):
            problems["description"] = "The description must be text."
        elif len(description) > DESCRIPTION_MAX:
            problems["description"] = f"Use at most {DESCRIPTION_MAX:,} characters."
        elif "\x00" in description:
            problems["description"] = _NUL
        else:
            clean["description"] = description.strip()
    for key, allowed in (("priority", PRIORITIES), ("category", CATEGORIES)):
        if key in data:
            value = data.get(key)
            if value not in allowed:
                problems[key] = f"Choose one of: {', '.join(allowed)}."
            else:
                clean[key] = value
    if "due_date" in data:
        due = data.get("due_date")
        if due in (None, ""):
            clean["due_date"] = None
        elif isinstance(due, date) and not isinstance(due, datetime):
            clean["due_date"] = due
        else:
            try:
                # Exactly YYYY-MM-DD: fromisoformat alone also takes 20261231 and 2026-W53-1.
                if not (isinstance(due, str) and _ISO_DATE.fullmatch(due.strip())):
                    raise ValueError(due)
                clean["due_date"] = date.fromisoformat(due.strip())
            except ValueError:
                problems["due_date"] = "Use a date like 2026-12-31."
    if problems:
        raise InvalidInput(next(iter(problems.values())), fields=problems)
    return clean


def _check_status(value: object) -> str:
    if value not in STATUSES:
        message = f"Choose one of: {', '.join(STATUSES)}."
        raise InvalidInput(message, fields={"status": message})
    return value  # type: ignore[return-value]


def check_transition(current: str, new: str) -> None:
    if new == current:
        return
    if new not in TRANSITIONS[current]:
        message = _REFUSALS.get(current, f"A {current} task cannot move to {new}.")
        raise TransitionRefused(message, fields={"status": message})


# ---- one task ----------------------------------------------------------------------------------


def _visible(db: Session, user_id: int, task_id: object) -> Task:
    """A task the user owns or is assigned to (not deleted); anything else is not found."""
    if not isinstance(task_id, int) or isinstance(task_id, bool):
        raise NotFound("No such task.")
    task = db.get(Task, task_id)
    if task is None or task.deleted_at is not None or user_id not in (task.user_id, task.assignee_id):
        raise NotFound("No such task.")
    return task


def _owned(db: Session, user_id: int, task_id: object, doing: str = "change it") -> Task:
    task = _visible(db, user_id, task_id)
    if task.user_id != user_id:
        raise NotOwner(f"Only the task's owner can {doing}; as its assignee you can change its status.")
    return task


def names_of_people(db: Session, tasks_: list[Task]) -> dict[int, str]:
    ids = {t.user_id for t in tasks_} | {t.assignee_id for t in tasks_ if t.assignee_id}
    if not ids:
        return {}
    return dict(db.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all())


def _row(db: Session, task: Task, viewer: int, today: date) -> TaskRow:
    return TaskRow.of(task, today, viewer, names_of_people(db, [task]))


def _touch(db: Session, task: Task, *extra: int | None) -> None:
    """The owner's and the assignee's open task views change (and anyone just unassigned)."""
    for user_id in {task.user_id, task.assignee_id, *extra} - {None}:
        live.touch(db, user_id, TOPIC)


def get_task(db: Session, user_id: int, task_id: object, clock: Clock = system_clock) -> TaskRow:
    return _row(db, _visible(db, user_id, task_id), user_id, user_time.today_for(db, user_id, clock))


def create_task(
    db: Session, user_id: int, data: dict[str, object], clock: Clock = system_clock, *, row: bool = True
) -> TaskRow | None:
    """Create a task from the add-task dialog's fields; its row (None with `row=False`, which
    bulk callers such as the CSV import use to skip reading it back)."""
    fields = clean_fields(data, partial=False)
    status = _check_status(data.get("status") or "pending")
    if status in OPEN_STATUSES:
        billing.check_can_create_task(db, user_id)  # the plan's cap on active tasks
    now = clock.now()
    task = Task(user_id=user_id, status=status, created_at=now, updated_at=now, **fields)
    if status == "completed":
        task.completed_at = now
    db.add(task)
    db.flush()
    db.add(TaskEvent(task_id=task.id, actor_id=user_id, from_status=None, to_status=status, at=now))
    live.touch(db, user_id, TOPIC)
    if data.get("assignee_id"):
        _assign(db, task, user_id, data.get("assignee_id"), now)
    if not row:
        return None
    return _row(db, task, user_id, user_time.today_for(db, user_id, clock))


def _apply_status(db: Session, task: Task, actor_id: int, new: str, now: datetime) -> None:
    check_transition(task.status, new)
    if new == task.status:
        return
    old = task.status
    if new in OPEN_STATUSES and old not in OPEN_STATUSES:
        billing.check_can_create_task(db, task.user_id)  # reopening counts against the cap
    task.status = new
    task.updated_at = now
    if new == "completed":
        task.completed_at = now
        # The seed's side effect, in the same transaction: both commit or neither.
        by = (
            "You"
            if actor_id == task.user_id
            else (db.get(User, actor_id).name if db.get(User, actor_id) else "Someone")
        )
        notifications.notify(
            db,
            task.user_id,
            "task_completed",
            "Task completed",
            f"{by} completed the task: {task.title}",
            task_id=task.id,
            at=now,
        )
    elif old == "completed":
        task.completed_at = None
    db.add(task)
    db.add(TaskEvent(task_id=task.id, actor_id=actor_id, from_status=old, to_status=new, at=now))


def _assign(db: Session, task: Task, owner_id: int, assignee_id: object, now: datetime) -> int | None:
    """Assign to a member of an organization the owner shares with them (None: unassign).

    Answers who was assigned before. The new assignee gets a `task_assigned` notification.
    """
    before = task.assignee_id
    if assignee_id in (None, 0):
        task.assignee_id = None
    else:
        if not isinstance(assignee_id, int) or isinstance(assignee_id, bool) or assignee_id == owner_id:
            message = "Choose a member of your organization (not yourself)."
            raise InvalidInput(message, fields={"assignee_id": message})
        org_id = organizations.shared_org(db, owner_id, assignee_id, task.organization_id)
        if org_id is None:
            message = "Choose a member of your active organization."
            raise InvalidInput(message, fields={"assignee_id": message})
        task.assignee_id = assignee_id
        task.organization_id = org_id
    if task.assignee_id == before:
        return before
    task.updated_at = now
    db.add(task)
    if task.assignee_id is not None:
        owner = db.get(User, owner_id)
        notifications.notify(
            db,
            task.assignee_id,
            "task_assigned",
            "Task assigned to you",
            f"{owner.name if owner else 'Someone'} assigned you the task: {task.title}",
            task_id=task.id,
            at=now,
        )
    _touch(db, task, before)
    return before


def update_task(
    db: Session, user_id: int, task_id: object, data: dict[str, object], clock: Clock = system_clock
) -> TaskRow:
    task = _visible(db, user_id, task_id)
    if task.user_id != user_id and set(data) - {"status"}:
        what = "reassign it" if "assignee_id" in data else "edit its details"
        raise NotOwner(f"Only the task's owner can {what}; as its assignee you can change its status.")
    fields = clean_fields(data, partial=True)
    status = _check_status(data["status"]) if "status" in data else None
    if status is not None:
        check_transition(task.status, status)  # refuse before touching any field
    now = clock.now()
    if "assignee_id" in data:
        _assign(db, task, user_id, data["assignee_id"], now)
    if fields:
        for key, value in fields.items():
            setattr(task, key, value)
        task.updated_at = now
        db.add(task)
    if status is not None:
        _apply_status(db, task, user_id, status, now)
    _touch(db, task, user_id)
    return _row(db, task, user_id, user_time.today_for(db, user_id, clock))


def change_status(db: Session, user_id: int, task_id: object, status: object, clock: Clock = system_clock) -> TaskRow:
    return update_task(db, user_id, task_id, {"status": status}, clock)


def delete_task(db: Session, user_id: int, task_id: object, clock: Clock = system_clock) -> None:
    """Soft delete: the task disappears now and can be restored for a while (Undo)."""
    task = _owned(db, user_id, task_id, "delete it")
    task.deleted_at = clock.now()
    db.add(task)
    _touch(db, task, user_id)


def restore_task(db: Session, user_id: int, task_id: object, clock: Clock = system_clock) -> TaskRow:
    if not isinstance(task_id, int) or isinstance(task_id, bool):
        raise NotFound("No such task.")
    task = db.get(Task, task_id)
    if task is None or task.user_id != user_id or task.deleted_at is None:
        raise NotFound("No such task.")
    if clock.now() - task.deleted_at > UNDO_WINDOW:
        raise NotFound("This task was deleted too long ago to restore.")
    if task.status in OPEN_STATUSES:
        billing.check_can_create_task(db, user_id)
    task.deleted_at = None
    db.add(task)
    _touch(db, task, user_id)
    return _row(db, task, user_id, user_time.today_for(db, user_id, clock))


def purge_deleted(db: Session, clock: Clock = system_clock) -> int:
    """Remove for good what is past the undo window (run by the scheduler)."""
    cutoff = clock.now() - UNDO_WINDOW
    doomed = db.exec(select(Task).where(col(Task.deleted_at).is_not(None), col(Task.deleted_at) < cutoff)).all()
    for task in doomed:
        db.delete(task)
    return len(doomed)


def history(db: Session, user_id: int, task_id: object) -> list[HistoryRow]:
    task = _visible(db, user_id, task_id)
    rows = db.exec(
        select(TaskEvent, User.name)
        .join(User, col(User.id) == col(TaskEvent.actor_id), isouter=True)
        .where(TaskEvent.task_id == task.id)
        .order_by(col(TaskEvent.at), col(TaskEvent.id))
    ).all()
    return [
        HistoryRow(actor=name or "Someone", from_status=e.from_status or "", to_status=e.to_status, at=e.at.isoformat())
        for e, name in rows
    ]


# ---- many tasks ----------------------------------------------------------------------------------


def bulk_change_status(
    db: Session, user_id: int, task_ids: list[object], status: object, clock: Clock = system_clock
) -> BulkResult:
    new = _check_status(status)
    result = BulkResult()
    now = clock.now()
    for task_id in dict.fromkeys(task_ids):
        try:
            task = _visible(db, user_id, task_id)
            if task.status == new:
                continue
            _apply_status(db, task, user_id, new, now)
            _touch(db, task)
            result.changed += 1
        except NotFound:
            result.refused.append(f"Task {task_id}: not found.")
        except (TransitionRefused, billing.PlanLimitReached) as exc:
            result.refused.append(f"{task.title}: {exc.message}")
    if result.changed:
        live.touch(db, user_id, TOPIC)
    return result


def bulk_delete(db: Session, user_id: int, task_ids: list[object], clock: Clock = system_clock) -> list[int]:
    deleted = []
    now = clock.now()
    for task_id in dict.fromkeys(task_ids):
        try:
            task = _owned(db, user_id, task_id)
        except (NotFound, NotOwner):
            continue
        task.deleted_at = now
        db.add(task)
        _touch(db, task)
        deleted.append(task.id)
    if deleted:
        live.touch(db, user_id, TOPIC)
    return deleted
