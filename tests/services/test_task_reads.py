"""The reads that must stay flat with a user's data (search, title sort, the dashboard's latest
tasks and chart): the same answers as a plain scan, kept current as tasks change, and served
by the indexes of models/task_search.py and migration 0014 (checked with EXPLAIN on the
queries the services really send)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, insert, text
from sqlmodel import col, select

from fluxkit.models import Task
from fluxkit.services import dashboard, tasks
from fluxkit.services.tasks import TaskQuery
from tests.support.factories import make_organization, make_task, make_user


@pytest.fixture
def ada(db) -> int:
    return make_user(db, "ada@example.com", "Ada").id


@pytest.fixture
def bob(db) -> int:
    return make_user(db, "bob@example.com", "Bob").id


CORPUS = [
    ("Fix the LOGIN page", "Users cannot sign in after the update"),
    ("Write the README", "Explain 100% of the set-up"),
    ("Rename user_name", "snake_case everywhere"),
    ('Quote "the customer"', "back\\slash path C:\\temp"),
    ("Café menu", "Déjà vu on the ÉCRAN"),
    ("Plan the launch", "login flow, pricing page, email"),
    ("Short", ""),
]
TERMS = ["login", "LOGIN", "page", "100%", "user_name", "_name", '"the', "\\slash", "café", "CAFÉ", "écran", "in", "e"]


def expected(term: str, rows=CORPUS) -> set[str]:
    needle = term.lower()
    return {title for title, description in rows if needle in title.lower() or needle in description.lower()}


def titles(db, user_id, clock, **query) -> set[str]:
    page = tasks.list_tasks(db, user_id, TaskQuery(page_size=100, **query), clock)
    assert page.total == len(page.rows)
    return {row.title for row in page.rows}


def test_search_finds_what_a_scan_finds_for_every_kind_of_word(db, ada, bob, clock):
    for title, description in CORPUS:
        make_task(db, ada, title, description=description, clock=clock)
        make_task(db, bob, title, description=description, clock=clock)  # never in Ada's results
    for term in TERMS:
        assert titles(db, ada, clock, search=term) == expected(term), term


def test_search_follows_edits_and_deletions(db, ada, clock):
    kept = make_task(db, ada, "Order the blue paint", clock=clock)
    gone = make_task(db, ada, "Order the red paint", clock=clock)
    assert titles(db, ada, clock, search="paint") == {"Order the blue paint", "Order the red paint"}

    tasks.update_task(db, ada, kept.id, {"title": "Order the green varnish"}, clock)
    db.commit()
    tasks.delete_task(db, ada, gone.id, clock)
    db.commit()
    assert titles(db, ada, clock, search="paint") == set()
    assert titles(db, ada, clock, search="varnish") == {"Order the green varnish"}

    db.exec(text("DELETE FROM task WHERE id = :id").bindparams(id=kept.id))  # a hard delete (account gone)
    db.commit()
    assert titles(db, ada, clock, search="varnish") == set()


def test_search_finds_tasks_assigned_to_the_user(db, ada, bob, clock):
    org = make_organization(db, ada, members={bob: "member"}, clock=clock)
    make_task(db, ada, "Review the quarterly budget", assignee_id=bob, organization_id=org.id, clock=clock)
    assert titles(db, bob, clock, search="quarterly") == {"Review the quarterly budget"}
    assert titles(db, ada, clock, search="quarterly") == {"Review the quarterly budget"}


def test_title_sort_ignores_case_and_ties_break_on_the_id(db, ada, clock):
    for title in ["banana", "Apple", "cherry", "apple", "Banana"]:
        make_task(db, ada, title, clock=clock)
    page = tasks.list_tasks(db, ada, TaskQuery(sort="title", descending=False), clock)
    assert [(r.title.lower(), r.id) for r in page.rows] == sorted((r.title.lower(), r.id) for r in page.rows)
    assert [r.title.lower() for r in page.rows] == ["apple", "apple", "banana", "banana", "cherry"]


def test_dashboard_latest_tasks_merge_owned_and_assigned_newest_first(db, ada, bob, clock):
    org = make_organization(db, ada, members={bob: "member"}, clock=clock)
    for i in range(4):
        clock.advance(minutes=1)
        make_task(db, bob, f"Bob's own {i}", clock=clock)
        clock.advance(minutes=1)
        make_task(db, ada, f"For Bob {i}", assignee_id=bob, organization_id=org.id, clock=clock)
    recent = [r.title for r in dashboard.recent_tasks(db, bob)]
    assert recent == ["For Bob 3", "Bob's own 3", "For Bob 2", "Bob's own 2", "For Bob 1"]


# ---- the plans ---------------------------------------------------------------------------------


def seed(db, user_id: int, count: int, now: datetime) -> None:
    """`count` tasks over the last ~80 days, every 997th titled with "needle", a third completed."""
    start = now - timedelta(days=80)
    if db.get_bind().dialect.name == "postgresql":
        # Server-side, with triggers off (task_tally is not read here): a plpgsql trigger per
        # row made seeding 40,000 rows take minutes.
        db.exec(text("SET LOCAL session_replication_role = replica"))
        db.exec(
            text(
                "INSERT INTO task (user_id, title, description, status, priority, category, created_at, updated_at,"
                " completed_at) SELECT :user, 'Task ' || n || CASE WHEN n % 997 = 0 THEN ' needle' ELSE ' hay' END,"
                " '', CASE WHEN n % 3 = 0 THEN 'completed' ELSE 'pending' END,"
                " (ARRAY['low', 'medium', 'high'])[n % 3 + 1],"
                " (ARRAY['feature', 'bug', 'documentation', 'other'])[n % 4 + 1],"
                " :start + n * interval '1 minute', :start, CASE WHEN n % 3 = 0 THEN :start + n * interval '1 minute'"
                " END FROM generate_series(0, :count - 1) AS n"
            ).bindparams(user=user_id, start=start, count=count)
        )
    else:
        rows = [
            {
                "user_id": user_id,
                "title": f"Task {n} {'needle' if n % 997 == 0 else 'hay'}",
                "description": "",
                "status": "completed" if n % 3 == 0 else "pending",
                "priority": ("low", "medium", "high")[n % 3],
                "category": ("feature", "bug", "documentation", "other")[n % 4],
                "created_at": start + timedelta(minutes=n),
                "updated_at": start,
                "completed_at": start + timedelta(minutes=n) if n % 3 == 0 else None,
            }
            for n in range(count)
        ]
        db.exec(insert(Task), params=rows)
    db.commit()
    db.exec(text("ANALYZE"))
    db.commit()


def plans_of(db, engine, call) -> list[str]:
    """The plan of every statement `call` sends on the task table, one text per statement."""
    sent: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if "task" in statement and not statement.lstrip().upper().startswith("EXPLAIN"):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    sqlite = engine.dialect.name == "sqlite"
    out = []
    raw = db.connection().connection.driver_connection
    if not sqlite:
        # At a test's 5,000 rows PostgreSQL rightly prefers reading the table; with sequential
        # scans priced out, the plan shows which index serves the query (bench/data_scale.py
        # times the same queries at 100,000 rows, where the planner picks these on its own).
        raw.execute("SET enable_seqscan = off")
    for statement, parameters in sent:
        cursor = raw.cursor()
        cursor.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters)
        out.append("\n".join(str(row[-1] if sqlite else row[0]) for row in cursor.fetchall()))
        cursor.close()
    if not sqlite:
        raw.execute("RESET enable_seqscan")
    return out


def full_scans(plan: str) -> bool:
    """Reads every task (SQLite: a SCAN of task not driven by an index; PostgreSQL: Seq Scan)."""
    lines = plan.splitlines()
    return any(line.strip() == "SCAN task" or "Seq Scan on task" in line for line in lines)


@pytest.fixture
def many(db, engine, ada, clock) -> Iterator[int]:
    # PostgreSQL prices a small table's scan below its trigram index: it needs a bigger one,
    # and fresh storage (the tests before left dead rows in task and its indexes, no vacuum ran).
    if engine.dialect.name == "postgresql":
        db.exec(text("TRUNCATE task, task_tally CASCADE"))
        db.commit()
    seed(db, ada, 5_000 if engine.dialect.name == "sqlite" else 50_000, clock.now())
    yield ada
    if engine.dialect.name == "postgresql":
        # TRUNCATE: the next test's DELETE would run the triggers 50,000 times, and leave dead
        # index entries that make the next plans' index costs look higher than they are.
        db.rollback()
        db.exec(text("TRUNCATE task, task_tally CASCADE"))
        db.commit()


def test_search_reads_the_trigram_index_not_every_task(db, engine, many, clock):
    found = []
    plans = plans_of(db, engine, lambda: found.append(tasks.list_tasks(db, many, TaskQuery(search="needle"), clock)))
    assert found[0].total == len(db.exec(select(Task.id).where(col(Task.title).contains("needle"))).all())
    assert plans and not any(full_scans(p) for p in plans), plans
    index = "task_search" if engine.dialect.name == "sqlite" else "_trgm"
    assert any(index in p for p in plans), plans


@pytest.mark.parametrize(
    ("sort", "descending", "index"),
    [
        ("created", True, "ix_task_owner_created"),
        ("updated", False, "ix_task_owner_updated"),
        ("title", False, "ix_task_owner_title"),
        ("title", True, "ix_task_owner_title"),
        ("status", False, "ix_task_owner_status_rank"),
        ("priority", True, "ix_task_owner_priority_rank"),
        ("due", False, "ix_task_owner_due_up"),
        ("due", True, "ix_task_owner_due_down"),
    ],
)
def test_every_sort_reads_its_index_in_order(db, engine, many, clock, sort, descending, index):
    query = TaskQuery(sort=sort, descending=descending, page=3)
    plans = plans_of(db, engine, lambda: tasks.list_tasks(db, many, query, clock))
    assert any(index in p for p in plans), plans
    assert not any(full_scans(p) for p in plans), plans


@pytest.mark.parametrize(
    ("query", "index"),
    [({"priority": "high"}, "ix_task_owner_priority"), ({"category": "bug"}, "ix_task_owner_category")],
)
def test_filters_count_from_their_index(db, engine, many, clock, query, index):
    plans = plans_of(db, engine, lambda: tasks.list_tasks(db, many, TaskQuery(**query), clock))
    assert any(index in p for p in plans), plans
    assert not any(full_scans(p) for p in plans), plans


def test_dashboard_reads_ranges_of_indexes(db, engine, many, clock):
    plans = plans_of(db, engine, lambda: (dashboard.recent_tasks(db, many), dashboard.chart(db, many, 90, clock)))
    assert plans and not any(full_scans(p) for p in plans), plans
    joined = "\n".join(plans)
    # The user's own tasks: ranges of the owner indexes. Assigned ones (none here): any index
    # on the assignee; PostgreSQL may pick either for an empty range.
    for index in ("ix_task_owner_created", "ix_task_owner_completed", "ix_task_assignee"):
        assert index in joined, (index, joined)


def test_chart_at_scale_counts_what_a_scan_counts(db, many, clock):
    """Every task of `seed` falls in the 90-day window: the chart's days add up to all of them,
    and each day holds the tasks whose UTC date it is (the user's timezone is UTC)."""
    rows = db.exec(select(Task).where(Task.user_id == many)).all()
    points = dashboard.chart(db, many, 90, clock)
    assert sum(p.created for p in points) == len(rows)
    assert sum(p.completed for p in points) == sum(1 for t in rows if t.completed_at is not None)
    by_day: dict[str, int] = {}
    for t in rows:
        by_day[t.created_at.date().isoformat()] = by_day.get(t.created_at.date().isoformat(), 0) + 1
    assert {p.day: p.created for p in points if p.created} == by_day
