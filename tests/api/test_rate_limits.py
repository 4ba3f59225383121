"""429s on the auth routes: limits that stop attackers, not users (only sign-in failures count,
an office behind one address is many people, the owner of an account under attack gets in),
and which address a request comes from."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
import time_machine
from sqlmodel import select

from fluxkit.db import session_scope
from fluxkit.models import AuditEvent, User
from tests.support.factories import PASSWORD, make_user
from tests.support.http import build_app, cookie_name, emails, session_of, sign_in
from tests.support.settings_env import settings_env
from tests.support.smtpd import smtp_server

WINDOW = 15 * 60
SIGN_IN = "/api/auth/sign-in/email"


def _try(client, email="ada@example.com", password="wrong passphrase"):
    return client.post(SIGN_IN, json={"email": email, "password": password})


# ---- forms that send an email: an office behind one address -------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/auth/sign-up/email", {"name": "Someone", "password": PASSWORD}),
        ("/api/auth/forget-password", {"redirectTo": "/reset-password"}),
        ("/api/auth/send-verification-email", {}),
        ("/api/auth/sign-in/magic-link", {}),
    ],
)
def test_an_office_behind_one_address_is_not_limited_like_one_person(new_client, engine, path, body):
    office = new_client("203.0.113.50")
    start = int(time.time())
    with time_machine.travel(start, tick=False) as traveller:
        answers = [office.post(path, json={**body, "email": f"colleague{n}@example.com"}) for n in range(60)]
        assert {a.status_code for a in answers} == {200}, answers[-1].text
        refused = office.post(path, json={**body, "email": "one.more@example.com"})
        assert refused.status_code == 429
        data = refused.json()
        assert data["error"] == "rate_limited"
        assert data["message"] == "Too many attempts. Try again in about an hour."
        assert refused.headers["Retry-After"] == "3600"
        # Another address is not affected.
        assert new_client("203.0.113.51").post(path, json={**body, "email": "x@example.com"}).status_code == 200
        traveller.shift(3600 + 1)
        assert office.post(path, json={**body, "email": "later@example.com"}).status_code == 200


def test_sign_ups_for_one_email_are_capped_silently(new_client, engine, outbox):
    answers = [
        new_client(f"198.51.100.{n}").post(
            "/api/auth/sign-up/email", json={"name": "Ada", "email": "ada@example.com", "password": PASSWORD}
        )
        for n in range(1, 7)
    ]
    assert {(a.status_code, a.text) for a in answers} == {(200, answers[0].text)}
    assert len(emails(outbox, to="ada@example.com")) == 3


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


# ---- sign-in: only failures count ---------------------------------------------------------------------


def test_colleagues_behind_one_address_all_sign_in(db, new_client):
    """Successes never count: 8 people behind one NAT, each signing in (some several times)."""
    for n in range(8):
        make_user(db, f"colleague{n}@example.com", name=f"Colleague {n}")
    for round_ in range(2):
        for n in range(8):
            response = _try(new_client("203.0.113.80"), f"colleague{n}@example.com", PASSWORD)
            assert response.status_code == 200, (round_, n, response.text)


def test_failures_slow_down_the_account_from_that_address(db, new_client):
    make_user(db)
    start = int(time.time())
    with time_machine.travel(start, tick=False) as traveller:
        attacker = new_client("203.0.113.60")
        assert [_try(attacker).status_code for _ in range(5)] == [401] * 5
        refused = _try(attacker, password=PASSWORD)  # even the right password: not checked
        assert refused.status_code == 429
        assert "set-cookie" not in refused.headers
        message = refused.json()["message"]
        assert message.startswith("Too many failed sign-ins. Try again in about 15 minutes")
        assert "sign-in link" in message
        assert refused.headers["Retry-After"] == str(WINDOW)
        # The owner, from their own address, is not slowed down by someone else's guesses.
        assert _try(new_client("198.51.100.7"), password=PASSWORD).status_code == 200
        traveller.shift(13 * 60)
        assert "about 2 minutes" in _try(attacker).json()["message"]
        traveller.shift(2 * 60 + 1)
        assert _try(attacker, password=PASSWORD).status_code == 200


def test_one_address_guessing_many_accounts_is_stopped(db, new_client):
    """Credential stuffing: 30 failures from one address, over any accounts, and it stops."""
    make_user(db)
    stuffer = new_client("203.0.113.61")
    statuses = [_try(stuffer, f"victim{n}@example.com").status_code for n in range(30)]
    assert statuses == [401] * 30
    refused = _try(stuffer, "another@example.com")
    assert refused.status_code == 429
    assert "about an hour" in refused.json()["message"]
    assert _try(new_client("203.0.113.62"), password=PASSWORD).status_code == 200


def test_an_account_under_attack_stays_open_to_its_owners_browser(db, new_client):
    """10 wrong passwords from 3 addresses lock the account for unknown browsers only."""
    make_user(db)
    make_user(db, "bob@example.com", name="Bob")
    laptop = new_client("198.51.100.100")
    assert _try(laptop, password=PASSWORD).status_code == 200  # the owner's browser, earlier
    assert laptop.cookies.get("fluxkit.device")
    statuses = [
        _try(new_client(f"203.0.113.{70 + n % 3}"), password=f"guess number {n}").status_code for n in range(10)
    ]
    assert statuses == [401] * 10
    # A fresh browser, even with the right password, is refused and told of the emailed link ...
    fresh = _try(new_client("198.51.100.200"), password=PASSWORD)
    assert fresh.status_code == 429
    assert "sign-in link" in fresh.json()["message"]
    assert "set-cookie" not in fresh.headers
    # ... spelling the address differently does not get around it ...
    for variant in ["ADA@example.com", " ada@EXAMPLE.com ", "ada@ｅｘａｍｐｌｅ.com"]:
        assert _try(new_client("198.51.100.201"), variant, PASSWORD).status_code == 429, variant
    # ... but the browser the owner signed in on before gets in, from any address.
    laptop.cookies.delete(cookie_name())
    assert _try(laptop, password=PASSWORD).status_code == 200
    # A device cookie is good for its own account only.
    bobs = new_client("198.51.100.202")
    sign_in(bobs, "bob@example.com")
    assert _try(bobs, password=PASSWORD).status_code == 429
    # Other accounts are unaffected; after the window anyone may try again.
    sign_in(new_client("198.51.100.203"), "bob@example.com")
    with time_machine.travel(time.time() + WINDOW + 1, tick=False):
        sign_in(new_client("198.51.100.204"))


def test_a_forged_device_cookie_is_no_way_around_the_lock(db, new_client):
    make_user(db)
    for n in range(10):
        _try(new_client(f"203.0.113.{90 + n % 3}"))
    forger = new_client("198.51.100.210")
    forger.cookies.set("fluxkit.device", "abc." + "0" * 32, domain="localhost", path="/api/auth")
    assert _try(forger, password=PASSWORD).status_code == 429


def test_a_known_browser_that_keeps_failing_loses_its_pass(db, new_client):
    make_user(db)
    stolen = new_client("198.51.100.111")
    assert _try(stolen, password=PASSWORD).status_code == 200
    stolen.cookies.delete(cookie_name())
    assert [_try(stolen).status_code for _ in range(10)] == [401] * 10
    # Now it is judged like any browser: its address and the account count its failures.
    assert [_try(stolen).status_code for _ in range(5)] == [401] * 5
    assert _try(stolen, password=PASSWORD).status_code == 429


def test_the_emailed_sign_in_link_opens_a_locked_account(db, new_client):
    """Better Auth's magic link, sent through the mail service to a real SMTP server."""
    make_user(db)
    for n in range(10):
        _try(new_client(f"203.0.113.{100 + n % 3}"))
    phone = new_client("198.51.100.220")
    assert _try(phone, password=PASSWORD).status_code == 429
    with smtp_server() as (server, url), settings_env(SMTP_URL=url):
        asked = phone.post("/api/auth/sign-in/magic-link", json={"email": "ADA@example.com", "callbackURL": "/tasks"})
        assert asked.status_code == 200
        # An unknown address gets the same answer and no email.
        unknown = phone.post("/api/auth/sign-in/magic-link", json={"email": "nobody@example.com"})
        assert unknown.json() == asked.json()
        [message] = server.wait_for(1)
    assert message["To"] == "ada@example.com"
    link = re.search(r"https?://\S+/api/auth/magic-link/verify\?token=[\w-]+&callbackURL=\S+", message.get_content())
    assert link, message.get_content()
    path = link.group(0).split("localhost:3000", 1)[1]
    opened = phone.get(path)
    assert opened.status_code == 303
    assert opened.headers["location"] == "/tasks"
    assert session_of(phone)["user"]["email"] == "ada@example.com"
    # Once only.
    again = new_client("198.51.100.221").get(path)
    assert again.status_code == 303 and again.headers["location"].startswith("/sign-in?error=")
    assert session_of(new_client("198.51.100.221")) is None


