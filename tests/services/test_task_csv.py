"""CSV export of the current view (every page, formulas defused) and CSV import with a
report of every refused row; a round trip gives the same tasks."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlmodel import Session, func, select

from fluxkit.models import Notification, Task
from fluxkit.services import tasks
from fluxkit.services.errors import InvalidInput
from fluxkit.services.imports import ImportProblem
from fluxkit.services.tasks import TaskQuery
from fluxkit.services.tasks import csv as task_csv
from tests.support.factories import make_user

HEADER = "title,description,status,priority,category,due_date,created_at,completed_at"
FIELDS = ("title", "description", "status", "priority", "category", "due_date")


@pytest.fixture
def ada(db) -> int:
    return make_user(db, "ada@example.com", "Ada").id


@pytest.fixture
def bob(db) -> int:
    return make_user(db, "bob@example.com", "Bob").id


def add(db, user, clock, title, **fields):
    row = tasks.create_task(db, user, {"title": title, **fields}, clock)
    db.commit()
    return row


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def task_tuples(db, user) -> list[tuple]:
    rows = tasks.all_matching(db, user, TaskQuery())
    return sorted(tuple(getattr(r, f) for f in FIELDS) for r in rows)


def count_tasks(engine) -> int:
    with Session(engine) as other:
        return other.exec(select(func.count()).select_from(Task)).one()


def do_import(db, user, data, clock) -> task_csv.ImportReport:
    report = task_csv.import_csv(db, user, data, clock)
    db.commit()
    return report


# ---- export -----------------------------------------------------------------------------------------


def test_export_has_the_header_and_every_task_of_the_view_on_all_pages(db, ada, bob, clock):
    for i in range(25):
        add(db, ada, clock, f"task {i:02d}", priority="high" if i % 2 else "low")
        clock.advance(minutes=1)
    add(db, bob, clock, "Bob's task")
    gone = add(db, ada, clock, "deleted task")
    tasks.delete_task(db, ada, gone.id, clock)
    db.commit()

    text = task_csv.export_csv(db, ada, TaskQuery(page=2, page_size=10), clock)
    assert text.splitlines()[0] == HEADER
    assert text.endswith("\r\n")
    rows = parse(text)
    assert [r["title"] for r in rows] == [f"task {i:02d}" for i in range(24, -1, -1)]  # the view's order

    high = parse(task_csv.export_csv(db, ada, TaskQuery(priority="high", sort="title", descending=False), clock))
    assert [r["title"] for r in high] == [f"task {i:02d}" for i in range(1, 25, 2)]
    assert parse(task_csv.export_csv(db, ada, TaskQuery(search="nothing like this"), clock)) == []


def test_export_cells(db, ada, clock):
    task = add(
        db,
        ada,
        clock,
        'Quote "this", please',
        description="line one\nline two, with a comma\n\u00e9t\u00e9 \u2603",
        priority="high",
        category="bug",
        due_date="2026-12-31",
    )
    tasks.change_status(db, ada, task.id, "completed", clock)
    db.commit()
    [row] = parse(task_csv.export_csv(db, ada, TaskQuery(), clock))
    assert row == {
        "title": 'Quote "this", please',
        "description": "line one\nline two, with a comma\n\u00e9t\u00e9 \u2603",
        "status": "completed",
        "priority": "high",
        "category": "bug",
        "due_date": "2026-12-31",
        "created_at": clock.now().isoformat(),
        "completed_at": clock.now().isoformat(),
    }


@pytest.mark.parametrize(
    ("title", "cell"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2 degrees", "'-2 degrees"),
        ("@SUM(1)", "'@SUM(1)"),
        ("'=already quoted", "''=already quoted"),
        ("'plain apostrophe", "'plain apostrophe"),
        ("a = b", "a = b"),
        ("Normal title", "Normal title"),
    ],
)
def test_export_defuses_spreadsheet_formulas(db, ada, clock, title, cell):
    add(db, ada, clock, title, description=title)
    [row] = parse(task_csv.export_csv(db, ada, TaskQuery(), clock))
    assert row["title"] == cell
    assert row["description"] == cell


def test_every_cell_that_could_run_is_defused(db, ada, clock):
    add(db, ada, clock, "=1+1", description='=HYPERLINK("http://evil.example","click")')
    add(db, ada, clock, "@cmd", description="-1")
    for row in parse(task_csv.export_csv(db, ada, TaskQuery(), clock)):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


# ---- import: the file as a whole ------------------------------------------------------------------------


def test_import_creates_each_valid_row(db, engine, ada, clock):
    data = (
        b"title,description,status,priority,category,due_date\r\n"
        b"Write docs,The README,pending,high,documentation,2026-04-01\r\n"
        b"Fix bug,,in progress,,bug,\r\n"
        b"Just a title,,,,,\r\n"
    )
    report = do_import(db, ada, data, clock)
    assert (report.created, report.refused, report.blank) == (3, [], 0)
    assert report.summary == "3 tasks imported."
    assert task_tuples(db, ada) == [
        ("Fix bug", "", "in progress", "medium", "bug", ""),
        ("Just a title", "", "pending", "medium", "feature", ""),
        ("Write docs", "The README", "pending", "high", "documentation", "2026-04-01"),
    ]
    assert count_tasks(engine) == 3
    # Each has its history, by the importing user.
    [first] = [r for r in tasks.all_matching(db, ada, TaskQuery(), clock) if r.title == "Fix bug"]
    assert [(h.actor, h.to_status) for h in tasks.history(db, ada, first.id)] == [("Ada", "in progress")]


def test_headers_are_case_insensitive_in_any_order_and_unknown_columns_are_ignored(db, ada, clock):
    data = " Due Date ,NOTES,Title,PRIORITY,Id\n2026-05-05,ignored,Plan,Low,17\n"
    report = do_import(db, ada, data, clock)
    assert (report.created, report.refused) == (1, [])
    assert task_tuples(db, ada) == [("Plan", "", "pending", "low", "feature", "2026-05-05")]


def test_choices_are_read_leniently(db, ada, clock):
    data = (
        "title,status,priority,category\n"
        "a,In Progress,HIGH,Documentation\nb,in_progress, medium ,BUG\nc,Cancelled,Low,other\n"
    )
    report = do_import(db, ada, data, clock)
    assert (report.created, report.refused) == (3, [])
    assert [t[2:5] for t in task_tuples(db, ada)] == [
        ("in progress", "high", "documentation"),
        ("in progress", "medium", "bug"),
        ("cancelled", "low", "other"),
    ]


def test_utf8_with_or_without_bom(db, ada, clock):
    text = "title,description\nCaf\u00e9,na\u00efve \u2603\n"
    assert do_import(db, ada, text.encode("utf-8"), clock).created == 1
    assert do_import(db, ada, b"\xef\xbb\xbf" + text.encode("utf-8"), clock).created == 1
    assert do_import(db, ada, "\ufeff" + text, clock).created == 1
    assert do_import(db, ada, text, clock).created == 1
    assert {t[:2] for t in task_tuples(db, ada)} == {("Caf\u00e9", "na\u00efve \u2603")}
    assert tasks.stats(db, ada).total == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "title\nfine\nCaf\u00e9\n".encode("latin-1"),
            "The file is not UTF-8 text (line 3 has bytes that are not UTF-8).",
        ),
        ("title\nCaf\u00e9\n".encode("utf-16"), "The file is not UTF-8 text (line 1"),
        (b"", "The file is empty."),
        (b"\n\n  \n", "The file is empty."),
        (
            b"description,due_date\nsomething,2026-01-01\n",
            "Line 1 must be a header naming the columns, with at least a \u201ctitle\u201d column",
        ),
        (b"Buy milk\nBuy eggs\n", "with at least a \u201ctitle\u201d column"),
        (b"title,Title\na,b\n", "Line 1: the column \u201ctitle\u201d appears twice."),
        (
            b'title,description\nok,fine\nbroken,"never closed\nmore\n',
            "The row starting on line 3 cannot be read as CSV",
        ),
        (None, "Choose a CSV file to import."),
    ],
)
def test_a_bad_file_is_refused_as_a_whole_with_a_clear_message(db, engine, ada, clock, data, message):
    with pytest.raises(InvalidInput) as err:
        task_csv.import_csv(db, ada, data, clock)
    assert message in err.value.message
    assert err.value.fields == {"file": err.value.message}
    db.commit()
    assert count_tasks(engine) == 0


def test_a_file_over_the_size_limit_is_refused(db, engine, ada, clock):
    row = "A task," + "x" * 9_000 + "\n"
    data = ("title,description\n" + row * 120).encode()
    assert len(data) > task_csv.MAX_BYTES
    for form in (data, data.decode()):
        with pytest.raises(InvalidInput) as err:
            task_csv.import_csv(db, ada, form, clock)
        assert err.value.message == "The file is larger than 1 MB. Split it into smaller files."
    assert count_tasks(engine) == 0
    # Just under the limit is fine.
    fits = ("title,description\n" + row * 110).encode()
    assert len(fits) <= task_csv.MAX_BYTES
    assert do_import(db, ada, fits, clock).created == 110


def test_more_rows_than_the_limit_is_refused_before_anything_is_created(db, engine, ada, clock):
    data = "title\n" + "".join(f"t{i}\n" for i in range(task_csv.MAX_ROWS + 1))
    with pytest.raises(InvalidInput) as err:
        task_csv.import_csv(db, ada, data, clock)
    assert err.value.message == "The file has more than 5,000 rows. Split it into smaller files and import each."
    db.commit()
    assert count_tasks(engine) == 0


def test_exactly_the_row_limit_is_imported(db, engine, ada, clock, monkeypatch):
    monkeypatch.setattr(task_csv, "MAX_ROWS", 40)
    data = "title\n" + "".join(f"t{i}\n" for i in range(40))
    assert do_import(db, ada, data, clock).created == 40
    with pytest.raises(InvalidInput):
        task_csv.import_csv(db, ada, data + "one more\n", clock)
    assert count_tasks(engine) == 40


# ---- import: row by row ---------------------------------------------------------------------------------


def test_refused_rows_name_their_line_and_why_and_the_rest_are_created(db, engine, ada, clock):
    data = (
        "title,description,priority,due_date\n"  # line 1
        'First,"a description\nover two lines",high,2026-01-02\n'  # lines 2-3
        ",no title here,low,\n"  # line 4
        "Bad priority,,urgent,\n"  # line 5
        "\n"  # line 6: blank
        ",,,\n"  # line 7: blank too
        "Bad date,,,31/12/2026\n"  # line 8
        ","
        + "x" * 10_001
        + ",medium,\n"  # line 9: two problems
        + "Too,many,cells,2026-01-01,surprise\n"  # line 10
        + "Short row\n"  # line 11: missing cells are empty
        + "T" * 201
        + "\n"  # line 12
    )
    report = do_import(db, ada, data, clock)
    assert report.created == 2
    assert report.blank == 2
    assert [str(r) for r in report.refused] == [
        "4: title: Enter a title.",
        "5: priority: Choose one of: low, medium, high.",
        "8: due_date: Use a date like 2026-12-31.",
        "9: title: Enter a title.; description: Use at most 10,000 characters.",
        "10: row: 5 cells but the header names 4 columns (put text containing commas in double quotes).",
        "12: title: Use at most 200 characters.",
    ]
    assert report.refused[0] == ImportProblem(item="4", reason="title: Enter a title.")
    assert report.summary == "2 tasks imported, 6 rows refused."
    assert sorted(t[0] for t in task_tuples(db, ada)) == ["First", "Short row"]
    assert count_tasks(engine) == 2


def test_nothing_valid_means_nothing_created_and_everything_reported(db, engine, ada, clock):
    report = do_import(db, ada, "title,status\n,pending\nx,done\n", clock)
    assert report.created == 0
    assert [str(r) for r in report.refused] == [
        "2: title: Enter a title.",
        "3: status: Choose one of: pending, in progress, completed, cancelled.",
    ]
    assert report.summary == "0 tasks imported, 2 rows refused."
    assert count_tasks(engine) == 0


def test_a_nul_in_a_cell_refuses_that_row_only(db, engine, ada, clock):
    report = do_import(db, ada, b"title,description\nok,fine\nbad\x00title,\nok too,bad\x00text\n", clock)
    assert report.created == 1
    assert [str(r) for r in report.refused] == [
        "3: title: Remove the NUL character (\\0): it cannot be stored.",
        "4: description: Remove the NUL character (\\0): it cannot be stored.",
    ]
    assert count_tasks(engine) == 1


def test_a_header_only_file_imports_nothing(db, ada, clock):
    report = do_import(db, ada, HEADER + "\r\n", clock)
    assert (report.created, report.refused, report.blank) == (0, [], 0)


def test_import_is_part_of_the_callers_transaction(db, engine, ada, clock):
    report = task_csv.import_csv(db, ada, "title\nOne\nTwo\n", clock)
    assert report.created == 2
    db.rollback()
    assert count_tasks(engine) == 0


def test_imported_completed_tasks_keep_their_status_without_notifications(db, ada, clock):
    report = do_import(db, ada, "title,status,completed_at\nOld work,completed,2001-01-01T00:00:00+00:00\n", clock)
    assert report.created == 1
    [row] = tasks.all_matching(db, ada, TaskQuery(), clock)
    assert (row.status, row.completed_at) == ("completed", clock.now().isoformat())
    assert db.exec(select(func.count()).select_from(Notification)).one() == 0


@pytest.mark.parametrize(
    ("cell", "title"),
    [("'=SUM(A1)", "=SUM(A1)"), ("''=x", "'=x"), ("'plain", "'plain"), ("'-3", "-3"), ("=raw", "=raw")],
)
def test_import_undoes_the_export_apostrophe_only(db, ada, clock, cell, title):
    assert do_import(db, ada, f"title\n{cell}\n", clock).created == 1
    assert task_tuples(db, ada)[0][0] == title


# ---- round trip -------------------------------------------------------------------------------------------


TRICKY = [
    dict(title="Plain", status="pending", priority="low", category="feature"),
    dict(title="With, comma", description='says "hi", twice', status="in progress", priority="medium", category="bug"),
    dict(
        title="Multi-line",
        description="one\ntwo\r\nthree",
        status="completed",
        priority="high",
        category="documentation",
        due_date="2026-02-28",
    ),
    dict(
        title="=1+1", description="+danger", status="cancelled", priority="low", category="other", due_date="2026-03-01"
    ),
    dict(title="-negative", description="@at", priority="high"),
    dict(title="'=quoted already", description="''=twice"),
    dict(title="'apostrophe", description="'"),
    dict(title="Unicode \u00e9\u00e8 \u4e2d\u6587 \U0001f680", description="\u2603 snow"),
    dict(title="Tabs\tinside", description="cell\twith\ttabs"),
    dict(title="x" * 200, description="d" * 10_000),
    dict(title="Due today", due_date="2026-03-10"),
]


def test_export_then_import_into_another_user_gives_the_same_tasks(db, ada, bob, clock):
    for spec in TRICKY:
        add(db, ada, clock, **spec)
        clock.advance(seconds=1)
    exported = task_csv.export_csv(db, ada, TaskQuery(), clock)
    report = do_import(db, bob, ("\ufeff" + exported).encode("utf-8"), clock)
    assert (report.created, report.refused) == (len(TRICKY), [])
    assert task_tuples(db, bob) == task_tuples(db, ada)

    # And back again: Bob's export reads the same as Ada's, except the times it records.
    def without_times(text):
        return [{k: v for k, v in r.items() if k not in ("created_at", "completed_at")} for r in parse(text)]

    query = TaskQuery(sort="title", descending=False)
    assert without_times(task_csv.export_csv(db, bob, query, clock)) == without_times(
        task_csv.export_csv(db, ada, query, clock)
    )


def test_a_filtered_export_round_trips_just_that_view(db, ada, bob, clock):
    add(db, ada, clock, "bug one", category="bug", due_date=date(2026, 1, 1))
    add(db, ada, clock, "feature one", category="feature")
    add(db, ada, clock, "bug two", category="bug", status="completed")
    exported = task_csv.export_csv(db, ada, TaskQuery(category="bug"), clock)
    assert do_import(db, bob, exported, clock).created == 2
    assert task_tuples(db, bob) == [t for t in task_tuples(db, ada) if t[4] == "bug"]
