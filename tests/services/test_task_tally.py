"""The task counts (stat cards, page totals, dashboard) are kept by database triggers in
`task_tally`. Whatever changes tasks — the tasks service, an organization member leaving
(bulk SQL), the purge of deleted tasks, an account deleted (foreign-key cascades) — every
user's counts must equal a real count of the tasks they see, after every step."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from sqlalchemy import delete
from sqlmodel import select

from fluxkit.models import Task, TaskTally, User
from fluxkit.services import organizations as orgs
from fluxkit.services import tasks
from fluxkit.services.errors import ServiceError
from fluxkit.services.tasks import TRANSITIONS, TaskQuery
from tests.support.factories import make_organization, make_user


def counted(db) -> Counter:
    """(user, status) -> tasks that user sees, counted from the task rows themselves."""
    seen: Counter = Counter()
    for task in db.exec(select(Task).where(Task.deleted_at == None)).all():  # noqa: E711
        seen[(task.user_id, task.status)] += 1
        if task.assignee_id is not None and task.assignee_id != task.user_id:
            seen[(task.assignee_id, task.status)] += 1
    return seen


def tallied(db) -> Counter:
    return Counter({(t.user_id, t.status): t.count for t in db.exec(select(TaskTally)).all() if t.count})


@pytest.fixture
def team(db, clock):
    """Ada owns Acme with members Bob and Cy."""
    ada, bob, cy = (make_user(db, f"{n}@example.com", n.title()).id for n in ("ada", "bob", "cy"))
    org = make_organization(db, ada, "Acme", "acme", members={bob: "member", cy: "member"}, clock=clock)
    return org.id, [ada, bob, cy]


def test_counts_follow_every_kind_of_change(db, clock, team):
    org, people = team
    ada, bob, cy = people
    rng = random.Random(20261127)
    created: list[tuple[int, int]] = []  # (owner, task id)

    def step(name: str) -> None:
        db.commit()
        assert tallied(db) == counted(db), f"after {name}"

    for n in range(120):
        action = rng.choice(["create", "create", "status", "assign", "delete", "undo", "bulk", "bulk_delete"])
        try:
            if action == "create" or not created:
                owner = rng.choice(people)
                row = tasks.create_task(db, owner, {"title": f"Task {n}"}, clock)
                created.append((owner, row.id))
            elif action == "status":
                owner, task_id = rng.choice(created)
                task = db.get(Task, task_id)
                actor = task.assignee_id if task.assignee_id and rng.random() < 0.5 else owner
                tasks.change_status(db, actor, task_id, rng.choice(sorted(TRANSITIONS[task.status])), clock)
            elif action == "assign":
                owner, task_id = rng.choice(created)
                tasks.update_task(db, owner, task_id, {"assignee_id": rng.choice([*people, None])}, clock)
            elif action == "delete":
                tasks.delete_task(db, *rng.choice(created), clock)
            elif action == "undo":
                tasks.restore_task(db, *rng.choice(created), clock)
            elif action == "bulk":
                owner = rng.choice(people)
                ids = [i for o, i in created if o == owner][:5]
                tasks.bulk_change_status(db, owner, ids, rng.choice(tasks.STATUSES), clock)
            else:
                owner = rng.choice(people)
                tasks.bulk_delete(db, owner, [i for o, i in created if o == owner][-2:], clock)
        except ServiceError:
            db.rollback()  # a refused move changes nothing, the counts neither
        step(f"{action} #{n}")

    assert sum(tallied(db).values()) > 0
    # Bob leaves: his assignments are lifted by one bulk UPDATE, not one task at a time.
    orgs.leave(db, bob, org)
    step("Bob leaving")
    # Deleted tasks are purged for good once Undo has expired.
    clock.advance(days=40)
    tasks.purge_deleted(db, clock)
    step("the purge")
    # Cy's account goes: the database deletes his tasks and unassigns him from Ada's.
    db.exec(delete(User).where(User.id == cy))
    step("Cy's account deleted")
    assert all(who != cy for who, _ in tallied(db))


def test_the_page_total_and_stat_cards_are_the_tally(db, clock, team):
    org, (ada, bob, cy) = team
    for n in range(7):
        row = tasks.create_task(db, ada, {"title": f"Ada {n}"}, clock)
        if n % 2:
            tasks.change_status(db, ada, row.id, "completed", clock)
    mine = tasks.create_task(db, bob, {"title": "Bob's"}, clock)
    tasks.update_task(db, bob, mine.id, {"assignee_id": ada}, clock)
    db.commit()

    stats = tasks.stats(db, ada)
    assert (stats.total, stats.pending, stats.completed, stats.in_progress) == (8, 5, 3, 0)
    assert tasks.list_tasks(db, ada, TaskQuery()).total == 8
    assert tasks.list_tasks(db, ada, TaskQuery(status="completed")).total == 3
    assert tasks.list_tasks(db, ada, TaskQuery(status="pending", page_size=10)).total == 5
    assert tasks.list_tasks(db, ada, TaskQuery(search="Bob")).total == 1  # a search is counted
    assert tasks.stats(db, bob).total == 1  # Bob owns it; Ada sees it as assigned to her


@pytest.mark.parametrize("sort", tasks.SORTS)
@pytest.mark.parametrize("descending", [True, False])
def test_paging_through_owned_and_assigned_tasks_gives_each_once_in_order(db, clock, team, sort, descending):
    """Owned and assigned tasks are read in two ordered parts and merged: every page must
    still be the same slice of one ordered list."""
    org, (ada, bob, cy) = team
    rng = random.Random(sort)
    for n in range(23):
        clock.advance(minutes=rng.randint(0, 2))  # some share a created time
        owner = rng.choice([ada, bob])
        fields = {
            "title": rng.choice(["alpha", "Beta", "gamma", "Delta"]) + f" {n % 5}",
            "priority": rng.choice(tasks.PRIORITIES),
            "due_date": rng.choice([None, "2026-12-01", "2026-12-05"]),
        }
        row = tasks.create_task(db, owner, fields, clock)
        if owner == bob and rng.random() < 0.7:
            tasks.update_task(db, bob, row.id, {"assignee_id": ada}, clock)
        if rng.random() < 0.4:
            tasks.change_status(db, owner, row.id, "in progress", clock)
    db.commit()

    everything = tasks.list_tasks(db, ada, TaskQuery(sort=sort, descending=descending, page_size=100))
    assert any(r.assigned_to_me for r in everything.rows) and any(not r.assigned_to_me for r in everything.rows)
    assert everything.total > 10
    paged = []
    for page in range(1, (everything.total + 9) // 10 + 1):
        paged += [r.id for r in tasks.list_tasks(db, ada, TaskQuery(sort=sort, descending=descending, page=page)).rows]
    assert paged == [r.id for r in everything.rows]
    assert len(paged) == everything.total == tasks.stats(db, ada).total
