"""Redis goes away mid-run: no 500 anywhere, rate limits go on in memory, health says degraded,
and everything is shared again by itself once Redis is back.

A private `redis-server` (on a free port) is killed and restarted under the running app.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time

import pytest
import redis

from fluxkit.services import ratelimit
from tests.support.environment import need
from tests.support.http import V1, make_account
from tests.support.settings_env import settings_env
from tests.support.smtpd import free_port

pytestmark = pytest.mark.redis


def _start(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_connect_timeout=0.2)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if client.ping():
                return server
        except redis.ConnectionError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("redis-server did not start")


def _stop(server: subprocess.Popen) -> None:
    server.kill()
    server.wait(timeout=10)


@pytest.fixture
def private_redis(monkeypatch):
    need("redis-server", shutil.which("redis-server") is not None, "install Debian's redis-server package")
    monkeypatch.setattr(ratelimit, "RETRY_REDIS_SECONDS", 0.0)  # try Redis again at once
    port = free_port()
    servers = [_start(port)]
    with settings_env(REDIS_URL=f"redis://127.0.0.1:{port}/0"):
        yield port, servers
    for server in servers:
        if server.poll() is None:
            _stop(server)
    ratelimit._fallback.answered()  # this worker's state, for the next test


def test_a_redis_outage_never_answers_500_and_recovers_by_itself(private_redis, db, new_client, caplog):
    port, servers = private_redis
    account = make_account(db, "ada@example.com", "Ada")
    api = new_client(headers=account.headers, raise_server_exceptions=False)
    browser = new_client("203.0.113.40", raise_server_exceptions=False)

    def calls() -> list[int]:
        return [
            api.get(f"{V1}/tasks").status_code,
            api.post(f"{V1}/tasks", json={"title": "Still works"}).status_code,
            browser.post("/api/auth/sign-in/email", json={"email": "ada@example.com", "password": "wrong"}).status_code,
        ]

    assert calls() == [200, 201, 401]
    assert api.get("/api/health").json()["status"] == "ok"
    counted = api.get(f"{V1}/tasks").headers["X-RateLimit-Remaining"]

    _stop(servers.pop())  # Redis dies mid-run
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="fluxkit.ratelimit"):
        for _ in range(5):
            assert calls() == [200, 201, 401]
    down = [r for r in caplog.records if "Redis does not answer" in r.getMessage()]
    assert len(down) == 1  # said once, not per request
    health = api.get("/api/health")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["rateLimits"] == "memory"
    # The limits still hold, counted in this worker's memory: the sign-in failures go on adding up.
    statuses = [
        browser.post("/api/auth/sign-in/email", json={"email": "ada@example.com", "password": "wrong"}).status_code
        for _ in range(5)
    ]
    assert 429 in statuses and 500 not in statuses

    servers.append(_start(port))  # Redis is back
    with caplog.at_level(logging.WARNING, logger="fluxkit.ratelimit"):
        assert api.get(f"{V1}/tasks").status_code == 200
    assert any("Redis answers again" in r.getMessage() for r in caplog.records)
    assert not ratelimit.degraded()
    assert api.get("/api/health").json()["status"] == "ok"
    # Counting is shared again (in Redis, which restarted empty).
    assert int(api.get(f"{V1}/tasks").headers["X-RateLimit-Remaining"]) > int(counted) - 20


def test_with_refuse_a_redis_outage_answers_503_with_retry_after_then_recovers(
    private_redis, db, new_client, monkeypatch
):
    """FLUXKIT_RATE_LIMITS_WITHOUT_REDIS=refuse: no per-worker counting. Whatever is rate limited
    answers 503 with Retry-After (never 500, never an unlimited pass) until Redis answers."""
    port, servers = private_redis
    with settings_env(FLUXKIT_RATE_LIMITS_WITHOUT_REDIS="refuse"):
        monkeypatch.setattr(ratelimit, "RETRY_REDIS_SECONDS", 4.0)
        account = make_account(db, "grace@example.com", "Grace")
        api = new_client(headers=account.headers, raise_server_exceptions=False)
        browser = new_client("203.0.113.41", raise_server_exceptions=False)
        sign_in = {"email": "grace@example.com", "password": "wrong"}
        assert api.get(f"{V1}/tasks").status_code == 200

        _stop(servers.pop())
        answers = [
            api.get(f"{V1}/tasks"),
            api.post(f"{V1}/tasks", json={"title": "Not now"}),
            browser.post("/api/auth/sign-in/email", json=sign_in),
        ]
        for answer in answers:
            assert answer.status_code == 503, answer.text
            assert 1 <= int(answer.headers["Retry-After"]) <= 4
            assert answer.json()["error"] == "unavailable"
            assert "Try again in" in answer.json()["message"]
        # Nothing was written while refused, and the answer says so by its status.
        health = api.get("/api/health").json()
        assert health["status"] == "degraded" and health["rateLimits"] == "refused"

        servers.append(_start(port))  # Redis is back: the next try after Retry-After goes through
        time.sleep(int(answers[0].headers["Retry-After"]))
        assert api.get(f"{V1}/tasks").status_code == 200
        assert api.post(f"{V1}/tasks", json={"title": "Now"}).status_code == 201
        assert browser.post("/api/auth/sign-in/email", json=sign_in).status_code == 401
        assert api.get("/api/health").json()["status"] == "ok"
        titles = [row["title"] for row in api.get(f"{V1}/tasks").json()["items"]]
        assert "Now" in titles and "Not now" not in titles


def test_rate_limits_without_redis_accepts_only_memory_or_refuse():
    from fluxkit.settings import get_settings

    with (
        pytest.raises(ValueError, match="memory or refuse"),
        settings_env(FLUXKIT_RATE_LIMITS_WITHOUT_REDIS="sometimes"),
    ):
        pass
    with settings_env(FLUXKIT_RATE_LIMITS_WITHOUT_REDIS="Refuse"):
        assert get_settings().rate_limits_without_redis == "refuse"
    with settings_env(FLUXKIT_RATE_LIMITS_WITHOUT_REDIS=None):
        assert get_settings().rate_limits_without_redis == "memory"
