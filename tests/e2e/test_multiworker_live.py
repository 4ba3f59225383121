"""Two backend workers behind one port, sharing Redis: live updates and sign-outs reach every tab.

The production app runs with REDIS_URL (an empty Redis database of its own) and two Granian
workers. Tabs are websocket clients that behave like the browser (bench/reflex_client.py:
session cookie, hydrate, the page's on_load chain, sending back the events the server
asks for). Which worker holds a tab is read from Reflex's own socket record in Redis
(`token_manager_socket_record_<token>`: the owning worker's instance id); tabs are opened
until both workers hold some. The server runs from a private copy of the project, so it
never rebuilds the frontend under the shared browser-test server.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import shutil
import time
from urllib.parse import urlsplit

import httpx
import pytest

from bench.reflex_client import ReflexTab, var
from bench.tasks_roundtrip import create_user, run_async, sign_in
from fluxkit.state.settings import SettingsState
from fluxkit.state.tasks.page import TasksState
from tests.support.environment import need
from tests.support.live_server import live_app, project_copy

pytestmark = [pytest.mark.e2e, pytest.mark.live, pytest.mark.redis, pytest.mark.timeout(1800)]

REDIS_URL = os.environ.get("FLUXKIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
WORKERS = 2
LIVE_WITHIN = 1.0  # seconds from a change to the refreshed data in every tab
MAX_TABS = 24


def _redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=1)


def _redis_answers() -> bool:
    try:
        return bool(_redis(REDIS_URL).ping())
    except Exception:
        return False


def _empty_database_url() -> str:
    """The Redis server of FLUXKIT_TEST_REDIS_URL, on a database nothing else uses now."""
    parts = urlsplit(REDIS_URL)
    taken = parts.path.strip("/") or "0"
    for index in range(15, 0, -1):
        url = parts._replace(path=f"/{index}").geturl()
        if str(index) != taken and _redis(url).dbsize() == 0:
            return url
    pytest.fail(f"no empty Redis database on {parts.netloc} for the multi-worker server")


@pytest.fixture(scope="module")
def cluster():
    need("Redis", _redis_answers(), f"no Redis at {REDIS_URL}; set FLUXKIT_TEST_REDIS_URL")
    redis_url = _empty_database_url()
    root = project_copy("fluxkit-multiworker-")
    try:
        with live_app(root, workers=WORKERS, REDIS_URL=redis_url, FLUXKIT_TRUSTED_PROXY_HOPS="1") as app:
            yield app, _redis(redis_url)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        _redis(redis_url).flushdb()


_addresses = iter(range(1, 250))


def _signed_in_user(app, name: str, sessions: int = 1) -> list[str]:
    """A new user and the Cookie headers of `sessions` sign-ins (each from its own address)."""
    email = f"{name}-{time.time_ns()}@example.com"
    create_user(app, email)
    return [sign_in(app.url, email, forwarded_for=f"192.0.2.{next(_addresses)}") for _ in range(sessions)]


def _state(name: str) -> str:
    return {"tasks": TasksState, "settings": SettingsState}[name].get_full_name()


def _worker_of(redis, tab: ReflexTab) -> str:
    record = redis.get(f"token_manager_socket_record_{tab.token}")
    assert record, "the tab has no socket record in Redis"
    return pickle.loads(record).instance_id


async def _tasks_tab(app, cookie: str) -> ReflexTab:
    """A tab that has loaded /tasks (and so registered for the user's live updates)."""
    tab = ReflexTab(app.url, cookie, "/tasks")
    await tab.connect()
    state = _state("tasks")
    await tab.open_page(until=lambda d: var(d, state, "loaded", False) is True)
    return tab


async def _tabs_on_every_worker(app, redis, cookie: str, per_worker: int = 2) -> dict[str, list[ReflexTab]]:
    by_worker: dict[str, list[ReflexTab]] = {}
    opened = 0
    while len(by_worker) < WORKERS or min(len(tabs) for tabs in by_worker.values()) < per_worker:
        assert opened < MAX_TABS, f"{opened} tabs all landed on {len(by_worker)} worker(s)"
        tab = await _tasks_tab(app, cookie)
        opened += 1
        by_worker.setdefault(_worker_of(redis, tab), []).append(tab)
    return by_worker


def _rows_with(title: str):
    state = _state("tasks")
    return lambda d: any(row["title"] == title for row in var(d, state, "rows", []))


def _redirected_to_sign_in(reply) -> bool:
    return any(
        event["name"] == "_redirect" and event["payload"]["path"].startswith("/sign-in?redirect=/tasks")
        for event in reply.events()
    )


def test_health_answers_from_every_worker(cluster):
    app, _ = cluster
    workers = set()
    for _ in range(60):
        response = httpx.get(f"{app.url}/api/health", timeout=10)
        assert response.status_code == 200
        body = response.json()
        assert (body["status"], body["database"], body["redis"]) == ("ok", "ok", "ok")
        workers.add(body["worker"])
        if len(workers) == WORKERS:
            break
    assert len(workers) == WORKERS, f"only worker(s) {workers} answered"


def test_a_change_reaches_every_tab_on_every_worker(cluster):
    app, redis = cluster
    (cookie,) = _signed_in_user(app, "tabs")
    state = _state("tasks")

    async def scenario() -> None:
        by_worker = await _tabs_on_every_worker(app, redis, cookie)
        tabs = [tab for group in by_worker.values() for tab in group]
        try:
            # Through the REST API (whichever worker answers): every tab shows the new row.
            waits = [
                asyncio.create_task(tab.wait_update(_rows_with("Made over the API"), timeout=LIVE_WITHIN))
                for tab in tabs
            ]
            async with httpx.AsyncClient() as client:
                created = await client.post(
                    f"{app.url}/api/v1/tasks",
                    json={"title": "Made over the API", "priority": "high"},
                    headers={"Cookie": cookie, "Origin": app.url},
                )
            assert created.status_code == 201, created.text
            for reply in await asyncio.gather(*waits):
                assert var(reply.delta(), state, "rows")[0]["title"] == "Made over the API"
                assert var(reply.delta(), state, "stats")["pending"] == 1
            task_id = created.json()["id"]

            # From one tab: the tabs on the other worker see the stat cards change.
            first, *others = by_worker.values()
            actor = first[0]
            watchers = [tab for group in others for tab in group] + first[1:]
            waits = [
                asyncio.create_task(
                    tab.wait_update(
                        lambda d: (var(d, state, "stats", None) or {}).get("completed") == 1, timeout=LIVE_WITHIN
                    )
                )
                for tab in watchers
            ]
            reply = await actor.call(
                f"{state}.change_status",
                {"task_id": task_id, "status": "completed"},
                until=lambda d: (var(d, state, "stats", None) or {}).get("completed") == 1,
            )
            assert var(reply.delta(), state, "rows")[0]["status"] == "completed"
            for reply in await asyncio.gather(*waits):
                stats = var(reply.delta(), state, "stats")
                assert (stats["completed"], stats["pending"], stats["total"]) == (1, 0, 1)
                assert var(reply.delta(), state, "rows")[0]["status"] == "completed"
        finally:
            for tab in tabs:
                await tab.close()

    run_async(scenario())


def test_a_session_revoked_through_one_worker_is_refused_on_the_other(cluster):
    app, redis = cluster
    doomed, keeper = _signed_in_user(app, "revoked", sessions=2)
    sessions = httpx.get(f"{app.url}/api/auth/list-sessions", headers={"Cookie": doomed}).json()
    doomed_id = next(session["id"] for session in sessions if session["current"])
    tasks, settings = _state("tasks"), _state("settings")

    async def scenario() -> None:
        tabs = [victim := await _tasks_tab(app, doomed)]
        try:
            # The settings tab of the other session, on the other worker.
            while True:
                assert len(tabs) <= MAX_TABS, "every tab landed on the same worker"
                other = ReflexTab(app.url, keeper, "/settings")
                await other.connect()
                tabs.append(other)
                if _worker_of(redis, other) != _worker_of(redis, victim):
                    break
            await other.open_page()
            reply = await other.call(
                f"{settings}.revoke_session",
                {"session_id": doomed_id},
                done=lambda r: any(event["name"] == "_call_function" for event in r.events()),
            )
            assert all(row["id"] != doomed_id for row in var(reply.delta(), settings, "sessions"))

            # The revoked tab's next event is refused: sent to sign-in, no data.
            reply = await victim.call(f"{tasks}.refresh", {}, done=_redirected_to_sign_in)
            assert var(reply.delta(), tasks, "rows", []) == []

            # A change by the other session: the revoked tab is told, asks, and is refused again.
            created = httpx.post(
                f"{app.url}/api/v1/tasks",
                json={"title": "Not for the revoked tab"},
                headers={"Cookie": keeper, "Origin": app.url},
            )
            assert created.status_code == 201, created.text
            reply = await victim.wait_update(done=_redirected_to_sign_in, timeout=5)
            assert "Not for the revoked tab" not in str(reply.updates)
            await asyncio.sleep(0.3)
            while not victim.inbox.empty():
                assert "Not for the revoked tab" not in str(victim.inbox.get_nowait())
        finally:
            for tab in tabs:
                await tab.close()

    run_async(scenario())
    # And over HTTP the session is gone too.
    assert httpx.get(f"{app.url}/api/auth/get-session", headers={"Cookie": doomed}).json() is None


def test_a_worker_killed_mid_request_loses_no_committed_write_and_is_replaced(cluster):
    """SIGKILL one worker while writes stream in: every acknowledged task is stored, the other
    worker keeps answering, and a fresh worker takes the dead one's place (fluxkit/serving.py)."""
    app, _ = cluster
    (cookie,) = _signed_in_user(app, "killed")
    headers = {"Cookie": cookie, "Origin": app.url}
    pids = set()
    while len(pids) < WORKERS:
        pids.add(httpx.get(f"{app.url}/api/health", timeout=10).json()["worker"])
    victim = min(pids)
    acknowledged: list[int] = []
    failures: list[str] = []

    async def writer(client: httpx.AsyncClient, name: str, count: int) -> None:
        for n in range(count):
            try:
                response = await client.post(f"{app.url}/api/v1/tasks", json={"title": f"{name} {n}"}, headers=headers)
            except httpx.HTTPError as exc:  # the killed worker's connections
                failures.append(type(exc).__name__)
                continue
            if response.status_code == 201:
                acknowledged.append(response.json()["id"])
            else:
                failures.append(str(response.status_code))

    async def scenario() -> None:
        async with httpx.AsyncClient(timeout=10, limits=httpx.Limits(max_keepalive_connections=0)) as client:
            writers = [asyncio.create_task(writer(client, f"writer {w}", 20)) for w in range(4)]
            while len(acknowledged) < 15:
                await asyncio.sleep(0.01)
            os.kill(victim, 9)  # mid-stream: requests are in flight on both workers
            await asyncio.gather(*writers)

    run_async(scenario())
    assert len(acknowledged) >= 40, (acknowledged, failures)
    listed = httpx.get(f"{app.url}/api/v1/tasks", params={"page_size": 100}, headers=headers, timeout=10).json()
    stored = {task["id"] for task in listed["items"]}
    assert set(acknowledged) <= stored, "an acknowledged write is missing"
    # The server kept running and replaced the dead worker.
    assert app.process.poll() is None
    seen = set()
    deadline = time.monotonic() + 30
    while len(seen - {victim}) < WORKERS and time.monotonic() < deadline:
        response = httpx.get(f"{app.url}/api/health", timeout=10)
        assert response.status_code == 200
        seen.add(response.json()["worker"])
    assert victim not in seen and len(seen) == WORKERS, seen
