"""GET /api/health: 200 when the database (and Redis, when configured) answer, "degraded" (still
200) when only Redis does not, 503 when the database does not."""

from __future__ import annotations

import os
import threading
import time

import pytest

from fluxkit.api import health
from tests.support.environment import need
from tests.support.live_server import free_port
from tests.support.settings_env import settings_env

REDIS_URL = os.environ.get("FLUXKIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def _redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture(autouse=True)
def _fresh_redis_clients():
    health._redis_client.cache_clear()
    yield
    health._redis_client.cache_clear()


def test_healthy_without_redis_needs_no_sign_in(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "disabled", "worker": os.getpid()}
    assert response.headers["cache-control"] == "no-store"


def test_a_database_that_hangs_is_503_after_the_timeout(client, monkeypatch):
    release = threading.Event()
    monkeypatch.setattr(health, "_select_one", lambda: release.wait(10))
    monkeypatch.setattr(health, "TIMEOUT_SECONDS", 0.2)
    started = time.monotonic()
    try:
        response = client.get("/api/health")
    finally:
        release.set()
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_head_answers_the_same_status(client, tmp_path):
    assert client.head("/api/health").status_code == 200
    with settings_env(DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'fluxkit.db'}"):
        assert client.head("/api/health").status_code == 503


def test_healthy_with_redis(client):
    need("Redis", _redis_answers(REDIS_URL), f"no Redis at {REDIS_URL}; set FLUXKIT_TEST_REDIS_URL")
    with settings_env(REDIS_URL=REDIS_URL):
        response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["redis"] == "ok"
    assert response.json()["status"] == "ok"


def test_redis_down_is_degraded_but_serving(client, caplog):
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with settings_env(REDIS_URL=dead):
        response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body == {"status": "degraded", "database": "ok", "redis": "error", "worker": os.getpid()}
    assert "Redis did not answer" in caplog.text  # the reason is logged, not shown


def test_database_down_is_503(client, tmp_path):
    # A SQLite file inside a folder that does not exist cannot be opened.
    with settings_env(DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'fluxkit.db'}"):
        response = client.get("/api/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "error"
    assert body["redis"] == "disabled"
    assert "missing" not in response.text  # no error details for the caller
