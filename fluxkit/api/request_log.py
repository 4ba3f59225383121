"""The outermost ASGI layer: a request id for every request, and one access-log line each.

A well-formed `X-Request-ID` from the proxy is kept (so nginx's `$request_id` ties its log to
ours); otherwise a new one is made. It is echoed in the response and attached to every record
FluxKit logs while serving the request (`fluxkit.logs.request_id`).
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fluxkit.logs import request_id

log = logging.getLogger("fluxkit.access")

HEADER = "x-request-id"
_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{8,64}")
# Built JS/CSS/fonts/images: logged at DEBUG so a page load is one INFO line, not forty.
_ASSET = re.compile(r"\.(js|mjs|css|map|woff2?|ttf|png|jpe?g|svg|ico|webp|txt|json)(\.gz|\.br)?$")


def incoming_or_new(headers: Headers) -> str:
    given = headers.get(HEADER, "")
    return given if _WELL_FORMED.fullmatch(given) else uuid.uuid4().hex


class RequestLog:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = incoming_or_new(Headers(scope=scope))
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = rid
            elif message["type"] == "websocket.accept":
                status = 101
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            status = status or 500
            raise
        finally:
            path = scope.get("path", "")
            level = logging.DEBUG if _ASSET.search(path) and status < 400 else logging.INFO
            log.log(
                level,
                "%s %s %s",
                scope.get("method", "WEBSOCKET"),
                path,
                status,
                extra={
                    "method": scope.get("method", "WEBSOCKET"),
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            request_id.reset(token)
