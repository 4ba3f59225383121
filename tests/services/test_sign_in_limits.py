"""Sign-in limits as a service: only failures count, device cookies, waits in words."""

from __future__ import annotations

import pytest

from fluxkit.services import ratelimit, sign_in_limits


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (1, "1 second"),
        (30, "30 seconds"),
        (50, "a minute"),
        (60, "about a minute"),
        (89, "about a minute"),
        (775, "about 13 minutes"),
        (900, "about 15 minutes"),
        (3600, "about an hour"),
        (3 * 3600 + 100, "about 3 hours"),
    ],
)
def test_waits_are_said_in_words(seconds, said):
    assert ratelimit.human_wait(seconds) == said


def test_a_device_cookie_is_good_for_its_account_only():
    cookie = sign_in_limits.new_device_cookie("ada@example.com")
    assert sign_in_limits.trusted_device(cookie, "ada@example.com")
    assert sign_in_limits.trusted_device(cookie, "bob@example.com") is None
    nonce, _, signature = cookie.partition(".")
    assert sign_in_limits.trusted_device(f"{nonce}x.{signature}", "ada@example.com") is None
    for junk in (None, "", ".", "x" * 500, 42):
        assert sign_in_limits.trusted_device(junk, "ada@example.com") is None


def test_only_failures_count_and_a_success_forgets_the_pairs_failures():
    for _ in range(100):
        assert sign_in_limits.refusal("ada@example.com", "203.0.113.1", None) is None  # asking is free
    for _ in range(4):
        sign_in_limits.failed("ada@example.com", "203.0.113.1", None)
    sign_in_limits.succeeded("ada@example.com", "203.0.113.1")
    for _ in range(4):
        sign_in_limits.failed("ada@example.com", "203.0.113.1", None)
    assert sign_in_limits.refusal("ada@example.com", "203.0.113.1", None) is None
    sign_in_limits.failed("ada@example.com", "203.0.113.1", None)
    refused = sign_in_limits.refusal("ada@example.com", "203.0.113.1", None)
    assert refused is not None and "about 15 minutes" in refused.message


def test_a_trusted_device_is_judged_by_its_own_failures():
    device = sign_in_limits.trusted_device(sign_in_limits.new_device_cookie("ada@example.com"), "ada@example.com")
    for n in range(10):
        sign_in_limits.failed("ada@example.com", f"192.0.2.{n}", None)
    assert sign_in_limits.refusal("ada@example.com", "198.51.100.1", None) is not None
    assert sign_in_limits.refusal("ada@example.com", "198.51.100.1", device) is None
    for _ in range(10):
        sign_in_limits.failed("ada@example.com", "198.51.100.1", device)
    assert sign_in_limits.refusal("ada@example.com", "198.51.100.1", device) is not None
