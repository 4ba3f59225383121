"""A minimal client for Reflex's websocket protocol (Engine.IO 4 / Socket.IO 5).

It connects like a browser tab (session cookie, Origin, client token), sends events and
reads the state deltas back, measuring round-trip time and delta bytes.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets

NAMESPACE = "/_event"


@dataclass
class Reply:
    seconds: float
    delta_bytes: int
    updates: list[dict] = field(default_factory=list)

    def delta(self) -> dict:
        merged: dict = {}
        for update in self.updates:
            for state, values in (update.get("delta") or {}).items():
                merged.setdefault(state, {}).update(values)
        return merged


class ReflexTab:
    def __init__(self, base_url: str, cookie: str | None, path: str):
        self.base_url = base_url.rstrip("/")
        self.cookie = cookie
        self.path = path
        self.token = str(uuid.uuid4())
        self.ws = None
        self.inbox: asyncio.Queue[tuple[float, int, dict]] = asyncio.Queue()
        self._reader: asyncio.Task | None = None

    async def connect(self) -> None:
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        url = f"{scheme}://{parts.netloc}{NAMESPACE}/?EIO=4&transport=websocket&token={self.token}"
        headers = {"Origin": self.base_url}
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
            name, payload = json.loads(message[len(prefix):])[:2]
            if name == "event":
                await self.inbox.put((time.perf_counter(), len(message.encode()), payload))

    def _event(self, name: str, payload: dict) -> str:
        body = {
            "name": name,
            "payload": payload,
            "router_data": {"pathname": self.path, "query": {}, "asPath": self.path},
        }
        return f"42{NAMESPACE}," + json.dumps(["event", body])

    async def call(self, name: str, payload: dict | None = None, *, until=None, timeout: float = 10) -> Reply:
        """Send one event; collect updates until `until(merged_delta)` (default: first update)."""
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
            reply.updates.append(update)
            reply.delta_bytes += size
            reply.seconds = at - started
            if until is None or until(reply.delta()):
                return reply

    async def wait_update(self, until, timeout: float = 10) -> Reply:
        """Wait for pushed updates (no event sent by this tab) until `until(merged_delta)`."""
        started = time.perf_counter()
        reply = Reply(seconds=0.0, delta_bytes=0)
        while True:
            remaining = started + timeout - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError("no matching pushed update")
            at, size, update = await asyncio.wait_for(self.inbox.get(), remaining)
            reply.updates.append(update)
            reply.delta_bytes += size
            reply.seconds = at - started
            if until(reply.delta()):
                return reply

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
        if self.ws:
            await self.ws.close()
