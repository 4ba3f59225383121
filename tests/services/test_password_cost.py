"""Passwords hash at the production argon2 cost everywhere but in the test suite's fixtures.

The suite calls passwords.use_hash_cost with argon2's smallest parameters (tests/conftest.py),
so fixture accounts are cheap; these tests prove the app itself never does.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from fluxkit.services import accounts, passwords
from tests.support.factories import META, PASSWORD, TEST_HASH_COST


def _cost_of(stored: str) -> passwords.HashCost:
    assert stored.startswith("$argon2id$v=19$"), stored
    params = dict(kv.split("=") for kv in stored.split("$")[3].split(","))
    return passwords.HashCost(memory_kib=int(params["m"]), iterations=int(params["t"]), lanes=int(params["p"]))


def test_the_production_cost_is_at_least_owasps_floor():
    # OWASP: argon2id with 19 MiB, 2 iterations, 1 lane.
    cost = passwords.PRODUCTION_COST
    assert cost.memory_kib >= 19 * 1024 and cost.iterations >= 2 and cost.lanes >= 1


def test_a_process_that_never_calls_the_hook_hashes_at_the_production_cost():
    """What every server and command-line process does: no test hook, production cost."""
    script = "from fluxkit.services import passwords; print(passwords.hash_password('a long passphrase'))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    assert _cost_of(done.stdout.strip()) == passwords.PRODUCTION_COST


@pytest.mark.production_hash_cost
def test_sign_up_stores_a_production_cost_hash_and_upgrades_a_cheap_one_at_sign_in(db, clock, signed_up):
    signed_up()  # through sign-up and the emailed link
    user = accounts.user_by_email(db, "ada@example.com")
    assert _cost_of(user.password_hash) == passwords.PRODUCTION_COST
    # A hash made at the test suite's cost (as fixture accounts are) is replaced at sign-in.
    production = passwords.use_hash_cost(TEST_HASH_COST)
    user.password_hash = passwords.hash_password(PASSWORD)
    passwords.use_hash_cost(production)
    db.add(user)
    db.commit()
    accounts.sign_in(db, email="ada@example.com", password=PASSWORD, meta=META, clock=clock)
    db.commit()
    assert _cost_of(accounts.user_by_email(db, "ada@example.com").password_hash) == passwords.PRODUCTION_COST


def test_fixture_accounts_hash_at_the_cheapest_cost():
    assert passwords.hash_cost() == TEST_HASH_COST
    assert _cost_of(passwords.hash_password(PASSWORD)) == TEST_HASH_COST
