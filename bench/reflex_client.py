"""A minimal client for Reflex's websocket protocol (Engine.IO 4 / Socket.IO 5).

It connects like a browser tab (session cookie, Origin, client token), sends events and
reads the state deltas back, measuring round-trip time and delta bytes. Like the browser's
event queue, it sends back the backend events an update asks for (the page's on_load
chain, a live-update `ShellState.live` event); frontend-only events (names starting with
"_": redirects, scripts, toasts) are only recorded.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from reflex.state import State

NAMESPACE = "/_event"
# What a tab sends first on every (re)connect: the state snapshot and the page's on_load chain.
HYDRATE_AND_LOAD = f"{State.get_full_name()}.hydrate_and_load"


@dataclass
class Reply:
    seconds: float
    delta_bytes: int  # websocket frames of the updates that carry a state delta
    updates: list[dict] = field(default_factory=list)
    wire_bytes: int = 0  # every frame received, events-only ones too

    def add(self, update: dict, size: int, seconds: float) -> None:
        self.updates.append(update)
        self.wire_bytes += size
        if update.get("delta"):
            self.delta_bytes += size
        self.seconds = seconds

    def delta(self) -> dict:
        merged: dict = {}
        for update in self.updates:
            for state, values in (update.get("delta") or {}).items():
                merged.setdefault(state, {}).update(values)
        return merged

    def events(self) -> list[dict]:
        """Every event the updates carried (backend and frontend ones)."""
        return [event for update in self.updates for event in update.get("events") or []]


_MISSING = object()


def var(delta: dict, state: str, name: str, default=_MISSING):
    """A var's value in a (merged) delta; Reflex 0.10 suffixes var names with "_rx_state_"."""
    values = delta.get(state) or {}
    for key in (name, f"{name}_rx_state_"):
        if key in values:
            return values[key]
    if default is _MISSING:
        raise KeyError(f"{state}.{name} is not in the delta")
    return default


class ReflexTab:
    def __init__(
        self, base_url: str, cookie: str | None, path: str, *, follow: bool = True, headers: dict | None = None
    ):
        self.base_url = base_url.rstrip("/")
        self.cookie = cookie
        self.path = path
        self.follow = follow  # send back the backend events updates ask for, like a browser
        self.headers = dict(headers or {})
        self.token = str(uuid.uuid4())
        self.ws = None
        self.inbox: asyncio.Queue[tuple[float, int, dict]] = asyncio.Queue()
        self.received = 0  # updates received so far
        self._reader: asyncio.Task | None = None

    async def connect(self) -> None:
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        url = f"{scheme}://{parts.netloc}{NAMESPACE}/?EIO=4&transport=websocket&token={self.token}"
        headers = {"Origin": self.base_url, **self.headers}
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.ws = await websockets.connect(url, additional_headers=headers, max_size=None)
        opened = await self.ws.recv()
        assert opened.startswith("0"), opened
        await self.ws.send(f"40{NAMESPACE},")
        while True:
            message = await self.ws.recv()
            if message.startswith(f"40{NAMESPACE}"):
                break
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        prefix = f"42{NAMESPACE},"
        async for message in self.ws:
            if message == "2":
                await self.ws.send("3")
                continue
            if not message.startswith(prefix):
                continue
            name, payload = json.loads(message[len(prefix) :])[:2]
            if name == "new_token":  # the server saw this token twice and gave the tab a new one
                self.token = payload
            elif name == "event":
                self.received += 1
                await self.inbox.put((time.perf_counter(), len(message.encode()), payload))
                if self.follow:
                    for event in payload.get("events") or []:
                        if not str(event.get("name", "")).startswith("_"):
                            await self.ws.send(self._event(event["name"], event.get("payload") or {}))

    def _event(self, name: str, payload: dict) -> str:
        body = {
            "name": name,
            "payload": payload,
            "router_data": {"pathname": self.path, "query": {}, "asPath": self.path},
        }
        return f"42{NAMESPACE}," + json.dumps(["event", body])

    async def call(
        self, name: str, payload: dict | None = None, *, until=None, done=None, timeout: float = 10
    ) -> Reply:
        """Send one event; collect updates until `until(merged_delta)` or `done(reply)` (default: first update)."""
        while not self.inbox.empty():
            self.inbox.get_nowait()
        started = time.perf_counter()
        await self.ws.send(self._event(name, payload or {}))
        reply = Reply(seconds=0.0, delta_bytes=0)
        deadline = started + timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"{name}: no matching update within {timeout}s")
            at, size, update = await asyncio.wait_for(self.inbox.get(), remaining)
            reply.add(update, size, at - started)
            if done is not None:
                if done(reply):
                    return reply
            elif until is None or until(reply.delta()):
                return reply

    async def wait_update(self, until=None, timeout: float = 10, *, done=None) -> Reply:
        """Wait for pushed updates (no event sent by this tab) until `until(merged_delta)` or `done(reply)`."""
        started = time.perf_counter()
        reply = Reply(seconds=0.0, delta_bytes=0)
        while True:
            remaining = started + timeout - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError("no matching pushed update")
            at, size, update = await asyncio.wait_for(self.inbox.get(), remaining)
            reply.add(update, size, at - started)
            if done(reply) if done is not None else until(reply.delta()):
                return reply

    async def settle(self, quiet: float = 0.15, timeout: float = 10) -> int:
        """Wait until no update arrives for `quiet` seconds (follow-up events done); drop them."""
        deadline = time.perf_counter() + timeout
        dropped = 0
        while time.perf_counter() < deadline:
            try:
                await asyncio.wait_for(self.inbox.get(), quiet)
                dropped += 1
            except TimeoutError:
                return dropped
        raise TimeoutError(f"updates kept coming for {timeout}s")

    async def open_page(self, until=None, timeout: float = 20) -> Reply:
        """Hydrate and run the page's on_load chain, as a browser tab does after connecting.

        Returns the updates up to `until(merged_delta)` (default: the first one), then waits
        until the rest of the chain has settled.
        """
        reply = await self.call(HYDRATE_AND_LOAD, {}, until=until, timeout=timeout)
        await self.settle()
        return reply

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
        if self.ws:
            await self.ws.close()
