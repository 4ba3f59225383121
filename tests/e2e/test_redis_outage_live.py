"""Redis goes away for 20 s under the production backend with two workers: a tab's clicks say
honestly that they were not applied, and work again by themselves, on the same connection
without a reload, once Redis is back (#15).

Reflex keeps every tab's state in Redis (with REDIS_URL) and takes a Redis lock around each
event, so no event can run while Redis is down; FluxKit's REST API falls back on its own
(tests/api/test_redis_outage.py). What the person sees instead of "Something went wrong" is
fluxkit/state/errors.py's Redis message.

The server is `reflex run --env prod --backend-only` (no frontend build: the tab is
bench/reflex_client.py's websocket client, which speaks to /_event as the browser does: the
session cookie, hydrate, the page's on_load chain, events, and the toasts it is sent). Redis
is a private `redis-server` on a free port, killed and restarted empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from bench.reflex_client import ReflexTab, var
from bench.tasks_roundtrip import run_async, sign_in
from fluxkit.db import engine_for
from fluxkit.state.tasks.page import TasksState
from tests.support.environment import need
from tests.support.live_server import ROOT, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.live, pytest.mark.redis, pytest.mark.timeout(600)]

OUTAGE_SECONDS = 20
PASSWORD = "outage-passphrase-1"


def _redis_server(port: int) -> subprocess.Popen:
    import redis

    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_connect_timeout=0.2)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(redis.ConnectionError):
            if client.ping():
                return server
        time.sleep(0.05)
    server.kill()
    raise RuntimeError("redis-server did not start")


@pytest.fixture(scope="module")
def outage_server():
    need("redis-server", shutil.which("redis-server") is not None, "install Debian's redis-server package")
    redis_port, port = free_port(), free_port()
    data = Path(tempfile.mkdtemp(prefix="fluxkit-redis-outage-"))
    env = {
        **os.environ,
        "FLUXKIT_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'outage.db'}",
        "FLUXKIT_SECRET_KEY": "redis-outage-secret",
        "FLUXKIT_BASE_URL": f"http://127.0.0.1:{port}",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "GRANIAN_WORKERS": "2",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_USE_NPM": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for key in ("SMTP_URL", "PYTEST_CURRENT_TEST", "REFLEX_API_URL"):
        env.pop(key, None)
    redis_servers = [_redis_server(redis_port)]
    subprocess.run([sys.executable, "-m", "fluxkit.cli", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    log = open(data / "server.log", "ab")
    command = [sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-only"]
    command += ["--backend-port", str(port), "--backend-host", "127.0.0.1"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            assert server.poll() is None, (data / "server.log").read_text()[-3000:]
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/ping", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, "the backend did not start"
            time.sleep(0.5)
        yield base, env["DATABASE_URL"], redis_port, redis_servers, data
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        for redis_server in redis_servers:
            redis_server.kill()
        shutil.rmtree(data, ignore_errors=True)


def _titles(database_url: str) -> set[str]:
    import sqlalchemy as sa

    engine = engine_for(database_url)
    try:
        with engine.connect() as connection:
            return {row[0] for row in connection.execute(sa.text("SELECT title FROM task"))}
    finally:
        engine.dispose()


def _toasts(reply) -> list[str]:
    return [
        str(event["payload"].get("function", ""))
        for event in reply.events()
        if event.get("name") == "_call_function" and "__toast" in str(event.get("payload"))
    ]


def test_clicks_during_a_20_s_redis_outage_say_so_and_work_again_without_a_reload(outage_server):
    base, database_url, redis_port, redis_servers, data = outage_server
    from sqlmodel import Session

    from tests.support.factories import make_user

    engine = engine_for(database_url)
    with Session(engine) as db:
        make_user(db, "ada@example.com", "Ada", password=PASSWORD)
    engine.dispose()
    cookie = sign_in(base, "ada@example.com", PASSWORD)
    state = TasksState.get_full_name()

    def form(title: str) -> dict:
        return {"form": {"title": title, "description": "", "priority": "high", "category": "feature", "due_date": ""}}

    def shows(title: str):
        return lambda delta: any(row["title"] == title for row in var(delta, state, "rows", []))

    async def journey() -> dict:
        tab = ReflexTab(base, cookie, "/tasks")
        await tab.connect()
        seen: dict = {"during": [], "after_seconds": None}
        try:
            await tab.open_page(until=lambda d: var(d, state, "loaded", False) is True)
            await tab.call(f"{state}.save", form("Before the outage"), until=shows("Before the outage"))
            await tab.settle()

            redis_servers.pop().kill()  # Redis dies
            down_at = time.monotonic()
            n = 0
            while time.monotonic() - down_at < OUTAGE_SECONDS:
                n += 1
                title = f"During the outage {n}"
                # Each click gets an answer within seconds: the honest message, not silence.
                reply = await tab.call(f"{state}.save", form(title), done=lambda r: bool(_toasts(r)), timeout=10)
                seen["during"].append((title, reply.seconds, _toasts(reply)))
                await asyncio.sleep(4)

            redis_servers.append(_redis_server(redis_port))  # Redis is back (empty)
            back_at = time.monotonic()
            # The same tab, the same websocket: clicks work again by themselves.
            while True:
                try:
                    await tab.call(
                        f"{state}.save", form("After the outage"), until=shows("After the outage"), timeout=5
                    )
                    break
                except TimeoutError:
                    assert time.monotonic() - back_at < 30, "clicks did not work again within 30 s of Redis's return"
            seen["after_seconds"] = time.monotonic() - back_at
        finally:
            await tab.close()
        return seen

    seen = run_async(journey())

    assert len(seen["during"]) >= 4, seen["during"]
    for title, seconds, toasts in seen["during"]:
        assert seconds < 5, f"{title}: the answer took {seconds:.1f} s"
        assert any("Not saved: the server is reconnecting" in toast for toast in toasts), toasts
        assert not any("Something went wrong" in toast for toast in toasts), toasts
    stored = _titles(database_url)
    # Nothing half-done: the refused clicks wrote nothing, the others are there once each.
    assert not {title for title, _, _ in seen["during"]} & stored
    assert {"Before the outage", "After the outage"} <= stored
    assert seen["after_seconds"] < 10, seen["after_seconds"]
    print(f"{len(seen['during'])} clicks during the outage; working again {seen['after_seconds']:.1f} s after")
