"""/api/v1/dashboard: the caller's own summary, the same figures as the page."""

from __future__ import annotations

from datetime import timedelta

from fluxkit.db import session_scope
from fluxkit.services import calendar, user_time
from tests.support.http import V1, add_task


def test_the_summary_counts_only_the_callers_data(api, ada, bob):
    add_task(ada, title="Write the report")
    add_task(ada, title="Review")
    add_task(bob, title="Bob's own")
    with session_scope() as db:
        calendar.create_event(
            db,
            ada.user.id,
            {
                "title": "Tomorrow's call",
                "start": (user_time.today_for(db, ada.user.id) + timedelta(days=1)).isoformat() + "T09:00",
            },
        )

    answer = api(ada).get(f"{V1}/dashboard")

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["stats"]["tasks_total"] == 2 and body["stats"]["tasks_pending"] == 2
    assert body["stats"]["events_next_7_days"] == 1
    assert body["range_days"] == 7 and len(body["chart"]) == 7 and body["chart"][-1]["created"] == 2
    assert sorted(t["title"] for t in body["recent_tasks"]) == ["Review", "Write the report"]
    assert [e["title"] for e in body["upcoming_events"]] == ["Tomorrow's call"]
    assert {s["key"]: s["done"] for s in body["onboarding"]["steps"]}["first_task"] is True
    assert api(bob).get(f"{V1}/dashboard").json()["stats"]["tasks_total"] == 1


def test_the_range_is_7_30_or_90_days(api, ada):
    client = api(ada)
    assert len(client.get(f"{V1}/dashboard", params={"days": 90}).json()["chart"]) == 90
    answer = client.get(f"{V1}/dashboard", params={"days": 14})
    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid_input"


def test_anonymous_callers_get_401(client):
    assert client.get(f"{V1}/dashboard").status_code == 401
