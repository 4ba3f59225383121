"""The production server stopped with SIGTERM and started again under an open tab.

It stops promptly and cleanly, and afterwards nobody is signed out, nothing is lost, and the
tab that stayed open reconnects by itself and keeps working without a reload.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import time

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in
from tests.support.live_server import live_app, project_copy

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1500)]

EMAIL = "restart@example.com"
PASSWORD = "restart-passphrase-9"


def _add_task(page, title: str) -> None:
    page.locator("#task-empty-create, #task-add").first.wait_for()  # the page has loaded
    if page.locator("#task-empty-create").is_visible():
        page.click("#task-empty-create")
    else:
        page.click("#task-add")
    page.fill("#task-dialog-title", title)
    page.click("#task-save")
    expect(page.locator("#task-table")).to_contain_text(title)


def test_sigterm_then_restart_under_an_open_tab(browser):
    # Its own copy of the project: a production build bakes in its port, and the shared
    # browser-test server keeps serving its build from this checkout meanwhile.
    root = project_copy("fluxkit-lifecycle-")
    try:
        _stop_and_restart(root, browser)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _stop_and_restart(root, browser):
    with live_app(root) as first:
        port = int(first.url.rsplit(":", 1)[1])
        data_dir = first.data_dir
        first.cli("create-user", "--email", EMAIL, "--name", "Restart", "--password-stdin", stdin=PASSWORD + "\n")
        context = browser.new_context()
        context.set_default_timeout(30_000)
        page = sign_in(context.new_page(), first, EMAIL, PASSWORD, "/tasks")
        _add_task(page, "Written before the restart")

        # SIGTERM with a tab connected: the server stops by itself, promptly and cleanly.
        started = time.monotonic()
        os.killpg(first.process.pid, signal.SIGTERM)
        assert first.process.wait(timeout=30) == 0
        assert time.monotonic() - started < 30
        log = (data_dir / "server.log").read_text(errors="replace")
        assert "Traceback" not in log

    try:
        with live_app(root, port=port, data_dir=data_dir) as second:
            assert second.url == first.url
            # A new tab with the same cookie is signed in: the session survived, the data too.
            other = context.new_page()
            other.goto(f"{second.url}/tasks")
            expect(other.locator("#task-table")).to_contain_text("Written before the restart")
            assert "/sign-in" not in other.url
            _add_task(other, "Written in a new tab")
            # The old tab was never reloaded: it reconnected by itself and gets live updates...
            expect(page.locator("#task-table")).to_contain_text("Written in a new tab", timeout=60_000)
            assert re.search(r"/tasks/?$", page.url)
            # ...and its own events work again.
            _add_task(page, "Written in the old tab")
            expect(other.locator("#task-table")).to_contain_text("Written in the old tab")
    finally:
        context.close()
