"""Fixtures for service tests: accounts made as a visitor makes them (sign-up, then the emailed link)."""

from __future__ import annotations

import functools
import uuid

import pytest

from fluxkit.services import live
from tests.support.environment import need
from tests.support.factories import make_session, make_user
from tests.support.live_relay import REDIS_URL
from tests.support.settings_env import settings_env


@pytest.fixture
def signed_up(db, clock):
    """`signed_up(email="ada@example.com", password=PASSWORD, name="Ada")`: a verified account."""
    return functools.partial(make_user, db, sign_up=True, clock=clock)


@pytest.fixture
def sign_in(db, clock):
    """`sign_in(email="ada@example.com", password=PASSWORD, meta=META)` -> (token, identity)."""
    return functools.partial(make_session, db, clock=clock)


@pytest.fixture
def redis_env(monkeypatch):
    """REDIS_URL set for the test (settings re-read), on a channel no other test run uses."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
        available = True
    except Exception:
        available = False
    need("Redis", available, f"no Redis at {REDIS_URL}; set FLUXKIT_TEST_REDIS_URL")
    monkeypatch.setattr(live, "CHANNEL", f"fluxkit:live:test:{uuid.uuid4().hex}")
    with settings_env(REDIS_URL=REDIS_URL) as settings:
        assert settings.redis_url == REDIS_URL
        yield redis.Redis.from_url(REDIS_URL)
    assert live.get_settings().redis_url is None  # restored for the tests that follow
