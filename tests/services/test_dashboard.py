"""Dashboard service: figures from real rows, days in the user's timezone, only the user's data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from fluxkit.clock import FrozenClock
from fluxkit.models import Subscription, User
from fluxkit.services import accounts, calendar, dashboard, live, mailbox, notifications, organizations, tasks
from fluxkit.services.errors import InvalidInput
from tests.support.factories import META

NOW = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # 09:00 in New York (UTC-5 in November)


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def ada(db, signed_up):
    user = signed_up("ada@example.com", name="Ada")
    _set_zone(db, user.id, "America/New_York")
    return user


@pytest.fixture
def bob(signed_up):
    return signed_up("bob@example.com", name="Bob")


def _set_zone(db, user_id: int, zone: str) -> None:
    db.get(User, user_id).timezone = zone
    db.commit()


def _task(db, user, at: datetime, status: str = "pending", title: str = "Write the report"):
    row = tasks.create_task(db, user.id, {"title": title, "status": status}, FrozenClock(at))
    db.commit()
    return row


def _event(db, user, **data):
    row = calendar.create_event(db, user.id, {"title": "Stand-up", "type": "meeting", **data}, FrozenClock(NOW))
    db.commit()
    return row


# ---- stat cards ------------------------------------------------------------------------------


def test_stats_count_the_users_tasks_by_status_and_the_completion_rate(db, clock, ada, bob):
    for status in ("pending", "pending", "in progress", "completed", "completed", "completed", "cancelled"):
        _task(db, ada, NOW - timedelta(days=1), status)
    gone = _task(db, ada, NOW, "completed")
    tasks.delete_task(db, ada.id, gone.id, clock)
    _task(db, bob, NOW, "completed")  # Bob's: never Ada's figure
    db.commit()

    figures = dashboard.stats(db, ada.id, clock)

    assert (figures.tasks_total, figures.tasks_pending, figures.tasks_in_progress, figures.tasks_completed) == (
        7,
        2,
        1,
        3,
    )
    assert figures.completion_rate == 43  # 3 of 7
    assert dashboard.stats(db, bob.id, clock).completion_rate == 100


def test_a_new_user_has_zeros_and_no_division_by_zero(db, clock, ada):
    figures = dashboard.stats(db, ada.id, clock)
    assert figures == dashboard.Stats(0, 0, 0, 0, 0, 0, 0, 0)


def test_unread_mail_and_notifications_are_the_users_own(db, clock, ada, bob):
    mailbox.send(db, bob.id, {"to": "ada@example.com", "subject": "Lunch?", "body": "At noon."}, clock)
    mailbox.send(db, bob.id, {"to": "ada@example.com", "subject": "Slides", "body": "Attached."}, clock)
    db.commit()
    before = dashboard.stats(db, ada.id, clock).unread_notifications
    notifications.notify(db, ada.id, "task_completed", "Done", "Report", clock=clock)
    db.commit()

    figures = dashboard.stats(db, ada.id, clock)

    assert figures.unread_mail == 2
    assert figures.unread_notifications == before + 1
    assert dashboard.stats(db, bob.id, clock).unread_mail == 0  # what Bob sent is not unread mail of his


def test_events_in_the_next_7_days_expand_a_series_in_the_users_timezone(db, clock, ada, bob):
    # Daily at 08:00 New York from two days ago: today 27 Nov .. 3 Dec is 7 occurrences.
    _event(db, ada, start="2026-11-25T08:00", end="2026-11-25T08:15", repeat="daily", repeat_count=30)
    # 3 Dec 23:30 in New York is 4 Dec 04:30 UTC: still inside Ada's 7 days.
    _event(db, ada, title="Late call", start="2026-12-03T23:30", end="2026-12-03T23:45")
    _event(db, ada, title="Next week", start="2026-12-04T00:30", end="2026-12-04T01:00")  # outside
    _event(db, bob, title="Bob's own", start="2026-11-28T10:00", end="2026-11-28T11:00")  # not Ada's
    declined = _event(db, bob, title="Declined", start="2026-11-29T10:00", end="2026-11-29T11:00", attendees=[ada.id])
    calendar.respond(db, ada.id, declined.id, "declined", clock)
    _event(db, bob, title="Accepted", start="2026-11-30T10:00", end="2026-11-30T11:00", attendees=[ada.id])
    db.commit()

    assert dashboard.stats(db, ada.id, clock).events_next_7_days == 7 + 1 + 1
    # Bob (UTC) sees his own event, the two he organizes for Ada, and none of Ada's.
    assert dashboard.stats(db, bob.id, clock).events_next_7_days == 3


# ---- the chart ------------------------------------------------------------------------------


def test_chart_days_are_the_users_local_days_across_a_day_boundary(db, clock, ada):
    # 27 Nov 03:00 UTC is still 26 Nov (22:00) in New York; 05:30 UTC is 27 Nov (00:30).
    _task(db, ada, datetime(2026, 11, 27, 3, 0, tzinfo=UTC))
    _task(db, ada, datetime(2026, 11, 27, 5, 30, tzinfo=UTC))
    done = _task(db, ada, datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    tasks.change_status(db, ada.id, done.id, "completed", FrozenClock(datetime(2026, 11, 27, 4, 59, tzinfo=UTC)))
    db.commit()

    points = dashboard.chart(db, ada.id, 7, clock)

    assert [p.day for p in points] == [f"2026-11-{d}" for d in range(21, 28)]
    by_day = {p.day: (p.created, p.completed) for p in points}
    assert by_day["2026-11-26"] == (1, 1)  # created 22:00 and completed 23:59 local on the 26th
    assert by_day["2026-11-27"] == (1, 0)
    assert by_day["2026-11-22"] == (1, 0)
    assert points[-1].label == "Nov 27"

    _set_zone(db, ada.id, "UTC")  # the same rows in UTC: both creations fall on the 27th
    by_day = {p.day: (p.created, p.completed) for p in dashboard.chart(db, ada.id, 7, clock)}
    assert by_day["2026-11-27"] == (2, 1)
    assert by_day["2026-11-26"] == (0, 0)


def test_chart_lists_every_day_with_zeros_and_leaves_out_older_days(db, clock, ada):
    _task(db, ada, NOW - timedelta(days=40))  # before the 30-day range, inside the 90-day one
    points = dashboard.chart(db, ada.id, 30, clock)
    assert len(points) == 30
    assert all(p.created == 0 and p.completed == 0 for p in points)
    assert sum(p.created for p in dashboard.chart(db, ada.id, 90, clock)) == 1
    assert len(dashboard.chart(db, ada.id, 90, clock)) == 90


def test_completed_series_counts_only_tasks_still_completed(db, clock, ada):
    reopened = _task(db, ada, NOW - timedelta(hours=2))
    tasks.change_status(db, ada.id, reopened.id, "completed", clock)
    tasks.change_status(db, ada.id, reopened.id, "in progress", clock)
    db.commit()
    assert dashboard.chart(db, ada.id, 7, clock)[-1].completed == 0


def test_chart_is_one_query_per_series_whatever_the_number_of_tasks(db, engine, clock, ada):
    for i in range(40):
        _task(db, ada, NOW - timedelta(hours=5 * i), "completed" if i % 3 == 0 else "pending", title=f"Task {i}")
    statements: list[str] = []
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        points = dashboard.chart(db, ada.id, 30, clock)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    on_tasks = [s for s in statements if "FROM task" in s]
    assert len(on_tasks) == 2
    assert sum(p.created for p in points) == 40


def test_chart_never_counts_another_users_tasks(db, clock, ada, bob):
    _task(db, bob, NOW - timedelta(hours=1), "completed")
    assert sum(p.created + p.completed for p in dashboard.chart(db, ada.id, 7, clock)) == 0
    assert dashboard.chart(db, bob.id, 7, clock)[-1].created == 1


@pytest.mark.parametrize("days", [0, 14, "abc", None, -7])
def test_a_range_other_than_7_30_or_90_is_refused(db, clock, ada, days):
    with pytest.raises(InvalidInput, match="7, 30 or 90"):
        dashboard.chart(db, ada.id, days, clock)


# ---- lists ----------------------------------------------------------------------------------


def test_recent_tasks_are_the_latest_five_of_the_user_with_links(db, clock, ada, bob):
    for i in range(7):
        _task(db, ada, NOW - timedelta(hours=10 - i), title=f"Task {i}")
    _task(db, bob, NOW, title="Bob's task")
    rows = dashboard.recent_tasks(db, ada.id)
    assert [r.title for r in rows] == ["Task 6", "Task 5", "Task 4", "Task 3", "Task 2"]
    assert rows[0].href == f"/tasks?task={rows[0].id}"


def test_upcoming_events_are_the_next_five_not_yet_over_with_links(db, clock, ada, bob):
    _event(db, ada, title="Over", start="2026-11-27T07:00", end="2026-11-27T08:00")  # ended at 08:00 local
    _event(db, ada, title="Now", start="2026-11-27T08:30", end="2026-11-27T09:30")  # running at 09:00
    series = _event(
        db, ada, title="Daily", start="2026-11-28T10:00", end="2026-11-28T10:30", repeat="daily", repeat_count=10
    )
    _event(db, bob, title="Bob's", start="2026-11-27T12:00", end="2026-11-27T13:00")

    rows = dashboard.upcoming_events(db, ada.id, clock)

    assert [(r.title, r.day_label) for r in rows] == [
        ("Now", "Today"),
        ("Daily", "Tomorrow"),
        ("Daily", "Sun 29 Nov"),
        ("Daily", "Mon 30 Nov"),
        ("Daily", "Tue 1 Dec"),
    ]
    assert rows[1].href == f"/calendar?event={series.id}" and rows[1].recurring
    assert rows[0].time_label == "08:30–09:30"


# ---- onboarding -----------------------------------------------------------------------------


def _done(db, user) -> dict[str, bool]:
    return {s.key: s.done for s in dashboard.onboarding(db, user.id).steps}


def test_onboarding_ticks_each_step_from_real_data_then_disappears(db, clock, signed_up, ada, bob):
    assert _done(db, ada) == {"verify_email": True, "first_task": False, "invite_teammate": False, "choose_plan": False}
    assert dashboard.onboarding(db, ada.id).visible

    _task(db, ada, NOW)
    org = organizations.create(db, ada.id, "Acme", clock=clock)
    db.commit()
    assert not _done(db, ada)["invite_teammate"]  # an organization alone is no teammate
    organizations.invite(db, ada.id, org.id, "carol@example.com", clock=clock)
    db.commit()
    dashboard.skip_plan_step(db, ada.id, clock)
    db.commit()

    state = dashboard.onboarding(db, ada.id)
    assert all(s.done for s in state.steps) and state.done == 4
    assert not state.visible
    assert _done(db, bob) == {"verify_email": True, "first_task": False, "invite_teammate": False, "choose_plan": False}


def test_an_unverified_email_is_not_ticked(db, clock):
    accounts.sign_up(
        db, name="Nina", email="nina@example.com", password="a long and unusual passphrase", meta=META, clock=clock
    )
    db.commit()
    nina = db.exec(select(User).where(User.email == "nina@example.com")).one()
    step = dashboard.onboarding(db, nina.id).steps[0]
    assert (step.key, step.done) == ("verify_email", False)
    assert "nina@example.com" in step.hint


def test_a_paid_subscription_ticks_choose_a_plan_and_a_free_one_does_not(db, clock, ada):
    db.add(Subscription(user_id=ada.id, plan="free", status=""))
    db.commit()
    assert not _done(db, ada)["choose_plan"]
    account = db.get(Subscription, db.exec(select(Subscription.id)).one())
    account.plan, account.status = "professional", "active"
    db.commit()
    assert _done(db, ada)["choose_plan"]


def test_being_in_an_organization_with_someone_counts_as_a_teammate(db, clock, ada, bob):
    org = organizations.create(db, bob.id, "Bob's team", clock=clock)
    invited = organizations.invite(db, bob.id, org.id, "ada@example.com", clock=clock)
    db.commit()
    assert not _done(db, ada)["invite_teammate"]
    organizations.accept(db, ada.id, invited.invitation.id, clock)
    db.commit()
    assert _done(db, ada)["invite_teammate"]


def test_dismissing_the_checklist_is_remembered_per_user_and_announced(db, clock, ada, bob, monkeypatch):
    heard: list = []
    monkeypatch.setattr(live, "publish", lambda user_id, topics: heard.append((user_id, topics)))
    dashboard.dismiss_checklist(db, ada.id, clock)
    db.commit()
    assert not dashboard.onboarding(db, ada.id).visible
    assert dashboard.onboarding(db, bob.id).visible
    assert (ada.id, frozenset({dashboard.TOPIC})) in heard
    dashboard.dismiss_checklist(db, ada.id, clock)  # twice is harmless
    db.commit()
    assert not dashboard.onboarding(db, ada.id).visible


def test_summary_puts_it_together_for_the_chosen_range(db, clock, ada):
    _task(db, ada, NOW - timedelta(hours=1))
    result = dashboard.summary(db, ada.id, "30", clock)
    assert result.range_days == 30 and len(result.chart) == 30
    assert result.has_tasks and result.stats.tasks_total == 1
    assert result.timezone == "America/New_York"
    assert [r.title for r in result.recent_tasks] == ["Write the report"]
