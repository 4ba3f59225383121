"""Tasks: the transition table, the completion side effect, field rules, ownership, soft
delete, filters (in the user's timezone), sorts, pagination, stats, bulk actions, history."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from fluxkit.clock import FrozenClock
from fluxkit.models import Notification, Task, TaskEvent
from fluxkit.services import notifications, tasks, user_time
from fluxkit.services.errors import InvalidInput, NotFound
from fluxkit.services.tasks import TaskQuery, TransitionRefused
from tests.support.factories import make_user

STATUSES = ("pending", "in progress", "completed", "cancelled")
# The table as the issue states it, written out here rather than read from the module.
ALLOWED = {
    ("pending", "in progress"),
    ("pending", "completed"),
    ("pending", "cancelled"),
    ("in progress", "pending"),
    ("in progress", "completed"),
    ("in progress", "cancelled"),
    ("completed", "in progress"),
    ("cancelled", "pending"),
}


@pytest.fixture
def ada(db) -> int:
    return make_user(db, "ada@example.com", "Ada").id


@pytest.fixture
def bob(db) -> int:
    return make_user(db, "bob@example.com", "Bob").id


def add(db, user_id, clock, title="Write the docs", **fields) -> tasks.TaskRow:
    row = tasks.create_task(db, user_id, {"title": title, **fields}, clock)
    db.commit()
    return row


def fresh(engine, model, *where):
    """Rows as another connection sees them (i.e. what is committed)."""
    with Session(engine) as other:
        return list(other.exec(select(model).where(*where)))


def count(db, model, *where) -> int:
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def snapshot(engine, task_id: int) -> tuple:
    with Session(engine) as other:
        task = other.get(Task, task_id)
        events = other.exec(select(func.count()).select_from(TaskEvent).where(TaskEvent.task_id == task_id)).one()
        notes = other.exec(select(func.count()).select_from(Notification)).one()
        return (task.model_dump() if task else None, events, notes)


# ---- the transition table ---------------------------------------------------------------------


def test_the_module_table_is_the_issue_table():
    pairs = {(a, b) for a, targets in tasks.TRANSITIONS.items() for b in targets}
    assert pairs == ALLOWED
    assert tuple(tasks.STATUSES) == STATUSES


@pytest.mark.parametrize(("old", "new"), list(product(STATUSES, STATUSES)), ids=lambda s: s.replace(" ", "_"))
def test_every_status_pair(db, engine, ada, clock, old, new):
    task = add(db, ada, clock, title="Ship it", status=old)
    before_events = tasks.history(db, ada, task.id)
    clock.advance(minutes=5)

    if old == new:
        # Staying put is not a move: nothing recorded, nothing announced.
        row = tasks.change_status(db, ada, task.id, new, clock)
        db.commit()
        assert row.status == old
        assert tasks.history(db, ada, task.id) == before_events
        assert count(db, Notification) == 0
        return

    if (old, new) in ALLOWED:
        row = tasks.change_status(db, ada, task.id, new, clock)
        db.commit()
        assert row.status == new
        [stored] = fresh(engine, Task, Task.id == task.id)
        assert stored.status == new
        assert stored.updated_at == clock.now()
        assert (stored.completed_at == clock.now()) if new == "completed" else stored.completed_at is None
        events = tasks.history(db, ada, task.id)
        assert len(events) == len(before_events) + 1
        assert events[-1] == tasks.HistoryRow(actor="Ada", from_status=old, to_status=new, at=clock.now().isoformat())
        [event] = fresh(engine, TaskEvent, TaskEvent.task_id == task.id, TaskEvent.from_status == old)
        assert (event.actor_id, event.to_status, event.at) == (ada, new, clock.now())
        assert count(db, Notification) == (1 if new == "completed" else 0)
    else:
        before = snapshot(engine, task.id)
        with pytest.raises(TransitionRefused) as refused:
            tasks.change_status(db, ada, task.id, new, clock)
        assert refused.value.code == "invalid_transition"
        assert refused.value.fields == {"status": refused.value.message}
        expected = {
            "completed": "A completed task can only be reopened (moved to in progress).",
            "cancelled": "A cancelled task can only be restored (moved to pending).",
        }[old]
        assert refused.value.message == expected
        # Nothing changed in the session, and committing afterwards writes nothing either.
        assert db.get(Task, task.id).status == old
        db.commit()
        assert snapshot(engine, task.id) == before
        assert tasks.history(db, ada, task.id) == before_events


def test_an_unknown_status_is_invalid_input_not_a_transition(db, ada, clock):
    task = add(db, ada, clock)
    for bad in ("done", "", None, 3, "Pending"):
        with pytest.raises(InvalidInput) as err:
            tasks.change_status(db, ada, task.id, bad, clock)
        assert "status" in err.value.fields
    assert tasks.get_task(db, ada, task.id).status == "pending"


def test_a_refused_move_in_an_edit_leaves_the_other_fields_alone(db, engine, ada, clock):
    task = add(db, ada, clock, title="Old title", status="completed")
    before = snapshot(engine, task.id)
    with pytest.raises(TransitionRefused):
        tasks.update_task(db, ada, task.id, {"title": "New title", "priority": "high", "status": "cancelled"}, clock)
    assert db.get(Task, task.id).title == "Old title"
    db.commit()
    assert snapshot(engine, task.id) == before


# ---- the completion side effect ---------------------------------------------------------------


def test_completing_creates_exactly_one_notification_in_the_same_transaction(db, engine, ada, clock):
    task = add(db, ada, clock, title="Fix the login bug")
    tasks.change_status(db, ada, task.id, "completed", clock)
    # Not committed: another connection sees neither the status nor the notification.
    assert fresh(engine, Task, Task.id == task.id)[0].status == "pending"
    assert fresh(engine, Notification) == []
    db.commit()
    assert fresh(engine, Task, Task.id == task.id)[0].status == "completed"
    [note] = fresh(engine, Notification)
    assert (note.user_id, note.type, note.title, note.body, note.task_id) == (
        ada,
        "task_completed",
        "Task completed",
        "You completed the task: Fix the login bug",
        task.id,
    )
    assert note.read_at is None and note.created_at == clock.now()
    # Saving a completed task again (no move) adds nothing.
    tasks.update_task(db, ada, task.id, {"status": "completed", "priority": "high"}, clock)
    db.commit()
    assert len(fresh(engine, Notification)) == 1


def test_each_completion_is_announced_once(db, ada, clock):
    task = add(db, ada, clock)
    for _ in range(2):
        tasks.change_status(db, ada, task.id, "completed", clock)
        tasks.change_status(db, ada, task.id, "in progress", clock)
    db.commit()
    assert count(db, Notification, Notification.type == "task_completed") == 2


def test_a_failure_after_the_notification_rolls_back_both(db, engine, ada, clock, monkeypatch):
    task = add(db, ada, clock)
    before = snapshot(engine, task.id)
    real_notify = notifications.notify

    def notify_then_fail(session, *args, **kwargs):
        real_notify(session, *args, **kwargs)
        session.flush()  # the task update and the notification are both in the transaction now
        assert session.exec(select(func.count()).select_from(Notification)).one() == 1
        raise RuntimeError("the process died here")

    monkeypatch.setattr(notifications, "notify", notify_then_fail)
    with pytest.raises(RuntimeError):
        tasks.change_status(db, ada, task.id, "completed", clock)
    db.rollback()
    assert snapshot(engine, task.id) == before
    assert tasks.get_task(db, ada, task.id).status == "pending"
    assert count(db, Notification) == 0


def test_a_database_error_before_commit_rolls_back_both(db, engine, ada, clock):
    task = add(db, ada, clock)
    notifications.notify(db, ada, "system", "Taken", dedupe_key="taken")
    db.commit()
    before = snapshot(engine, task.id)

    tasks.change_status(db, ada, task.id, "completed", clock)
    db.flush()
    assert db.exec(select(Task.status).where(Task.id == task.id)).one() == "completed"
    # Something else in the same unit of work breaks at the database.
    db.add(Notification(user_id=ada, type="system", title="Again", dedupe_key="taken"))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()
    assert snapshot(engine, task.id) == before
    assert [n.title for n in fresh(engine, Notification)] == ["Taken"]
    assert [e.to_status for e in fresh(engine, TaskEvent, TaskEvent.task_id == task.id)] == ["pending"]


def test_reopening_clears_completed_at_and_completing_again_sets_it(db, engine, ada, clock):
    task = add(db, ada, clock)
    tasks.change_status(db, ada, task.id, "completed", clock)
    db.commit()
    first = fresh(engine, Task, Task.id == task.id)[0].completed_at
    assert first == clock.now()
    clock.advance(hours=1)
    row = tasks.change_status(db, ada, task.id, "in progress", clock)
    db.commit()
    assert row.completed_at == ""
    assert fresh(engine, Task, Task.id == task.id)[0].completed_at is None
    clock.advance(hours=1)
    tasks.change_status(db, ada, task.id, "completed", clock)
    db.commit()
    assert fresh(engine, Task, Task.id == task.id)[0].completed_at == first + timedelta(hours=2)


def test_cancel_and_restore(db, ada, clock):
    task = add(db, ada, clock)
    assert tasks.change_status(db, ada, task.id, "cancelled", clock).status == "cancelled"
    assert tasks.change_status(db, ada, task.id, "pending", clock).status == "pending"
    db.commit()
    assert [h.to_status for h in tasks.history(db, ada, task.id)] == ["pending", "cancelled", "pending"]


# ---- field rules ------------------------------------------------------------------------------------


def test_a_new_task_has_sensible_defaults(db, engine, ada, clock):
    row = add(db, ada, clock, title="  Plan the launch  ")
    assert (row.title, row.description, row.status, row.priority, row.category, row.due_date) == (
        "Plan the launch",
        "",
        "pending",
        "medium",
        "feature",
        "",
    )
    assert row.created_at == row.updated_at == clock.now().isoformat()
    [event] = fresh(engine, TaskEvent)
    assert (event.actor_id, event.from_status, event.to_status) == (ada, None, "pending")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": ""}, "title", "Enter a title."),
        ({"title": "   "}, "title", "Enter a title."),
        ({"title": None}, "title", "Enter a title."),
        ({"title": 42}, "title", "Enter a title."),
        ({}, "title", "Enter a title."),
        ({"title": "x" * 201}, "title", "Use at most 200 characters."),
        ({"title": "ok", "description": "x" * 10_001}, "description", "Use at most 10,000 characters."),
        ({"title": "ok", "description": ["list"]}, "description", "The description must be text."),
        ({"title": "ok", "priority": "urgent"}, "priority", "Choose one of: low, medium, high."),
        ({"title": "ok", "priority": None}, "priority", "Choose one of: low, medium, high."),
        ({"title": "ok", "category": "chore"}, "category", "Choose one of: feature, bug, documentation, other."),
        ({"title": "ok", "status": "done"}, "status", "Choose one of: pending, in progress, completed, cancelled."),
        ({"title": "ok", "due_date": "31/12/2026"}, "due_date", "Use a date like 2026-12-31."),
        ({"title": "ok", "due_date": "2026-02-30"}, "due_date", "Use a date like 2026-12-31."),
        ({"title": "ok", "due_date": "tomorrow"}, "due_date", "Use a date like 2026-12-31."),
        ({"title": "ok", "due_date": 20261231}, "due_date", "Use a date like 2026-12-31."),
        ({"title": "ok", "due_date": "20261231"}, "due_date", "Use a date like 2026-12-31."),
        ({"title": "a\x00b"}, "title", "Remove the NUL character (\\0): it cannot be stored."),
        (
            {"title": "ok", "description": "x\x00"},
            "description",
            "Remove the NUL character (\\0): it cannot be stored.",
        ),
        ({"title": "ok", "due_date": "2026-W53-1"}, "due_date", "Use a date like 2026-12-31."),
    ],
)
def test_invalid_fields_are_named_and_nothing_is_created(db, ada, clock, data, field, message):
    with pytest.raises(InvalidInput) as err:
        tasks.create_task(db, ada, data, clock)
    assert err.value.fields[field] == message
    db.commit()
    assert count(db, Task) == 0
    assert count(db, TaskEvent) == 0


def test_every_bad_field_is_reported_at_once(db, ada, clock):
    with pytest.raises(InvalidInput) as err:
        tasks.create_task(db, ada, {"title": "", "priority": "x", "category": "y", "due_date": "z"}, clock)
    assert set(err.value.fields) == {"title", "priority", "category", "due_date"}


def test_limits_are_inclusive(db, ada, clock):
    row = add(db, ada, clock, title="t" * 200, description="d" * 10_000, due_date=date(2026, 12, 31))
    assert len(row.title) == 200 and len(row.description) == 10_000
    assert row.due_date == "2026-12-31"
    assert add(db, ada, clock, title="x", due_date="2027-01-05").due_date == "2027-01-05"
    assert add(db, ada, clock, title="y", due_date="").due_date == ""


def test_an_invalid_edit_changes_nothing(db, engine, ada, clock):
    task = add(db, ada, clock, title="Keep me", due_date="2026-05-01")
    before = snapshot(engine, task.id)
    for data in ({"title": ""}, {"title": "New", "due_date": "soon"}, {"priority": "urgent", "description": "x"}):
        with pytest.raises(InvalidInput):
            tasks.update_task(db, ada, task.id, data, clock)
    db.commit()
    assert snapshot(engine, task.id) == before


def test_an_edit_changes_only_what_it_names(db, ada, clock):
    task = add(db, ada, clock, title="Draft", description="notes", priority="low", due_date="2026-05-01")
    clock.advance(minutes=3)
    row = tasks.update_task(db, ada, task.id, {"priority": "high", "due_date": None}, clock)
    db.commit()
    assert (row.title, row.description, row.priority, row.due_date) == ("Draft", "notes", "high", "")
    assert row.updated_at == clock.now().isoformat() != row.created_at


# ---- ownership -------------------------------------------------------------------------------------------


def _by_id(db, ada, bob, clock):
    """Every function that takes a task id, called by `ada` with `bob`'s task id."""
    return {
        "get_task": lambda tid: tasks.get_task(db, ada, tid, clock),
        "update_task": lambda tid: tasks.update_task(db, ada, tid, {"title": "Mine now"}, clock),
        "update_status": lambda tid: tasks.update_task(db, ada, tid, {"status": "completed"}, clock),
        "change_status": lambda tid: tasks.change_status(db, ada, tid, "completed", clock),
        "delete_task": lambda tid: tasks.delete_task(db, ada, tid, clock),
        "restore_task": lambda tid: tasks.restore_task(db, ada, tid, clock),
        "history": lambda tid: tasks.history(db, ada, tid),
    }


