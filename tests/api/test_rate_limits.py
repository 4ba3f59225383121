"""429s: 5 per IP per 15 minutes on the sensitive routes, per-account limits, client address."""

from __future__ import annotations

import time

import pytest
import time_machine
from sqlmodel import select

from fluxkit.db import session_scope
from fluxkit.models import AuditEvent
from tests.support.factories import PASSWORD, make_user
from tests.support.http import build_app, emails, sign_in
from tests.support.settings_env import settings_env

WINDOW = 15 * 60

ROUTES = {
    "sign-in": ("/api/auth/sign-in/email", {"email": "ada@example.com", "password": "wrong passphrase"}),
    "sign-up": ("/api/auth/sign-up/email", {"name": "Ada", "email": "ada@example.com", "password": PASSWORD}),
    "forget-password": ("/api/auth/forget-password", {"email": "ada@example.com", "redirectTo": "/reset-password"}),
    "reset-password": ("/api/auth/reset-password", {"token": "forged", "newPassword": "new passphrase"}),
}


@pytest.mark.parametrize("route", list(ROUTES))
def test_sixth_request_in_15_minutes_from_one_ip_gets_429(new_client, route):
    path, body = ROUTES[route]
    client = new_client("203.0.113.50")
    start = int(time.time())
    with time_machine.travel(start, tick=False) as traveller:
        answers = [client.post(path, json=body) for _ in range(5)]
        assert all(a.status_code != 429 for a in answers)
        assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["4", "3", "2", "1", "0"]
        assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"5"}

        refused = client.post(path, json=body)
        assert refused.status_code == 429
        data = refused.json()
        assert set(data) == {"error", "message", "retryAfter"}
        assert data["error"] == "rate_limited"
        assert data["retryAfter"] == WINDOW
        assert str(WINDOW) in data["message"]
        assert refused.headers["Retry-After"] == str(WINDOW)
        assert refused.headers["X-RateLimit-Limit"] == "5"
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        assert abs(int(refused.headers["X-RateLimit-Reset"]) - (start + WINDOW)) <= 1

        # Another address is not affected; nor is another route from this one.
        assert new_client("203.0.113.51").post(path, json=body).status_code != 429
        other_path, other_body = ROUTES["sign-in" if route != "sign-in" else "sign-up"]
        assert client.post(other_path, json=other_body).status_code != 429

        traveller.shift(10 * 60)
        later = client.post(path, json=body)
        assert later.status_code == 429
        assert later.json()["retryAfter"] == 5 * 60

        traveller.shift(5 * 60 + 1)
        assert client.post(path, json=body).status_code != 429


def test_a_limited_sign_in_does_not_even_check_the_password(db, new_client):
    make_user(db)
    client = new_client("203.0.113.60")
    for _ in range(5):
        client.post("/api/auth/sign-in/email", json={"email": "ada@example.com", "password": "guess"})
    right = client.post("/api/auth/sign-in/email", json={"email": "ada@example.com", "password": PASSWORD})
    assert right.status_code == 429
    assert "set-cookie" not in right.headers


def test_one_account_cannot_be_guessed_from_many_addresses(db, new_client):
    make_user(db)
    make_user(db, "bob@example.com", name="Bob")
    statuses = [
        new_client(f"198.51.100.{n}")
        .post("/api/auth/sign-in/email", json={"email": "ada@example.com", "password": f"guess number {n}"})
        .status_code
        for n in range(1, 11)
    ]
    assert statuses == [401] * 10
    # The 11th guess, from a fresh address, is refused even with the right password.
    refused = new_client("198.51.100.200").post(
        "/api/auth/sign-in/email", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    assert "set-cookie" not in refused.headers
    # Spelling the address differently does not get around it.
    for variant in ["ADA@example.com", " ada@EXAMPLE.com ", "ada@ｅｘａｍｐｌｅ.com"]:
        again = new_client("198.51.100.201").post(
            "/api/auth/sign-in/email", json={"email": variant, "password": PASSWORD}
        )
        assert again.status_code == 429, variant
    # Other accounts are unaffected.
    sign_in(new_client("198.51.100.200"), "bob@example.com")
    # After the window the owner can sign in again.
    with time_machine.travel(time.time() + WINDOW + 1, tick=False):
        sign_in(new_client("198.51.100.202"))


def test_reset_requests_per_account_are_capped_silently(db, new_client, outbox):
    make_user(db)
    answers = [
        new_client(f"198.51.100.{n}").post("/api/auth/forget-password", json={"email": "ada@example.com"})
        for n in range(1, 6)
    ]
    # The answer never changes (a 429 here would say the account exists) ...
    assert {(a.status_code, a.text) for a in answers} == {(200, answers[0].text)}
    # ... but the inbox is not flooded: 3 per hour.
    assert len(emails(outbox, to="ada@example.com")) == 3


def _sign_in_attempt(client, xff: str | None = None):
    headers = {"x-forwarded-for": xff} if xff else {}
    _sign_in_attempt.count += 1  # a new account each time: only the per-IP limit applies
    email = f"nobody{_sign_in_attempt.count}@example.com"
    return client.post("/api/auth/sign-in/email", json={"email": email, "password": "guess"}, headers=headers)


_sign_in_attempt.count = 0


def _audited_ips() -> list[str]:
    with session_scope() as db:
        return [e.ip for e in db.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_x_forwarded_for_is_ignored_without_trusted_proxies(new_client):
    client = new_client("203.0.113.70")
    statuses = [_sign_in_attempt(client, f"10.0.0.{n}").status_code for n in range(6)]
    assert statuses == [401] * 5 + [429]
    assert set(_audited_ips()) == {"203.0.113.70"}


def test_x_forwarded_for_counts_behind_one_trusted_proxy(engine):
    from starlette.testclient import TestClient

    with settings_env(FLUXKIT_TRUSTED_PROXY_HOPS="1"):
        proxy = TestClient(build_app(), base_url="http://localhost:3000", client=("10.0.0.2", 1))
        # Each user behind the proxy has a limit of their own ...
        statuses = [_sign_in_attempt(proxy, f"198.51.100.{n}").status_code for n in range(1, 8)]
        assert statuses == [401] * 7
        # ... one user is limited by their own address ...
        statuses = [_sign_in_attempt(proxy, "192.0.2.1").status_code for _ in range(6)]
        assert statuses == [401] * 5 + [429]
        # ... and a spoofed leftmost entry does not help: only the proxy's entry counts.
        assert _sign_in_attempt(proxy, "1.2.3.4, 192.0.2.1").status_code == 429
        assert _sign_in_attempt(proxy, "192.0.2.1, 192.0.2.9").status_code == 401
    ips = _audited_ips()
    assert ips[:7] == [f"198.51.100.{n}" for n in range(1, 8)]
    assert "10.0.0.2" not in ips and "1.2.3.4" not in ips


def test_trusted_proxy_hops_without_the_header_uses_the_peer(engine):
    from starlette.testclient import TestClient

    with settings_env(FLUXKIT_TRUSTED_PROXY_HOPS="2"):
        proxy = TestClient(build_app(), base_url="http://localhost:3000", client=("10.0.0.3", 1))
        _sign_in_attempt(proxy)
        _sign_in_attempt(proxy, "198.51.100.1")  # fewer entries than hops: not trusted
        _sign_in_attempt(proxy, "203.0.113.1, 10.0.0.1")
    assert _audited_ips() == ["10.0.0.3", "10.0.0.3", "203.0.113.1"]
