"""The command palette through its state: pages, actions, only my own tasks and mail, keys, running a result."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fluxkit.models import User
from fluxkit.navigation import SETTINGS_PAGES
from fluxkit.services import calendar, mailbox, tasks, user_time
from fluxkit.state.palette import THEME_TOGGLE_ID, PaletteState
from fluxkit.state.shell import ShellState
from fluxkit.state.tasks.page import TasksState
from tests.support.states import call, make_root, redirect_targets, substate, texts


def palette(token, path: str = "/dashboard") -> PaletteState:
    return substate(make_root(token, path), PaletteState)


def labels(state: PaletteState, kind: str | None = None) -> list[str]:
    return [item.label for item in state.items if kind is None or item.kind == kind]


@pytest.fixture
def tab(alice):
    _, token, _ = alice
    return palette(token)


async def test_opening_lists_every_page_and_action(tab):
    await call(tab, "toggle")
    assert tab.open and tab.query == "" and tab.active == 0
    pages = labels(tab, "page")
    assert pages[0] == "Dashboard" and "Tasks" in pages and "FAQs" in pages and "Settings" in pages
    assert "Users" not in pages  # admin-only pages are not offered to everyone
    assert labels(tab, "action") == ["New task", "Toggle theme", "Sign out"]
    assert [item.section for item in tab.items if item.section] == ["Pages", "Actions"]
    assert labels(tab, "task") == []  # no search yet: none of the user's data
    await call(tab, "toggle")  # Ctrl+K again closes it
    assert not tab.open and tab.items == []


async def test_an_admin_is_offered_the_admin_pages(db, alice):
    user, token, _ = alice
    account = db.get(User, user.id)
    account.role = "admin"
    db.add(account)
    db.commit()
    state = palette(token)
    await call(state, "open_palette")
    assert "Users" in labels(state, "page")


async def test_search_finds_only_my_tasks(db, tab, alice, bob):
    for title in ("Quarterly report draft", "Report the bug upstream", "Water the plants"):
        tasks.create_task(db, alice[0].id, {"title": title})
    tasks.create_task(db, bob[0].id, {"title": "Bob's secret report"})
    db.commit()
    await call(tab, "open_palette")
    await call(tab, "set_query", "REPORT")
    assert sorted(labels(tab, "task")) == ["Quarterly report draft", "Report the bug upstream"]
    assert not any("Bob" in item.label or "Bob" in item.detail for item in tab.items)
    assert [item.section for item in tab.items if item.section] == ["Tasks"]
    # Bob's palette finds his and only his.
    bob_tab = palette(bob[1])
    await call(bob_tab, "open_palette")
    await call(bob_tab, "set_query", "report")
    assert labels(bob_tab, "task") == ["Bob's secret report"]


async def test_search_finds_my_mail_and_opens_it(db, tab, alice, bob):
    mailbox.send(
        db, bob[0].id, {"to": ["alice@example.com"], "subject": "Budget for the offsite", "body": "Numbers inside."}
    )
    mailbox.send(db, bob[0].id, {"to": ["bob@example.com"], "subject": "Budget note to self"})
    db.commit()
    await call(tab, "open_palette")
    await call(tab, "set_query", "budget")
    assert labels(tab, "mail") == ["Budget for the offsite"]
    index = labels(tab).index("Budget for the offsite")
    copy_id = mailbox.list_folder(db, alice[0].id, "inbox").rows[0].id
    assert redirect_targets(await call(tab, "choose", index)) == [f"/mail?folder=inbox&open={copy_id}"]
    assert not tab.open


async def test_search_finds_events_i_organise_or_am_invited_to(db, tab, alice, bob):
    today = user_time.today_for(db, alice[0].id)
    soon = (today + timedelta(days=3)).isoformat()
    mine = calendar.create_event(db, alice[0].id, {"title": "Design review", "start": f"{soon}T09:00"}).id
    invited = calendar.create_event(
        db, bob[0].id, {"title": "Design sprint kickoff", "start": f"{soon}T11:00", "attendees": [alice[0].id]}
    ).id
    calendar.create_event(db, bob[0].id, {"title": "Design secrets (Bob only)", "start": f"{soon}T13:00"})
    weekly = calendar.create_event(
        db,
        alice[0].id,
        {"title": "Design standup", "start": f"{today.isoformat()}T08:00", "repeat": "weekly", "repeat_count": 10},
    ).id
    db.commit()
    await call(tab, "open_palette")
    await call(tab, "set_query", "design")
    assert labels(tab, "event") == [
        "Design standup",
        "Design review",
        "Design sprint kickoff",
    ]  # one line per series, soonest first
    assert [item.section for item in tab.items if item.section] == ["Events"]
    targets = []
    for index in range(3):
        await call(tab, "open_palette")
        await call(tab, "set_query", "design")
        targets += redirect_targets(await call(tab, "choose", index))
    assert targets == [f"/calendar?event={weekly}", f"/calendar?event={mine}", f"/calendar?event={invited}"]


async def test_typing_a_page_name_and_enter_goes_there(tab):
    await call(tab, "toggle")
    await call(tab, "set_query", "faq")
    assert labels(tab) == ["FAQs"]
    assert redirect_targets(await call(tab, "run_active")) == ["/faqs"]
    assert not tab.open and tab.query == ""


async def test_arrows_move_the_highlight_and_wrap(tab):
    await call(tab, "toggle")
    count = len(tab.items)
    await call(tab, "move", 1)
    await call(tab, "move", 1)
    assert tab.active == 2
    await call(tab, "move", -1)
    await call(tab, "move", -1)
    await call(tab, "move", -1)
    assert tab.active == count - 1
    await call(tab, "move", 7)  # not an arrow: ignored
    assert tab.active == count - 1
    assert redirect_targets(await call(tab, "run_active")) == []  # the last item: Sign out
    # A new search highlights its first result again.
    await call(tab, "toggle")
    await call(tab, "move", 1)
    await call(tab, "set_query", "settings")
    assert tab.active == 0 and labels(tab)[0] == "Settings"
    # Each settings sub-page is a page of its own in the palette.
    assert labels(tab)[1:] == [f"Settings: {label}" for label, _slug, _icon in SETTINGS_PAGES]


async def test_a_settings_sub_page_is_found_by_name(tab):
    await call(tab, "toggle")
    await call(tab, "set_query", "api keys")
    assert labels(tab)[0] == "Settings: API keys"
    assert redirect_targets(await call(tab, "run_active")) == ["/settings/api-keys"]


async def test_a_task_result_opens_that_task(db, tab, alice):
    row = tasks.create_task(db, alice[0].id, {"title": "Renew the domain"})
    db.commit()
    await call(tab, "toggle")
    await call(tab, "set_query", "domain")
    index = labels(tab).index("Renew the domain")
    assert redirect_targets(await call(tab, "choose", index)) == [f"/tasks?task={row.id}"]
    # Already on /tasks: the details open in place.
    on_tasks = palette(alice[1], "/tasks")
    await call(on_tasks, "toggle")
    await call(on_tasks, "set_query", "domain")
    [event] = await call(on_tasks, "choose", labels(on_tasks).index("Renew the domain"))
    assert event.handler == TasksState.open_details and [v._var_value for _, v in event.args] == [row.id]


async def test_actions(tab, alice):
    await call(tab, "toggle")
    await call(tab, "set_query", "theme")
    assert labels(tab) == ["Toggle theme"]
    assert THEME_TOGGLE_ID in texts(await call(tab, "run_active"))

    await call(tab, "toggle")
    await call(tab, "set_query", "sign out")
    out = await call(tab, "run_active")
    assert out == [ShellState.sign_out]

    # New task from another page: go to /tasks, where the dialog opens once the page has loaded.
    await call(tab, "toggle")
    await call(tab, "set_query", "new task")
    assert redirect_targets(await call(tab, "run_active")) == ["/tasks"]
    assert await call(tab, "resume") == [TasksState.open_new]
    assert await call(tab, "resume") == []  # only once
    # On /tasks already: the dialog opens at once.
    on_tasks = palette(alice[1], "/tasks")
    await call(on_tasks, "toggle")
    await call(on_tasks, "set_query", "new task")
    assert await call(on_tasks, "run_active") == [TasksState.open_new]


async def test_out_of_range_and_closed_choices_do_nothing(tab):
    await call(tab, "toggle")
    for index in (-1, len(tab.items), 10_000):
        assert await call(tab, "choose", index) == []
    assert tab.open
    await call(tab, "set_open", False)  # Esc
    assert not tab.open
    assert await call(tab, "choose", 0) == [] and await call(tab, "run_active") == []


async def test_each_search_re_checks_who_is_signed_in(db, alice):
    user, token, identity = alice
    tasks.create_task(db, user.id, {"title": "Private plan"})
    db.commit()
    state = palette(token)
    await call(state, "toggle")
    from fluxkit.services import sessions

    sessions.revoke(db, user.id, identity.session.id)
    db.commit()
    out = await call(state, "set_query", "private")
    assert redirect_targets(out) == ["/sign-in?redirect=/dashboard"]
    assert "Private plan" not in labels(state)
