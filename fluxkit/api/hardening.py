"""ASGI layers that protect every answer: security headers, and body size limits.

`SecurityHeaders` adds the browser protections to every HTTP answer (pages, the built static
files, the API, redirects, errors): a Content-Security-Policy whose `frame-ancestors 'self'`
(with `X-Frame-Options: SAMEORIGIN` for older browsers) stops another site from framing the
signed-in pages, `nosniff`, a strict referrer policy, a Permissions-Policy that turns off the
device APIs FluxKit never uses, and HSTS when FLUXKIT_BASE_URL is https.

The script and style policy is what the production build needs: React Router's hydration
data and Reflex's `rx.call_script` run inline/evaluated code, and Radix/Emotion set inline
styles, so `'unsafe-inline'` (and `'unsafe-eval'` for scripts) stay; everything is still
limited to this origin (no third-party script can load), the websocket may only go back to
this server, plugins are off and `<base>` / form targets cannot point elsewhere.

`BodyLimit` refuses a request body larger than its route's limit with 413 before the route
reads it: by `Content-Length` at once, and for a body sent without one (chunked) as soon as
the bytes read pass the limit, so nothing larger than the limit is ever held in memory.
"""

from __future__ import annotations

import json

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fluxkit.settings import get_settings

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self' ws: wss:",
        "media-src 'self' blob:",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    )
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(https: bool) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": CSP,
        "X-Frame-Options": "SAMEORIGIN",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
    }
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = security_headers(get_settings().secure_cookies)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    if name not in headers:  # a route that sets its own (the API docs page) keeps it
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ---- body size limits -----------------------------------------------------------------------

AUTH_MAX_BYTES = 16 * 1024
API_MAX_BYTES = 1_000_000
WEBHOOK_MAX_BYTES = 1_000_000


def body_limit_for(path: str) -> int | None:
    """The most bytes a request body to `path` may have; None: not limited here (Reflex's own
    routes, such as its upload endpoint, keep their own rules)."""
    if path.startswith("/api/auth/"):
        return AUTH_MAX_BYTES
    if path == "/api/billing/webhook":
        return WEBHOOK_MAX_BYTES
    if path.startswith("/api/"):
        return API_MAX_BYTES
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        {"error": "too_large", "message": f"The request body is too large (at most {limit:,} bytes)."}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = body_limit_for(scope.get("path", "")) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.strip().isdigit() and int(declared) > limit:
            await _refuse(send, limit)
            return
        received = 0
        too_large = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # The route stops reading (as if the client left); its answer is replaced.
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large:
                return  # whatever the route makes of the cut-off body, the client gets the 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not too_large:
                raise
        if too_large and not started:
            await _refuse(send, limit)
