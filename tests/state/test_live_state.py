"""Live updates reach the user's own open tabs, and only theirs, after commit."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from fluxkit.db import session_scope
from fluxkit.services import tasks, topics
from fluxkit.state import live
from fluxkit.state.billing import BillingState
from fluxkit.state.shell import ShellState
from fluxkit.state.tasks.page import TasksState
from tests.support.states import FakeNamespace, call, make_root, redirect_targets, substate


async def test_a_commit_sends_a_live_event_to_each_open_tab_of_that_user(db, alice, bob):
    alice_user, alice_token, _ = alice
    bob_user, _, _ = bob
    live.register_tab(alice_user.id, "alice-tab-1")
    live.register_tab(alice_user.id, "alice-tab-2")
    live.register_tab(bob_user.id, "bob-tab")
    namespace = FakeNamespace(["alice-tab-1", "alice-tab-2", "bob-tab"])
    relay = asyncio.create_task(live.relay(SimpleNamespace(event_namespace=namespace), ShellState.live))
    await asyncio.sleep(0.05)
    try:
        with session_scope() as session:
            tasks.create_task(session, alice_user.id, {"title": "From the API"})
            await asyncio.sleep(0.05)
            assert namespace.sent == []  # nothing before commit
        for _ in range(50):
            if len(namespace.sent) == 2:
                break
            await asyncio.sleep(0.01)
    finally:
        relay.cancel()
        for user, token in ((alice_user.id, "alice-tab-1"), (alice_user.id, "alice-tab-2"), (bob_user.id, "bob-tab")):
            live.forget_tab(user, token)
    assert sorted(token for token, _ in namespace.sent) == ["alice-tab-1", "alice-tab-2"]
    [event] = namespace.sent[0][1].events
    assert event.name.endswith("shell_state.live")
    assert event.payload == {"topics": ["tasks"]}


async def test_closed_tabs_are_forgotten(db, alice):
    user, _, _ = alice
    live.register_tab(user.id, "gone-tab")
    app = SimpleNamespace(event_namespace=FakeNamespace([]))
    await live._notify_tabs(app, user.id, frozenset({"tasks"}), "shell.live")
    assert "gone-tab" not in live.tabs_of(user.id)


async def test_the_live_event_reloads_the_registered_page_handlers_in_the_same_event(db, alice, monkeypatch):
    """The pages' reload handlers run inside the live event (one round trip, one delta)."""
    monkeypatch.setattr(topics, "ALL", topics.ALL | {"test-topic"})  # a topic of this test's own
    user, token, _ = alice
    root = make_root(token, "/tasks")
    tasks_page = substate(root, TasksState)
    await call(tasks_page, "load")
    assert tasks_page.total == 0
    tasks.create_task(db, user.id, {"title": "Made in another tab"})
    db.commit()

    live.on_change("test-topic", TasksState.refresh)
    out = await call(substate(root, ShellState), "live", ["test-topic", "unknown", 7])
    assert out == []  # nothing left for the tab to send back
    assert (tasks_page.total, [r.title for r in tasks_page.rows]) == (1, ["Made in another tab"])
    signed_out = await call(substate(make_root(None), ShellState), "live", ["test-topic"])
    assert redirect_targets(signed_out) and substate(make_root(None), TasksState).total == 0


async def test_a_live_handler_that_waits_on_something_slow_is_sent_back_to_the_tab(db, alice, monkeypatch):
    _, token, _ = alice
    monkeypatch.setattr(topics, "ALL", topics.ALL | {"slow-topic"})
    live.on_change("slow-topic", BillingState.refresh)  # yields, then asks Stripe for invoices
    out = await call(substate(make_root(token), ShellState), "live", ["slow-topic"])
    assert out == [[BillingState.refresh]]


async def test_a_task_changed_elsewhere_shows_on_an_open_calendar(db, alice):
    """The calendar shows the tasks due in its range, so a tasks change refreshes it too."""
    from fluxkit.state.calendar.page import CalendarState

    user, token, _ = alice
    root = make_root(token, "/calendar?view=month&date=2026-12-15")
    page = substate(root, CalendarState)
    await call(page, "load")
    assert "Pay the rent" not in repr(page.month_cells)
    tasks.create_task(db, user.id, {"title": "Pay the rent", "due_date": "2026-12-09"})
    db.commit()
    await call(substate(root, ShellState), "live", ["tasks"])
    by_day = {c.date: [o.title for o in c.shown] for c in page.month_cells}
    assert by_day["2026-12-09"] == ["Pay the rent"]


