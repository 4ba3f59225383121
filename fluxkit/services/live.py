"""Change announcements for live updates: "user N's tasks changed", after commit.

Services call `touch(db, user_id, topic)` inside their transaction; the announcement goes
out only if and when that transaction commits. Delivery: in-process by default, Redis
pub/sub when REDIS_URL is set (so every worker hears every change). The Reflex layer
subscribes and asks the affected tabs to refresh; this module knows nothing of Reflex.

Identity changes go out the same way, by themselves: any committed write to a user or a
session row (sign-out, a revocation, a suspension, a role or name change, a deleted account)
is counted (`identity_epoch`: in Redis, shared by every worker, before the committing call
returns) and told to `on_identity_change` listeners, in this process at the commit itself and
in every other worker through Redis. The session gate keeps a short per-worker cache of who a
session is, trusts it only while the count is unchanged, and forgets from it on the signal.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

from fluxkit.models import User, UserSession
from fluxkit.services.topics import check as check_topics
from fluxkit.settings import get_settings

log = logging.getLogger("fluxkit.live")

CHANNEL = "fluxkit:live"
Listener = Callable[[int, frozenset[str]], None]
# Told which users' identities changed; None: possibly anyone's (a bulk write).
IdentityListener = Callable[[frozenset[int] | None], None]

_listeners: list[Listener] = []
_identity_listeners: list[IdentityListener] = []
_lock = threading.Lock()

# This process, as named in its Redis messages (so it knows its own when they come back).
INSTANCE = uuid.uuid4().hex
# user id -> when (time.monotonic) this process learned of the user's latest committed change.
_heard_at: dict[int, float] = {}
_HEARD_KEEP_SECONDS = 60.0  # older entries are dropped; a missing entry means "re-read"
_HEARD_PRUNE_ABOVE = 10_000


def _new_process() -> None:
    """A forked worker (Granian forks them from one parent) is a process of its own."""
    global INSTANCE
    INSTANCE = uuid.uuid4().hex
    _heard_at.clear()


os.register_at_fork(after_in_child=_new_process)


def clock() -> float:
    """The clock of `read_covers`: a reader notes it before reading (this process only)."""
    return time.monotonic()


def _heard(user_id: int) -> None:
    now = clock()
    with _lock:
        _heard_at[user_id] = now
        if len(_heard_at) > _HEARD_PRUNE_ABOVE:
            for old in [u for u, at in _heard_at.items() if now - at > _HEARD_KEEP_SECONDS]:
                del _heard_at[old]


def forget_heard() -> None:
    """Forget every change heard (tests start afresh); later reads then simply re-read."""
    with _lock:
        _heard_at.clear()


def read_covers(user_id: int, read_started_at: float) -> bool:
    """Whether a read of `user_id`'s data that began at `read_started_at` (this process's
    `clock()`) already saw every change this process has heard of for them.

    A change is heard only after its commit, so a read begun later saw it: a tab that
    re-read after making the change itself need not re-read when the announcement comes.
    Unknown (never heard, or forgotten): False, re-read.
    """
    with _lock:
        latest = _heard_at.get(user_id)
        everyone = _heard_at.get(EVERYONE)
    if latest is None:
        return False
    return read_started_at > max(latest, everyone or 0.0)


def touch(db: OrmSession, user_id: int, *topics: str) -> None:
    """Record that `topics` of `user_id` change in this transaction."""
    check_topics(*topics)
    pending: dict[int, set[str]] = db.info.setdefault("fluxkit_live", {})
    pending.setdefault(user_id, set()).update(topics)


# Not a user id (ids start at 1): an announcement for every signed-in tab, e.g. the FAQs.
EVERYONE = 0


def touch_all(db: OrmSession, *topics: str) -> None:
    """Record that `topics` change for everybody (data every signed-in user may show)."""
    touch(db, EVERYONE, *topics)


# ---- identity changes -----------------------------------------------------------------------

_IDENTITY_TABLES = frozenset({User.__tablename__, UserSession.__tablename__})
_ANYONE = -1  # in the pending set: a bulk write whose users are not known one by one


def _pending_identities(db: OrmSession) -> set[int]:
    return db.info.setdefault("fluxkit_identity", set())


@event.listens_for(OrmSession, "do_orm_execute")
def _bulk_identity_write(state) -> None:
    """A bulk UPDATE / DELETE of users or sessions (`sessions.revoke`, `revoke_all`, ...)."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _IDENTITY_TABLES:
        _pending_identities(state.session).add(_ANYONE)


@event.listens_for(OrmSession, "after_flush")
def _flushed_identity_write(db: OrmSession, _context) -> None:
    """A user or session row changed or deleted through the ORM (suspend, sign-out, a rename)."""
    changed = set()
    for obj in (*db.dirty, *db.deleted):
        if isinstance(obj, User) and obj.id is not None:
            changed.add(obj.id)
        elif isinstance(obj, UserSession) and obj.user_id is not None:
            changed.add(obj.user_id)
    if changed:
        _pending_identities(db).update(changed)


def on_identity_change(listener: IdentityListener) -> Callable[[], None]:
    """Hear, in this process, every committed change to users or sessions (from any worker)."""
    with _lock:
        _identity_listeners.append(listener)

    def unsubscribe() -> None:
        with _lock:
            if listener in _identity_listeners:
                _identity_listeners.remove(listener)

    return unsubscribe