def test_a_sign_in_link_for_a_suspended_account_signs_nobody_in(db, new_client):
    user = make_user(db)
    with smtp_server() as (server, url), settings_env(SMTP_URL=url):
        new_client().post("/api/auth/sign-in/magic-link", json={"email": "ada@example.com"})
        [message] = server.wait_for(1)
    with session_scope() as session:
        row = session.get(User, user.id)
        row.suspended_at = datetime.now(UTC)
        session.add(row)
    path = re.search(r"/api/auth/magic-link/verify\S+", message.get_content()).group(0)
    browser = new_client()
    assert browser.get(path).headers["location"].startswith("/sign-in?error=")
    assert session_of(browser) is None


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
    statuses = [_sign_in_attempt(client, f"10.0.0.{n}").status_code for n in range(31)]
    assert statuses == [401] * 30 + [429]
    assert set(_audited_ips()) == {"203.0.113.70"}


def test_x_forwarded_for_counts_behind_one_trusted_proxy(engine):
    from starlette.testclient import TestClient

    with settings_env(FLUXKIT_TRUSTED_PROXY_HOPS="1"):
        proxy = TestClient(build_app(), base_url="http://localhost:3000", client=("10.0.0.2", 1))
        # Each user behind the proxy has a limit of their own ...
        statuses = [_sign_in_attempt(proxy, f"198.51.100.{n}").status_code for n in range(1, 8)]
        assert statuses == [401] * 7
        # ... one user is limited by their own address ...
        statuses = [_sign_in_attempt(proxy, "192.0.2.1").status_code for _ in range(31)]
        assert statuses == [401] * 30 + [429]
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


def test_the_device_cookie_is_httponly_and_only_sent_to_the_auth_routes(db, new_client):
    make_user(db)
    response = _try(new_client(), password=PASSWORD)
    [header] = [v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("fluxkit.device=")]
    attributes = header.lower()
    assert "httponly" in attributes and "path=/api/auth" in attributes and "samesite=strict" in attributes
    assert "max-age=31536000" in attributes