@pytest.mark.parametrize(
    "name", ["get_task", "update_task", "update_status", "change_status", "delete_task", "restore_task", "history"]
)
def test_another_users_task_is_not_found_and_unchanged(db, engine, ada, bob, clock, name):
    theirs = add(db, bob, clock, title="Bob's secret plan", description="private")
    deleted = add(db, bob, clock, title="Bob's deleted task")
    tasks.delete_task(db, bob, deleted.id, clock)
    db.commit()
    call = _by_id(db, ada, bob, clock)[name]
    before = (snapshot(engine, theirs.id), snapshot(engine, deleted.id))
    for task_id in (theirs.id, deleted.id, 999_999, -1, str(theirs.id), True, None, float(theirs.id)):
        with pytest.raises(NotFound) as err:
            call(task_id)
        assert "Bob" not in err.value.message and "secret" not in err.value.message
    db.commit()
    assert (snapshot(engine, theirs.id), snapshot(engine, deleted.id)) == before


def test_bulk_actions_skip_another_users_tasks(db, engine, ada, bob, clock):
    theirs = add(db, bob, clock, title="Bob's")
    before = snapshot(engine, theirs.id)
    result = tasks.bulk_change_status(db, ada, [theirs.id], "completed", clock)
    assert result.changed == 0
    assert result.refused == [f"Task {theirs.id}: not found."]
    assert tasks.bulk_delete(db, ada, [theirs.id, "x", None], clock) == []
    db.commit()
    assert snapshot(engine, theirs.id) == before


