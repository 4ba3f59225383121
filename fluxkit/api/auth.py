"""Better Auth-compatible JSON routes under /api/auth.

Routes are plain `def`: FastAPI runs them in a worker thread, so argon2 hashing and
database work never stall the event loop that serves everyone's websocket events.
"""

from __future__ import annotations

import json
from email.message import EmailMessage
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse
from limits import RateLimitItem
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from fluxkit import routes
from fluxkit.api.deps import (
    clear_session_cookie,
    current_identity,
    request_meta,
    set_hints_cookie,
    set_session_cookie,
)
from fluxkit.api.errors import rate_limited, service_error, unauthorized
from fluxkit.db import session_scope
from fluxkit.services import accounts, email, ratelimit, sessions, sign_in_limits, ui_hints
from fluxkit.services.dto import Identity, SessionInfo, UserInfo
from fluxkit.services.errors import InvalidCredentials, InvalidInput, InvalidToken, NotFound
from fluxkit.settings import get_settings

router = APIRouter(prefix="/api/auth")

GENERIC_SIGN_UP = "Check your email: if the address can be used, we sent a link to verify it."
GENERIC_RESET = "If an account exists for this email, we sent a link to reset the password."
GENERIC_VERIFICATION = "If this email needs verifying, we sent a new link."
GENERIC_MAGIC_LINK = "If an account exists for this email, we sent a link to sign in."


# ---- answers -----------------------------------------------------------------------


def _user_json(user: UserInfo) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "emailVerified": user.email_verified,
        "createdAt": user.created_at.isoformat(),
    }


def _session_json(session: SessionInfo, current_id: int | None = None) -> dict[str, Any]:
    return {
        "id": session.id,
        "createdAt": session.created_at.isoformat(),
        "expiresAt": session.expires_at.isoformat(),
        "ipAddress": session.ip,
        "userAgent": session.user_agent,
        "current": session.id == current_id,
    }


async def _json_body(request: Request) -> dict[str, Any]:
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


def _send_later(background: BackgroundTasks, messages: list[EmailMessage]) -> None:
    if messages:
        background.add_task(email.deliver_all, messages)


# ---- rate limits ------------------------------------------------------------------------


def _limit(item: RateLimitItem, *key: str) -> ratelimit.Verdict:
    return ratelimit.hit(item, *key)


def _limited(verdict: ratelimit.Verdict, message: str | None = None) -> JSONResponse:
    return _rate_headers(rate_limited(verdict, "attempts", message), verdict)


def _rate_headers(response: JSONResponse, verdict: ratelimit.Verdict) -> JSONResponse:
    response.headers["X-RateLimit-Limit"] = str(verdict.limit)
    response.headers["X-RateLimit-Remaining"] = str(verdict.remaining)
    response.headers["X-RateLimit-Reset"] = str(verdict.reset_at)
    return response


def _ip_gate(
    request: Request, route: str, item: RateLimitItem = ratelimit.EMAIL_FORMS_PER_IP
) -> tuple[ratelimit.Verdict, JSONResponse | None]:
    verdict = _limit(item, "ip", route, request_meta(request).ip)
    return verdict, None if verdict.allowed else _limited(verdict)


def _account_key(body: dict[str, Any]) -> str:
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


# ---- routes --------------------------------------------------------------------------------


async def parsed_body(request: Request) -> dict[str, Any]:
    return await _json_body(request)


@router.post("/sign-up/email")
def sign_up(request: Request, background: BackgroundTasks, body: dict = Depends(parsed_body)):
    verdict, refused = _ip_gate(request, "sign-up")
    if refused:
        return refused
    answer = _rate_headers(JSONResponse({"status": True, "message": GENERIC_SIGN_UP}), verdict)
    email_key = _account_key(body)
    if email_key and not ratelimit.peek(ratelimit.RESET_PER_ACCOUNT, "account", "sign-up", email_key).allowed:
        # Same answer, nothing sent: one address gets at most a few emails an hour.
        return answer
    try:
        with session_scope() as db:
            messages = accounts.sign_up(
                db,
                name=body.get("name"),
                email=body.get("email"),
                password=body.get("password"),
                meta=request_meta(request),
            )
    except InvalidInput as exc:
        return _rate_headers(service_error(exc), verdict)
    except IntegrityError:
        # Two sign-ups for one new address at once (a double click): the other one created
        # the account and sent its link. Same answer, never a 500 that tells it exists.
        messages = []
    _limit(ratelimit.RESET_PER_ACCOUNT, "account", "sign-up", email_key)
    _send_later(background, messages)
    return answer


