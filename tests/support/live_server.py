"""Run the real app (`reflex run --env prod`) on a free loopback port, in a subprocess.

Used by the browser journeys (tests/e2e) and the benchmarks (bench/). Each server gets
its own data folder: SQLite database, email outbox and log.
"""

from __future__ import annotations

import contextlib
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
from collections.abc import Iterator
from email import policy
from pathlib import Path

import httpx
from sqlmodel import Session

from fluxkit.db import engine_for
from tests.support.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 900


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def project_copy(prefix: str = "fluxkit-copy-") -> Path:
    """The working tree (tracked and new files) plus the installed frontend, in a temp folder.

    For a server that needs other settings than a shared one: a production build bakes its
    port into the frontend, so it builds in the copy's own .web. Delete the folder after use.
    """
    dest = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        listed = (
            subprocess.run(
                ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True, check=True
            )
            .stdout.decode()
            .split("\0")
        )
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        shutil.rmtree(dest)
        skip = shutil.ignore_patterns(
            ".git", ".web", ".states", ".venv", "var", "__pycache__", ".pytest_cache", "*.db", "*.db-*"
        )
        shutil.copytree(ROOT, dest, ignore=skip)
        listed = []
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    if (ROOT / ".web").is_dir():
        # Saves the npm install; the build itself is redone there.
        web = ROOT / ".web"
        shutil.copytree(
            web, dest / ".web", symlinks=True, ignore=lambda folder, names: ["build"] if Path(folder) == web else []
        )
    return dest


class LiveApp:
    def __init__(self, url: str, data_dir: Path, env: dict[str, str], root: Path = ROOT):
        self.url = url
        self.data_dir = data_dir
        self.env = env
        self.root = root
        self.process: subprocess.Popen | None = None

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

    def create_user(self, email: str, name: str, password: str, *, admin: bool = False) -> None:
        """An account that can sign in at once, written to this server's database.

        What `fluxkit create-user` does (tests/test_cli.py runs that), without starting a process.
        """
        engine = engine_for(self.env["DATABASE_URL"])
        try:
            with Session(engine, expire_on_commit=False) as db:
                make_user(db, email, name, password=password, admin=admin)
        finally:
            engine.dispose()

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """Run `fluxkit ...` against this server's database."""
        done = subprocess.run(
            [sys.executable, "-m", "fluxkit.cli", *args],
            cwd=self.root,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout


@contextlib.contextmanager
def live_app(
    root: Path = ROOT,
    *,
    workers: int | None = None,
    port: int | None = None,
    data_dir: Path | None = None,
    **overrides: str,
) -> Iterator[LiveApp]:
    """The app from `root` (default this checkout; another copy builds its own .web).

    `workers`: backend worker processes (Granian's GRANIAN_WORKERS); more than one needs a
    REDIS_URL override, so that every worker sees the same Reflex state.
    `port` and `data_dir` of an earlier run start the same app again: same address, same
    database, same secret key (a restart). `app.process` is the server's process.
    """
    port = port or free_port()
    data_dir = data_dir or Path(tempfile.mkdtemp(prefix="fluxkit-live-"))
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "FLUXKIT_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'live.db'}",
        "FLUXKIT_BASE_URL": url,
        "FLUXKIT_SECRET_KEY": "live-server-secret",
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for key in ("SMTP_URL", "REDIS_URL", "GRANIAN_WORKERS", "PYTEST_CURRENT_TEST"):
        env.pop(key, None)
    env.update(overrides)
    if workers is not None:
        env["GRANIAN_WORKERS"] = str(workers)
    app = LiveApp(url, data_dir, env, root)
    app.cli("migrate")
    log_path = data_dir / "server.log"
    with open(log_path, "ab") as log:
        command = [
            sys.executable,
            "-m",
            "reflex",
            "run",
            "--env",
            "prod",
            "--single-port",
            "--frontend-port",
            str(port),
            "--backend-port",
            str(port),
            "--backend-host",
            "127.0.0.1",
        ]

        def start() -> subprocess.Popen:
            return subprocess.Popen(
                command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

        server = app.process = start()
        try:
            try:
                _wait_until_up(url, server, log_path)
            except PrerenderTimedOut:
                # React Router's build prerenders each page with a fixed 10 s timeout: on a machine
                # loaded by other builds one page can miss it. The build is started once more.
                server = app.process = start()
                _wait_until_up(url, server, log_path)
            yield app
        finally:
            with contextlib.suppress(ProcessLookupError):  # it may have exited on its own
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


class PrerenderTimedOut(RuntimeError):
    """The production build stopped: a page's prerender request took over React Router's 10 s."""


def _wait_until_up(url: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log = log_path.read_text(errors="replace")
            if "Prerender: Request failed" in log[-20000:] and "due to timeout" in log[-20000:]:
                raise PrerenderTimedOut(log[-4000:])
            raise RuntimeError(f"the app exited early:\n{log[-4000:]}")
        try:
            if httpx.get(f"{url}/sign-in", timeout=2, follow_redirects=True).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the app did not start in time:\n{log_path.read_text()[-4000:]}")