def test_lists_and_stats_show_only_ones_own_tasks(db, ada, bob, clock):
    add(db, ada, clock, title="Ada's")
    add(db, bob, clock, title="Bob's", status="completed")
    page = tasks.list_tasks(db, ada, TaskQuery(), clock)
    assert [r.title for r in page.rows] == ["Ada's"] and page.total == 1
    assert [r.title for r in tasks.all_matching(db, ada, TaskQuery(), clock)] == ["Ada's"]
    assert tasks.list_tasks(db, ada, TaskQuery(search="Bob"), clock).total == 0
    assert tasks.stats(db, ada) == tasks.TaskStats(total=1, pending=1)


# ---- soft delete and undo ----------------------------------------------------------------------------------


def test_delete_then_restore_within_the_undo_window(db, ada, clock):
    task = add(db, ada, clock, title="Oops", priority="high", due_date="2026-06-01")
    tasks.delete_task(db, ada, task.id, clock)
    db.commit()
    with pytest.raises(NotFound):
        tasks.get_task(db, ada, task.id, clock)
    with pytest.raises(NotFound):
        tasks.delete_task(db, ada, task.id, clock)
    assert tasks.list_tasks(db, ada, TaskQuery(), clock).total == 0
    assert tasks.stats(db, ada).total == 0
    clock.advance(minutes=10)  # the last moment of the window
    row = tasks.restore_task(db, ada, task.id, clock)
    db.commit()
    assert row == dataclasses.replace(task)
    assert tasks.list_tasks(db, ada, TaskQuery(), clock).total == 1
    assert [h.to_status for h in tasks.history(db, ada, task.id)] == ["pending"]
    with pytest.raises(NotFound):
        tasks.restore_task(db, ada, task.id, clock)  # not deleted any more


