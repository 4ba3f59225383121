"""What every route needs: the caller's address, session cookie and identity."""

from __future__ import annotations

from fastapi import Request, Response
from sqlmodel import Session

from fluxkit.services import sessions, ui_hints
from fluxkit.services.audit import RequestMeta
from fluxkit.services.dto import Identity
from fluxkit.settings import get_settings


def client_ip(peer: str | None, forwarded_for: str | None, hops: int) -> str:
    """The peer address; X-Forwarded-For only counts behind `hops` trusted proxies."""
    ip = peer or ""
    if hops > 0 and forwarded_for:
        chain = [part.strip() for part in forwarded_for.split(",") if part.strip()]
        if len(chain) >= hops:
            ip = chain[-hops]
    return ip


def request_meta(request: Request) -> RequestMeta:
    settings = get_settings()
    peer = request.client.host if request.client else ""
    return RequestMeta(
        ip=client_ip(peer, request.headers.get("x-forwarded-for"), settings.trusted_proxy_hops),
        user_agent=request.headers.get("user-agent", "")[:512],
    )


def current_identity(request: Request, db: Session) -> Identity | None:
    token = request.cookies.get(get_settings().session_cookie_name)
    return sessions.resolve(db, token)


def set_session_cookie(response: Response, token: str) -> None:
    settings = get_settings()
    response.set_cookie(
        settings.session_cookie_name,
        token,
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def clear_session_cookie(response: Response) -> None:
    settings = get_settings()
    response.delete_cookie(
        settings.session_cookie_name,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    # The first-paint hints name the user's organization: gone with the session.
    response.delete_cookie(ui_hints.COOKIE_NAME, path="/", samesite="lax", secure=settings.secure_cookies)


def set_hints_cookie(response: Response, value: str) -> None:
    """First-paint display hints (services/ui_hints.py): readable by the page, never trusted."""
    response.set_cookie(
        ui_hints.COOKIE_NAME,
        value,
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=False,
        samesite="lax",
        secure=get_settings().secure_cookies,
    )
