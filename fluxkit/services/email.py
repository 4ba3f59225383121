"""Outgoing email: SMTP when SMTP_URL is set, else the terminal and a local outbox folder.

SMTP_URL forms: smtp://[user:pass@]host[:port] (STARTTLS when the server offers it),
smtps://... for implicit TLS. Sends are retried; callers send after answering, so
neither a failure nor its timing tells whether an account exists.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import sys
import time
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from fluxkit.settings import get_settings

log = logging.getLogger("fluxkit.mail")

ATTEMPTS = 3
RETRY_DELAY_SECONDS = 0.5


def compose(to: str, subject: str, body: str) -> EmailMessage:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="fluxkit.local")
    message.set_content(body)
    return message


def _smtp_send(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            host, parts.port or 465, timeout=10, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(host, parts.port or 587, timeout=10)
    with client:
        client.ehlo()
        if parts.scheme != "smtps" and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


def _write_outbox(outbox: Path, message: EmailMessage) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    safe_to = "".join(c if c.isalnum() else "_" for c in str(message["To"]))[:60]
    path = outbox / f"{stamp}-{time.monotonic_ns()}-{safe_to}.eml"
    path.write_bytes(bytes(message))
    return path


def deliver(message: EmailMessage) -> bool:
    """Send now, retrying; True when delivered. Never raises."""
    settings = get_settings()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            if settings.smtp_url:
                _smtp_send(settings.smtp_url, message)
            else:
                path = _write_outbox(settings.outbox_dir, message)
                sys.stdout.write(
                    f"\n--- email to {message['To']} (saved to {path}) ---\n"
                    f"Subject: {message['Subject']}\n\n{message.get_content()}\n---\n"
                )
                sys.stdout.flush()
            return True
        except Exception as exc:
            log.warning("email to %s failed (attempt %d): %s", message["To"], attempt, exc)
            if attempt < ATTEMPTS:
                time.sleep(RETRY_DELAY_SECONDS * attempt)
    log.error("email to %s given up after %d attempts", message["To"], ATTEMPTS)
    return False


def deliver_all(messages: list[EmailMessage]) -> None:
    for message in messages:
        deliver(message)


_background = None


def send_in_background(messages: list[EmailMessage]) -> None:
    """Deliver after the caller has answered (for states; API routes use BackgroundTasks)."""
    global _background
    if not messages:
        return
    if _background is None:
        from concurrent.futures import ThreadPoolExecutor

        _background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="fluxkit-mail")
    _background.submit(deliver_all, messages)