def test_restore_after_the_undo_window_is_refused(db, engine, ada, clock):
    task = add(db, ada, clock)
    tasks.delete_task(db, ada, task.id, clock)
    db.commit()
    clock.advance(minutes=10, seconds=1)
    with pytest.raises(NotFound) as err:
        tasks.restore_task(db, ada, task.id, clock)
    assert err.value.message == "This task was deleted too long ago to restore."
    db.commit()
    assert fresh(engine, Task, Task.id == task.id)[0].deleted_at is not None


def test_purge_removes_only_what_is_past_the_window(db, engine, ada, clock):
    old = add(db, ada, clock, title="old")
    recent = add(db, ada, clock, title="recent")
    kept = add(db, ada, clock, title="kept")
    tasks.change_status(db, ada, old.id, "completed", clock)
    tasks.delete_task(db, ada, old.id, clock)
    db.commit()
    clock.advance(minutes=8)
    tasks.delete_task(db, ada, recent.id, clock)
    db.commit()
    clock.advance(minutes=3)
    assert tasks.purge_deleted(db, clock) == 1
    db.commit()
    assert {t.title for t in fresh(engine, Task)} == {"recent", "kept"}
    # Its history goes with it; its notification stays, no longer linked.
    assert fresh(engine, TaskEvent, TaskEvent.task_id == old.id) == []
    [note] = fresh(engine, Notification)
    assert note.task_id is None
    assert tasks.restore_task(db, ada, recent.id, clock).title == "recent"
    assert tasks.get_task(db, ada, kept.id).title == "kept"


