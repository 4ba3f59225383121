"""Live announcements: "user N's topics changed", sent only once the transaction commits;
through Redis (to every worker's relay) when REDIS_URL is set."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from fluxkit.models import Notification
from fluxkit.services import live, notifications, tasks
from tests.support.factories import make_user
from tests.support.live_relay import REDIS_URL, Relay, channel, wait_until
from tests.support.settings_env import settings_env


@pytest.fixture
def ada(db) -> int:
    return make_user(db, "ada@example.com", "Ada").id


@pytest.fixture
def bob(db) -> int:
    return make_user(db, "bob@example.com", "Bob").id


# ---- after commit, and only then --------------------------------------------------------------


def test_nothing_before_commit_exactly_the_changes_after(db, ada, heard, clock):
    heard.clear()
    task = tasks.create_task(db, ada, {"title": "Write the docs"}, clock)
    tasks.update_task(db, ada, task.id, {"priority": "high"}, clock)
    db.flush()
    assert heard == []
    db.commit()
    assert heard == [(ada, frozenset({"tasks"}))]

    heard.clear()
    tasks.change_status(db, ada, task.id, "completed", clock)
    assert heard == []
    db.commit()
    # One announcement for the user, naming both things that changed.
    assert heard == [(ada, frozenset({"tasks", "notifications"}))]

    heard.clear()
    db.commit()  # an empty commit announces nothing
    assert heard == []


def test_each_user_touched_in_a_transaction_hears_once(db, ada, bob, heard, clock):
    heard.clear()
    tasks.create_task(db, ada, {"title": "Ada's"}, clock)
    tasks.create_task(db, ada, {"title": "Ada's second"}, clock)
    notifications.notify(db, bob, "system", "Hello Bob", clock=clock)
    db.commit()
    assert sorted(heard) == sorted([(ada, frozenset({"tasks"})), (bob, frozenset({"notifications"}))])


def test_rollback_announces_nothing_and_forgets(db, ada, heard, clock):
    heard.clear()
    task = tasks.create_task(db, ada, {"title": "Never saved"}, clock)
    db.rollback()
    assert heard == []
    db.commit()  # the next transaction of the same session does not replay it
    assert heard == []
    notifications.notify(db, ada, "system", "Saved", clock=clock)
    db.commit()
    assert heard == [(ada, frozenset({"notifications"}))]
    assert task.id is not None


def test_a_failed_commit_announces_nothing(db, ada, heard, clock):
    notifications.notify(db, ada, "system", "first", dedupe_key="k", clock=clock)
    db.commit()
    heard.clear()
    tasks.create_task(db, ada, {"title": "In the failing transaction"}, clock)
    db.add(Notification(user_id=ada, type="system", title="clash", dedupe_key="k"))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()
    assert heard == []


def test_a_session_closed_without_commit_announces_nothing(engine, ada, heard, clock):
    heard.clear()
    with Session(engine) as session:
        tasks.create_task(session, ada, {"title": "Abandoned"}, clock)
    with Session(engine) as session:
        session.commit()
    assert heard == []


def test_savepoints_neither_announce_early_nor_drop_the_outer_changes(db, ada, bob, heard, clock):
    heard.clear()
    tasks.create_task(db, ada, {"title": "Outer work"}, clock)
    with db.begin_nested():  # released: not a commit of anything yet
        live.touch(db, bob, "notifications")
    assert heard == []
    try:
        with db.begin_nested():  # rolled back: the outer transaction's changes stay pending
            db.add(Notification(user_id=ada, type="system", title="bad", dedupe_key=None, task_id=10**9))
            db.flush()
    except IntegrityError:
        pass
    assert heard == []
    db.commit()
    assert sorted(heard) == sorted([(ada, frozenset({"tasks"})), (bob, frozenset({"notifications"}))])


def test_concurrent_reminder_runs_announce_what_they_committed(engine, db, ada, heard, clock):
    # A reminder job whose insert loses to another worker still announces its other rows.
    late = tasks.create_task(db, ada, {"title": "late", "due_date": "2000-01-01"}, clock)
    db.commit()
    with Session(engine) as other:
        notifications.notify(other, ada, "task_due", "taken", task_id=late.id, dedupe_key=f"task_due:{late.id}:overdue")
        other.commit()
    heard.clear()
    notifications.notify(db, ada, "system", "kept", clock=clock)
    assert notifications.send_due_reminders(db, clock) == 0
    db.commit()
    assert heard == [(ada, frozenset({"notifications"}))]


def test_a_failing_listener_does_not_stop_the_others_or_the_write(db, ada, heard, clock, caplog):
    def broken(user, topics):
        raise RuntimeError("listener bug")

    unsubscribe = live.subscribe(broken)
    try:
        heard.clear()
        with caplog.at_level(logging.ERROR, logger="fluxkit.live"):
            tasks.create_task(db, ada, {"title": "Still saved"}, clock)
            db.commit()
        assert heard == [(ada, frozenset({"tasks"}))]
        assert "live listener failed" in caplog.text
        assert tasks.stats(db, ada).total == 1
    finally:
        unsubscribe()


def test_unsubscribe_stops_delivery():
    got = []
    unsubscribe = live.subscribe(lambda user, topics: got.append(user))
    live.publish(7, frozenset({"tasks"}))
    unsubscribe()
    unsubscribe()  # twice is harmless
    live.publish(8, frozenset({"tasks"}))
    assert got == [7]


# ---- what a read saw ----------------------------------------------------------------------------


def test_a_read_begun_after_a_commit_covers_it_one_begun_before_does_not(db, ada, bob, heard, clock):
    before = live.clock()
    tasks.create_task(db, ada, {"title": "New"})
    assert not live.read_covers(ada, live.clock())  # not committed: not heard yet
    db.commit()
    after = live.clock()
    assert not live.read_covers(ada, before)
    assert live.read_covers(ada, after)
    assert not live.read_covers(bob, after)  # nothing heard of Bob: re-read to be safe
    live.touch_all(db, "faqs")
    db.commit()
    assert not live.read_covers(ada, after)  # a change for everyone counts for Ada too
    assert live.read_covers(ada, live.clock())


def test_a_forked_worker_names_itself_and_has_heard_nothing(db, ada, heard):
    """Granian forks its workers from one parent: each must tell its own messages apart."""
    live.publish(ada, frozenset({"tasks"}))
    assert live.read_covers(ada, live.clock())
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        try:
            os.write(write_end, json.dumps([live.INSTANCE, live.read_covers(ada, live.clock())]).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    child_instance, child_covers = json.loads(os.read(read_end, 1000))
    os.waitpid(pid, 0)
    assert child_instance != live.INSTANCE
    assert child_covers is False  # the parent's changes are not the worker's to vouch for


# ---- across workers: Redis ------------------------------------------------------------------------------


async def test_publish_goes_through_redis_and_the_relay_delivers_it(redis_env, heard):
    raw = redis_env.pubsub()
    raw.subscribe(channel())
    raw.get_message(timeout=1)  # the subscribe confirmation
    async with Relay(redis_env):
        heard.clear()
        sent = time.monotonic()
        live.publish(4242, frozenset({"tasks", "notifications"}))
        # On the wire: one JSON message on the channel, for every worker.
        message = raw.get_message(ignore_subscribe_messages=True, timeout=2)
        assert json.loads(message["data"]) == {
            "user": 4242,
            "topics": ["notifications", "tasks"],
            "from": live.INSTANCE,
        }
        await wait_until(lambda: heard)
        latency = time.monotonic() - sent
        await asyncio.sleep(0.1)
        assert heard == [(4242, frozenset({"tasks", "notifications"}))]  # once, not also locally
        assert latency < 1.0, f"relay took {latency:.3f}s"
    raw.close()


async def test_with_redis_a_publish_is_not_delivered_locally_without_the_relay(redis_env, heard):
    heard.clear()
    live.publish(4243, frozenset({"tasks"}))
    await asyncio.sleep(0.2)
    assert heard == []


async def test_another_workers_announcement_reaches_this_workers_listeners(redis_env, heard):
    async with Relay(redis_env):
        heard.clear()
        # Another worker (another process) publishes with its own connection.
        redis_env.publish(channel(), json.dumps({"user": 17, "topics": ["tasks"]}))
        redis_env.publish(channel(), b"not json")
        redis_env.publish(channel(), json.dumps({"topics": ["tasks"]}))
        redis_env.publish(channel(), json.dumps({"user": 18, "topics": ["notifications"]}))
        await wait_until(lambda: len(heard) >= 2)
        # Malformed messages are skipped; the relay keeps going.
        assert heard == [(17, frozenset({"tasks"})), (18, frozenset({"notifications"}))]


async def test_a_change_from_another_worker_counts_from_when_it_is_heard_ours_from_commit(redis_env, heard):
    async with Relay(redis_env):
        heard.clear()
        before = live.clock()
        redis_env.publish(channel(), json.dumps({"user": 19, "topics": ["tasks"], "from": "another-worker"}))
        await wait_until(lambda: heard)
        assert not live.read_covers(19, before)
        assert live.read_covers(19, live.clock())

        heard.clear()
        live.publish(20, frozenset({"tasks"}))  # ours: noted at once
        reread = live.clock()
        await wait_until(lambda: heard)  # our own message back through Redis moves nothing
        assert live.read_covers(20, reread)


async def test_an_app_on_another_redis_database_is_not_heard(redis_env, heard):
    other_database = live.channel_for(REDIS_URL.rsplit("/", 1)[0] + "/15")
    assert other_database != channel()
    async with Relay(redis_env):
        heard.clear()
        redis_env.publish(other_database, json.dumps({"user": 19, "topics": ["tasks"]}))
        redis_env.publish(channel(), json.dumps({"user": 20, "topics": ["tasks"]}))
        await wait_until(lambda: heard)
        await asyncio.sleep(0.1)
        assert heard == [(20, frozenset({"tasks"}))]


async def test_a_service_write_reaches_listeners_through_redis_after_commit(redis_env, db, ada, heard, clock):
    async with Relay(redis_env):
        heard.clear()
        task = tasks.create_task(db, ada, {"title": "Through Redis"}, clock)
        tasks.change_status(db, ada, task.id, "completed", clock)
        await asyncio.sleep(0.1)
        assert heard == []
        db.commit()
        await wait_until(lambda: heard)
        await asyncio.sleep(0.1)
        assert heard == [(ada, frozenset({"tasks", "notifications"}))]

        heard.clear()
        tasks.create_task(db, ada, {"title": "Rolled back"}, clock)
        db.rollback()
        await asyncio.sleep(0.2)
        assert heard == []


async def test_two_relays_are_two_workers_each_hearing_every_change(redis_env, heard):
    async with Relay(redis_env), Relay(redis_env):
        heard.clear()
        live.publish(99, frozenset({"tasks"}))
        await wait_until(lambda: len(heard) >= 2)
        assert heard == [(99, frozenset({"tasks"}))] * 2


def test_when_redis_is_down_changes_are_still_delivered_locally(monkeypatch, heard, caplog):
    with settings_env(REDIS_URL="redis://127.0.0.1:1/0"):
        heard.clear()
        with caplog.at_level(logging.WARNING, logger="fluxkit.live"):
            live.publish(5, frozenset({"tasks"}))
    assert heard == [(5, frozenset({"tasks"}))]
    assert "live update via Redis failed" in caplog.text


async def test_an_identity_change_reaches_every_worker_and_this_one_at_commit(redis_env, db, ada):
    """A committed write to a user or session row: this worker is told at the commit, the others
    through Redis (a revoked session is forgotten by every worker's session cache)."""
    from fluxkit.models import User

    told: list = []
    unsubscribe = live.on_identity_change(told.append)
    try:
        async with Relay(redis_env):
            db.get(User, ada).name = "Ada L."
            db.commit()
            assert told == [frozenset({ada})]  # synchronously, at the commit
            await asyncio.sleep(0.2)
            assert told == [frozenset({ada})]  # our own message coming back is not told twice
            redis_env.publish(channel(), json.dumps({"forget": [ada, 5], "from": "another-worker"}))
            redis_env.publish(channel(), json.dumps({"forget": None, "from": "another-worker"}))
            await wait_until(lambda: len(told) >= 3)
            assert told[1:] == [frozenset({ada, 5}), None]
    finally:
        unsubscribe()


def test_every_identity_change_is_counted_where_every_worker_reads_it(redis_env, db, ada):
    from fluxkit.models import User

    before = live.identity_epoch()
    db.get(User, ada).name = "Ada Lovelace"
    db.commit()
    assert live.identity_epoch() == before + 1  # counted before the commit's caller goes on
    redis_env.incr(live._epoch_key(REDIS_URL))  # another worker's change
    assert live.identity_epoch() == before + 2
