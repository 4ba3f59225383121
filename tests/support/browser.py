"""Browser journeys' shared steps: signing in through the real form, waiting for a page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from tests.support.environment import need

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A page the test hands to the browser itself (route.fulfill) has no address, so Chromium's
    # local-network checks would refuse its websocket to the loopback server.
    "--disable-features=LocalNetworkAccessChecks",
]


def need_a_browser() -> None:
    """Debian's Chromium and Playwright, or skip (fail under CI=true)."""
    need("Chromium", Path(CHROMIUM).exists(), "install Debian's chromium package")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        need("Playwright", False, "pip install playwright")


def expect_path(page, path: str) -> None:
    """Wait until the address bar shows `path` (any query or fragment)."""
    page.wait_for_url(re.compile(rf"^[^?#]*{re.escape(path)}/?([?#].*)?$"))


def submit_sign_in(page, email: str, password: str) -> None:
    """Fill in the sign-in form the page shows, and send it."""
    page.fill("#sign-in-email", email)
    page.fill("#sign-in-password", password)
    page.click("#sign-in-submit")


def sign_in(page, live_app, email: str, password: str, path: str = "/dashboard"):
    """Open the signed-in page `path`: the gate sends the browser to sign-in, and back after it."""
    page.goto(f"{live_app.url}{path}")
    page.wait_for_url(re.compile(r"/sign-in/?\?redirect="))
    submit_sign_in(page, email, password)
    expect_path(page, urlsplit(path).path)
    return page