# ---- filters -------------------------------------------------------------------------------------------------


def titles(page_or_rows) -> list[str]:
    rows = page_or_rows.rows if hasattr(page_or_rows, "rows") else page_or_rows
    return [r.title for r in rows]


def test_search_matches_title_and_description_case_insensitively(db, ada, clock):
    add(db, ada, clock, title="Update the README")
    add(db, ada, clock, title="Release", description="Mention the readme changes")
    add(db, ada, clock, title="Unrelated")
    found = tasks.list_tasks(db, ada, TaskQuery(search="ReadMe", sort="title", descending=False), clock)
    assert titles(found) == ["Release", "Update the README"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("%", ["100% done"]),
        ("100%", ["100% done"]),
        ("_", ["snake_case"]),
        ("e_c", ["snake_case"]),
        ("\\", ["C:\\temp"]),
        ("100", ["100 done", "100% done"]),
    ],
)
def test_search_treats_wildcards_literally(db, ada, clock, search, expected):
    for title in ("100% done", "100 done", "snake_case", "snakeXcase", "C:\\temp", "C:temp"):
        add(db, ada, clock, title=title)
    found = tasks.list_tasks(db, ada, TaskQuery(search=search, sort="title", descending=False), clock)
    assert titles(found) == expected


def test_a_nul_in_the_search_is_ignored_not_an_error(db, ada, clock):
    add(db, ada, clock, title="abc")
    assert titles(tasks.list_tasks(db, ada, TaskQuery(search="a\x00bc"), clock)) == ["abc"]
    assert titles(tasks.list_tasks(db, ada, TaskQuery(search="\x00"), clock)) == ["abc"]


def test_status_priority_and_category_filters_combine(db, ada, clock):
    add(db, ada, clock, title="a", status="pending", priority="high", category="bug")
    add(db, ada, clock, title="b", status="pending", priority="low", category="bug")
    add(db, ada, clock, title="c", status="in progress", priority="high", category="bug")
    add(db, ada, clock, title="d", status="pending", priority="high", category="documentation")
    q = TaskQuery(sort="title", descending=False)
    assert titles(tasks.list_tasks(db, ada, dataclasses.replace(q, status="pending"), clock)) == ["a", "b", "d"]
    assert titles(tasks.list_tasks(db, ada, dataclasses.replace(q, priority="high"), clock)) == ["a", "c", "d"]
    assert titles(tasks.list_tasks(db, ada, dataclasses.replace(q, category="bug"), clock)) == ["a", "b", "c"]
    combined = dataclasses.replace(q, status="pending", priority="high", category="bug")
    assert titles(tasks.list_tasks(db, ada, combined, clock)) == ["a"]
    assert titles(tasks.all_matching(db, ada, combined, clock)) == ["a"]


# Tuesday 10 March 2026, 11:30 UTC, is already Wednesday 11 March, 00:30 in Auckland (NZDT, +13).
NEAR_MIDNIGHT = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)
DUES = {
    "due 9th": date(2026, 3, 9),
    "due 10th": date(2026, 3, 10),
    "due 11th": date(2026, 3, 11),
    "due 15th (Sunday)": date(2026, 3, 15),
    "due 16th (next Monday)": date(2026, 3, 16),
}


