"""The tasks benchmark runs end to end against the real app and measures the right things.

A tiny run (10 and 1,000 tasks, 3 samples): the events do what the user would see (the new
task on top of the page, the stat cards after a completion), and the add-task delta does not
grow with the table. Sizes are asserted, never times.
"""

from __future__ import annotations

import json

import pytest

from bench import tasks_roundtrip

# The session's production server (tests/conftest.py); the first test to use it waits for its build.
pytestmark = [pytest.mark.live, pytest.mark.timeout(1200)]


@pytest.fixture(scope="module")
def report(live_server):
    return tasks_roundtrip.run((10, 1_000), samples=3, app=live_server)


def test_added_task_arrives_on_top_of_the_page(report):
    for result in report.results:
        assert len(result.added_titles) == 3
        # Newest first: each reply's first row is the task just added.
        assert result.added_first_rows == result.added_titles


def test_completing_a_task_moves_it_between_the_stat_cards(report):
    for result in report.results:
        assert len(result.stats_around_complete) == 3
        for before, after in result.stats_around_complete:
            assert after["completed"] == before["completed"] + 1
            assert after["pending"] == before["pending"] - 1
            assert after["total"] == before["total"]
        # The seeded tasks plus the ones added so far.
        assert result.stats_around_complete[-1][1]["total"] == result.size + 3


def test_add_task_delta_does_not_grow_with_the_table(report):
    small = report.by_size(10).series["add-task"]
    large = report.by_size(1_000).series["add-task"]
    assert max(large.delta_bytes) <= 2 * small.bytes_p50
    # A page of rows and the stat cards, against one var for the trivial event.
    for result in report.results:
        assert max(result.series["trivial"].delta_bytes) < 1_000
        assert min(result.series["add-task"].delta_bytes) > 1_000


def test_table_and_json_cover_every_size_and_event(report):
    data = json.loads(json.dumps(report.as_json()))
    assert [(row["tasks"], row["event"]) for row in data["rows"]] == [
        (size, kind) for size in (10, 1_000) for kind in tasks_roundtrip.KINDS
    ]
    assert all(len(row["samples_ms"]) == 3 for row in data["rows"])
    table = report.table()
    assert "1,000  complete-task" in table
    assert "1,000 tasks against 10 (p50):" in table
