"""Services a test needs (PostgreSQL, Redis, Chromium): skip without them, fail under CI=true."""

from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def need(service: str, available: bool, how: str) -> None:
    """Skip (or, in CI, fail) when a service the test needs is missing."""
    if available:
        return
    message = f"{service} is not available here ({how})"
    if IN_CI:
        pytest.fail(f"CI=true but {message}")
    pytest.skip(message)
