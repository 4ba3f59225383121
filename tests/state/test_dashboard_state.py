"""Dashboard state: loads the user's own figures, switches the chart's range, follows live changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fluxkit.models import User
from fluxkit.services import calendar, mailbox, notifications, tasks
from fluxkit.state.dashboard import DashboardState
from fluxkit.state.shell import ShellState
from tests.support.states import call, make_root, redirect_targets, substate


def _dashboard(token: str) -> DashboardState:
    return substate(make_root(token), DashboardState)


async def test_load_shows_the_users_own_figures_and_lists(db, alice, bob):
    alice_user, token, _ = alice
    bob_user, _, _ = bob
    for title, status in (("Plan", "pending"), ("Build", "in progress"), ("Ship", "completed"), ("Tell", "completed")):
        tasks.create_task(db, alice_user.id, {"title": title, "status": status})
    tasks.create_task(db, bob_user.id, {"title": "Bob's secret"})
    mailbox.send(db, bob_user.id, {"to": "alice@example.com", "subject": "Hi", "body": "Hello"})
    db.commit()

    page = _dashboard(token)
    await call(page, "load")

    assert page.loaded and page.name == "Alice"
    assert (page.tasks_total, page.tasks_pending, page.tasks_in_progress, page.completion_rate) == (4, 1, 1, 50)
    assert page.unread_mail == 1
    assert sorted(t.title for t in page.recent_tasks) == ["Build", "Plan", "Ship", "Tell"]
    assert page.range_days == "7" and len(page.chart) == 7
    assert page.chart[-1].created == 4 and page.chart_created == 4 and page.chart_completed == 2
    assert page.has_tasks


async def test_switching_the_range_reloads_the_chart_and_a_bad_range_changes_nothing(db, alice):
    alice_user, token, _ = alice
    tasks.create_task(db, alice_user.id, {"title": "One"})
    db.commit()
    page = _dashboard(token)
    await call(page, "load")

    await call(page, "set_range", "90")
    assert page.range_days == "90" and len(page.chart) == 90 and page.chart_created == 1

    out = await call(page, "set_range", "12")
    assert page.range_days == "90" and len(page.chart) == 90
    assert "7, 30 or 90" in str(out)

    await call(page, "refresh")  # a live reload keeps the chosen range
    assert len(page.chart) == 90


async def test_a_change_elsewhere_reaches_the_open_dashboard_through_the_live_topics(db, alice):
    alice_user, token, _ = alice
    root = make_root(token)
    page = substate(root, DashboardState)
    await call(page, "load")
    assert page.tasks_total == 0 and page.recent_tasks == []

    # Each topic the dashboard shows reloads it in place when announced.
    tasks.create_task(db, alice_user.id, {"title": "Made in another tab"})
    db.commit()
    await call(substate(root, ShellState), "live", ["tasks"])
    assert page.tasks_total == 1 and [t.title for t in page.recent_tasks] == ["Made in another tab"]

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    calendar.create_event(db, alice_user.id, {"title": "Review", "start": f"{tomorrow}T09:00"})
    db.commit()
    await call(substate(root, ShellState), "live", ["calendar"])
    assert [e.title for e in page.upcoming_events] == ["Review"]

    notifications.notify(db, alice_user.id, "system", "Hello", "Something happened.")
    db.commit()
    before = page.unread_notifications
    await call(substate(root, ShellState), "live", ["notifications"])
    assert page.unread_notifications == before + 1

    tasks.create_task(db, alice_user.id, {"title": "Second"})
    db.commit()
    await call(substate(root, ShellState), "live", ["mail"])  # any of its topics reloads all of it
    assert page.tasks_total == 2


async def test_refresh_does_nothing_in_a_tab_that_never_showed_the_dashboard(db, alice):
    alice_user, token, _ = alice
    page = _dashboard(token)
    tasks.create_task(db, alice_user.id, {"title": "Elsewhere"})
    db.commit()
    await call(page, "refresh")
    assert not page.loaded and page.tasks_total == 0


async def test_the_checklist_shows_for_a_new_user_and_can_be_skipped_and_dismissed(db, alice, bob):
    _, token, _ = alice
    page = _dashboard(token)
    await call(page, "load")
    assert page.show_checklist
    assert {s.key: s.done for s in page.steps} == {
        "verify_email": True,
        "first_task": False,
        "invite_teammate": False,
        "choose_plan": False,
    }
    assert page.steps_done == 1 and [s.key for s in page.steps if s.dismissible] == ["choose_plan"]

    await call(page, "skip_plan_step")
    assert page.steps_done == 2 and page.show_checklist

    out = await call(page, "dismiss_checklist")
    assert not page.show_checklist and "hidden" in str(out)
    again = _dashboard(token)  # another tab, or after a reload: still hidden
    await call(again, "load")
    assert not again.show_checklist

    bob_page = _dashboard(bob[1])
    await call(bob_page, "load")
    assert bob_page.show_checklist  # Alice's choice is hers alone


async def test_an_unverified_users_checklist_shows_the_step_open(db, alice):
    alice_user, token, _ = alice
    db.get(User, alice_user.id).email_verified = False
    db.commit()
    page = _dashboard(token)
    await call(page, "load")
    assert not page.steps[0].done and page.steps_done == 0


async def test_every_handler_sends_a_signed_out_tab_to_sign_in(db, alice):
    page = _dashboard(None)
    for name, args in (
        ("load", ()),
        ("refresh", ()),
        ("set_range", ("30",)),
        ("dismiss_checklist", ()),
        ("skip_plan_step", ()),
    ):
        out = await call(page, name, *args)
        assert redirect_targets(out) == ["/sign-in?redirect=/dashboard"], name
    assert not page.loaded and page.tasks_total == 0