@pytest.mark.parametrize(
    ("timezone", "due", "expected"),
    [
        ("UTC", "overdue", ["due 9th"]),
        ("UTC", "today", ["due 10th"]),
        ("UTC", "week", ["due 10th", "due 11th", "due 15th (Sunday)"]),
        ("Pacific/Auckland", "overdue", ["due 10th", "due 9th"]),
        ("Pacific/Auckland", "today", ["due 11th"]),
        ("Pacific/Auckland", "week", ["due 11th", "due 15th (Sunday)"]),
        ("America/Los_Angeles", "today", ["due 10th"]),
    ],
)
def test_due_filters_use_the_users_own_calendar(db, timezone, due, expected):
    clock = FrozenClock(NEAR_MIDNIGHT)
    user = make_user(db, f"{timezone.replace('/', '.').lower()}@example.com", "Zed", timezone=timezone).id
    for title, day in DUES.items():
        add(db, user, clock, title=title, due_date=day)
    add(db, user, clock, title="no due date")
    add(db, user, clock, title="done long ago", due_date=date(2026, 1, 1), status="completed")
    add(db, user, clock, title="dropped", due_date=date(2026, 1, 1), status="cancelled")
    page = tasks.list_tasks(db, user, TaskQuery(due=due, sort="title", descending=False), clock)
    assert sorted(titles(page)) == sorted(expected)
    overdue_flags = {r.title for r in tasks.all_matching(db, user, TaskQuery(), clock) if r.overdue}
    assert overdue_flags == set(titles(tasks.list_tasks(db, user, TaskQuery(due="overdue", page_size=100), clock)))


def test_the_same_moment_is_a_different_day_per_user(db):
    clock = FrozenClock(NEAR_MIDNIGHT)
    utc = make_user(db, "utc@example.com", "Uma").id
    nz = make_user(db, "nz@example.com", "Nia", timezone="Pacific/Auckland").id
    assert user_time.today_for(db, utc, clock) == date(2026, 3, 10)
    assert user_time.today_for(db, nz, clock) == date(2026, 3, 11)
    clock.current = datetime(2026, 3, 10, 10, 59, tzinfo=UTC)  # 23:59 in Auckland
    assert user_time.today_for(db, utc, clock) == user_time.today_for(db, nz, clock) == date(2026, 3, 10)
    clock.current = datetime(2026, 3, 11, 10, 59, tzinfo=UTC)
    assert (user_time.today_for(db, utc, clock), user_time.today_for(db, nz, clock)) == (
        date(2026, 3, 11),
        date(2026, 3, 11),
    )
    clock.current = datetime(2026, 3, 11, 11, 0, tzinfo=UTC)  # midnight in Auckland
    assert (user_time.today_for(db, utc, clock), user_time.today_for(db, nz, clock)) == (
        date(2026, 3, 11),
        date(2026, 3, 12),
    )


def test_an_unknown_timezone_falls_back_to_utc(db):
    clock = FrozenClock(NEAR_MIDNIGHT)
    user = make_user(db, "mars@example.com", "Mo", timezone="Mars/Olympus_Mons").id
    assert user_time.today_for(db, user, clock) == date(2026, 3, 10)


# ---- sorting ------------------------------------------------------------------------------------------------------


def _sort_fixture(db, user, clock) -> dict[str, int]:
    """Five tasks whose every sortable column has a distinct, known order."""
    spec = [
        # title,     priority, status,        due
        ("banana", "high", "completed", date(2026, 5, 3)),
        ("Apple", "low", "in progress", None),
        ("cherry", "medium", "pending", date(2026, 5, 1)),
        ("date", "high", "cancelled", date(2026, 5, 2)),
        ("Elder", "low", "pending", None),
    ]
    ids = {}
    for title, priority, status, due in spec:
        ids[title] = add(db, user, clock, title=title, priority=priority, status=status, due_date=due).id
        clock.advance(minutes=1)
    # Updated in another order than created.
    for title in ("cherry", "Elder", "Apple", "banana", "date"):
        tasks.update_task(db, user, ids[title], {"description": "touched"}, clock)
        db.commit()
        clock.advance(minutes=1)
    return ids


@pytest.mark.parametrize(
    ("sort", "ascending"),
    [
        ("created", ["banana", "Apple", "cherry", "date", "Elder"]),
        ("updated", ["cherry", "Elder", "Apple", "banana", "date"]),
        ("title", ["Apple", "banana", "cherry", "date", "Elder"]),
        # Ties (same priority / status) fall back to the id, in the same direction.
        ("priority", ["Apple", "Elder", "cherry", "banana", "date"]),
        ("status", ["cherry", "Elder", "Apple", "banana", "date"]),
    ],
)
def test_every_sort_both_ways(db, ada, clock, sort, ascending):
    _sort_fixture(db, ada, clock)
    up = tasks.list_tasks(db, ada, TaskQuery(sort=sort, descending=False), clock)
    down = tasks.list_tasks(db, ada, TaskQuery(sort=sort, descending=True), clock)
    assert titles(up) == ascending
    assert titles(down) == ascending[::-1]
    assert titles(tasks.all_matching(db, ada, TaskQuery(sort=sort, descending=False), clock)) == ascending


