"""Tasks assigned within an organization: who sees them, who may do what, the
`task_assigned` notification, live announcements, and losing access on leaving."""

from __future__ import annotations

import pytest

from fluxkit.services import live, notifications, tasks
from fluxkit.services import organizations as orgs
from fluxkit.services.errors import InvalidInput, NotFound
from fluxkit.services.tasks import NotOwner, TaskQuery
from tests.support.factories import make_organization, make_user


@pytest.fixture
def team(db, clock):
    """Ada owns Acme with member Bob; Dee is in no organization."""
    ada, bob, dee = (make_user(db, f"{n}@example.com", n.title()).id for n in ("ada", "bob", "dee"))
    org = make_organization(db, ada, "Acme", "acme", members={bob: "member"}, clock=clock)
    return org.id, ada, bob, dee


def titles(db, who, **query):
    return [r.title for r in tasks.list_tasks(db, who, TaskQuery(**query)).rows]


def test_the_assignee_sees_the_task_marked_and_nobody_else_does(db, clock, team):
    org, ada, bob, dee = team
    tasks.create_task(db, ada, {"title": "Ada's own"}, clock)
    tasks.create_task(db, bob, {"title": "Bob's own"}, clock)
    row = tasks.create_task(db, ada, {"title": "Write the report"}, clock)
    assigned = tasks.update_task(db, ada, row.id, {"assignee_id": bob}, clock)
    assert (assigned.assignee_id, assigned.assignee_name, assigned.owner_name) == (bob, "Bob", "")
    db.commit()

    assert titles(db, bob) == ["Write the report", "Bob's own"]
    mine = {r.title: r for r in tasks.list_tasks(db, bob, TaskQuery()).rows}
    assert mine["Write the report"].assigned_to_me and mine["Write the report"].owner_name == "Ada"
    assert not mine["Bob's own"].assigned_to_me and mine["Bob's own"].owner_name == ""
    assert titles(db, ada) == ["Write the report", "Ada's own"]
    assert titles(db, dee) == []
    assert titles(db, bob, search="report") == ["Write the report"]
    assert tasks.stats(db, bob).total == 2
    assert tasks.get_task(db, bob, row.id).title == "Write the report"
    with pytest.raises(NotFound):
        tasks.get_task(db, dee, row.id)
    with pytest.raises(NotFound):
        tasks.history(db, dee, row.id)


def test_the_assignee_gets_a_task_assigned_notification_and_both_views_are_announced(db, clock, team):
    org, ada, bob, dee = team
    heard: list[tuple[int, frozenset[str]]] = []
    stop = live.subscribe(lambda uid, topics: heard.append((uid, topics)))
    try:
        row = tasks.create_task(db, ada, {"title": "Ship it"}, clock)
        db.commit()
        heard.clear()
        tasks.update_task(db, ada, row.id, {"assignee_id": bob}, clock)
        db.commit()
    finally:
        stop()
    assert any(uid == bob and "tasks" in t and "notifications" in t for uid, t in heard)
    assert any(uid == ada and "tasks" in t for uid, t in heard)
    [note] = notifications.list_page(db, bob).rows
    assert (note.type, note.title, note.task_id) == ("task_assigned", "Task assigned to you", row.id)
    assert note.body == "Ada assigned you the task: Ship it"


def test_the_assignee_changes_the_status_and_history_records_who(db, clock, team):
    org, ada, bob, dee = team
    row = tasks.create_task(db, ada, {"title": "Ship it"}, clock)
    tasks.update_task(db, ada, row.id, {"assignee_id": bob}, clock)
    tasks.change_status(db, bob, row.id, "in progress", clock)
    done = tasks.change_status(db, bob, row.id, "completed", clock)
    assert done.status == "completed"
    with pytest.raises(tasks.TransitionRefused):
        tasks.change_status(db, bob, row.id, "pending", clock)  # the same transition table
    assert [(h.actor, h.to_status) for h in tasks.history(db, ada, row.id)] == [
        ("Ada", "pending"),
        ("Bob", "in progress"),
        ("Bob", "completed"),
    ]
    owner_notes = [n.body for n in notifications.list_page(db, ada).rows]
    assert owner_notes == ["Bob completed the task: Ship it"]
    result = tasks.bulk_change_status(db, bob, [row.id], "in progress", clock)
    assert result.changed == 1


