"""Every route under /api/auth, as a browser or FluxKit's original client calls it."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select
from starlette.testclient import TestClient

from fluxkit.db import session_scope
from fluxkit.models import AuditEvent, User, UserSession
from fluxkit.services import accounts
from fluxkit.services.audit import RequestMeta
from tests.support.factories import PASSWORD, make_user
from tests.support.http import (
    BASE_URL,
    build_app,
    cookie_name,
    emails,
    link_in,
    session_of,
    sign_in,
    signed_in_client,
    token_in,
)
from tests.support.settings_env import settings_env

NEW_PASSWORD = "a brand new passphrase"
WEEK = 7 * 24 * 3600


def _user_row(email: str = "ada@example.com") -> User | None:
    with session_scope() as db:
        return db.exec(select(User).where(User.email == email)).first()


def _set_cookie_header(response) -> str:
    """The session cookie's Set-Cookie (sign-in also sets the device cookie and the first-paint hints)."""
    [header] = [
        v for k, v in response.headers.multi_items() if k.lower() == "set-cookie" and v.startswith(f"{cookie_name()}=")
    ]
    return header


def _cookie_attributes(header: str) -> dict[str, str]:
    parts = [p.strip() for p in header.split(";")]
    return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts[1:]}


# ---- sign-up ---------------------------------------------------------------------------------


