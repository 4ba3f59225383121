"""Fixtures for state tests: two signed-in users (helpers to build states: tests/support/states.py)."""

from __future__ import annotations

import pytest

from tests.support.factories import make_signed_in


@pytest.fixture
def alice(db):
    """(user, session token, identity)."""
    return make_signed_in(db, "alice@example.com", "Alice")


@pytest.fixture
def bob(db):
    return make_signed_in(db, "bob@example.com", "Bob")