@router.post("/sign-in/email")
def sign_in(request: Request, body: dict = Depends(parsed_body)):
    account = _account_key(body)
    address = request_meta(request).ip
    device = sign_in_limits.trusted_device(request.cookies.get(sign_in_limits.DEVICE_COOKIE), account)
    if refusal := sign_in_limits.refusal(account, address, device):
        return _limited(refusal.verdict, refusal.message)
    failure: InvalidCredentials | None = None
    with session_scope() as db:
        try:
            token, identity = accounts.sign_in(
                db, email=body.get("email"), password=body.get("password"), meta=request_meta(request)
            )
            hints = ui_hints.for_identity(db, identity)
        except InvalidCredentials as exc:
            failure = exc  # caught inside the unit of work so its audit row is committed
    if failure is not None:
        sign_in_limits.failed(account, address, device)
        return service_error(failure)
    sign_in_limits.succeeded(account, address)
    response = JSONResponse(
        {
            "user": _user_json(identity.user),
            "session": _session_json(identity.session, identity.session.id),
            "redirect": accounts.safe_redirect(body.get("callbackURL") or body.get("redirect")),
        }
    )
    set_session_cookie(response, token)
    set_hints_cookie(response, ui_hints.encode(hints))  # the first page after sign-in paints right
    set_device_cookie(response, account)
    return response


@router.post("/sign-in/magic-link")
def magic_link(request: Request, background: BackgroundTasks, body: dict = Depends(parsed_body)):
    """Better Auth's magic-link plugin: email a one-time sign-in link (same answer either way)."""
    verdict, refused = _ip_gate(request, "magic-link")
    if refused:
        return refused
    answer = _rate_headers(JSONResponse({"status": True, "message": GENERIC_MAGIC_LINK}), verdict)
    try:
        account = accounts.normalize_email(body.get("email"))
    except InvalidInput as exc:
        return _rate_headers(service_error(exc), verdict)
    if not _limit(ratelimit.RESET_PER_ACCOUNT, "account", "magic-link", account).allowed:
        return answer  # same answer: a different one would tell that the account exists
    with session_scope() as db:
        messages = accounts.request_magic_link(
            db, account, callback=body.get("callbackURL"), meta=request_meta(request)
        )
    _send_later(background, messages)
    return answer


@router.get("/magic-link/verify")
def magic_link_verify(request: Request):
    """The emailed link: signs the browser in and sends it on (to /sign-in with an error if not)."""
    meta = request_meta(request)
    try:
        with session_scope() as db:
            token, identity = accounts.sign_in_with_link(db, request.query_params.get("token"), meta)
            hints = ui_hints.for_identity(db, identity)
    except (InvalidToken, InvalidCredentials):
        return RedirectResponse(f"{routes.SIGN_IN}?error=link", status_code=303)
    response = RedirectResponse(accounts.safe_redirect(request.query_params.get("callbackURL")), status_code=303)
    set_session_cookie(response, token)
    set_hints_cookie(response, ui_hints.encode(hints))
    set_device_cookie(response, identity.user.email)
    sign_in_limits.succeeded(identity.user.email, meta.ip)
    return response


@router.post("/sign-out")
def sign_out(request: Request):
    token = request.cookies.get(get_settings().session_cookie_name)
    with session_scope() as db:
        accounts.sign_out(db, token, request_meta(request))
    response = JSONResponse({"success": True})
    clear_session_cookie(response)
    return response


@router.get("/get-session")
def get_session(request: Request):
    with session_scope() as db:
        identity = current_identity(request, db)
    if identity is None:
        return JSONResponse(None)
    response = JSONResponse(
        {"user": _user_json(identity.user), "session": _session_json(identity.session, identity.session.id)}
    )
    # Renew the cookie's max-age with the session's sliding expiry (the websocket cannot).
    set_session_cookie(response, request.cookies[get_settings().session_cookie_name])
    return response


@router.post("/verify-email")
def verify_email(request: Request, body: dict = Depends(parsed_body)):
    token = body.get("token") or request.query_params.get("token")
    try:
        with session_scope() as db:
            user = accounts.verify_email(db, token, request_meta(request))
    except InvalidToken as exc:
        return service_error(exc)
    return JSONResponse({"status": True, "user": _user_json(user)})


