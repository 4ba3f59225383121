"""/api/v1 answers every row the database holds: values the app never writes are shown, not a 500.

A task written by hand, by an old import or by another tool may hold a category, priority or
status outside the app's lists ("improvement"); the list, the task and its history still answer.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from fluxkit.db import session_scope
from tests.support.http import V1, add_task


@pytest.mark.parametrize(
    ("column", "value"),
    [("category", "improvement"), ("priority", "urgent"), ("status", "blocked"), ("category", "")],
)
def test_a_row_with_a_value_the_app_never_writes_still_answers(api, ada, column, value):
    normal = add_task(ada, title="Normal")
    odd = add_task(ada, title="Odd")
    with session_scope() as db:
        db.execute(text(f"UPDATE task SET {column} = :value WHERE id = :id"), {"value": value, "id": odd})
    client = api(ada)
    listing = client.get(f"{V1}/tasks")
    assert listing.status_code == 200, listing.text
    shown = {t["id"]: t for t in listing.json()["items"]}
    assert shown[odd][column] == value
    assert shown[normal]["title"] == "Normal"
    one = client.get(f"{V1}/tasks/{odd}")
    assert one.status_code == 200, one.text
    assert one.json()[column] == value
    assert client.get(f"{V1}/tasks?sort=priority").status_code == 200
    assert client.get(f"{V1}/tasks?sort=status").status_code == 200
    assert client.get(f"{V1}/tasks/{odd}/history").status_code == 200


def test_a_history_row_with_an_odd_status_still_answers(api, ada):
    odd = add_task(ada, title="Odd")
    with session_scope() as db:
        db.execute(text("UPDATE task_event SET to_status = 'blocked' WHERE task_id = :id"), {"id": odd})
    response = api(ada).get(f"{V1}/tasks/{odd}/history")
    assert response.status_code == 200, response.text
    assert response.json()[-1]["to_status"] == "blocked"
