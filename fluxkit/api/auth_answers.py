"""What the /api/auth routes answer with, and their rate-limit helpers (shared by auth.py and
two_factor.py, so both answer a user, a session and a refusal in one shape)."""

from __future__ import annotations

import json
from email.message import EmailMessage
from typing import Any

from fastapi import BackgroundTasks, Request
from fastapi.responses import JSONResponse, RedirectResponse
from limits import RateLimitItem

from fluxkit.api.deps import request_meta
from fluxkit.api.errors import rate_limited
from fluxkit.services import accounts, email, ratelimit, sign_in_limits
from fluxkit.services.dto import SessionInfo, UserInfo
from fluxkit.services.errors import InvalidInput
from fluxkit.settings import get_settings


def user_json(user: UserInfo) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "emailVerified": user.email_verified,
        "createdAt": user.created_at.isoformat(),
    }


def session_json(session: SessionInfo, current_id: int | None = None) -> dict[str, Any]:
    return {
        "id": session.id,
        "createdAt": session.created_at.isoformat(),
        "expiresAt": session.expires_at.isoformat(),
        "ipAddress": session.ip,
        "userAgent": session.user_agent,
        "current": session.id == current_id,
    }


async def json_body(request: Request) -> dict[str, Any]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        # A cross-site HTML form can post text/plain that looks like JSON (login CSRF);
        # real JSON needs a CORS preflight, which only the trusted origins pass.
        return {}
    try:
        body = json.loads(await request.body() or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        return {}
    return body if isinstance(body, dict) else {}


def send_later(background: BackgroundTasks, messages: list[EmailMessage]) -> None:
    if messages:
        background.add_task(email.deliver_all, messages)


# ---- rate limits ------------------------------------------------------------------------


def limit(item: RateLimitItem, *key: str) -> ratelimit.Verdict:
    return ratelimit.hit(item, *key)


def limited(verdict: ratelimit.Verdict, message: str | None = None) -> JSONResponse:
    return rate_headers(rate_limited(verdict, "attempts", message), verdict)


def rate_headers(response: JSONResponse, verdict: ratelimit.Verdict) -> JSONResponse:
    response.headers["X-RateLimit-Limit"] = str(verdict.limit)
    response.headers["X-RateLimit-Remaining"] = str(verdict.remaining)
    response.headers["X-RateLimit-Reset"] = str(verdict.reset_at)
    return response


def ip_gate(
    request: Request, route: str, item: RateLimitItem = ratelimit.EMAIL_FORMS_PER_IP
) -> tuple[ratelimit.Verdict, JSONResponse | None]:
    verdict = limit(item, "ip", route, request_meta(request).ip)
    return verdict, None if verdict.allowed else limited(verdict)


def account_key(body: dict[str, Any]) -> str:
    """The address as sign-in will look it up, so no spelling of it gets a fresh budget."""
    try:
        return accounts.normalize_email(body.get("email"))
    except InvalidInput:
        return ""


def set_device_cookie(response: JSONResponse | RedirectResponse, account: str) -> None:
    response.set_cookie(
        sign_in_limits.DEVICE_COOKIE,
        sign_in_limits.new_device_cookie(account),
        max_age=sign_in_limits.DEVICE_COOKIE_DAYS * 86400,
        path="/api/auth",
        httponly=True,
        samesite="strict",
        secure=get_settings().secure_cookies,
    )
