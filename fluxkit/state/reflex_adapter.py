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
