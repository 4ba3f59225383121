"""Live updates across workers in tests: the Redis the tests may use, and a relay in an asyncio task."""

from __future__ import annotations

import asyncio
import os
import time

from fluxkit.services import live

REDIS_URL = os.environ.get("FLUXKIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def channel() -> str:
    return live.channel_for(REDIS_URL)


async def wait_until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.005)


class Relay:
    """`live.relay_from_redis` running in an asyncio task, like a worker's background task."""

    def __init__(self, client):
        self.client = client
        self.stop = asyncio.Event()
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> Relay:
        before = dict(self.client.pubsub_numsub(channel())).get(channel().encode(), 0)
        self.task = asyncio.create_task(live.relay_from_redis(REDIS_URL, self.stop))
        await wait_until(lambda: self._subscribers() == before + 1)
        return self

    def _subscribers(self) -> int:
        if self.task.done():
            self.task.result()  # raise what killed it
        return dict(self.client.pubsub_numsub(channel())).get(channel().encode(), 0)

    async def __aexit__(self, *exc) -> None:
        before = self._subscribers()
        self.stop.set()
        await asyncio.wait_for(self.task, timeout=5)
        assert self._subscribers() == before - 1  # it unsubscribed on the way out
