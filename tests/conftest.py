"""Shared fixtures. The environment is set before FluxKit reads its settings.

Tests run on SQLite by default; FLUXKIT_TEST_DATABASE_URL points them at PostgreSQL.
Services a test needs but this machine lacks (PostgreSQL, Redis, Chromium) make it skip
with the reason, except under CI=true, where a missing service is a failure.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
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
from fluxkit.services.plans import INTERVALS, PAID_PLANS  # noqa: E402
from fluxkit.settings import get_settings, price_env_name  # noqa: E402
from tests.support.factories import TEST_HASH_COST  # noqa: E402
from tests.support.live_server import live_app  # noqa: E402
from tests.support.oidc_provider import running_provider  # noqa: E402
from tests.support.settings_env import settings_env  # noqa: E402
from tests.support.stripe_double import BillingEnv, StripeDouble, billing_environment, running_double  # noqa: E402

# Fixture accounts hash at argon2's smallest cost (milliseconds instead of ~0.1 s each); tests
# marked production_hash_cost (the password tests) hash at passwords.PRODUCTION_COST.
passwords.use_hash_cost(TEST_HASH_COST)


def pytest_collection_modifyitems(items):
    """Browser journeys (tests/e2e) run last, in their collected order.

    Playwright's sync API keeps its event loop marked as running in the main thread while the
    session-scoped browser is open, so every async test collected after the first journey
    would fail with "Runner.run() cannot be called from a running event loop".
    """
    e2e = Path(__file__).resolve().parent / "e2e"
    items.sort(key=lambda item: Path(str(item.path)).is_relative_to(e2e))


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


@pytest.fixture(scope="session")
def live_server():
    """The production app (`reflex run --env prod`, full frontend build) on a loopback port, one
    per test session: the benchmarks' smoke tests and the browser journeys share it. As if behind
    one proxy, so each client can send its own X-Forwarded-For (and its own rate-limit budget)."""
    # A loopback OpenID Connect provider is configured too (social sign-in's journey signs in
    # through it; every other journey just sees its "Sign in with Test IdP" button).
    with running_provider() as provider, live_app(FLUXKIT_TRUSTED_PROXY_HOPS="1", **provider.env()) as app:
        app.oidc_provider = provider
        yield app


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
    folder = get_settings().outbox_dir
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()
    return folder


@pytest.fixture
def heard():
    """Every live announcement this process delivers while the test runs: (user id, topics)."""
    got: list[tuple[int, frozenset[str]]] = []
    unsubscribe = live.subscribe(lambda user, topics: got.append((user, topics)))
    yield got
    unsubscribe()


# ---- billing against the Stripe double (tests/support/stripe_double.py) ------------------------


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[StripeDouble]:
    with running_double() as double:
        yield double


@pytest.fixture
def stripe_double(stripe_server: StripeDouble) -> StripeDouble:
    stripe_server.reset()
    return stripe_server


@pytest.fixture
def billing_on(stripe_double: StripeDouble) -> Iterator[BillingEnv]:
    env = billing_environment(stripe_double)
    stripe_double.requests.clear()
    with settings_env(**env):
        assert get_settings().stripe.enabled
        yield BillingEnv(double=stripe_double, prices=dict(get_settings().stripe.prices), env=env)


@pytest.fixture
def billing_off() -> Iterator[None]:

    names = ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE", "STRIPE_PORTAL_CONFIGURATION"]
    names += [price_env_name(p.id, i) for p in PAID_PLANS for i in INTERVALS]
    with settings_env(**dict.fromkeys(names)):
        assert not get_settings().stripe.enabled
        yield
