"""Shared fixtures. The environment is set before FluxKit reads its settings.

Tests run on SQLite by default; FLUXKIT_TEST_DATABASE_URL points them at PostgreSQL.
Services a test needs but this machine lacks (PostgreSQL, Redis, Chromium) make it skip
with the reason, except under CI=true, where a missing service is a failure.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_DATA_DIR = Path(tempfile.mkdtemp(prefix="fluxkit-test-"))
os.environ["FLUXKIT_DATA_DIR"] = str(_DATA_DIR)
os.environ["FLUXKIT_SECRET_KEY"] = "test-secret-key-not-for-production"
os.environ["FLUXKIT_BASE_URL"] = "http://localhost:3000"
os.environ.pop("SMTP_URL", None)
os.environ.pop("REDIS_URL", None)
TEST_DATABASE_URL = os.environ.get("FLUXKIT_TEST_DATABASE_URL") or f"sqlite:///{_DATA_DIR / 'test.db'}"
os.environ["DATABASE_URL"] = TEST_DATABASE_URL

import pytest  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

import fluxkit.models  # noqa: E402,F401 - registers the tables
from fluxkit.clock import FrozenClock  # noqa: E402
from fluxkit.db import get_engine  # noqa: E402
from fluxkit.services import live, passwords, ratelimit  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() == "true"

# argon2's smallest parameters: a fixture account costs milliseconds instead of ~0.1 s. Tests
# marked production_hash_cost (the password tests) hash at passwords.PRODUCTION_COST.
TEST_HASH_COST = passwords.HashCost(memory_kib=8, iterations=1, lanes=1)
passwords.use_hash_cost(TEST_HASH_COST)


def pytest_collection_modifyitems(items):
    """Browser journeys (tests/e2e) run last, in their collected order.

    Playwright's sync API keeps its event loop marked as running in the main thread while the
    session-scoped browser is open, so every async test collected after the first journey
    would fail with "Runner.run() cannot be called from a running event loop".
    """
    e2e = Path(__file__).resolve().parent / "e2e"
    items.sort(key=lambda item: Path(str(item.path)).is_relative_to(e2e))


def need(service: str, available: bool, how: str) -> None:
    """Skip (or, in CI, fail) when a service the test needs is missing."""
    if available:
        return
    message = f"{service} is not available here ({how})"
    if IN_CI:
        pytest.fail(f"CI=true but {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def engine():
    engine = get_engine()
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    return engine


@pytest.fixture(autouse=True)
def _production_hash_cost(request):
    if request.node.get_closest_marker("production_hash_cost") is None:
        yield
        return
    previous = passwords.use_hash_cost(passwords.PRODUCTION_COST)
    yield
    passwords.use_hash_cost(previous)


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Empty tables, rate-limit counters and what live updates heard, before each test."""
    ratelimit.reset_all()
    live.forget_heard()  # user ids are reused once tables are emptied
    if "engine" in request.fixturenames or "db" in request.fixturenames:
        engine = request.getfixturevalue("engine")
        # task_tally last: deleting tasks moves its counts (database triggers).
        tables = sorted(reversed(SQLModel.metadata.sorted_tables), key=lambda table: table.name == "task_tally")
        with engine.begin() as connection:
            for table in tables:
                connection.execute(table.delete())
    yield


@pytest.fixture
def db(engine):
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def clock():
    return FrozenClock()


@pytest.fixture
def outbox() -> Path:
    """The folder where emails land when SMTP_URL is not set."""
    from fluxkit.settings import get_settings

    folder = get_settings().outbox_dir
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()
    return folder
