"""Better Auth's two-factor plugin under /api/auth/two-factor, and the one gate every sign-in
path goes through once its first factor passed (`finish_sign_in`, `redirect_after_first_factor`).

    POST /api/auth/two-factor/enable                 {password} -> {totpURI, backupCodes}
    POST /api/auth/two-factor/verify-totp            {code, trustDevice}
         with a pending challenge: the second step of sign-in -> {user, session, redirect} and the
         session cookie (Better Auth's `token` is left out: the session travels only in the cookie);
         signed in: confirms the setup (two-factor counts from then on) -> {status, user}
    POST /api/auth/two-factor/verify-backup-code     {code, trustDevice} -> {user, session, redirect}
    POST /api/auth/two-factor/disable                {password} -> {status}
    POST /api/auth/two-factor/generate-backup-codes  {password} -> {status, backupCodes}
    GET  /api/auth/two-factor/status                 (FluxKit's) -> {enabled, pending, backupCodesLeft}

The pending challenge is an HttpOnly cookie (`CHALLENGE_COOKIE`, path /api/auth, 10 minutes)
holding a random token whose hash names a server-side row; it is not a session and opens nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlmodel import Session

from fluxkit import routes
from fluxkit.api import auth_answers as answers
from fluxkit.api.deps import current_identity, request_meta, set_hints_cookie, set_session_cookie
from fluxkit.api.errors import error, service_error, unauthorized
from fluxkit.db import session_scope
from fluxkit.models import User
from fluxkit.services import accounts, sign_in_limits, ui_hints
from fluxkit.services import two_factor as service
from fluxkit.services.dto import Identity
from fluxkit.services.errors import Conflict, InvalidInput, InvalidToken, ServiceError
from fluxkit.settings import get_settings

router = APIRouter(prefix="/api/auth/two-factor")
CHALLENGE_COOKIE = service.CHALLENGE_COOKIE
TRUSTED_COOKIE = service.TRUSTED_COOKIE


# ---- cookies ----------------------------------------------------------------------------------


def _set_challenge_cookie(response: JSONResponse | RedirectResponse, token: str, max_age: int) -> None:
    response.set_cookie(
        CHALLENGE_COOKIE,
        token,
        max_age=max_age,
        path="/api/auth",
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
    )


def _clear_challenge_cookie(response: JSONResponse) -> None:
    response.delete_cookie(
        CHALLENGE_COOKIE, path="/api/auth", httponly=True, samesite="lax", secure=get_settings().secure_cookies
    )


def _set_trusted_cookie(response: JSONResponse, token: str) -> None:
    response.set_cookie(
        TRUSTED_COOKIE,
        token,
        max_age=service.TRUSTED_DAYS * 86400,
        path="/api/auth",
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
    )


# ---- the gate for every sign-in path -----------------------------------------------------------


@dataclass(frozen=True)
class SignInOutcome:
    """What `finish_sign_in` decided: a session (`identity` set) or a pending second step."""

    identity: Identity | None
    session_token: str | None = None
    hints: str = ""
    challenge: service.Challenge | None = None

    @property
    def needs_code(self) -> bool:
        return self.identity is None

    def apply(self, response: JSONResponse | RedirectResponse) -> None:
        """Set the session (and first-paint hints) cookies, or the challenge cookie."""
        if self.challenge is not None:
            _set_challenge_cookie(response, self.challenge.token, self.challenge.expires_in)
        if self.session_token is not None:
            set_session_cookie(response, self.session_token)
            set_hints_cookie(response, self.hints)


def finish_sign_in(request: Request, db: Session, user: User, *, method: str, callback: object) -> SignInOutcome:
    """After `user` passed a first factor: open the session, or start the second step.

    Two-factor on and this browser not trusted: a challenge is stored (no session exists),
    `outcome.needs_code` is True and `outcome.apply(response)` sets the challenge cookie.
    Otherwise the session is created and `apply` sets its cookie. `method` names the first
    factor for the audit log ("password", "magic link", "google", ...). Call it inside the
    caller's `session_scope()`, with the `User` row the first factor resolved.
    """
    meta = request_meta(request)
    target = accounts.safe_redirect(callback)
    if service.needs_second_step(db, user, request.cookies.get(TRUSTED_COOKIE)):
        challenge = service.start_challenge(db, user, method=method, callback=target, meta=meta)
        return SignInOutcome(identity=None, challenge=challenge)
    detail = "" if method == "password" else method
    token, identity = accounts.start_session(db, user, meta, detail=detail)
    hints = ui_hints.encode(ui_hints.for_identity(db, identity))
    return SignInOutcome(identity=identity, session_token=token, hints=hints)


def second_step_url(callback: object) -> str:
    return f"{routes.TWO_FACTOR}?redirect={quote(accounts.safe_redirect(callback), safe='/')}"


def redirect_after_first_factor(request: Request, db: Session, user: User, *, method: str, callback: object):
    """The browser-redirect flavour of `finish_sign_in`, for links and OAuth callbacks.

    Social sign-in's callback calls this once the provider's answer resolved an account:

        with session_scope() as db:
            user = ...  # the linked or new account (a `User` row)
            return two_factor_api.redirect_after_first_factor(
                request, db, user, method=provider_name, callback=callback_url
            )

    Signed in: a 303 to `callback` with the session cookie. Two-factor account on an
    untrusted browser: a 303 to the second-step page (/two-factor?redirect=<callback>) with
    the challenge cookie and no session.
    """
    outcome = finish_sign_in(request, db, user, method=method, callback=callback)
    target = second_step_url(callback) if outcome.needs_code else accounts.safe_redirect(callback)
    response = RedirectResponse(target, status_code=303)
    outcome.apply(response)
    return response


# ---- the contract, for the OpenAPI description (tests/api/test_two_factor_fuzz.py fuzzes it) ------


def _body(**properties: dict) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "additionalProperties": True}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


_PASSWORD = {"type": "string", "description": "The account's password."}
_CODE = {"type": "string", "description": "The 6-digit code from the app (or a backup code)."}
_TRUST = {"type": "boolean", "description": "Skip the second step on this browser for 30 days."}
_ANSWERS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No session (or, for the second step, no pending sign-in: `two_factor_expired`)."},
    409: {"description": "Not in a state for it (already on, not set up)."},
    422: {"description": "Wrong password or code; `fields` names it."},
    429: {"description": "Too many wrong codes for this account; `Retry-After` says when to try again."},
}


def _answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: _ANSWERS[status] for status in statuses}


# ---- routes ---------------------------------------------------------------------------------------


async def parsed_body(request: Request) -> dict[str, Any]:
    return await answers.json_body(request)


def _trust(body: dict[str, Any]) -> bool:
    return body.get("trustDevice") in (True, "true", "on")


def _signed_in_db(request: Request, db: Session):
    identity = current_identity(request, db)
    return identity if identity is not None else unauthorized()


@router.post("/enable", openapi_extra=_body(password=_PASSWORD), responses=_answers(401, 409, 422))
def enable(request: Request, body: dict = Depends(parsed_body)):
    failure: ServiceError | None = None
    with session_scope() as db:
        identity = _signed_in_db(request, db)
        if isinstance(identity, JSONResponse):
            return identity
        try:
            setup = service.begin_enable(db, identity, body.get("password"), request_meta(request))
        except ServiceError as exc:
            failure = exc  # its audit row still commits
    if failure is not None:
        return service_error(failure)
    return JSONResponse({"totpURI": setup.totp_uri, "backupCodes": setup.backup_codes})


def _second_step(request: Request, body: dict[str, Any], complete) -> JSONResponse:
    meta = request_meta(request)
    outcome: service.SignedIn | service.Failure | None = None
    refused: ServiceError | None = None
    try:
        with session_scope() as db:
            outcome = complete(
                db, request.cookies.get(CHALLENGE_COOKIE), body.get("code"), trust_device=_trust(body), meta=meta
            )
            if isinstance(outcome, service.SignedIn):
                hints = ui_hints.for_identity(db, outcome.identity)
    except service.SecondStepLimited as exc:
        return answers.limited(exc.verdict, exc.message)
    except InvalidToken as exc:
        refused = exc
    if refused is not None:
        response = error(401, "two_factor_expired", refused.message)
        _clear_challenge_cookie(response)
        return response
    if isinstance(outcome, service.Failure):
        return service_error(outcome.error)
    assert isinstance(outcome, service.SignedIn)
    identity = outcome.identity
    response = JSONResponse(
        {
            "user": answers.user_json(identity.user),
            "session": answers.session_json(identity.session, identity.session.id),
            "redirect": outcome.callback,
        }
    )
    set_session_cookie(response, outcome.token)
    set_hints_cookie(response, ui_hints.encode(hints))
    _clear_challenge_cookie(response)
    answers.set_device_cookie(response, identity.user.email)
    sign_in_limits.succeeded(identity.user.email, meta.ip)
    if outcome.trusted_token:
        _set_trusted_cookie(response, outcome.trusted_token)
    return response


@router.post(
    "/verify-totp", openapi_extra=_body(code=_CODE, trustDevice=_TRUST), responses=_answers(401, 409, 422, 429)
)
def verify_totp(request: Request, background: BackgroundTasks, body: dict = Depends(parsed_body)):
    """Signed in: confirms the setup (or checks a code). Else: the second step of a sign-in."""
    failure: ServiceError | None = None
    with session_scope() as db:
        identity = current_identity(request, db)
        if identity is not None:
            try:
                now = service.status(db, identity.user.id)
                if now.pending:
                    answers.send_later(
                        background, service.confirm(db, identity, body.get("code"), request_meta(request))
                    )
                elif not now.enabled:
                    failure = Conflict("Set up two-factor sign-in first.")
                elif not service.check_code(db, identity, body.get("code")):
                    failure = InvalidInput(service.WRONG_CODE, fields={"code": service.WRONG_CODE})
            except ServiceError as exc:
                failure = exc  # its audit row still commits
    if identity is None:
        return _second_step(request, body, service.complete_with_totp)
    if failure is not None:
        return service_error(failure)
    return JSONResponse({"status": True, "user": answers.user_json(identity.user)})


@router.post(
    "/verify-backup-code", openapi_extra=_body(code=_CODE, trustDevice=_TRUST), responses=_answers(401, 422, 429)
)
def verify_backup_code(request: Request, body: dict = Depends(parsed_body)):
    return _second_step(request, body, service.complete_with_backup_code)


@router.post("/disable", openapi_extra=_body(password=_PASSWORD), responses=_answers(401, 409, 422))
def disable(request: Request, background: BackgroundTasks, body: dict = Depends(parsed_body)):
    failure: ServiceError | None = None
    with session_scope() as db:
        identity = _signed_in_db(request, db)
        if isinstance(identity, JSONResponse):
            return identity
        try:
            messages = service.disable(db, identity, body.get("password"), request_meta(request))
        except ServiceError as exc:
            failure = exc
    if failure is not None:
        return service_error(failure)
    answers.send_later(background, messages)
    response = JSONResponse({"status": True})
    response.delete_cookie(TRUSTED_COOKIE, path="/api/auth", httponly=True, samesite="lax")
    return response


@router.post("/generate-backup-codes", openapi_extra=_body(password=_PASSWORD), responses=_answers(401, 409, 422))
def generate_backup_codes(request: Request, background: BackgroundTasks, body: dict = Depends(parsed_body)):
    failure: ServiceError | None = None
    with session_scope() as db:
        identity = _signed_in_db(request, db)
        if isinstance(identity, JSONResponse):
            return identity
        try:
            codes, messages = service.regenerate_backup_codes(db, identity, body.get("password"), request_meta(request))
        except ServiceError as exc:
            failure = exc
    if failure is not None:
        return service_error(failure)
    answers.send_later(background, messages)
    return JSONResponse({"status": True, "backupCodes": codes})


@router.get("/status", responses=_answers(401))
def two_factor_status(request: Request):
    with session_scope() as db:
        identity = _signed_in_db(request, db)
        if isinstance(identity, JSONResponse):
            return identity
        now = service.status(db, identity.user.id)
    return JSONResponse(
        {
            "enabled": now.enabled,
            "pending": now.pending,
            "backupCodesLeft": now.backup_codes_left,
            "trustedDevices": now.trusted_devices,
        }
    )