def test_sort_by_due_keeps_undated_tasks_last_both_ways(db, ada, clock):
    _sort_fixture(db, ada, clock)
    up = titles(tasks.list_tasks(db, ada, TaskQuery(sort="due", descending=False), clock))
    down = titles(tasks.list_tasks(db, ada, TaskQuery(sort="due", descending=True), clock))
    assert up[:3] == ["cherry", "date", "banana"]
    assert down[:3] == ["banana", "date", "cherry"]
    assert set(up[3:]) == set(down[3:]) == {"Apple", "Elder"}


def test_the_default_view_is_newest_first(db, ada, clock):
    _sort_fixture(db, ada, clock)
    assert titles(tasks.list_tasks(db, ada, TaskQuery(), clock)) == ["Elder", "date", "cherry", "Apple", "banana"]


def test_every_sort_is_covered_here():
    assert set(tasks.SORTS) == {"created", "updated", "title", "priority", "status", "due"}


# ---- pagination and the query from a URL ----------------------------------------------------------------------


def test_pages_cover_every_task_once_and_a_page_beyond_the_end_clamps(db, ada, clock):
    for i in range(23):
        add(db, ada, clock, title=f"task {i:02d}")
    seen = []
    for page in (1, 2, 3):
        result = tasks.list_tasks(db, ada, TaskQuery(sort="title", descending=False, page=page), clock)
        assert (result.total, result.page, result.pages, result.page_size) == (23, page, 3, 10)
        seen += titles(result)
    assert seen == [f"task {i:02d}" for i in range(23)]
    beyond = tasks.list_tasks(db, ada, TaskQuery(sort="title", descending=False, page=99), clock)
    assert beyond.page == 3 and titles(beyond) == ["task 20", "task 21", "task 22"]
    big = tasks.list_tasks(db, ada, TaskQuery(page_size=25), clock)
    assert (len(big.rows), big.pages) == (23, 1)
    assert len(tasks.all_matching(db, ada, TaskQuery(page=2, page_size=10), clock)) == 23


def test_an_empty_list_is_one_empty_page(db, ada, clock):
    page = tasks.list_tasks(db, ada, TaskQuery(page=5), clock)
    assert (page.rows, page.total, page.page, page.pages) == ([], 0, 1, 1)


def test_query_from_url_parameters_falls_back_on_nonsense():
    parsed = TaskQuery.parse(
        {
            "q": "  report  ",
            "status": "done",
            "priority": "high",
            "category": "bug",
            "due": "someday",
            "sort": "drop table",
            "order": "asc",
            "page": "-3",
            "page_size": "7",
        }
    )
    assert parsed == TaskQuery(search="report", priority="high", category="bug", descending=False, page=1)
    assert TaskQuery.parse({"page": "x", "page_size": "25", "search": ["a"]}) == TaskQuery(page_size=25)
    assert TaskQuery.parse({"search": "x" * 500}).search == "x" * 100
    query = TaskQuery(
        search="a b", status="in progress", due="week", sort="due", descending=False, page=2, page_size=50
    )
    assert TaskQuery.parse(query.as_params()) == query
    assert TaskQuery().as_params() == {}


# ---- stats --------------------------------------------------------------------------------------------------------


def test_stats_count_each_status_and_skip_deleted(db, ada, clock):
    for status, n in (("pending", 3), ("in progress", 2), ("completed", 4), ("cancelled", 1)):
        for i in range(n):
            add(db, ada, clock, title=f"{status} {i}", status=status)
    gone = add(db, ada, clock, title="gone")
    tasks.delete_task(db, ada, gone.id, clock)
    db.commit()
    assert tasks.stats(db, ada) == tasks.TaskStats(total=10, pending=3, in_progress=2, completed=4, cancelled=1)
    assert tasks.stats(db, 999_999) == tasks.TaskStats()


# ---- bulk actions -------------------------------------------------------------------------------------------------


