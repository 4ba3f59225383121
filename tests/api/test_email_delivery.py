"""Emails the auth routes send, received by a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import pytest

from fluxkit.services import email
from tests.support.factories import PASSWORD, make_user
from tests.support.http import BASE_URL, emails, link_in, session_of, sign_in
from tests.support.settings_env import settings_env
from tests.support.smtpd import free_port, smtp_server

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def no_retry_delay(monkeypatch):
    monkeypatch.setattr(email, "RETRY_DELAY_SECONDS", 0)


@pytest.fixture
def smtp_attempts(monkeypatch):
    calls: list[str] = []
    real_send = email._smtp_send

    def counting(url, message):
        calls.append(message["To"])
        return real_send(url, message)

    monkeypatch.setattr(email, "_smtp_send", counting)
    return calls


def _sign_up(client, email="ada@example.com"):
    return client.post("/api/auth/sign-up/email", json={"name": "Ada", "email": email, "password": PASSWORD})


def test_sign_up_email_arrives_over_smtp_with_a_working_link(new_client, outbox):
    with smtp_server() as (server, url), settings_env(SMTP_URL=url):
        browser = new_client()
        assert _sign_up(browser).status_code == 200
        [message] = server.wait_for(1)
        assert server.envelopes[0][1] == ["ada@example.com"]
        assert message["Subject"] == "Verify your email for FluxKit"
        link = link_in(message)
        assert link.startswith(f"{BASE_URL}/verify-email?token=")

        # Follow the link as the /verify-email page does, then sign in.
        token = link.split("token=", 1)[1]
        assert browser.post("/api/auth/verify-email", json={"token": token}).status_code == 200
        sign_in(browser)
        assert session_of(browser)["user"]["emailVerified"] is True
    assert emails(outbox) == []


def test_password_reset_over_smtp_link_and_notice(db, new_client):
    make_user(db)
    with smtp_server() as (server, url), settings_env(SMTP_URL=url):
        browser = new_client()
        response = browser.post(
            "/api/auth/forget-password",
            json={"email": "ada@example.com", "redirectTo": "https://evil.example/x"},
            headers={"host": "evil.example"},
        )
        assert response.status_code == 200
        [reset] = server.wait_for(1)
        link = link_in(reset)
        assert link.startswith(f"{BASE_URL}/reset-password?token=")
        answer = browser.post(
            "/api/auth/reset-password", json={"token": link.split("token=", 1)[1], "newPassword": NEW_PASSWORD}
        )
        assert answer.status_code == 200
        [_, notice] = server.wait_for(2)
        assert notice["Subject"] == "Your FluxKit password was changed"
        assert notice["To"] == "ada@example.com"
        sign_in(browser, password=NEW_PASSWORD)


def test_smtp_down_same_answer_and_delivery_is_retried(db, new_client, no_retry_delay, smtp_attempts):
    make_user(db, "known@example.com")
    with smtp_server() as (server, url), settings_env(SMTP_URL=url):
        working = _sign_up(new_client("192.0.2.1"), "someone@example.com")
        server.wait_for(1)
    smtp_attempts.clear()

    with settings_env(SMTP_URL=f"smtp://127.0.0.1:{free_port()}"):  # nothing listens there
        new = _sign_up(new_client("192.0.2.2"), "new@example.com")
        known = _sign_up(new_client("192.0.2.3"), "known@example.com")
    for response in (new, known):
        assert (response.status_code, response.json()) == (working.status_code, working.json())
    assert smtp_attempts == ["new@example.com"] * email.ATTEMPTS + ["known@example.com"] * email.ATTEMPTS


def test_a_refused_delivery_is_retried_until_it_arrives(new_client, no_retry_delay, smtp_attempts):
    with smtp_server(fail_first=email.ATTEMPTS - 1) as (server, url), settings_env(SMTP_URL=url):
        assert _sign_up(new_client()).status_code == 200
        [message] = server.wait_for(1)
    assert smtp_attempts == ["ada@example.com"] * email.ATTEMPTS
    assert server.attempts == email.ATTEMPTS
    assert link_in(message).startswith(f"{BASE_URL}/verify-email?token=")


def test_without_smtp_the_email_is_an_eml_in_the_outbox(new_client, outbox):
    with settings_env(SMTP_URL=None):
        browser = new_client()
        assert _sign_up(browser).status_code == 200
    files = list(outbox.glob("*.eml"))
    assert len(files) == 1
    [message] = emails(outbox)
    assert message["To"] == "ada@example.com"
    token = link_in(message).split("token=", 1)[1]
    assert browser.post("/api/auth/verify-email", json={"token": token}).status_code == 200
    sign_in(browser)
