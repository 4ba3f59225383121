"""Imports are all-or-nothing, report progress, and ask before importing the same file twice
(`services.imports.run_import`, for tasks from CSV and events from .ics)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from fluxkit.db import session_scope
from fluxkit.models import CalendarEvent, Task
from fluxkit.services import imports
from fluxkit.services.calendar import ics as calendar_ics
from fluxkit.services.errors import InvalidInput
from fluxkit.services.tasks import csv as task_csv
from tests.support.factories import make_user

CSV = (
    b"title,status,due_date\n"
    b"Write the plan,pending,2026-12-31\n"
    b"Ship it,pending,31/12/2026\n"  # not a date: refused
    b"Celebrate,completed,\n"
)
GOOD_CSV = b"title,status\nWrite the plan,pending\nCelebrate,completed\n"


def ics(*titles: str) -> bytes:
    events = "".join(
        "BEGIN:VEVENT\r\n"
        f"UID:{n}-import@example.com\r\n"
        f"SUMMARY:{title}\r\n"
        f"DTSTART:2026120{n + 1}T090000Z\r\nDTEND:2026120{n + 1}T100000Z\r\n"
        "END:VEVENT\r\n"
        for n, title in enumerate(titles)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n".encode()


@pytest.fixture
def ada(db) -> int:
    return make_user(db, "ada@example.com", "Ada").id


def count(engine, model) -> int:
    with Session(engine) as other:
        return other.exec(select(func.count()).select_from(model)).one()


def run(user, kind, importer, data, clock, **options):
    """As the tab runs an import: one transaction, committed only when nothing was refused."""
    with session_scope() as db:
        return imports.run_import(db, user, kind, importer, data, clock, **options)


def test_one_refused_row_imports_nothing_and_lists_the_row(engine, ada, clock):
    with pytest.raises(imports.ImportRefused) as refused:
        run(ada, "tasks", task_csv.import_csv, CSV, clock, noun="row")
    assert count(engine, Task) == 0  # "Write the plan" and "Celebrate" were valid, yet not committed
    assert [p.item for p in refused.value.report.refused] == ["3"]
    assert "due_date" in refused.value.report.refused[0].reason
    assert "Nothing was imported: 1 row was refused" in refused.value.message

    outcome = run(ada, "tasks", task_csv.import_csv, CSV.replace(b"31/12/2026", b"2026-12-31"), clock, noun="row")
    assert outcome.report.created == 3 and outcome.previous is None
    assert count(engine, Task) == 3


def test_a_refused_event_imports_no_event(engine, ada, clock):
    bad = ics("Standup", "Review").replace(b"DTEND:20261202T100000Z", b"DTEND:20261202T080000Z")  # ends before start
    with pytest.raises(imports.ImportRefused) as refused:
        run(ada, "calendar", calendar_ics.import_ics, bad, clock, noun="event")
    assert [p.item for p in refused.value.report.refused] == ["Review"]
    assert count(engine, CalendarEvent) == 0


def test_a_file_that_cannot_be_read_is_refused_as_a_whole(engine, ada, clock):
    with pytest.raises(InvalidInput, match="not UTF-8"):
        run(ada, "tasks", task_csv.import_csv, b"title\n\xff\xfe", clock)
    assert count(engine, Task) == 0


def test_the_same_file_again_asks_before_creating_duplicates(engine, ada, clock, db):
    first = run(ada, "tasks", task_csv.import_csv, GOOD_CSV, clock, noun="row")
    assert first.report.created == 2
    clock.advance(minutes=5)
    second = run(ada, "tasks", task_csv.import_csv, GOOD_CSV, clock, noun="row")
    assert second.report.created == 0 and second.previous is not None
    assert second.previous.items == 2 and second.previous.at == clock.now() - timedelta(minutes=5)
    assert count(engine, Task) == 2  # nothing duplicated without asking

    again = run(ada, "tasks", task_csv.import_csv, GOOD_CSV, clock, noun="row", again=True)
    assert again.report.created == 2 and count(engine, Task) == 4

    # Another user's identical file, another file, or the same file long after: no question.
    bob = make_user(db, "bob@example.com", "Bob").id
    assert run(bob, "tasks", task_csv.import_csv, GOOD_CSV, clock).previous is None
    assert run(ada, "tasks", task_csv.import_csv, GOOD_CSV + b"One more\n", clock).previous is None
    clock.advance(days=8)
    assert run(ada, "tasks", task_csv.import_csv, GOOD_CSV, clock).previous is None


def test_a_refused_import_is_not_remembered(engine, ada, clock):
    with pytest.raises(imports.ImportRefused):
        run(ada, "tasks", task_csv.import_csv, CSV, clock)
    # Nothing was imported, so sending it again (e.g. after a plan upgrade) does not ask.
    with pytest.raises(imports.ImportRefused):
        run(ada, "tasks", task_csv.import_csv, CSV, clock)


def test_progress_is_reported_to_the_end(engine, ada, clock):
    rows = b"title\n" + b"".join(b"Task %d\n" % n for n in range(230))
    seen: list[tuple[int, int]] = []
    run(ada, "tasks", task_csv.import_csv, rows, clock, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 230) and seen[-1] == (230, 230)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) >= 5

    seen.clear()
    run(ada, "calendar", calendar_ics.import_ics, ics("A", "B", "C"), clock, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (3, 3)


def _analyzed(engine) -> int:
    """How many times the task table's planner statistics were gathered (SQLite: 0 or 1, whether
    sqlite_stat1 describes it; PostgreSQL: pg_stat_user_tables.analyze_count)."""
    from sqlalchemy import text

    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            names = {r[0] for r in connection.execute(text("SELECT name FROM sqlite_master"))}
            if "sqlite_stat1" not in names:
                return 0
            return int(connection.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'task'")).scalar() > 0)
        return connection.execute(text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'task'")).scalar()


def test_a_big_import_gathers_planner_statistics(engine, ada):
    """A thousand tasks at once: the planner must not keep planning for an empty table."""
    from sqlalchemy import text

    from fluxkit import importing

    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
    before = _analyzed(engine)
    rows = "".join(f"Task number {n},pending\n" for n in range(importing.STATISTICS_AFTER))
    answer = importing.import_file(
        "fluxkit.services.tasks.csv:import_csv",
        ada,
        "tasks",
        f"title,status\n{rows}".encode(),
        noun="task",
        again=False,
    )
    assert answer.outcome is not None and answer.outcome.report.created == importing.STATISTICS_AFTER
    assert _analyzed(engine) > before
