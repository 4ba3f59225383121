"""What a person sees when an event handler fails: a plain message and a reference that the
server's log carries too, instead of Reflex's bare "An error occurred." toast.

Deliberately without `from __future__ import annotations`: Reflex checks the handler's
annotations at startup and evaluates string annotations in its own module.
"""

import logging
import secrets

import reflex as rx
from reflex.event import EventSpec

logger = logging.getLogger("fluxkit.errors")

TITLE = "Something went wrong on our side"
DESCRIPTION = (
    "That action did not finish, so it may not have been saved. Try again; if it keeps happening, "
    "reload the page. Reference: {reference}"
)


def backend_exception_handler(exception: Exception) -> EventSpec:
    reference = secrets.token_hex(4)
    logger.error(
        "event handler failed (reference %s)",
        reference,
        exc_info=(type(exception), exception, exception.__traceback__),
    )
    return rx.toast.error(
        TITLE,
        description=DESCRIPTION.format(reference=reference),
        duration=12_000,
        close_button=True,
        position="top-center",
        id="handler-error",
    )
