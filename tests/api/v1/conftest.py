"""Fixtures for /api/v1 tests: two users with API keys, clients that send a key."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.support.http import Account, make_account


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
