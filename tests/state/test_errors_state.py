"""A failed event handler: a plain message with a reference the log carries too, not
Reflex's bare "An error occurred."; the app uses it."""

from __future__ import annotations

import logging
import re

from fluxkit.fluxkit import app
from fluxkit.state import errors
from tests.support.states import texts


def test_a_failed_handler_says_what_to_do_and_gives_a_reference_the_log_has(caplog):
    try:
        raise RuntimeError("database is locked")
    except RuntimeError as exc:
        with caplog.at_level(logging.ERROR, logger="fluxkit.errors"):
            shown = texts([errors.backend_exception_handler(exc)])
    assert "Something went wrong on our side" in shown
    assert "Try again" in shown
    assert "An error occurred" not in shown
    assert "database is locked" not in shown  # no internals to the browser
    reference = re.search(r"Reference: ([0-9a-f]{8})", shown).group(1)
    assert reference in caplog.text
    assert "database is locked" in caplog.text  # the log has the traceback


def test_the_app_uses_it():
    assert app.backend_exception_handler is errors.backend_exception_handler


def test_redis_out_of_reach_is_said_as_such_and_promises_no_reload(caplog):
    """The state store down (Reflex keeps tab state in Redis): not "something went wrong", but
    that the click was not applied and that it comes back by itself."""
    import redis

    try:
        try:
            raise ConnectionRefusedError(111, "Connect call failed")
        except ConnectionRefusedError as refused:
            raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6391.") from refused
    except redis.exceptions.ConnectionError as exc:
        with caplog.at_level(logging.WARNING, logger="fluxkit.errors"):
            shown = texts([errors.backend_exception_handler(exc)])
    assert "Not saved" in shown and "reconnecting" in shown
    assert "no need to reload" in shown
    assert "Something went wrong on our side" not in shown
    reference = re.search(r"Reference: ([0-9a-f]{8})", shown).group(1)
    assert reference in caplog.text and "Redis does not answer" in caplog.text


def test_a_redis_failure_wrapped_by_reflex_is_still_recognised():
    import redis

    try:
        try:
            raise redis.exceptions.TimeoutError("Timeout reading from 127.0.0.1:6391")
        except redis.exceptions.TimeoutError:
            raise RuntimeError("failed to get the state lock")  # noqa: B904 - implicit chaining, as Reflex does
    except RuntimeError as exc:
        assert errors._redis_unreachable(exc)
    assert not errors._redis_unreachable(RuntimeError("database is locked"))
