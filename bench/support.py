"""What every benchmark module shares: a backend-only production server, fresh PostgreSQL and
Redis databases, signed-in users, percentiles.

The measurements that do not need the browser bundle (everything but first load) run the
production backend alone (`reflex run --env prod --backend-only`, Granian, the same ASGI app
and websocket handler a browser talks to): it starts in seconds instead of rebuilding the
frontend, and it never touches the shared `.web` build.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.tasks_roundtrip import PASSWORD, BenchError, seed_tasks, sign_in
from tests.support.live_server import ROOT, LiveApp, free_port

PG_SERVER = os.environ.get("FLUXKIT_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS_SERVER = os.environ.get("FLUXKIT_BENCH_REDIS", "redis://127.0.0.1:6379")
# Databases other engineers' tests use by default; never taken even when empty.
_REDIS_RESERVED = {"0", "13"}


# ---- numbers --------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of `values`."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


@dataclass
class Latency:
    """Round trips in seconds, reported in milliseconds."""

    seconds: list[float] = field(default_factory=list)

    def ms(self, q: float) -> float:
        return percentile(self.seconds, q) * 1000

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds) * 1000 if self.seconds else float("nan")

    @property
    def p95(self) -> float:
        return self.ms(95)

    @property
    def p99(self) -> float:
        return self.ms(99)

    def as_json(self) -> dict:
        return {
            "n": len(self.seconds),
            "p50_ms": round(self.p50, 2),
            "p95_ms": round(self.p95, 2),
            "p99_ms": round(self.p99, 2),
        }


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---- servers --------------------------------------------------------------------------------


def server_env(data_dir: Path, url: str, **overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "FLUXKIT_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"sqlite:///{data_dir / 'bench.db'}",
        "FLUXKIT_BASE_URL": url,
        "FLUXKIT_SECRET_KEY": "bench-secret",
        "FLUXKIT_TRUSTED_PROXY_HOPS": "1",  # each sign-in from its own X-Forwarded-For address
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        # This checkout's code in every process (the editable install points at another one otherwise).
        "PYTHONPATH": str(ROOT),
    }
    for key in ("SMTP_URL", "REDIS_URL", "GRANIAN_WORKERS", "PYTEST_CURRENT_TEST"):
        env.pop(key, None)
    env.update(overrides)
    return env


def stop_process(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextlib.contextmanager
def backend(workers: int = 1, **overrides: str) -> Iterator[LiveApp]:
    """The production backend (Granian, `workers` processes) on a free loopback port.

    Its own data folder and SQLite database unless DATABASE_URL is overridden; more than one
    worker needs REDIS_URL. Waits until every worker has answered /api/health.
    """
    port = free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="fluxkit-bench-"))
    url = f"http://127.0.0.1:{port}"
    env = server_env(data_dir, url, GRANIAN_WORKERS=str(workers), **overrides)
    app = LiveApp(url, data_dir, env, ROOT)
    app.cli("migrate")
    with open(data_dir / "server.log", "ab") as log:
        app.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reflex",
                "run",
                "--env",
                "prod",
                "--backend-only",
                "--backend-port",
                str(port),
                "--backend-host",
                "127.0.0.1",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_workers(app, workers)
        yield app
    finally:
        stop_process(app.process)
        shutil.rmtree(data_dir, ignore_errors=True)


def wait_for_workers(app: LiveApp, workers: int, timeout: float = 180) -> set[int]:
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise BenchError(f"the server exited:\n{(app.data_dir / 'server.log').read_text()[-3000:]}")
        try:
            response = httpx.get(f"{app.url}/api/health", timeout=5)
            if response.status_code == 200:
                seen.add(response.json()["worker"])
                if len(seen) >= workers:
                    return seen
                continue
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise BenchError(f"only {len(seen)} of {workers} workers answered within {timeout}s")


def worker_pids(app: LiveApp) -> list[int]:
    """The Granian worker processes (the leaves under the server's process tree)."""
    import psutil

    root = psutil.Process(app.process.pid)
    return [p.pid for p in root.children(recursive=True) if not p.children()]


def rss_bytes(pids: list[int]) -> int:
    import psutil

    return sum(psutil.Process(pid).memory_info().rss for pid in pids)


# ---- databases ------------------------------------------------------------------------------


def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=1)


@contextlib.contextmanager
def empty_redis() -> Iterator[str]:
    """A Redis database nothing uses now (highest index first); flushed afterwards."""
    parts = urlsplit(REDIS_SERVER)
    for index in range(15, 0, -1):
        url = parts._replace(path=f"/{index}").geturl()
        if str(index) not in _REDIS_RESERVED and redis_client(url).dbsize() == 0:
            break
    else:
        raise BenchError(f"no empty Redis database on {parts.netloc}")
    # Claim it at once, so a parallel run does not pick it too.
    redis_client(url).set("fluxkit-bench-claim", os.getpid())
    try:
        yield url
    finally:
        redis_client(url).flushdb()


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER.replace("postgresql+psycopg", "postgresql") + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


@contextlib.contextmanager
def fresh_postgres() -> Iterator[str]:
    """A database of our own (fluxkit_bench_<pid>_<n>), dropped afterwards."""
    name = f"fluxkit_bench_{os.getpid()}_{next(_pg_numbers)}"
    pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_pg_numbers = itertools.count(1)


# ---- users ----------------------------------------------------------------------------------


def create_users(database_url: str, prefix: str, count: int) -> list[str]:
    """`count` verified accounts (through the accounts service) sharing PASSWORD; their emails."""
    from sqlmodel import Session

    from fluxkit.db import engine_for
    from fluxkit.services import accounts
    from fluxkit.services.audit import RequestMeta

    stamp = time.time_ns()
    emails = [f"{prefix}-{stamp}-{n}@example.com" for n in range(count)]
    with Session(engine_for(database_url)) as db:
        for email in emails:
            accounts.create_verified_user(
                db, accounts.NewUser(email=email, name="Bench user", password=PASSWORD), RequestMeta()
            )
        db.commit()
    return emails


_addresses = itertools.count(1)


def next_address() -> str:
    """A distinct documentation-range address for X-Forwarded-For (sign-in limits are per address)."""
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def signed_in_users(app: LiveApp, prefix: str, count: int, tasks: int = 0) -> list[str]:
    """Cookie headers of `count` distinct users, each signed in over HTTP (real sessions), each
    with `tasks` tasks (bench/tasks_roundtrip.py's seed: every status, priority and category)."""
    emails = create_users(app.env["DATABASE_URL"], prefix, count)
    if tasks:
        from sqlmodel import Session, select

        from fluxkit.db import engine_for
        from fluxkit.models import User

        with Session(engine_for(app.env["DATABASE_URL"])) as db:
            ids = [db.exec(select(User.id).where(User.email == email)).one() for email in emails]
        for user_id in ids:
            seed_tasks(app.env["DATABASE_URL"], user_id, tasks)
    return [sign_in(app.url, email, forwarded_for=next_address()) for email in emails]
