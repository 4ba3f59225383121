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