def _tell_identity_listeners(users: frozenset[int] | None) -> None:
    with _lock:
        listeners = list(_identity_listeners)
    for listener in listeners:
        try:
            listener(users)
        except Exception:
            log.exception("identity listener failed")


_local_epoch = 0  # identity changes committed through this process (no Redis: the only one)


def _epoch_key(url: str) -> str:
    from redis.connection import parse_url

    return f"fluxkit:identity-epoch:{parse_url(url).get('db', 0)}"


def identity_epoch() -> int | None:
    """How many identity changes were committed so far: by any worker (a Redis counter) when
    REDIS_URL is set, else by this process. None when it cannot be read (Redis down).

    A cache of identities notes it before its lookup and trusts an entry only while it is
    unchanged: the writer counts the change before its commit's caller goes on, so any event
    that follows a revocation, on whichever worker, sees a new count and looks again.
    """
    settings = get_settings()
    if settings.redis_url:
        try:
            return int(_redis_client(settings.redis_url).get(_epoch_key(settings.redis_url)) or 0)
        except Exception:
            return None
    return _local_epoch


def identities_changed(users: frozenset[int] | None) -> None:
    """Committed: count it (every worker sees the count at once), tell this process's
    listeners now (synchronously), and the other workers' through Redis."""
    global _local_epoch
    with _lock:
        _local_epoch += 1
    settings = get_settings()
    if settings.redis_url:
        try:
            client = _redis_client(settings.redis_url)
            client.incr(_epoch_key(settings.redis_url))
            client.publish(
                channel_for(settings.redis_url),
                json.dumps({"forget": None if users is None else sorted(users), "from": INSTANCE}),
            )
        except Exception as exc:
            log.warning("identity change via Redis failed: %s", exc)
    _tell_identity_listeners(users)


# ---- commit hooks ---------------------------------------------------------------------------


@event.listens_for(OrmSession, "after_commit")
def _after_commit(db: OrmSession) -> None:
    # SQLAlchemy also fires after_commit when a SAVEPOINT is released; only the real
    # commit may announce, or a tab would re-read before the data is visible.
    if db.in_nested_transaction():
        return
    identities = db.info.pop("fluxkit_identity", None)
    if identities:
        identities_changed(None if _ANYONE in identities else frozenset(identities))
    pending = db.info.pop("fluxkit_live", None)
    if pending:
        for user_id, topics in pending.items():
            publish(user_id, frozenset(topics))


@event.listens_for(OrmSession, "after_transaction_end")
def _after_transaction_end(db: OrmSession, transaction) -> None:
    # Forget what was not announced when the outermost transaction ends (rollback, close).
    # A rolled-back SAVEPOINT (after_rollback fires for it too) must not drop the outer
    # transaction's announcements.
    if transaction.parent is None:
        db.info.pop("fluxkit_live", None)
        db.info.pop("fluxkit_identity", None)


def publish(user_id: int, topics: frozenset[str]) -> None:
    _heard(user_id)  # committed: this process knows now, before its own message comes back
    settings = get_settings()
    if settings.redis_url:
        try:
            _redis_client(settings.redis_url).publish(
                channel_for(settings.redis_url),
                json.dumps({"user": user_id, "topics": sorted(topics), "from": INSTANCE}),
            )
            return
        except Exception as exc:
            log.warning("live update via Redis failed, delivering locally: %s", exc)
    deliver_locally(user_id, topics)


def deliver_locally(user_id: int, topics: frozenset[str]) -> None:
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(user_id, topics)
        except Exception:
            log.exception("live listener failed")


def subscribe(listener: Listener) -> Callable[[], None]:
    """Hear every change in this process; returns the unsubscribe function."""
    with _lock:
        _listeners.append(listener)

    def unsubscribe() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return unsubscribe


_clients: dict[str, object] = {}


def channel_for(url: str) -> str:
    """The pub/sub channel of the app on this Redis database.

    Pub/sub ignores database numbers, so two apps sharing one Redis server on different
    databases (`redis://host/0`, `redis://host/1`) would otherwise hear each other.
    """
    from redis.connection import parse_url

    return f"{CHANNEL}:{parse_url(url).get('db', 0)}"


def _redis_client(url: str):
    client = _clients.get(url)
    if client is None:
        import redis

        client = _clients[url] = redis.Redis.from_url(url)
    return client


async def relay_from_redis(url: str, stop: asyncio.Event | None = None) -> None:
    """Forward Redis announcements (from every worker) to this process's listeners."""
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(url)
    pubsub = client.pubsub()
    await pubsub.subscribe(channel_for(url))
    try:
        while stop is None or not stop.is_set():
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if not message:
                continue
            try:
                data = json.loads(message["data"])
                if "forget" in data:  # an identity change (this process told its own at commit)
                    if data.get("from") != INSTANCE:
                        forget = data["forget"]
                        _tell_identity_listeners(None if forget is None else frozenset(int(u) for u in forget))
                    continue
                user_id = int(data["user"])
                if data.get("from") != INSTANCE:
                    _heard(user_id)  # another process committed it (ours were noted at publish)
                deliver_locally(user_id, frozenset(data["topics"]))
            except (ValueError, KeyError, TypeError):
                log.warning("ignored a malformed live message")
    finally:
        await pubsub.unsubscribe(channel_for(url))
        await pubsub.aclose()
        await client.aclose()
