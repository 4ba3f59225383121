"""Live updates: when a user's data changes, every open tab of theirs refreshes itself.

Services announce "user N's <topic> changed" after commit (fluxkit/services/live.py),
from a page, the API or a background job. Each worker keeps the tabs that loaded a
signed-in page through it; on an announcement it sends those tabs a `ShellState.live`
event. The tab sends it straight back like any other event, so the refresh goes through
the same session gate and identity check as a click would: nothing is pushed that the
tab could not have asked for itself. With REDIS_URL, announcements reach every worker.

What a live event re-reads is kept small: only the states of the page the tab shows
(`shown_only_on`; the others are read afresh by their page's on_load), and not a state
whose last read began after this worker heard of the change (`ReloadMixin.refresh`): the
tab that made the change re-read it already.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from reflex.event import EventHandler

from fluxkit.services import live
from fluxkit.services.topics import check as check_topic
from fluxkit.settings import get_settings
from fluxkit.state import reflex_adapter

log = logging.getLogger("fluxkit.live")

# topic -> the page handlers that reload data of that topic (registered by fluxkit.py).
_handlers: dict[str, list[EventHandler]] = defaultdict(list)
# state class -> the only routes on which it is on screen (see shown_only_on).
_routes_of: dict[type, tuple[str, ...]] = {}
# user id -> client tokens of tabs that loaded a signed-in page through this worker.
_tabs: dict[int, set[str]] = defaultdict(set)


def on_change(topic: str, *handlers: EventHandler) -> None:
    check_topic(topic)
    for handler in handlers:
        if handler not in _handlers[topic]:
            _handlers[topic].append(handler)


def shown_only_on(route: str, *states: type) -> None:
    """`states` are on screen on `route` only: a tab showing another page skips their refresh.

    Nothing is lost: the page's on_load reads its state afresh when the tab goes back to it.
    It spares each live event reading (and, with Redis, fetching) the states of pages the
    tab is not showing.
    """
    for state in states:
        _routes_of[state] = (*_routes_of.get(state, ()), route)


def _on_screen(handler: EventHandler, path: str | None) -> bool:
    routes = _routes_of.get(handler.state)
    if routes is None or path is None:
        return True
    return (path.rstrip("/") or "/") in routes


def handlers_for(topics: list[str], path: str | None = None) -> list[EventHandler]:
    """The reload handlers of `topics`; with `path`, only those of states shown there."""
    found: list[EventHandler] = []
    for topic in topics:
        for handler in _handlers.get(topic, ()):
            if handler not in found and _on_screen(handler, path):
                found.append(handler)
    return found


# A change can concern many tabs at once (the FAQs: every signed-in tab; the reminder job: every
# user with a task due). Each tab that hears it sends back a refresh event, which the worker runs
# like a click; sent all at once, a thousand refreshes queue ahead of whatever an active tab asks
# next (bench/crowds.py). So a worker sends at most LIVE_BURST live events per LIVE_WINDOW
# seconds: a user's own few tabs still hear at once, a crowd hears in waves.
LIVE_BURST = 20
LIVE_WINDOW = 0.1


class _Pacer:
    def __init__(self) -> None:
        self.window_started = float("-inf")
        self.sent = 0

    async def slot(self) -> None:
        """Wait until this worker may send one more live event."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            if now - self.window_started >= LIVE_WINDOW:
                self.window_started, self.sent = now, 0
            if self.sent < LIVE_BURST:
                self.sent += 1
                return
            await asyncio.sleep(self.window_started + LIVE_WINDOW - now)


_pacer = _Pacer()


def register_tab(user_id: int, token: str) -> None:
    if token:
        _tabs[user_id].add(token)


def forget_tab(user_id: int, token: str) -> None:
    _tabs.get(user_id, set()).discard(token)


def tabs_of(user_id: int) -> set[str]:
    return set(_tabs.get(user_id, ()))


def event_name(receiver: EventHandler) -> str:
    """The name a tab's websocket knows `receiver` by (its state's full name, then its own)."""
    return f"{receiver.state_full_name}.{receiver.fn.__name__}"


async def _notify_tabs(app, user_id: int, topics: frozenset[str], name: str) -> None:
    owners = list(_tabs) if user_id == live.EVERYONE else [user_id]  # EVERYONE: every tab
    tabs = [(owner, token) for owner in owners for token in tabs_of(owner)]
    if not tabs:
        return
    connected = reflex_adapter.tabs_connected_here(app)
    for owner, token in tabs:
        if token not in connected:
            # Closed, or now connected through another worker (which has it registered).
            forget_tab(owner, token)
            continue
        await _pacer.slot()
        try:
            await reflex_adapter.send_event(app, token, name, {"topics": sorted(topics)})
        except Exception:
            log.exception("live update to a tab failed")


async def relay(app, receiver: EventHandler) -> None:
    """Lifespan task: hear announcements (local and, with Redis, from other workers) and send
    each to the user's tabs as the event `receiver` (ShellState.live, passed in by fluxkit.py)."""
    loop = asyncio.get_running_loop()
    name = event_name(receiver)

    def listener(user_id: int, topics: frozenset[str]) -> None:
        # Called from whichever thread committed; hop onto this worker's event loop (from the
        # loop's own thread, without waking it through its self-pipe: it is awake).
        def notify() -> None:
            asyncio.ensure_future(_notify_tabs(app, user_id, topics, name))

        try:
            on_loop = asyncio.get_running_loop() is loop
        except RuntimeError:
            on_loop = False
        (loop.call_soon if on_loop else loop.call_soon_threadsafe)(notify)

    unsubscribe = live.subscribe(listener)
    try:
        redis_url = get_settings().redis_url
        if redis_url:
            while True:
                try:
                    await live.relay_from_redis(redis_url)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("live relay from Redis stopped (%s); retrying", exc)
                    await asyncio.sleep(1)
        else:
            await asyncio.Event().wait()
    finally:
        unsubscribe()
