"""Helpers for /api/v1 tests: two users, their API keys, clients that send a key."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from starlette.testclient import TestClient

from fluxkit.db import session_scope
from fluxkit.services import api_keys, notifications, tasks
from fluxkit.services.dto import UserInfo
from tests.api.conftest import create_user

V1 = "/api/v1"


@dataclass(frozen=True)
class Account:
    user: UserInfo
    key: str
    key_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def make_account(email: str, name: str) -> Account:
    user = create_user(email=email, name=name)
    with session_scope() as db:
        new = api_keys.create_key(db, user.id, f"{name}'s script")
    return Account(user=user, key=new.key, key_id=new.row.id)


def add_task(account: Account, **data) -> int:
    with session_scope() as db:
        return tasks.create_task(db, account.user.id, {"title": "A task", **data}).id


def add_notification(account: Account, title: str = "Hello") -> int:
    with session_scope() as db:
        notifications.notify(db, account.user.id, "system", title, "Something happened.")
        return notifications.latest(db, account.user.id, 1)[0].id


@pytest.fixture
def ada(engine) -> Account:
    return make_account("ada@example.com", "Ada")


@pytest.fixture
def bob(engine) -> Account:
    return make_account("bob@example.com", "Bob")


@pytest.fixture
def api(new_client):
    """A client that sends `account`'s API key on every request."""

    def make(account: Account, **kwargs) -> TestClient:
        return new_client(headers=account.headers, **kwargs)

    return make
