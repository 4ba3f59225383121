"""Fixtures for /api/v1 tests: two users with API keys, clients that send a key."""

from __future__ import annotations

import contextlib

import pytest
from starlette.testclient import TestClient

from tests.support.http import Account, make_account
from tests.support.settings_env import settings_env


@pytest.fixture
def ada(db) -> Account:
    return make_account(db, "ada@example.com", "Ada")


@pytest.fixture
def bob(db) -> Account:
    return make_account(db, "bob@example.com", "Bob")


@pytest.fixture
def api(new_client):
    """A client that sends `account`'s API key on every request."""

    def make(account: Account, **kwargs) -> TestClient:
        return new_client(headers=account.headers, **kwargs)

    return make


@pytest.fixture
def api_rate_limit():
    """`api_rate_limit("3/minute")`: FLUXKIT_API_RATE_LIMIT for the rest of the test."""
    with contextlib.ExitStack() as stack:
        yield lambda value: stack.enter_context(settings_env(FLUXKIT_API_RATE_LIMIT=value))
