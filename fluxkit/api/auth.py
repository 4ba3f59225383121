"""Better Auth-compatible JSON routes under /api/auth.

Routes are plain `def`: FastAPI runs them in a worker thread, so argon2 hashing and
database work never stall the event loop that serves everyone's websocket events.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from fluxkit import routes
from fluxkit.api import auth_answers as answers
from fluxkit.api import two_factor as two_factor_api
from fluxkit.api.deps import (
    clear_session_cookie,
    current_identity,
    request_meta,
    set_session_cookie,
)
from fluxkit.api.errors import service_error, unauthorized
from fluxkit.db import session_scope
from fluxkit.services import accounts, ratelimit, sessions, sign_in_limits
from fluxkit.services.dto import Identity
from fluxkit.services.errors import InvalidCredentials, InvalidInput, InvalidToken, NotFound
from fluxkit.settings import get_settings

router = APIRouter(prefix="/api/auth")

GENERIC_SIGN_UP = "Check your email: if the address can be used, we sent a link to verify it."
GENERIC_RESET = "If an account exists for this email, we sent a link to reset the password."
GENERIC_VERIFICATION = "If this email needs verifying, we sent a new link."
GENERIC_MAGIC_LINK = "If an account exists for this email, we sent a link to sign in."


# ---- answers and limits (fluxkit/api/auth_answers.py, shared with the two-factor routes) -----------

_user_json = answers.user_json
_session_json = answers.session_json
_json_body = answers.json_body
_send_later = answers.send_later
_limit = answers.limit
_limited = answers.limited
_rate_headers = answers.rate_headers
_ip_gate = answers.ip_gate
_account_key = answers.account_key
set_device_cookie = answers.set_device_cookie  # public: other sign-in routes set it too


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
    redirect = accounts.safe_redirect(body.get("callbackURL") or body.get("redirect"))
    with session_scope() as db:
        try:
            user = accounts.authenticate(
                db, email=body.get("email"), password=body.get("password"), meta=request_meta(request)
            )
            # The password was right: the session now, or first the second step (two-factor).
            outcome = two_factor_api.finish_sign_in(request, db, user, method="password", callback=redirect)
        except InvalidCredentials as exc:
            failure = exc  # caught inside the unit of work so its audit row is committed
    if failure is not None:
        sign_in_limits.failed(account, address, device)
        return service_error(failure)
    sign_in_limits.succeeded(account, address)
    if outcome.identity is None:
        # Better Auth's answer for a two-factor account: no session until a code is entered.
        response = JSONResponse({"twoFactorRedirect": True, "redirect": two_factor_api.second_step_url(redirect)})
    else:
        identity = outcome.identity
        response = JSONResponse(
            {
                "user": _user_json(identity.user),
                "session": _session_json(identity.session, identity.session.id),
                "redirect": redirect,
            }
        )
    outcome.apply(response)
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
    callback = request.query_params.get("callbackURL")
    try:
        with session_scope() as db:
            user = accounts.user_for_link(db, request.query_params.get("token"), meta)
            response = two_factor_api.redirect_after_first_factor(
                request, db, user, method="magic link", callback=callback
            )
            address = user.email
    except (InvalidToken, InvalidCredentials):
        return RedirectResponse(f"{routes.SIGN_IN}?error=link", status_code=303)
    set_device_cookie(response, address)
    sign_in_limits.succeeded(address, meta.ip)
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
