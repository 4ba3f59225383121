"""GET /api/health: is this worker able to serve? For load balancers, uptime checks and ops.

Checks the database (`SELECT 1`) and, when REDIS_URL is set, Redis (`PING`), each with a
short timeout. 200 `ok` when everything configured answers; 200 `degraded` when only Redis
does not (the worker still serves: rate limits count in its memory until Redis is back, see
fluxkit/services/ratelimit.py); 503 when the database does not answer. The
answer names the worker process (`worker`: its pid), so you can see which of several workers
behind one port answered. It never includes error details (they go to the log).
"""

from __future__ import annotations

import functools
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from fluxkit.db import get_engine
from fluxkit.services import ratelimit
from fluxkit.settings import get_settings

log = logging.getLogger("fluxkit.health")

router = APIRouter()

OK, DOWN, OFF = "ok", "error", "disabled"
TIMEOUT_SECONDS = 2.0


# A database that does not answer at all (a dropped connection attempt can hang for minutes)
# must not hang the check: it runs here and is given up on after TIMEOUT_SECONDS.
_database_checks = ThreadPoolExecutor(max_workers=2, thread_name_prefix="fluxkit-health")


def _select_one() -> None:
    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1")).scalar_one()


def check_database() -> str:
    try:
        _database_checks.submit(_select_one).result(timeout=TIMEOUT_SECONDS)
    except FutureTimeout:
        log.error("health check: the database did not answer within %s s", TIMEOUT_SECONDS)
        return DOWN
    except Exception:
        log.exception("health check: the database did not answer")
        return DOWN
    return OK


@functools.cache
def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)


def check_redis() -> str:
    url = get_settings().redis_url
    if not url:
        return OFF
    try:
        if not _redis_client(url).ping():
            return DOWN
    except Exception:
        log.exception("health check: Redis did not answer")
        return DOWN
    return OK


@router.api_route("/api/health", methods=["GET", "HEAD"])  # HEAD for uptime checkers that use it
def health() -> JSONResponse:
    # A plain `def`: FastAPI runs it in a thread, so a slow check never blocks the event loop.
    database = check_database()
    redis = check_redis()
    if database != OK:
        status = "error"
    elif redis == DOWN or (redis == OK and ratelimit.degraded()):
        status = "degraded"  # serving, with rate limits per worker until Redis answers again
    else:
        status = "ok"
    body = {"status": status, "database": database, "redis": redis, "worker": os.getpid()}
    if ratelimit.degraded():
        # Counted per worker, or refused with 503 (FLUXKIT_RATE_LIMITS_WITHOUT_REDIS=refuse).
        body["rateLimits"] = "refused" if get_settings().rate_limits_without_redis == "refuse" else "memory"
    return JSONResponse(body, status_code=503 if status == "error" else 200, headers={"Cache-Control": "no-store"})
