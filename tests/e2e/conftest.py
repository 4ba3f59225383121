"""Browser journeys: the real app (`reflex run --env prod`) driven by Debian's Chromium.

One production server per test session on a free loopback port, with its own SQLite
database and email outbox. Without Chromium these tests skip (fail under CI=true).
"""

from __future__ import annotations

import email
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from email import policy
from pathlib import Path

import httpx
import pytest

from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
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
]
STARTUP_SECONDS = 900


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveApp:
    def __init__(self, url: str, data_dir: Path):
        self.url = url
        self.data_dir = data_dir

    @property
    def outbox(self) -> Path:
        return self.data_dir / "outbox"

    def emails_to(self, address: str) -> list[email.message.EmailMessage]:
        found = []
        for path in sorted(self.outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] == address:
                found.append(message)
        return found

    def wait_for_link(self, address: str, path: str, timeout: float = 20) -> str:
        """The newest link to `path` emailed to `address`."""
        pattern = re.compile(re.escape(self.url + path) + r"\?token=[\w-]+")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.emails_to(address)):
                if match := pattern.search(message.get_content()):
                    return match.group(0)
            time.sleep(0.2)
        raise AssertionError(f"no email to {address} with a {path} link within {timeout}s")


@pytest.fixture(scope="session")
def live_app():
    need("Chromium", Path(CHROMIUM).exists(), "install Debian's chromium package")
    need("Playwright", _has_playwright(), "pip install playwright")
    port = _free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="fluxkit-e2e-"))
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "FLUXKIT_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'e2e.db'}",
        "FLUXKIT_BASE_URL": url,
        "FLUXKIT_SECRET_KEY": "e2e-secret",
        # As if behind one proxy: each browser context sends its own X-Forwarded-For, so
        # journeys do not share one address's rate-limit budget.
        "FLUXKIT_TRUSTED_PROXY_HOPS": "1",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for key in ("SMTP_URL", "REDIS_URL", "PYTEST_CURRENT_TEST"):
        env.pop(key, None)
    subprocess.run(
        [sys.executable, "-m", "fluxkit.cli", "migrate"], cwd=ROOT, env=env, check=True, timeout=120
    )
    log = open(data_dir / "server.log", "wb")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port",
            "--frontend-port", str(port), "--backend-port", str(port), "--backend-host", "127.0.0.1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_until_up(url, server, data_dir / "server.log")
        yield LiveApp(url, data_dir)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def _has_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def _wait_until_up(url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the app exited early:\n{log_path.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/sign-in", timeout=2, follow_redirects=True).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the app did not start in time:\n{log_path.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def browser(live_app):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


_addresses: list[str] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.failed_call = report.failed


@pytest.fixture
def new_page(browser, live_app, request):
    """Fresh browser contexts (separate cookie jars); screenshots kept when a test fails."""
    contexts = []

    def make(**options):
        address = f"198.51.100.{len(_addresses) + 1}"
        _addresses.append(address)
        options.setdefault("extra_http_headers", {"X-Forwarded-For": address})
        context = browser.new_context(**options)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for index, context in enumerate(contexts):
        if getattr(request.node, "failed_call", False):
            for number, page in enumerate(context.pages):
                shot = live_app.data_dir / f"{request.node.name}-{index}-{number}.png"
                page.screenshot(path=str(shot))
                print(f"screenshot: {shot} ({page.url})")
        context.close()
