"""Live updates reach the user's own open tabs, and only theirs, after commit."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from fluxkit.db import session_scope
from fluxkit.services import tasks
from fluxkit.state import live
from fluxkit.state.shell import ShellState
from tests.state.conftest import call, make_root, substate


class FakeNamespace:
    def __init__(self, tokens):
        record = SimpleNamespace(instance_id="here", sid="sid")
        self._token_manager = SimpleNamespace(token_to_socket={t: record for t in tokens}, instance_id="here")
        self.sent = []

    async def emit_update(self, update, token):
        self.sent.append((token, update))


async def test_a_commit_sends_a_live_event_to_each_open_tab_of_that_user(db, alice, bob):
    alice_user, alice_token, _ = alice
    bob_user, _, _ = bob
    live.register_tab(alice_user.id, "alice-tab-1")
    live.register_tab(alice_user.id, "alice-tab-2")
    live.register_tab(bob_user.id, "bob-tab")
    namespace = FakeNamespace(["alice-tab-1", "alice-tab-2", "bob-tab"])
    relay = asyncio.create_task(live.relay(SimpleNamespace(event_namespace=namespace)))
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
    await live._notify_tabs(SimpleNamespace(event_namespace=FakeNamespace([])), user.id, frozenset({"tasks"}))
    assert "gone-tab" not in live.tabs_of(user.id)


async def test_the_live_event_reloads_the_registered_page_handlers(db, alice):
    _, token, _ = alice
    shell = substate(make_root(token), ShellState)
    live.on_change("test-topic", ShellState.load)
    out = await call(shell, "live", ["test-topic", "unknown", 7])
    assert out == [[ShellState.load]]
    assert await call(substate(make_root(None), ShellState), "live", ["test-topic"]) != [[ShellState.load]]