def test_the_assignee_cannot_edit_delete_or_reassign(db, clock, team):
    org, ada, bob, dee = team
    row = tasks.create_task(db, ada, {"title": "Ship it", "priority": "low"}, clock)
    tasks.update_task(db, ada, row.id, {"assignee_id": bob}, clock)
    with pytest.raises(NotOwner, match="edit its details"):
        tasks.update_task(db, bob, row.id, {"title": "Mine now", "status": "completed"}, clock)
    with pytest.raises(NotOwner, match="reassign"):
        tasks.update_task(db, bob, row.id, {"assignee_id": None}, clock)
    with pytest.raises(NotOwner, match="delete it"):
        tasks.delete_task(db, bob, row.id, clock)
    assert tasks.bulk_delete(db, bob, [row.id], clock) == []
    kept = tasks.get_task(db, ada, row.id)
    assert (kept.title, kept.priority, kept.status, kept.assignee_id) == ("Ship it", "low", "pending", bob)


def test_only_members_of_the_active_organization_can_be_assigned(db, clock, team):
    org, ada, bob, dee = team
    row = tasks.create_task(db, ada, {"title": "Ship it"}, clock)
    for bad in (dee, ada, "2", 999_999):
        with pytest.raises(InvalidInput) as refused:
            tasks.update_task(db, ada, row.id, {"assignee_id": bad}, clock)
        assert "assignee_id" in refused.value.fields
    orgs.switch(db, ada, None)  # no active organization: nobody to assign to
    with pytest.raises(InvalidInput):
        tasks.update_task(db, ada, row.id, {"assignee_id": bob}, clock)
    assert titles(db, bob) == []
    with pytest.raises(NotFound):
        tasks.update_task(db, dee, row.id, {"assignee_id": dee}, clock)


def test_unassign_and_reassign_by_the_owner(db, clock, team):
    org, ada, bob, dee = team
    cy = make_user(db, "cy@example.com", "Cy").id
    orgs.accept(db, cy, orgs.invite(db, ada, org, "cy@example.com", clock=clock).invitation.id, clock=clock)
    row = tasks.create_task(db, ada, {"title": "Ship it", "assignee_id": bob}, clock)
    assert row.assignee_id == bob
    tasks.update_task(db, ada, row.id, {"assignee_id": cy}, clock)
    assert titles(db, bob) == [] and titles(db, cy) == ["Ship it"]
    tasks.update_task(db, ada, row.id, {"assignee_id": None}, clock)
    assert titles(db, cy) == []
    assert tasks.get_task(db, ada, row.id).assignee_id == 0


def test_a_member_who_leaves_or_is_removed_loses_the_tasks_assigned_to_them(db, clock, team):
    org, ada, bob, dee = team
    row = tasks.create_task(db, ada, {"title": "Ship it", "assignee_id": bob}, clock)
    orgs.remove_member(db, ada, org, bob)
    db.commit()
    assert titles(db, bob) == []
    with pytest.raises(NotFound):
        tasks.change_status(db, bob, row.id, "completed", clock)
    assert tasks.get_task(db, ada, row.id).assignee_id == 0
    assert titles(db, ada) == ["Ship it"]


def test_a_task_assigned_to_me_with_a_due_date_is_on_my_calendar(db, clock, team):
    from datetime import date

    from fluxkit.services import calendar

    org, ada, bob, dee = team
    row = tasks.create_task(db, ada, {"title": "Review the budget", "due_date": "2026-12-03"}, clock)
    tasks.update_task(db, ada, row.id, {"assignee_id": bob}, clock)
    db.commit()

    def due(who):
        return [o.title for o in calendar.list_range(db, who, date(2026, 12, 1), date(2026, 12, 8)) if o.type == "task"]

    assert due(bob) == ["Review the budget"]
    assert due(ada) == ["Review the budget"]
    assert due(dee) == []
    tasks.update_task(db, ada, row.id, {"assignee_id": None}, clock)
    db.commit()
    assert due(bob) == []
