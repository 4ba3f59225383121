"""Rate limits, via the `limits` library: in memory by default, Redis when REDIS_URL is set.

When Redis does not answer, counting goes on in this worker's memory (said once in the log,
and by `/api/health` as "degraded"): every limit still holds per worker, and nothing answers
500 because a counter is out of reach. Or, with FLUXKIT_RATE_LIMITS_WITHOUT_REDIS=refuse (for
an operator who would rather pause than let each worker count on its own), whatever is rate
limited raises `LimitsUnavailable`, which the API answers as 503 with Retry-After: the time
until Redis is tried again. Redis is tried again every `RETRY_REDIS_SECONDS`; the first answer
ends the fallback by itself.
"""

from __future__ import annotations

import functools
import logging
import math
import threading
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from fluxkit.services.errors import Unavailable
from fluxkit.settings import get_settings

log = logging.getLogger("fluxkit.ratelimit")

# FluxKit's own numbers. Only what could be abuse is counted: a correct sign-in never is.
AUTH_PER_IP = parse("5/15 minutes")  # reset-password tokens tried from one address
# Sign-in failures (fluxkit/services/sign_in_limits.py says how they combine).
SIGN_IN_PER_ACCOUNT = parse("10/15 minutes")  # one account, from browsers it never signed in on
SIGN_IN_PER_PAIR = parse("5/15 minutes")  # one account from one address
SIGN_IN_PER_ADDRESS = parse("30/hour")  # one address, over every account (credential stuffing)
SIGN_IN_PER_DEVICE = parse("10/15 minutes")  # a browser the account signed in on before
# Wrong two-factor codes for one account, over all its pending sign-ins (services/two_factor.py).
TWO_FACTOR_PER_ACCOUNT = parse("10/15 minutes")
# Forms that send an email: an office behind one address is many people, an address is one.
EMAIL_FORMS_PER_IP = parse("60/hour")
RESET_PER_ACCOUNT = parse("3/hour")
RETRY_REDIS_SECONDS = 5.0


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int  # unix seconds

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset_at - time.time()))


class _MemoryStorage(MemoryStorage):
    """limits' in-memory storage, pruning expired entries at most once a second.

    limits' own starts a new `threading.Timer(0.01)` thread on nearly every hit once the
    previous one has run: under API load that is a thread started per request (7% of an API
    request's time in bench/rest.py's profile). Counting does not depend on the pruning (an
    entry counts by its own timestamp), so pruning less often only keeps expired entries a
    little longer.
    """

    PRUNE_EVERY = 1.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces MemoryStorage.__schedule_expiry
        if not self.timer.is_alive():
            self.timer = threading.Timer(self.PRUNE_EVERY, self._MemoryStorage__expire_events)
            self.timer.daemon = True
            self.timer.start()


@functools.cache
def _limiter_for(uri: str) -> MovingWindowRateLimiter:
    if uri == "memory://":
        return MovingWindowRateLimiter(_MemoryStorage())
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5} if uri.startswith("redis") else {}
    return MovingWindowRateLimiter(storage_from_string(uri, **options))


class LimitsUnavailable(Unavailable):
    """Redis does not answer and FLUXKIT_RATE_LIMITS_WITHOUT_REDIS=refuse: try again later."""

    def __init__(self, message: str, *, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after


class _Fallback:
    """Whether this worker counts in memory because Redis is down, and since when."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.since: float | None = None
        self.next_try = 0.0

    def use_redis_now(self) -> bool:
        with self.lock:
            return self.since is None or time.monotonic() >= self.next_try

    def failed(self, exc: BaseException) -> None:
        with self.lock:
            if self.since is None:
                self.since = time.monotonic()
                log.error("Redis does not answer (%s): rate limits count in this worker's memory until it does", exc)
            self.next_try = time.monotonic() + RETRY_REDIS_SECONDS

    def retry_after(self) -> int:
        """Whole seconds until Redis is tried again (at least 1)."""
        with self.lock:
            return max(1, math.ceil(self.next_try - time.monotonic()))

    def answered(self) -> None:
        with self.lock:
            if self.since is not None:
                log.warning(
                    "Redis answers again after %.0f s: rate limits are shared again", time.monotonic() - self.since
                )
            self.since = None


_fallback = _Fallback()


def degraded() -> bool:
    """True while this worker counts in memory because Redis did not answer."""
    return _fallback.since is not None


def limiter() -> MovingWindowRateLimiter:
    settings = get_settings()
    return _limiter_for(settings.redis_url or "memory://")


def _run(operation):
    """`operation(limiter)` on Redis when configured and answering, else in memory."""
    url = get_settings().redis_url
    if not url:
        return operation(_limiter_for("memory://"))
    if _fallback.use_redis_now():
        try:
            result = operation(_limiter_for(url))
        except Exception as exc:  # connection refused, timeout, a Redis restarting, ...
            _fallback.failed(exc)
        else:
            _fallback.answered()
            return result
    if get_settings().rate_limits_without_redis == "refuse":
        wait = _fallback.retry_after()
        raise LimitsUnavailable(
            f"This is paused for a moment (a server component is restarting). Try again in {human_wait(wait)}.",
            retry_after=wait,
        )
    return operation(_limiter_for("memory://"))


def _verdict(rate: MovingWindowRateLimiter, item: RateLimitItem, allowed: bool, key: tuple[str, ...]) -> Verdict:
    stats = rate.get_window_stats(item, "fluxkit", *key)
    return Verdict(
        allowed=allowed, limit=item.amount, remaining=max(0, stats.remaining), reset_at=math.ceil(stats.reset_time)
    )


def hit(item: RateLimitItem, *key: str) -> Verdict:
    """Count one request against `item` for `key`; says whether it is allowed."""
    return _run(lambda rate: _verdict(rate, item, rate.hit(item, "fluxkit", *key), key))


def peek(item: RateLimitItem, *key: str) -> Verdict:
    """Whether one more would be allowed, without counting it (for limits on failures only)."""
    return _run(lambda rate: _verdict(rate, item, rate.test(item, "fluxkit", *key), key))


def clear(item: RateLimitItem, *key: str) -> None:
    _run(lambda rate: rate.clear(item, "fluxkit", *key))


def human_wait(seconds: int) -> str:
    """A wait as people say it: "about 13 minutes", not "775 seconds"."""
    if seconds < 60:
        if seconds > 45:
            return "a minute"
        return "1 second" if seconds <= 1 else f"{seconds} seconds"
    minutes = round(seconds / 60)
    if minutes < 60:
        return "about a minute" if minutes <= 1 else f"about {minutes} minutes"
    hours = round(seconds / 3600)
    return "about an hour" if hours <= 1 else f"about {hours} hours"


def reset_all() -> None:
    """Forget every counter (tests, and `fluxkit` admin tooling)."""
    _limiter_for("memory://").storage.reset()
    url = get_settings().redis_url
    if url:
        _run(lambda rate: rate.storage.reset())
