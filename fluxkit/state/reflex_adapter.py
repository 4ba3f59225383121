"""Every use of a Reflex internal, in one place.

Reflex has no public way to ask which tabs have their websocket on this worker, so live
updates read the event namespace's token manager here. Reflex may change these internals in
any release: tests/state/test_reflex_adapter.py runs these functions against the real
Reflex objects, so an upgrade that breaks them fails that test instead of silently
stopping live updates. Nothing else in fluxkit/ may read a private Reflex attribute.
"""

from __future__ import annotations

from typing import Any

from reflex.event import Event
from reflex.state import StateUpdate
from reflex_base.event.context import EventContext


def current_event_id() -> str | None:
    """The id of the event being processed, or None outside one (a test, a script, a job).

    From `reflex_base.event.context`, the module Reflex's own app and state code use:
    `reflex.event.context` resolves to a second copy of that module with its own ContextVar,
    which never sees the event Reflex runs (per-event reuse then silently stops).
    """
    try:
        return EventContext.get().txid or None
    except LookupError:
        return None


def tabs_connected_here(app: Any) -> frozenset[str]:
    """The client tokens whose websocket is connected to this worker (none before it serves)."""
    namespace = app.event_namespace
    if namespace is None:
        return frozenset()
    manager = namespace._token_manager  # Reflex's TokenManager (local, or shared with Redis)
    here = manager.instance_id
    return frozenset(token for token, record in manager.token_to_socket.items() if record.instance_id == here)


async def send_event(app: Any, token: str, name: str, payload: dict[str, Any]) -> None:
    """Make the tab `token` run the event `name` (a full handler name) as if it sent it."""
    update = StateUpdate(events=[Event(name=name, payload=payload)])
    await app.event_namespace.emit_update(update, token)


# ---- the argument gate (fluxkit/state/event_args.py) ----------------------------------------------


def handler_of(state_cls: type, event_name: str) -> tuple[type, str] | None:
    """(the state class, the handler's name) an event name such as "<root>.<sub>...<handler>" targets.

    None when it names no handler of this app (Reflex answers those itself). Event names are
    full state paths from the root state (`BaseState.get_full_name()`), a dot before the handler.
    """
    if not isinstance(event_name, str):
        return None
    path, _, name = event_name.rpartition(".")
    root = state_cls.get_root_state()
    parts = path.split(".")
    if not parts or parts[0] != root.get_name():
        return None
    try:
        cls = root.get_class_substate(tuple(parts[1:])) if len(parts) > 1 else root
    except ValueError:
        return None
    return (cls, name) if name in cls.event_handlers else None


def settable_var_type(state_cls: type, var_name: object) -> object | None:
    """The type of the var `setvar(var_name, ...)` would set on `state_cls`, or None if it cannot."""
    from reflex_base.constants import SETTER_PREFIX

    if not isinstance(var_name, str) or var_name not in state_cls.base_vars:
        return None
    if not callable(getattr(state_cls, SETTER_PREFIX + var_name, None)):
        return None
    field = state_cls.get_fields().get(var_name)
    return field.outer_type_ if field is not None else None


def client_storage_type(full_name: str) -> object | None:
    """The type of the browser-stored var "<state full name>.<var>" (Reflex's update_vars_internal
    keys), or None when it names none."""
    from reflex.state import State
    from reflex_base.constants.state import FIELD_MARKER

    state_name, _, var_name = full_name.rpartition(".")
    var_name = var_name.removesuffix(FIELD_MARKER)
    try:
        cls = State.get_class_substate(state_name)
    except (ValueError, AttributeError, KeyError):
        return None
    if not cls._is_client_storage(var_name):
        return None
    return cls.get_fields()[var_name].outer_type_
