"""GET /api/calendar/feed/<token>.ics: a user's private feed for calendar apps (no cookie needed).

The token in the URL is the only credential; its keyed hash is looked up. An unknown,
revoked or replaced token is a plain 404. Answers are never cached by intermediaries.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from limits import parse

from fluxkit.db import session_scope
from fluxkit.services import ratelimit
from fluxkit.services.calendar import ics as calendar_ics
from fluxkit.services.errors import NotFound

router = APIRouter(prefix="/api/calendar")

FEED_RATE = parse("60/minute")  # per feed URL: calendar apps poll every few minutes


@router.get("/feed/{token}.ics", include_in_schema=False)
def feed(token: str) -> Response:
    verdict = ratelimit.hit(FEED_RATE, "calendar-feed", token[:100])
    if not verdict.allowed:
        return Response(
            "Too many requests.",
            status_code=429,
            media_type="text/plain",
            headers={"Retry-After": str(verdict.retry_after)},
        )
    try:
        with session_scope() as db:
            data = calendar_ics.feed_for_token(db, token)
    except NotFound:
        return Response("No such feed.", status_code=404, media_type="text/plain")
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, no-store", "Content-Disposition": 'inline; filename="fluxkit.ics"'},
    )
