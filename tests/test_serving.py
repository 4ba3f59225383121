"""Production workers: a Granian server made after rxconfig.py loaded respawns dead workers."""

from __future__ import annotations

from granian.constants import Interfaces
from granian.server import Server

import rxconfig  # noqa: F401 - applies fluxkit.serving.respawn_failed_workers(), as `reflex run` does
from fluxkit import serving


def test_granian_servers_respawn_a_dead_worker():
    server = Server(target="fluxkit.fluxkit:app", interface=Interfaces.ASGI, workers=2)
    assert server.respawn_failed_workers is True


def test_an_explicit_choice_is_kept_and_applying_twice_wraps_once():
    from granian.server.common import AbstractServer

    wrapped = AbstractServer.__init__
    assert serving.respawn_failed_workers() is True
    assert AbstractServer.__init__ is wrapped
    server = Server(target="fluxkit.fluxkit:app", interface=Interfaces.ASGI, respawn_failed_workers=False)
    assert server.respawn_failed_workers is False
    assert Server(target="x:app", interface=Interfaces.ASGI).respawn_failed_workers is True


# ---- tabs of a dead worker (Redis) -------------------------------------------------------------


def _redis_or_skip():
    import redis

    from tests.support.environment import need
    from tests.support.live_relay import REDIS_URL

    try:
        available = bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        available = False
    need("Redis", available, f"no Redis at {REDIS_URL}; set FLUXKIT_TEST_REDIS_URL")
    return REDIS_URL


def _reconnect(record_owner_beats: bool) -> str | None:
    """A tab whose socket record belongs to another worker connects here; what Reflex answers
    (None: it keeps its token; else the new token it is given)."""
    import asyncio
    import pickle
    import uuid

    import redis.asyncio as aioredis
    from reflex.utils.token_manager import RedisTokenManager, SocketRecord

    url = _redis_or_skip()

    async def scenario() -> str | None:
        client = aioredis.Redis.from_url(url)
        manager = RedisTokenManager(client)
        token, owner = f"test-{uuid.uuid4()}", f"owner-{uuid.uuid4()}"
        key = manager._get_redis_key(token)
        await client.set(key, pickle.dumps(SocketRecord(instance_id=owner, sid="old")), ex=60)
        alive = f"{serving.ALIVE_PREFIX}{owner}"
        await client.set(alive, b"0", ex=serving.ALIVE_FOR)  # its last beat, just before it died

        async def beats() -> None:
            for n in range(1, 20):
                await asyncio.sleep(serving.ALIVE_EVERY)
                await client.set(alive, str(n).encode(), ex=serving.ALIVE_FOR)

        beating = asyncio.ensure_future(beats()) if record_owner_beats else None
        try:
            return await manager.link_token_to_sid(token, "new")
        finally:
            if beating:
                beating.cancel()
            await client.delete(key, alive, manager._get_redis_key(token))
            await client.aclose()

    return asyncio.run(scenario())


def test_a_tab_of_a_dead_worker_keeps_its_token_when_it_reconnects():
    assert serving.reuse_tokens_of_dead_workers() is True
    assert _reconnect(record_owner_beats=False) is None


def test_a_tab_held_by_a_live_worker_is_still_a_duplicate():
    assert serving.reuse_tokens_of_dead_workers() is True
    assert _reconnect(record_owner_beats=True) is not None