@router.post("/send-verification-email")
def send_verification_email(request: Request, background: BackgroundTasks, body: dict = Depends(parsed_body)):
    verdict, refused = _ip_gate(request, "send-verification")
    if refused:
        return refused
    answer = _rate_headers(JSONResponse({"status": True, "message": GENERIC_VERIFICATION}), verdict)
    try:
        email = accounts.normalize_email(body.get("email"))
    except InvalidInput:
        return answer
    if not _limit(ratelimit.RESET_PER_ACCOUNT, "account", "verification", email).allowed:
        # Same answer: a different one would tell that the account exists.
        return answer
    with session_scope() as db:
        messages = accounts.send_verification(db, email, request_meta(request))
    _send_later(background, messages)
    return answer


@router.post("/forget-password")
def forget_password(request: Request, background: BackgroundTasks, body: dict = Depends(parsed_body)):
    verdict, refused = _ip_gate(request, "forget-password")
    if refused:
        return refused
    try:
        email = accounts.normalize_email(body.get("email"))
    except InvalidInput as exc:
        return _rate_headers(service_error(exc), verdict)
    answer = _rate_headers(JSONResponse({"status": True, "message": GENERIC_RESET}), verdict)
    if not _limit(ratelimit.RESET_PER_ACCOUNT, "account", "reset", email).allowed:
        # Same answer: saying "too many" here would tell the account exists.
        return answer
    with session_scope() as db:
        messages = accounts.request_password_reset(
            db, email, reset_path=body.get("redirectTo"), meta=request_meta(request)
        )
    _send_later(background, messages)
    return answer


@router.post("/reset-password")
def reset_password(request: Request, background: BackgroundTasks, body: dict = Depends(parsed_body)):
    verdict, refused = _ip_gate(request, "reset-password", ratelimit.AUTH_PER_IP)
    if refused:
        return refused
    token = body.get("token") or request.query_params.get("token")
    try:
        with session_scope() as db:
            messages = accounts.reset_password(
                db, token=token, new_password=body.get("newPassword"), meta=request_meta(request)
            )
    except (InvalidInput, InvalidToken) as exc:
        return _rate_headers(service_error(exc), verdict)
    _send_later(background, messages)
    response = JSONResponse({"status": True})
    clear_session_cookie(response)
    return _rate_headers(response, verdict)


def _signed_in(request: Request, db: Session) -> Identity | JSONResponse:
    identity = current_identity(request, db)
    if identity is None:
        return unauthorized()
    return identity


@router.post("/change-password")
def change_password(request: Request, background: BackgroundTasks, body: dict = Depends(parsed_body)):
    failure: InvalidInput | None = None
    with session_scope() as db:
        identity = _signed_in(request, db)
        if isinstance(identity, JSONResponse):
            return identity
        try:
            messages = accounts.change_password(
                db,
                identity,
                current_password=body.get("currentPassword"),
                new_password=body.get("newPassword"),
                meta=request_meta(request),
            )
        except InvalidInput as exc:
            failure = exc  # refused before any change; its audit row is still committed
    if failure is not None:
        return service_error(failure)
    _send_later(background, messages)
    return JSONResponse({"status": True})


@router.get("/list-sessions")
def list_sessions(request: Request):
    with session_scope() as db:
        identity = _signed_in(request, db)
        if isinstance(identity, JSONResponse):
            return identity
        rows = sessions.list_sessions(db, identity.user.id)
    return JSONResponse([_session_json(s, identity.session.id) for s in rows])


@router.post("/revoke-session")
def revoke_session(request: Request, body: dict = Depends(parsed_body)):
    try:
        with session_scope() as db:
            identity = _signed_in(request, db)
            if isinstance(identity, JSONResponse):
                return identity
            revoked = accounts.revoke_session(db, identity, body.get("id"), request_meta(request))
    except InvalidInput as exc:
        return service_error(exc)
    if not revoked:
        return service_error(NotFound("No such session."))
    return JSONResponse({"status": True})


@router.post("/revoke-other-sessions")
def revoke_other_sessions(request: Request):
    with session_scope() as db:
        identity = _signed_in(request, db)
        if isinstance(identity, JSONResponse):
            return identity
        ended = accounts.revoke_other_sessions(db, identity, request_meta(request))
    return JSONResponse({"status": True, "revoked": ended})
