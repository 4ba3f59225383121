"""The tasks table's hidden columns survive a reload, per user, in this browser only."""

from __future__ import annotations

import json

from fluxkit.state.tasks.columns import MAX_USERS, TaskColumnsStorage
from fluxkit.state.tasks.page import DEFAULT_HIDDEN, TasksState
from tests.support.states import call, make_root, substate


def open_tasks(token, saved: str = ""):
    """A fresh tab on /tasks whose browser holds `saved` in localStorage (as hydrate applies it)."""
    root = make_root(token, "/tasks")
    substate(root, TaskColumnsStorage).saved = saved
    return substate(root, TasksState), substate(root, TaskColumnsStorage)


async def test_hidden_columns_come_back_after_a_reload(db, alice):
    _, token, _ = alice
    state, storage = open_tasks(token)
    await call(state, "load")
    assert state.hidden_columns == DEFAULT_HIDDEN
    await call(state, "toggle_column", "category")
    await call(state, "toggle_column", "updated")  # shown again
    assert state.hidden_columns == ["category"]

    # Reload: a new tab, the browser sends back what the server stored.
    reloaded, reloaded_storage = open_tasks(token, storage.saved)
    await call(reloaded, "load")
    assert reloaded.hidden_columns == ["category"]

    # Showing every column is remembered too (not the default).
    await call(reloaded, "toggle_column", "category")
    again, _ = open_tasks(token, reloaded_storage.saved)
    await call(again, "load")
    assert again.hidden_columns == []


async def test_what_the_browser_sends_is_validated(db, alice):
    user, token, _ = alice
    tampered = json.dumps({str(user.id): ["priority", "password_hash", 7, {"x": 1}, "updated", "priority"]})
    state, _ = open_tasks(token, tampered)
    await call(state, "load")
    assert state.hidden_columns == ["priority", "updated"]

    for broken in ("not json", "[1, 2]", json.dumps({str(user.id): "status"}), json.dumps({str(user.id): None})):
        state, _ = open_tasks(token, broken)
        await call(state, "load")
        assert state.hidden_columns == DEFAULT_HIDDEN, broken

    # A broken entry is replaced by a good one on the next change.
    state, storage = open_tasks(token, "not json")
    await call(state, "load")
    await call(state, "toggle_column", "due")
    assert json.loads(storage.saved) == {str(user.id): ["updated", "due"]}


async def test_each_user_of_a_browser_has_their_own_choice(db, alice, bob):
    alice_user, alice_token, _ = alice
    bob_user, bob_token, _ = bob
    state, storage = open_tasks(alice_token)
    await call(state, "load")
    await call(state, "toggle_column", "status")

    # Bob signs in on the same browser: Alice's choice is not his.
    bobs, bob_storage = open_tasks(bob_token, storage.saved)
    await call(bobs, "load")
    assert bobs.hidden_columns == DEFAULT_HIDDEN
    await call(bobs, "toggle_column", "priority")
    saved = json.loads(bob_storage.saved)
    assert saved[str(bob_user.id)] == ["updated", "priority"]
    assert saved[str(alice_user.id)] == ["updated", "status"]  # kept for Alice

    alices, _ = open_tasks(alice_token, bob_storage.saved)
    await call(alices, "load")
    assert alices.hidden_columns == ["status", "updated"]


async def test_the_entry_stays_small(db, alice):
    user, token, _ = alice
    many = json.dumps({str(10_000 + i): ["status"] for i in range(MAX_USERS + 5)})
    state, storage = open_tasks(token, many)
    await call(state, "load")
    await call(state, "toggle_column", "due")
    saved = json.loads(storage.saved)
    assert len(saved) == MAX_USERS
    assert list(saved)[-1] == str(user.id)


async def test_no_session_changes_nothing_in_the_browser(db, alice):
    user, _, _ = alice
    before = json.dumps({str(user.id): ["status"]})
    state, storage = open_tasks(None, before)
    out = await call(state, "toggle_column", "priority")
    assert storage.saved == before
    assert out and state.hidden_columns == DEFAULT_HIDDEN


async def test_a_stored_value_that_is_not_text_counts_as_none(db, alice):
    """Set by an event from before the argument gate (or any other way): no error, defaults."""
    _, token, _ = alice
    for stored in (123, ["updated"], {"1": ["updated"]}, None):
        state, storage = open_tasks(token)
        storage.saved = stored
        out = await call(state, "load")
        assert state.loaded and state.hidden_columns == DEFAULT_HIDDEN, stored
        assert not any("error" in str(event).lower() for event in out)
        await call(state, "toggle_column", "due")
        assert isinstance(storage.saved, str) and "due" in storage.saved
