"""Outgoing email: the outbox folder without SMTP, a real SMTP server with retries."""

from __future__ import annotations

import email
import email.policy
import logging

import pytest

from fluxkit.services import email as email_service
from tests.support.settings_env import settings_env
from tests.support.smtpd import free_port, smtp_server


@pytest.fixture
def no_retry_delay(monkeypatch):
    monkeypatch.setattr(email_service, "RETRY_DELAY_SECONDS", 0)


def _message(to="ada@example.com") -> email.message.EmailMessage:
    return email_service.compose(to, "Hello from FluxKit", "Follow http://localhost:3000/verify-email?token=abc\n")


def test_without_smtp_each_email_is_an_eml_file_and_printed(outbox, capsys):
    assert email_service.deliver(_message()) is True
    assert email_service.deliver(_message("bob@example.com")) is True
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 2
    saved = [email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files]
    assert sorted(m["To"] for m in saved) == ["ada@example.com", "bob@example.com"]
    assert all(m["Subject"] == "Hello from FluxKit" for m in saved)
    assert "verify-email?token=abc" in saved[0].get_content()
    printed = capsys.readouterr().out
    assert "Subject: Hello from FluxKit" in printed
    assert "http://localhost:3000/verify-email?token=abc" in printed
    assert str(files[0]) in printed or str(files[1]) in printed


def test_smtp_server_receives_the_email(outbox):
    with smtp_server() as (server, url), settings_env(SMTP_URL=url) as settings:
        assert email_service.deliver(_message()) is True
        [received] = server.wait_for(1)
        assert server.envelopes == [("no-reply@localhost", ["ada@example.com"])]
        assert received["From"] == settings.mail_from
        assert received["Subject"] == "Hello from FluxKit"
        assert "verify-email?token=abc" in received.get_content()
    assert list(outbox.glob("*.eml")) == []  # not also written to the outbox


def test_a_refused_send_is_retried(no_retry_delay):
    with smtp_server(fail_first=email_service.ATTEMPTS - 1) as (server, url), settings_env(SMTP_URL=url):
        assert email_service.deliver(_message()) is True
        assert server.attempts == email_service.ATTEMPTS
        assert len(server.wait_for(1)) == 1


def test_smtp_down_retries_then_gives_up_without_raising(no_retry_delay, monkeypatch, caplog):
    calls = []
    real_send = email_service._smtp_send
    monkeypatch.setattr(email_service, "_smtp_send", lambda url, m: (calls.append(url), real_send(url, m)))
    url = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    with settings_env(SMTP_URL=url), caplog.at_level(logging.WARNING, logger="fluxkit.mail"):
        assert email_service.deliver(_message()) is False
    assert calls == [url] * email_service.ATTEMPTS
    assert "given up after" in caplog.text


def test_retries_wait_a_little_longer_each_time(monkeypatch):
    waits = []
    monkeypatch.setattr(email_service.time, "sleep", waits.append)
    with settings_env(SMTP_URL=f"smtp://127.0.0.1:{free_port()}"):
        assert email_service.deliver(_message()) is False
    assert waits == [email_service.RETRY_DELAY_SECONDS * n for n in range(1, email_service.ATTEMPTS)]
