"""How the production server treats its workers (imported by rxconfig.py, so by `reflex run`).

`reflex run --env prod` starts Granian itself and does not expose Granian's
`respawn_failed_workers`, which is off by default: one worker that dies (killed by the OOM
killer, a crash in a native library) then stops the whole server and every other worker's
tabs. FluxKit turns respawning on, so the others keep serving while a fresh worker replaces
the dead one. Granian still gives up on a crash loop (a worker dying again within seconds).
"""

from __future__ import annotations

import functools
from pathlib import Path


def respawn_failed_workers() -> bool:
    """Make Granian servers created from now on respawn a worker that dies. True if applied."""
    try:
        from granian.server.common import AbstractServer
    except ImportError:  # another server runs the backend: nothing to change
        return False
    original = AbstractServer.__init__
    if getattr(original, "_fluxkit_respawn", False):
        return True

    @functools.wraps(original)
    def init(self, *args, **kwargs):
        kwargs.setdefault("respawn_failed_workers", True)
        original(self, *args, **kwargs)

    init._fluxkit_respawn = True  # type: ignore[attr-defined]
    AbstractServer.__init__ = init
    return True


# ---- page addresses without the trailing slash ---------------------------------------------------

_SKIPPED_PREFIXES = ("/_event", "/_upload", "/api/", "/ping", "/_health", "/assets/")


def _static_dir() -> Path:
    """Where the production build's prerendered pages are (what Reflex's frontend mount serves)."""
    from reflex.config import get_config
    from reflex.utils import prerequisites
    from reflex_base import constants

    frontend_path = get_config().frontend_path.strip("/")
    return (prerequisites.get_web_dir() / constants.Dirs.STATIC / frontend_path).resolve()


class PagePaths:
    """Serve `/tasks` as `/tasks/` in place, instead of the static server's 307 to `/tasks/`.

    React Router prerenders each page as `<route>/index.html`; Starlette's static files answer
    a request without the trailing slash with a redirect, so every first visit of a page (a
    link, a bookmark, the redirect after sign-in) cost a round trip before any HTML arrived.
    The app's own links have no trailing slash; the address bar keeps what was asked for.
    """

    def __init__(self, app, static_dir: Path | None = None):
        self.app = app
        self._static_dir = static_dir
        self._known: dict[str, bool] = {}

    def _is_page_folder(self, path: str) -> bool:
        known = self._known.get(path)
        if known is None:
            root = self._static_dir or _static_dir()
            candidate = (root / path.lstrip("/") / "index.html").resolve()
            known = candidate.is_relative_to(root) and candidate.is_file()
            if len(self._known) < 10_000:
                self._known[path] = known
        return known

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path: str = scope["path"]
            last = path.rpartition("/")[2]
            if (
                path != "/"
                and not path.endswith("/")
                and "." not in last
                and not path.startswith(_SKIPPED_PREFIXES)
                and self._is_page_folder(path)
            ):
                scope = {**scope, "path": path + "/", "raw_path": (path + "/").encode()}
        await self.app(scope, receive, send)


# ---- tabs of a host or worker that died --------------------------------------------------------
#
# With Redis, Reflex records which worker holds each tab's websocket
# (`token_manager_socket_record_<token>`, kept for hours) and, when a tab connects with a token
# that has a record, takes it for a duplicated browser tab and hands out a new token: a fresh,
# empty state on the server. A worker that exits cleanly deletes its records; one that is
# SIGKILLed (OOM killer, a crashed host) leaves them, so every tab it held, reconnecting to
# another worker or host, would lose its server-side state: not registered for live updates
# any more, its page's data gone until a reload. FluxKit has each worker announce itself in
# Redis several times a second, and a record whose worker has stopped announcing is dropped
# before Reflex looks: the tab keeps its token and its state (tests/e2e/test_two_hosts_live.py).
# A tab usually reconnects within a second or two of the crash, before the dead worker's last
# announcement has expired, so when the owner's announcement is still there the tab waits one
# more round to see whether it changes (alive) or not (dead): only when the record belongs to
# another worker, i.e. after a crash or for a duplicated browser tab.

ALIVE_PREFIX = "fluxkit_worker_alive_"
ALIVE_EVERY = 0.4  # seconds between announcements
ALIVE_FOR = 3  # seconds an announcement lasts
ALIVE_CHECK = 1.3  # seconds to watch for a fresh announcement (three rounds)


def _token_manager(app):
    from reflex.utils.token_manager import RedisTokenManager

    namespace = app.event_namespace
    manager = getattr(namespace, "_token_manager", None) if namespace is not None else None
    return manager if isinstance(manager, RedisTokenManager) else None


async def worker_heartbeat(app) -> None:
    """Lifespan task: say in Redis, several times a second, that this worker (its socket instance) lives."""
    import asyncio
    import logging
    import time

    log = logging.getLogger("fluxkit.serving")
    while True:
        manager = _token_manager(app)
        if manager is None:
            return  # no Redis: one worker holds every tab, nothing to tell apart
        try:
            beat = str(time.monotonic_ns()).encode()
            await manager.redis.set(f"{ALIVE_PREFIX}{manager.instance_id}", beat, ex=ALIVE_FOR)
        except Exception as exc:  # Redis away for a moment: try again on the next beat
            log.warning("could not announce this worker in Redis: %s", exc)
        await asyncio.sleep(ALIVE_EVERY)


def reuse_tokens_of_dead_workers() -> bool:
    """Let a tab whose worker died keep its token when it reconnects elsewhere. True if applied."""
    try:
        from reflex.utils.token_manager import RedisTokenManager
    except ImportError:
        return False
    original = RedisTokenManager.link_token_to_sid
    if getattr(original, "_fluxkit_dead_workers", False):
        return True

    @functools.wraps(original)
    async def link_token_to_sid(self, token: str, sid: str):
        mine = self.token_to_socket.get(token)
        if mine is None or mine.sid != sid:
            try:
                await _forget_record_of_dead_worker(self, token)
            except Exception:  # Redis trouble: Reflex's own handling decides
                pass
        return await original(self, token, sid)

    link_token_to_sid._fluxkit_dead_workers = True  # type: ignore[attr-defined]
    RedisTokenManager.link_token_to_sid = link_token_to_sid
    return True


async def _forget_record_of_dead_worker(manager, token: str) -> None:
    import asyncio
    import pickle

    key = manager._get_redis_key(token)
    raw = await manager.redis.get(key)
    if raw is None:
        return
    owner = pickle.loads(raw).instance_id  # written by Reflex itself (trusted, our own Redis)
    if owner == manager.instance_id:
        return
    alive = f"{ALIVE_PREFIX}{owner}"
    last = await manager.redis.get(alive)
    if last is not None:
        await asyncio.sleep(ALIVE_CHECK)
        now = await manager.redis.get(alive)
        if now is not None and now != last:
            return  # held by a live worker: a real duplicate, Reflex hands out a new token
    await manager.redis.delete(key)