async def test_a_live_event_rereads_only_what_the_tab_shows(db, alice):
    """A /tasks tab re-reads its tasks on a change, not the calendar it showed before;
    going back to the calendar reads it afresh."""
    from fluxkit.state.calendar.page import CalendarState

    user, token, _ = alice
    root = make_root(token, "/calendar")
    calendar = substate(root, CalendarState)
    await call(calendar, "load")
    stale_before = repr(calendar.month_cells)
    root.router = make_root(token, "/tasks").router
    tasks_page = substate(root, TasksState)
    await call(tasks_page, "load")

    tasks.create_task(db, user.id, {"title": "Seen on the tasks page", "due_date": calendar.anchor})
    db.commit()
    await call(substate(root, ShellState), "live", ["tasks"])
    assert [r.title for r in tasks_page.rows] == ["Seen on the tasks page"]
    assert repr(calendar.month_cells) == stale_before  # not on screen: not re-read

    root.router = make_root(token, "/calendar").router
    await call(calendar, "load")
    assert "Seen on the tasks page" in repr(calendar.month_cells)


async def test_the_tab_that_made_a_change_does_not_reread_it_when_the_announcement_comes(db, alice, monkeypatch):
    """Its handler re-read after the commit; the user's other tab re-reads on the live event."""
    user, token, _ = alice
    task_id = tasks.create_task(db, user.id, {"title": "Ship it"}).id
    db.commit()
    actor_root, watcher_root = make_root(token, "/tasks"), make_root(token, "/tasks")
    actor, watcher = substate(actor_root, TasksState), substate(watcher_root, TasksState)
    await call(actor, "load")
    await call(watcher, "load")

    pages_read = []
    real_list = tasks.list_tasks
    monkeypatch.setattr(tasks, "list_tasks", lambda *a, **k: pages_read.append(1) or real_list(*a, **k))
    await call(actor, "change_status", task_id, "completed")
    assert len(pages_read) == 1 and actor.rows[0].status == "completed"

    await call(substate(actor_root, ShellState), "live", ["tasks"])
    assert len(pages_read) == 1  # the actor's tab already shows it
    await call(substate(watcher_root, ShellState), "live", ["tasks"])
    assert len(pages_read) == 2 and watcher.rows[0].status == "completed"

    # A change the actor's tab did not re-read after (the REST API, say) is re-read there.
    tasks.change_status(db, user.id, task_id, "in progress")
    db.commit()
    await call(substate(actor_root, ShellState), "live", ["tasks"])
    assert len(pages_read) == 3 and actor.rows[0].status == "in progress"


async def test_a_commit_in_another_thread_reaches_the_tabs_too(db, alice):
    """A sync handler, a job or the REST API commits outside the event loop's thread."""
    alice_user, _, _ = alice
    live.register_tab(alice_user.id, "alice-tab")
    namespace = FakeNamespace(["alice-tab"])
    relay = asyncio.create_task(live.relay(SimpleNamespace(event_namespace=namespace), ShellState.live))
    await asyncio.sleep(0.05)

    def write_elsewhere() -> None:
        with session_scope() as session:
            tasks.create_task(session, alice_user.id, {"title": "From a thread"})

    try:
        await asyncio.to_thread(write_elsewhere)
        for _ in range(50):
            if namespace.sent:
                break
            await asyncio.sleep(0.01)
    finally:
        relay.cancel()
        live.forget_tab(alice_user.id, "alice-tab")
    assert [token for token, _ in namespace.sent] == ["alice-tab"]


async def test_a_crowd_hears_a_change_in_waves_a_users_own_tabs_at_once(db, alice, monkeypatch):
    """A thousand refreshes sent at once would queue ahead of an active tab's next click."""
    monkeypatch.setattr(live, "LIVE_WINDOW", 0.2)
    monkeypatch.setattr(live, "_pacer", live._Pacer())
    user, _, _ = alice
    tokens = [f"crowd-{n}" for n in range(live.LIVE_BURST * 3)]
    for token in tokens:
        live.register_tab(user.id, token)
    namespace = FakeNamespace(tokens)
    sent_at: list[float] = []

    async def emit_update(update, token):
        sent_at.append(asyncio.get_running_loop().time())
        namespace.sent.append((token, update))

    namespace.emit_update = emit_update
    try:
        started = asyncio.get_running_loop().time()
        await live._notify_tabs(SimpleNamespace(event_namespace=namespace), user.id, frozenset({"tasks"}), "s.live")
    finally:
        for token in tokens:
            live.forget_tab(user.id, token)
    assert sorted(token for token, _ in namespace.sent) == sorted(tokens)  # every tab hears it
    first_wave = [t for t in sent_at if t - started < 0.1]
    assert len(first_wave) == live.LIVE_BURST  # a user's own few tabs would all be in it
    assert sent_at[-1] - started >= 2 * 0.2 - 0.02  # the rest followed in two more waves
