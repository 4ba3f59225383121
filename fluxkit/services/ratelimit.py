"""Rate limits, via the `limits` library: in memory by default, Redis when REDIS_URL is set."""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from fluxkit.settings import get_settings

# FluxKit's own numbers: 5 requests per 15 minutes per IP on the sensitive auth routes.
AUTH_PER_IP = parse("5/15 minutes")
# Per account, so one account cannot be guessed from many addresses.
SIGN_IN_PER_ACCOUNT = parse("10/15 minutes")
RESET_PER_ACCOUNT = parse("3/hour")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int  # unix seconds

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset_at - time.time()))


@functools.cache
def _limiter_for(uri: str) -> MovingWindowRateLimiter:
    return MovingWindowRateLimiter(storage_from_string(uri))


def limiter() -> MovingWindowRateLimiter:
    settings = get_settings()
    return _limiter_for(settings.redis_url or "memory://")


def hit(item: RateLimitItem, *key: str) -> Verdict:
    """Count one request against `item` for `key`; says whether it is allowed."""
    rate = limiter()
    allowed = rate.hit(item, "fluxkit", *key)
    stats = rate.get_window_stats(item, "fluxkit", *key)
    return Verdict(
        allowed=allowed,
        limit=item.amount,
        remaining=max(0, stats.remaining),
        reset_at=math.ceil(stats.reset_time),
    )


def reset_all() -> None:
    """Forget every counter (tests, and `fluxkit` admin tooling)."""
    limiter().storage.reset()