def test_sign_up_creates_an_unverified_account_and_emails_a_link(client, outbox):
    response = client.post(
        "/api/auth/sign-up/email", json={"name": "Ada", "email": " Ada@Example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.json()["status"] is True
    assert "Check your email" in response.json()["message"]
    assert fluxkit_cookie_absent(response)
    user = _user_row()
    assert user is not None and user.email_verified is False and user.name == "Ada"
    [message] = emails(outbox, to="ada@example.com")
    assert link_in(message).startswith(f"{BASE_URL}/verify-email?token=")


def fluxkit_cookie_absent(response) -> bool:
    return cookie_name() not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "Ada", "email": "nope", "password": PASSWORD}, "email"),
        ({"name": "Ada", "email": "ada@example.com", "password": "short"}, "password"),
        ({"name": "Ada", "email": "ada@example.com", "password": "password123"}, "password"),
        ({"name": "", "email": "ada@example.com", "password": PASSWORD}, "name"),
        ({"email": "ada@example.com", "password": PASSWORD}, "name"),
    ],
)
def test_sign_up_explains_invalid_input(client, outbox, body, field):
    response = client.post("/api/auth/sign-up/email", json=body)
    assert response.status_code == 422
    data = response.json()
    assert data["error"] == "invalid_input"
    assert field in data["fields"] and data["message"]
    assert _user_row() is None
    assert emails(outbox) == []


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"", b'"text"'])
def test_sign_up_with_a_malformed_body_is_a_clear_422(client, raw):
    response = client.post("/api/auth/sign-up/email", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_input"


def test_sign_up_answer_is_the_same_for_registered_and_new_emails(db, new_client, outbox):
    make_user(db, "known@example.com")
    with session_scope() as db:  # and one registered but never verified
        accounts.sign_up(db, name="P", email="pending@example.com", password=PASSWORD, meta=RequestMeta())
    answers = []
    for n, address in enumerate(["new@example.com", "known@example.com", "pending@example.com", "KNOWN@example.com"]):
        response = new_client(f"198.51.100.{n + 1}").post(
            "/api/auth/sign-up/email", json={"name": "Someone", "email": address, "password": "another passphrase"}
        )
        answers.append((response.status_code, response.json(), fluxkit_cookie_absent(response)))
    assert all(answer == answers[0] for answer in answers)
    # The owner of the registered address is told someone tried.
    notices = emails(outbox, to="known@example.com")
    assert [m["Subject"] for m in notices] == ["Someone tried to sign up with your email"] * 2


# ---- verify-email ------------------------------------------------------------------------------


def _sign_up(client, outbox, email="ada@example.com"):
    response = client.post("/api/auth/sign-up/email", json={"name": "Ada", "email": email, "password": PASSWORD})
    assert response.status_code == 200
    return emails(outbox, to=email, subject="Verify")[-1]


def test_verify_email_then_sign_in(client, outbox):
    message = _sign_up(client, outbox)
    refused = client.post("/api/auth/sign-in/email", json={"email": "ada@example.com", "password": PASSWORD})
    assert refused.status_code == 401
    response = client.post("/api/auth/verify-email", json={"token": token_in(message)})
    assert response.status_code == 200
    assert response.json()["user"]["emailVerified"] is True
    assert response.json()["user"]["email"] == "ada@example.com"
    sign_in(client)


def test_verify_email_accepts_the_token_in_the_query(client, outbox):
    message = _sign_up(client, outbox)
    response = client.post(f"/api/auth/verify-email?token={token_in(message)}")
    assert response.status_code == 200
    assert _user_row().email_verified


@pytest.mark.parametrize("token", ["forged", "", "A" * 43, None, 123, {"a": 1}])
def test_verify_email_refuses_a_forged_token(client, outbox, token):
    _sign_up(client, outbox)
    response = client.post("/api/auth/verify-email", json={"token": token})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_token"
    assert not _user_row().email_verified


def test_verify_email_refuses_a_reused_token(client, outbox):
    token = token_in(_sign_up(client, outbox))
    assert client.post("/api/auth/verify-email", json={"token": token}).status_code == 200
    again = client.post("/api/auth/verify-email", json={"token": token})
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_token"


def test_verify_email_refuses_an_expired_token(client, outbox):
    token = token_in(_sign_up(client, outbox))
    with time_machine.travel(timedelta(hours=2, minutes=1), tick=False):
        response = client.post("/api/auth/verify-email", json={"token": token})
    assert response.status_code == 400
    assert not _user_row().email_verified


def test_send_verification_email_only_mails_unverified_accounts(db, new_client, outbox):
    make_user(db, "done@example.com")
    _sign_up(new_client("192.0.2.1"), outbox, "pending@example.com")
    answers = []
    for n, address in enumerate(["pending@example.com", "done@example.com", "nobody@example.com"]):
        response = new_client(f"192.0.2.{n + 10}").post("/api/auth/send-verification-email", json={"email": address})
        answers.append((response.status_code, response.json()))
    assert answers == [answers[0]] * 3 and answers[0][0] == 200
    assert len(emails(outbox, to="pending@example.com", subject="Verify")) == 2
    assert emails(outbox, to="done@example.com") == []
    assert emails(outbox, to="nobody@example.com") == []


# ---- sign-in -----------------------------------------------------------------------------------


def test_sign_in_sets_an_httponly_cookie_and_never_returns_the_token(db, client):
    make_user(db)
    response = sign_in(client)
    token = client.cookies.get(cookie_name())
    assert token and len(token) >= 43
    assert token not in response.text
    data = response.json()
    assert data["user"]["email"] == "ada@example.com"
    assert data["session"]["current"] is True
    assert "token" not in data and "token" not in data["session"]
    assert "argon2" not in response.text and "hash" not in response.text.lower()

    header = _set_cookie_header(response)
    assert header.startswith(f"{cookie_name()}={token};")
    attributes = _cookie_attributes(header)
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "lax"
    assert attributes["path"] == "/"
    assert attributes["max-age"] == str(WEEK)
    assert "secure" not in attributes
    assert "domain" not in attributes


def test_sign_in_under_https_sets_a_secure_prefixed_cookie(db, engine, new_client):
    make_user(db)
    with settings_env(FLUXKIT_BASE_URL="https://app.example.com"):
        browser = TestClient(build_app(), base_url="https://app.example.com", client=("203.0.113.9", 1))
        response = sign_in(browser)
        header = _set_cookie_header(response)
        assert header.startswith("__Secure-fluxkit.session_token=")
        attributes = _cookie_attributes(header)
        assert "secure" in attributes and "httponly" in attributes
        assert attributes["samesite"].lower() == "lax" and attributes["path"] == "/"
        assert session_of(browser)["user"]["email"] == "ada@example.com"
        # The trusted origin is now the https one.
        ok = browser.post("/api/auth/sign-out", headers={"origin": "https://app.example.com"})
        assert ok.status_code == 200
        assert session_of(browser) is None


def test_sign_in_gives_a_new_token_every_time(db, new_client):
    make_user(db)
    first = signed_in_client(new_client).cookies.get(cookie_name())
    second = signed_in_client(new_client).cookies.get(cookie_name())
    assert first != second


def test_sign_in_failures_are_one_401(db, new_client, outbox):
    make_user(db, "ada@example.com")
    _sign_up(new_client("192.0.2.200"), outbox, "pending@example.com")
    attempts = [
        {"email": "nobody@example.com", "password": PASSWORD},
        {"email": "ada@example.com", "password": "wrong passphrase"},
        {"email": "pending@example.com", "password": PASSWORD},
        {"email": "not-an-email", "password": PASSWORD},
        {"email": "ada@example.com"},
        {},
    ]
    answers = []
    for n, body in enumerate(attempts):
        response = new_client(f"192.0.2.{n + 1}").post("/api/auth/sign-in/email", json=body)
        answers.append((response.status_code, response.json(), fluxkit_cookie_absent(response)))
    assert answers == [answers[0]] * len(attempts)
    assert answers[0][0] == 401
    assert answers[0][1] == {"error": "invalid_credentials", "message": accounts.SIGN_IN_FAILED}


def test_sign_in_redirect_is_relative_only(db, client):
    make_user(db)
    answers = {}
    for target in ["/tasks?x=1", "https://evil.example/x", "//evil.example", None]:
        response = client.post(
            "/api/auth/sign-in/email", json={"email": "ada@example.com", "password": PASSWORD, "callbackURL": target}
        )
        answers[target] = response.json()["redirect"]
    assert answers == {
        "/tasks?x=1": "/tasks?x=1",
        "https://evil.example/x": "/dashboard",
        "//evil.example": "/dashboard",
        None: "/dashboard",
    }


# ---- get-session, sign-out --------------------------------------------------------------------


def test_get_session_is_null_when_signed_out(client):
    response = client.get("/api/auth/get-session")
    assert response.status_code == 200
    assert response.json() is None
    client.cookies.set(cookie_name(), "forged-token")
    assert session_of(client) is None


def test_get_session_shape(db, new_client):
    make_user(db)
    browser = signed_in_client(new_client)
    response = browser.get("/api/auth/get-session", headers={"user-agent": "Firefox/130"})
    data = response.json()
    assert set(data) == {"user", "session"}
    assert set(data["user"]) == {"id", "email", "name", "role", "emailVerified", "createdAt"}
    assert set(data["session"]) == {"id", "createdAt", "expiresAt", "ipAddress", "userAgent", "current"}
    assert data["user"]["email"] == "ada@example.com" and data["user"]["role"] == "user"
    assert data["session"]["ipAddress"] == "203.0.113.9"
    assert data["session"]["current"] is True
    token = browser.cookies.get(cookie_name())
    assert token not in response.text
    # The cookie is renewed with the session's sliding expiry.
    assert _cookie_attributes(_set_cookie_header(response))["max-age"] == str(WEEK)


def test_get_session_refuses_an_expired_session_and_slides_a_used_one(db, new_client):
    make_user(db)
    browser = signed_in_client(new_client)
    expires = session_of(browser)["session"]["expiresAt"]
    with time_machine.travel(timedelta(days=6), tick=False):
        slid = session_of(browser)["session"]["expiresAt"]
    assert slid > expires
    with time_machine.travel(timedelta(days=12), tick=False):
        assert session_of(browser) is not None  # 6 days after the refresh
    with time_machine.travel(timedelta(days=20), tick=False):
        assert session_of(browser) is None


def test_sign_out_ends_the_session_and_clears_the_cookie(db, new_client):
    make_user(db)
    browser = signed_in_client(new_client)
    other = signed_in_client(new_client)
    token = browser.cookies.get(cookie_name())
    response = browser.post("/api/auth/sign-out")
    assert response.status_code == 200
    header = _set_cookie_header(response)
    assert header.startswith(f'{cookie_name()}="";') or header.startswith(f"{cookie_name()}=;")
    assert _cookie_attributes(header)["max-age"] == "0"
    assert browser.cookies.get(cookie_name()) is None
    # The old token is dead on the server, not just forgotten by the browser.
    browser.cookies.set(cookie_name(), token)
    assert session_of(browser) is None
    assert session_of(other) is not None
    # Signing out without a session is harmless.
    assert new_client().post("/api/auth/sign-out").status_code == 200


# ---- forget-password, reset-password ------------------------------------------------------------


def _forget(client, email="ada@example.com", **extra):
    return client.post("/api/auth/forget-password", json={"email": email, **extra})


def test_forget_password_answer_is_the_same_for_known_and_unknown_emails(db, new_client, outbox):
    make_user(db)
    answers = []
    for n, address in enumerate(["ada@example.com", "nobody@example.com", "ADA@EXAMPLE.COM"]):
        response = _forget(new_client(f"192.0.2.{n + 1}"), address, redirectTo="/reset-password")
        answers.append((response.status_code, response.json()))
    assert answers == [answers[0]] * 3 and answers[0][0] == 200
    assert len(emails(outbox, to="ada@example.com", subject="Reset")) == 2
    assert emails(outbox, to="nobody@example.com") == []


def test_forget_password_refuses_an_invalid_email(client):
    response = _forget(client, "not-an-email")
    assert response.status_code == 422
    assert "email" in response.json()["fields"]


@pytest.mark.parametrize("redirect_to", ["https://evil.example/x", "//evil.example", "/reset-password", None])
def test_reset_link_uses_the_base_url_never_the_host_header(db, new_client, outbox, redirect_to):
    make_user(db)
    for host_client in (new_client(), new_client(base_url="http://evil.example")):
        response = host_client.post(
            "/api/auth/forget-password",
            json={"email": "ada@example.com", "redirectTo": redirect_to},
            headers={"host": "evil.example", "x-forwarded-host": "evil.example"},
        )
        assert response.status_code == 200
    messages = emails(outbox, to="ada@example.com", subject="Reset")
    assert len(messages) == 2
    for message in messages:
        assert "evil.example" not in message.get_content()
        assert link_in(message).startswith(f"{BASE_URL}/reset-password?token=")


def test_reset_password_sets_it_ends_every_session_and_emails_a_notice(db, new_client, outbox):
    make_user(db)
    laptop, phone = signed_in_client(new_client), signed_in_client(new_client)
    stranger = new_client("192.0.2.77")
    _forget(stranger)
    token = token_in(emails(outbox, subject="Reset")[-1])
    response = stranger.post("/api/auth/reset-password", json={"token": token, "newPassword": NEW_PASSWORD})
    assert response.status_code == 200
    assert response.json() == {"status": True}
    # Not signed in by the reset.
    assert session_of(stranger) is None
    assert session_of(laptop) is None and session_of(phone) is None
    [notice] = emails(outbox, subject="password was changed")
    assert notice["To"] == "ada@example.com"
    refused = stranger.post("/api/auth/sign-in/email", json={"email": "ada@example.com", "password": PASSWORD})
    assert refused.status_code == 401
    sign_in(stranger, password=NEW_PASSWORD)


@pytest.mark.parametrize("token", ["forged", "", "A" * 43, None])
def test_reset_password_refuses_a_forged_token(db, client, outbox, token):
    make_user(db)
    _forget(client)
    response = client.post("/api/auth/reset-password", json={"token": token, "newPassword": NEW_PASSWORD})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_token"
    sign_in(client)


def test_reset_password_refuses_a_reused_token(db, client, outbox):
    make_user(db)
    _forget(client)
    token = token_in(emails(outbox, subject="Reset")[-1])
    assert (
        client.post("/api/auth/reset-password", json={"token": token, "newPassword": NEW_PASSWORD}).status_code == 200
    )
    again = client.post("/api/auth/reset-password", json={"token": token, "newPassword": "attacker passphrase"})
    assert again.status_code == 400
    sign_in(client, password=NEW_PASSWORD)


def test_reset_password_refuses_an_expired_token(db, client, outbox):
    make_user(db)
    _forget(client)
    token = token_in(emails(outbox, subject="Reset")[-1])
    with time_machine.travel(timedelta(hours=1, minutes=1), tick=False):
        response = client.post("/api/auth/reset-password", json={"token": token, "newPassword": NEW_PASSWORD})
    assert response.status_code == 400
    sign_in(client)


def test_reset_password_with_a_weak_password_keeps_the_link_usable(db, client, outbox):
    make_user(db)
    _forget(client)
    token = token_in(emails(outbox, subject="Reset")[-1])
    weak = client.post("/api/auth/reset-password", json={"token": token, "newPassword": "password1"})
    assert weak.status_code == 422
    assert "newPassword" in weak.json()["fields"]
    ok = client.post("/api/auth/reset-password", json={"token": token, "newPassword": NEW_PASSWORD})
    assert ok.status_code == 200


def test_two_concurrent_resets_with_one_link_exactly_one_succeeds(db, new_client, outbox):
    make_user(db)
    _forget(new_client())
    token = token_in(emails(outbox, subject="Reset")[-1])
    start = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def use(password: str, ip: str) -> None:
        browser = new_client(ip)
        start.wait()
        statuses[password] = browser.post(
            "/api/auth/reset-password", json={"token": token, "newPassword": password}
        ).status_code

    threads = [
        threading.Thread(target=use, args=("first racer passphrase", "192.0.2.1")),
        threading.Thread(target=use, args=("second racer passphrase", "192.0.2.2")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses.values()) == [200, 400], statuses
    [winner] = [p for p, status in statuses.items() if status == 200]
    sign_in(new_client("192.0.2.3"), password=winner)
    assert len(emails(outbox, subject="password was changed")) == 1


# ---- change-password ------------------------------------------------------------------------------


def test_change_password_revokes_other_sessions_only(db, new_client, outbox):
    make_user(db)
    make_user(db, "bob@example.com", name="Bob")
    current, other = signed_in_client(new_client), signed_in_client(new_client)
    bob = signed_in_client(new_client, "bob@example.com")
    response = current.post(
        "/api/auth/change-password", json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert session_of(current)["user"]["email"] == "ada@example.com"
    assert session_of(other) is None
    assert session_of(bob) is not None
    assert emails(outbox, to="ada@example.com", subject="password was changed")
    assert (
        new_client()
        .post("/api/auth/sign-in/email", json={"email": "ada@example.com", "password": PASSWORD})
        .status_code
        == 401
    )
    sign_in(new_client(), password=NEW_PASSWORD)


def test_change_password_needs_the_current_password(db, new_client):
    make_user(db)
    current, other = signed_in_client(new_client), signed_in_client(new_client)
    response = current.post(
        "/api/auth/change-password", json={"currentPassword": "a wrong guess", "newPassword": NEW_PASSWORD}
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"currentPassword": "Your current password is not right."}
    assert session_of(other) is not None
    sign_in(new_client())


def test_change_password_needs_a_session(db, client):
    make_user(db)
    response = client.post("/api/auth/change-password", json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD})
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    sign_in(client)


# ---- list, revoke -------------------------------------------------------------------------------


def test_list_sessions_lists_only_my_live_sessions(db, new_client):
    make_user(db)
    make_user(db, "bob@example.com", name="Bob")
    laptop = signed_in_client(new_client, ip="192.0.2.1")
    signed_in_client(new_client, ip="192.0.2.2")
    signed_in_client(new_client, "bob@example.com", ip="192.0.2.3")
    response = laptop.get("/api/auth/list-sessions")
    assert response.status_code == 200
    rows = response.json()
    assert sorted(r["ipAddress"] for r in rows) == ["192.0.2.1", "192.0.2.2"]
    assert [r["current"] for r in rows if r["ipAddress"] == "192.0.2.1"] == [True]
    assert laptop.cookies.get(cookie_name()) not in response.text
    assert new_client().get("/api/auth/list-sessions").status_code == 401


def test_revoke_session_ends_one_of_my_sessions(db, new_client):
    make_user(db)
    laptop, phone = signed_in_client(new_client), signed_in_client(new_client)
    phone_id = session_of(phone)["session"]["id"]
    response = laptop.post("/api/auth/revoke-session", json={"id": phone_id})
    assert response.status_code == 200
    assert session_of(phone) is None
    assert session_of(laptop) is not None
    assert laptop.post("/api/auth/revoke-session", json={"id": phone_id}).status_code == 404


def test_revoke_session_of_another_user_is_404_and_changes_nothing(db, new_client):
    make_user(db)
    make_user(db, "bob@example.com", name="Bob")
    mallory = signed_in_client(new_client)
    bob = signed_in_client(new_client, "bob@example.com")
    bob_session = session_of(bob)["session"]["id"]
    response = mallory.post("/api/auth/revoke-session", json={"id": bob_session})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert session_of(bob)["session"]["id"] == bob_session
    for bad in [None, "1", [bob_session]]:
        assert mallory.post("/api/auth/revoke-session", json={"id": bad}).status_code == 422
    assert new_client().post("/api/auth/revoke-session", json={"id": bob_session}).status_code == 401
    assert session_of(bob) is not None


def test_revoke_other_sessions_keeps_mine(db, new_client):
    make_user(db)
    make_user(db, "bob@example.com", name="Bob")
    mine = signed_in_client(new_client)
    others = [signed_in_client(new_client) for _ in range(2)]
    bob = signed_in_client(new_client, "bob@example.com")
    response = mine.post("/api/auth/revoke-other-sessions")
    assert response.status_code == 200
    assert response.json() == {"status": True, "revoked": 2}
    assert session_of(mine) is not None
    assert all(session_of(o) is None for o in others)
    assert session_of(bob) is not None
    assert new_client().post("/api/auth/revoke-other-sessions").status_code == 401


# ---- audit through the API ------------------------------------------------------------------------


def test_routes_record_ip_and_user_agent_in_the_audit_log(db, new_client):
    make_user(db)
    browser = new_client("198.51.100.23")
    browser.headers["user-agent"] = "Firefox/130 (audit test)"
    browser.post("/api/auth/sign-in/email", json={"email": "ada@example.com", "password": "wrong passphrase"})
    sign_in(browser)
    browser.post("/api/auth/change-password", json={"currentPassword": "a wrong guess", "newPassword": NEW_PASSWORD})
    browser.post("/api/auth/sign-out")
    with session_scope() as db:
        rows = list(db.exec(select(AuditEvent).where(AuditEvent.action != "user_created").order_by(AuditEvent.id)))
    actions = ("sign_in_failed", "sign_in", "password_change_failed", "sign_out")
    assert [(r.action, r.ip, r.user_agent) for r in rows] == [
        (action, "198.51.100.23", "Firefox/130 (audit test)") for action in actions
    ]
    with session_scope() as db:
        assert db.exec(select(UserSession)).all() == []


def test_two_sign_ups_for_one_new_email_at_once_give_one_account_and_the_same_answer(new_client, monkeypatch):
    """A double click on "Create account": both requests look the address up before either commits."""
    real_lookup = accounts.user_by_email
    start = threading.Barrier(2)

    def slow_lookup(db, email):
        found = real_lookup(db, email)
        time.sleep(0.3)  # both requests are now past the lookup
        return found

    monkeypatch.setattr(accounts, "user_by_email", slow_lookup)
    answers: list[tuple[int, str]] = []

    def submit(ip: str) -> None:
        browser = new_client(ip)
        start.wait()
        response = browser.post(
            "/api/auth/sign-up/email", json={"name": "Ada", "email": "ada@example.com", "password": PASSWORD}
        )
        answers.append((response.status_code, response.text))

    threads = [threading.Thread(target=submit, args=(ip,)) for ip in ("192.0.2.1", "192.0.2.2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == 2 and answers[0] == answers[1] and answers[0][0] == 200, answers
    with session_scope() as db:
        assert len(db.exec(select(User)).all()) == 1
