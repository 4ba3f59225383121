"""Rate-limit windows: 5 per 15 minutes per key, a moving window, memory or Redis."""

from __future__ import annotations

import os
import time
import uuid

import pytest
import time_machine

from fluxkit.services import ratelimit
from fluxkit.settings import get_settings
from tests.support.environment import need

WINDOW = 15 * 60


def _hits(n: int, *key: str) -> list[ratelimit.Verdict]:
    return [ratelimit.hit(ratelimit.AUTH_PER_IP, *key) for _ in range(n)]


def test_five_per_ip_then_refused_until_the_window_passes():
    with time_machine.travel(1_900_000_000, tick=False) as traveller:
        verdicts = _hits(6, "ip", "sign-in", "203.0.113.1")
        assert [v.allowed for v in verdicts] == [True] * 5 + [False]
        assert [v.remaining for v in verdicts] == [4, 3, 2, 1, 0, 0]
        assert {v.limit for v in verdicts} == {5}
        refused = verdicts[-1]
        assert refused.reset_at == 1_900_000_000 + WINDOW
        assert refused.retry_after == WINDOW

        traveller.shift(WINDOW - 1)
        assert not ratelimit.hit(ratelimit.AUTH_PER_IP, "ip", "sign-in", "203.0.113.1").allowed
        assert ratelimit.hit(ratelimit.AUTH_PER_IP, "ip", "sign-in", "203.0.113.1").retry_after == 1

        traveller.shift(2)
        again = ratelimit.hit(ratelimit.AUTH_PER_IP, "ip", "sign-in", "203.0.113.1")
        assert again.allowed and again.remaining == 4


def test_the_window_moves_with_each_request():
    with time_machine.travel(1_900_000_000, tick=False) as traveller:
        assert all(v.allowed for v in _hits(3, "ip", "sign-up", "a"))
        traveller.shift(10 * 60)
        assert all(v.allowed for v in _hits(2, "ip", "sign-up", "a"))
        assert not _hits(1, "ip", "sign-up", "a")[0].allowed
        # 15 minutes after the first three, only those three have left the window.
        traveller.shift(5 * 60 + 1)
        assert [v.allowed for v in _hits(4, "ip", "sign-up", "a")] == [True, True, True, False]


def test_keys_are_counted_separately():
    assert all(v.allowed for v in _hits(5, "ip", "sign-in", "192.0.2.1"))
    assert not _hits(1, "ip", "sign-in", "192.0.2.1")[0].allowed
    assert _hits(1, "ip", "sign-in", "192.0.2.2")[0].allowed
    assert _hits(1, "ip", "sign-up", "192.0.2.1")[0].allowed


def test_per_account_limits():
    sign_in = [ratelimit.hit(ratelimit.SIGN_IN_PER_ACCOUNT, "account", "sign-in", "ada@example.com") for _ in range(11)]
    assert [v.allowed for v in sign_in] == [True] * 10 + [False]
    resets = [ratelimit.hit(ratelimit.RESET_PER_ACCOUNT, "account", "reset", "ada@example.com") for _ in range(4)]
    assert [v.allowed for v in resets] == [True] * 3 + [False]
    assert resets[-1].retry_after > WINDOW  # an hour-long window


def test_reset_all_forgets_every_counter():
    _hits(6, "ip", "sign-in", "x")
    ratelimit.reset_all()
    assert _hits(1, "ip", "sign-in", "x")[0].allowed


@pytest.fixture
def redis_settings():
    url = os.environ.get("FLUXKIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        available = True
    except Exception:
        available = False
    need("Redis", available, f"no Redis at {url}")
    old = os.environ.get("REDIS_URL")
    os.environ["REDIS_URL"] = url
    get_settings.cache_clear()
    try:
        yield url
    finally:
        if old is None:
            os.environ.pop("REDIS_URL", None)
        else:
            os.environ["REDIS_URL"] = old
        get_settings.cache_clear()


@pytest.mark.redis
def test_redis_counters_are_shared_between_workers(redis_settings):
    from limits.storage import storage_from_string
    from limits.strategies import MovingWindowRateLimiter

    key = f"test-{uuid.uuid4()}"
    assert ratelimit.limiter().storage.check()
    assert "redis" in type(ratelimit.limiter().storage).__name__.lower()
    assert [v.allowed for v in _hits(6, "ip", "sign-in", key)] == [True] * 5 + [False]
    # Another worker, with its own connection, sees the same count.
    other = MovingWindowRateLimiter(storage_from_string(redis_settings))
    assert other.get_window_stats(ratelimit.AUTH_PER_IP, "fluxkit", "ip", "sign-in", key).remaining == 0
    assert not other.hit(ratelimit.AUTH_PER_IP, "fluxkit", "ip", "sign-in", key)
    other.clear(ratelimit.AUTH_PER_IP, "fluxkit", "ip", "sign-in", key)


@pytest.mark.redis
def test_redis_window_reopens_after_15_minutes(redis_settings):
    key = f"test-{uuid.uuid4()}"
    now = time.time()
    with time_machine.travel(now, tick=False) as traveller:
        assert [v.allowed for v in _hits(6, "ip", "sign-in", key)] == [True] * 5 + [False]
        traveller.shift(WINDOW + 1)
        assert _hits(1, "ip", "sign-in", key)[0].allowed
    ratelimit.limiter().clear(ratelimit.AUTH_PER_IP, "fluxkit", "ip", "sign-in", key)