def test_bulk_status_change_applies_what_it_can_and_reports_the_rest(db, engine, ada, bob, clock):
    p = add(db, ada, clock, title="pending one")
    ip = add(db, ada, clock, title="working one", status="in progress")
    done = add(db, ada, clock, title="finished one", status="completed")
    already = add(db, ada, clock, title="cancelled one", status="cancelled")
    theirs = add(db, bob, clock, title="Bob's")
    clock.advance(minutes=1)
    result = tasks.bulk_change_status(
        db, ada, [p.id, ip.id, done.id, already.id, theirs.id, 424242, p.id], "cancelled", clock
    )
    db.commit()
    assert result.changed == 2
    assert result.refused == [
        "finished one: A completed task can only be reopened (moved to in progress).",
        f"Task {theirs.id}: not found.",
        "Task 424242: not found.",
    ]
    status = {t.title: t.status for t in fresh(engine, Task)}
    assert status == {
        "pending one": "cancelled",
        "working one": "cancelled",
        "finished one": "completed",
        "cancelled one": "cancelled",
        "Bob's": "pending",
    }
    assert [h.to_status for h in tasks.history(db, ada, p.id)] == ["pending", "cancelled"]
    assert [h.to_status for h in tasks.history(db, ada, already.id)] == ["cancelled"]


def test_bulk_completion_notifies_once_per_task(db, ada, clock):
    ids = [add(db, ada, clock, title=f"t{i}").id for i in range(3)]
    result = tasks.bulk_change_status(db, ada, ids + ids, "completed", clock)
    db.commit()
    assert (result.changed, result.refused) == (3, [])
    bodies = sorted(n.body for n in db.exec(select(Notification)))
    assert bodies == [f"You completed the task: t{i}" for i in range(3)]


def test_bulk_with_an_unknown_status_changes_nothing(db, engine, ada, clock):
    task = add(db, ada, clock)
    before = snapshot(engine, task.id)
    with pytest.raises(InvalidInput):
        tasks.bulk_change_status(db, ada, [task.id], "archived", clock)
    db.commit()
    assert snapshot(engine, task.id) == before


def test_bulk_delete_and_undo(db, engine, ada, bob, clock):
    mine = [add(db, ada, clock, title=f"m{i}").id for i in range(3)]
    theirs = add(db, bob, clock, title="Bob's").id
    deleted = tasks.bulk_delete(db, ada, [mine[0], mine[1], theirs, mine[0], 777], clock)
    db.commit()
    assert deleted == [mine[0], mine[1]]
    assert titles(tasks.list_tasks(db, ada, TaskQuery(), clock)) == ["m2"]
    assert fresh(engine, Task, Task.id == theirs)[0].deleted_at is None
    clock.advance(minutes=5)
    for task_id in deleted:
        tasks.restore_task(db, ada, task_id, clock)
    db.commit()
    assert tasks.stats(db, ada).total == 3


# ---- history ------------------------------------------------------------------------------------------------------


def test_history_is_oldest_first_with_who_from_to_and_when(db, ada, clock):
    start = clock.now()
    task = add(db, ada, clock)
    for minutes, status in ((1, "in progress"), (2, "completed"), (3, "in progress"), (4, "cancelled")):
        clock.current = start + timedelta(minutes=minutes)
        tasks.change_status(db, ada, task.id, status, clock)
        db.commit()
    assert tasks.history(db, ada, task.id) == [
        tasks.HistoryRow("Ada", "", "pending", start.isoformat()),
        tasks.HistoryRow("Ada", "pending", "in progress", (start + timedelta(minutes=1)).isoformat()),
        tasks.HistoryRow("Ada", "in progress", "completed", (start + timedelta(minutes=2)).isoformat()),
        tasks.HistoryRow("Ada", "completed", "in progress", (start + timedelta(minutes=3)).isoformat()),
        tasks.HistoryRow("Ada", "in progress", "cancelled", (start + timedelta(minutes=4)).isoformat()),
    ]


def test_history_at_the_same_instant_keeps_the_order_of_events(db, ada, clock):
    task = add(db, ada, clock)
    for status in ("in progress", "pending", "completed", "in progress", "completed"):
        tasks.change_status(db, ada, task.id, status, clock)
    db.commit()
    assert [h.to_status for h in tasks.history(db, ada, task.id)] == [
        "pending",
        "in progress",
        "pending",
        "completed",
        "in progress",
        "completed",
    ]


def test_history_of_an_unknown_actor_says_someone(db, ada, clock):
    task = add(db, ada, clock)
    tasks.change_status(db, ada, task.id, "completed", clock)
    db.commit()
    events = db.exec(select(TaskEvent)).all()
    for event in events:
        event.actor_id = None
        db.add(event)
    db.commit()
    assert [h.actor for h in tasks.history(db, ada, task.id)] == ["Someone", "Someone"]
