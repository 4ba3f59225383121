"""The Reflex internals FluxKit reads, checked against the real Reflex objects.

If a Reflex upgrade renames or reshapes them, these fail (instead of live updates silently
reaching no tab).
"""

from __future__ import annotations

from types import SimpleNamespace

from reflex.app import EventNamespace
from reflex.utils.token_manager import SocketRecord

from fluxkit.state import reflex_adapter


def _app_with_namespace():
    app = SimpleNamespace(_state=None, event_namespace=None)
    app.event_namespace = EventNamespace("/_event", app)
    return app


async def test_a_tab_whose_websocket_connects_here_is_found_and_one_that_left_is_not():
    app = _app_with_namespace()
    assert reflex_adapter.tabs_connected_here(app) == frozenset()

    await app.event_namespace.link_token_to_sid("sid-1", "tab-1", update_state=False)
    await app.event_namespace.link_token_to_sid("sid-2", "tab-2", update_state=False)
    assert reflex_adapter.tabs_connected_here(app) == {"tab-1", "tab-2"}

    await app.event_namespace._token_manager.disconnect_token("tab-2", "sid-2")
    assert reflex_adapter.tabs_connected_here(app) == {"tab-1"}


async def test_a_tab_connected_through_another_worker_is_not_counted_here():
    app = _app_with_namespace()
    await app.event_namespace.link_token_to_sid("sid-1", "tab-here", update_state=False)
    # What a Redis token manager records for a socket another worker holds.
    app.event_namespace._token_manager.token_to_socket["tab-there"] = SocketRecord(instance_id="other", sid="sid-x")
    assert reflex_adapter.tabs_connected_here(app) == {"tab-here"}


def test_no_namespace_yet_means_no_tab():
    assert reflex_adapter.tabs_connected_here(SimpleNamespace(event_namespace=None)) == frozenset()


async def test_an_event_sent_to_a_tab_goes_down_its_socket_with_its_name_and_payload():
    app = _app_with_namespace()
    await app.event_namespace.link_token_to_sid("sid-1", "tab-1", update_state=False)
    emitted = []

    async def emit(event, data=None, to=None, **kwargs):
        emitted.append((event, data, to))

    app.event_namespace.emit = emit  # python-socketio's public send; no server in this test
    await reflex_adapter.send_event(app, "tab-1", "state.shell_state.live", {"topics": ["tasks"]})

    [(event, update, to)] = emitted
    assert to == "sid-1"
    [sent] = update.events
    assert (sent.name, sent.payload) == ("state.shell_state.live", {"topics": ["tasks"]})


def test_event_names_resolve_to_their_handlers_and_unknown_ones_to_none():
    from reflex.state import State

    import fluxkit.fluxkit  # noqa: F401 - registers every state
    from fluxkit.state.tasks.columns import TaskColumnsStorage
    from fluxkit.state.tasks.page import TasksState

    full = TasksState.get_full_name()
    assert reflex_adapter.handler_of(State, f"{full}.toggle_column") == (TasksState, "toggle_column")
    assert reflex_adapter.handler_of(TasksState, f"{full}.toggle_column") == (TasksState, "toggle_column")
    assert reflex_adapter.handler_of(State, f"{State.get_full_name()}.set_is_hydrated") == (State, "set_is_hydrated")
    for name in (f"{full}.no_such_handler", "nope.toggle_column", f"{full}x.load", "", 3):
        assert reflex_adapter.handler_of(State, name) is None

    # What the browser keeps: Reflex's update_vars_internal keys name a state and the var.
    stored = f"{TaskColumnsStorage.get_full_name()}.saved_rx_state_"
    assert reflex_adapter.client_storage_type(stored) is str
    assert reflex_adapter.client_storage_type(f"{full}.search_rx_state_") is None  # not browser-stored
    assert reflex_adapter.client_storage_type("no.such.state.saved") is None

    # setvar reaches only vars with a setter; never backend vars.
    assert reflex_adapter.settable_var_type(State, "is_hydrated") is bool
    assert reflex_adapter.settable_var_type(TasksState, "_owner_session_id") is None
    assert reflex_adapter.settable_var_type(TasksState, "no_such_var") is None
