"""What a person sees when an event handler fails: a plain message and a reference that the
server's log carries too, instead of Reflex's bare "An error occurred." toast.

Redis out of reach (Reflex keeps each tab's state there when REDIS_URL is set) is said as
what it is: the click was not applied, and clicks work again by themselves, without a
reload, once Redis answers (tests/e2e/test_redis_outage_live.py).

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


REDIS_TITLE = "Not saved: the server is reconnecting"
REDIS_DESCRIPTION = (
    "That action was not applied: the server lost its session store for a moment. "
    "It comes back by itself within seconds; then try again (no need to reload). Reference: {reference}"
)


def _redis_unreachable(exception: BaseException) -> bool:
    """Whether `exception` (or one it was raised from) is Redis not answering."""
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # no Redis client installed: it cannot be Redis
        return False
    seen: set[int] = set()
    current: BaseException | None = exception
    while current is not None and id(current) not in seen:
        if isinstance(current, RedisConnectionError | RedisTimeoutError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def backend_exception_handler(exception: Exception) -> EventSpec:
    reference = secrets.token_hex(4)
    if _redis_unreachable(exception):
        # One line, not a traceback per click: the state store, not the handler, failed.
        logger.warning("event not applied, Redis does not answer (reference %s): %s", reference, exception)
        return rx.toast.error(
            REDIS_TITLE,
            description=REDIS_DESCRIPTION.format(reference=reference),
            duration=8_000,
            close_button=True,
            position="top-center",
            id="handler-error",
        )
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
