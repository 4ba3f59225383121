"""Social sign-in routes under /api/auth, with Better Auth's names and JSON shapes.

    POST /api/auth/sign-in/social   {provider, callbackURL}  -> {url, redirect: true}
    GET  /api/auth/callback/{provider}?code=&state=          -> 303 to callbackURL, signed in
    POST /api/auth/link-social      {provider, callbackURL}  -> {url, redirect: true} (signed in)
    GET  /api/auth/list-accounts                             -> [{id, providerId, accountId, ...}]
    POST /api/auth/unlink-account   {providerId, accountId?} -> {status: true}

The state travels in an HttpOnly cookie scoped to the callback path; the PKCE verifier and
the nonce stay on the server (services/social_accounts.py). Routes are plain `def`: the
token exchange is network I/O, run in FastAPI's worker threads.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse

from fluxkit import routes
from fluxkit.api import two_factor as two_factor_api
from fluxkit.api.auth import parsed_body, set_device_cookie
from fluxkit.api.deps import current_identity, request_meta
from fluxkit.api.errors import rate_limited, service_error, unauthorized
from fluxkit.db import session_scope
from fluxkit.models import User
from fluxkit.services import (
    audit,
    email,
    ratelimit,
    sign_in_limits,
    social_accounts,
    social_providers,
)
from fluxkit.services.audit import RequestMeta
from fluxkit.services.errors import Conflict, InvalidCredentials, InvalidInput, InvalidToken, ServiceError, Unavailable
from fluxkit.settings import get_settings

router = APIRouter(prefix="/api/auth")

STATE_COOKIE = social_accounts.STATE_COOKIE
STATE_COOKIE_PATH = social_accounts.CALLBACK_PATH.rstrip("/")


def _json_body(properties: dict[str, dict], required: list[str]) -> dict[str, Any]:
    """The OpenAPI request body of a route that reads its JSON itself (`parsed_body`)."""
    schema = {"type": "object", "properties": properties, "required": required}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    meaning = {
        200: "Done",
        303: "Sent on (a page of this site)",
        401: "Not signed in",
        404: "Not connected",
        409: "The last way to sign in",
        422: "Invalid input (an unknown or unconfigured provider)",
        429: "Too many attempts",
        503: "The provider did not answer",
    }
    return {status: {"description": meaning[status]} for status in statuses}


START_BODY = _json_body(
    {
        "provider": {"type": "string", "enum": ["google", "github", "oidc"]},
        "callbackURL": {"type": "string", "description": "A relative path on this site; anything else: /dashboard"},
    },
    ["provider"],
)
UNLINK_BODY = _json_body(
    {"providerId": {"type": "string"}, "accountId": {"type": "string"}},
    ["providerId"],
)


def _ip_limited(request: Request, route: str) -> JSONResponse | None:
    verdict = ratelimit.hit(social_accounts.SOCIAL_PER_IP, "ip", route, request_meta(request).ip)
    return None if verdict.allowed else rate_limited(verdict, "attempts")


def _with_state_cookie(response: JSONResponse, state: str) -> JSONResponse:
    # SameSite=Lax: the provider's redirect back is a top-level GET, which carries it.
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=int(social_accounts.FLOW_TTL.total_seconds()),
        path=STATE_COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
    )
    return response


def _clear_state_cookie(response: RedirectResponse) -> RedirectResponse:
    response.delete_cookie(
        STATE_COOKIE, path=STATE_COOKIE_PATH, httponly=True, samesite="lax", secure=get_settings().secure_cookies
    )
    return response


def _start(request: Request, body: dict[str, Any], link_user_id: int | None) -> JSONResponse:
    try:
        with session_scope() as db:
            url, state = social_accounts.start(
                db, body.get("provider"), callback=body.get("callbackURL"), link_user_id=link_user_id
            )
    except (InvalidInput, Unavailable) as exc:
        return service_error(exc)
    return _with_state_cookie(JSONResponse({"url": url, "redirect": True}), state)


@router.post("/sign-in/social", openapi_extra=START_BODY, responses=_answers(200, 422, 429, 503))
def sign_in_social(request: Request, body: dict = Depends(parsed_body)):
    if refused := _ip_limited(request, "social"):
        return refused
    return _start(request, body, None)


@router.post("/link-social", openapi_extra=START_BODY, responses=_answers(200, 401, 422, 429, 503))
def link_social(request: Request, body: dict = Depends(parsed_body)):
    with session_scope() as db:
        identity = current_identity(request, db)
    if identity is None:
        return unauthorized()
    if refused := _ip_limited(request, "social"):
        return refused
    return _start(request, body, identity.user.id)


def _to_sign_in(code: str, provider_id: str) -> RedirectResponse:
    query = urlencode({"error": code, "provider": provider_id})
    return _clear_state_cookie(RedirectResponse(f"{routes.SIGN_IN}?{query}", status_code=303))


def _to_settings(outcome: str, provider_id: str) -> RedirectResponse:
    query = urlencode({"social": outcome, "provider": provider_id})
    return _clear_state_cookie(RedirectResponse(f"{social_accounts.ACCOUNT_SETTINGS}?{query}", status_code=303))


@router.get("/callback/{provider}", status_code=303, response_class=RedirectResponse, responses=_answers(303))
def callback(
    provider: str,
    request: Request,
    background: BackgroundTasks,
    code: str | None = None,
    state: str | None = None,
):
    """The provider sends the browser back here with a code and the state (or `error`)."""
    provider_id = provider[:32]
    meta = request_meta(request)
    if _ip_limited(request, "social-callback"):
        return _to_sign_in("social", provider_id)
    try:
        with session_scope() as db:
            finished = social_accounts.finish(
                db,
                provider_id,
                state=state,
                cookie_state=request.cookies.get(STATE_COOKIE),
                code=code,  # an `error=access_denied` answer has none
            )
    except InvalidToken:
        with session_scope() as db:
            audit.record(db, "sign_in_failed", meta=meta, detail=f"{provider_id}: state, code or ID token refused")
        return _to_sign_in("social", provider_id)
    except Unavailable:
        return _to_sign_in("social-unavailable", provider_id)

    if finished.link_user_id is not None:
        return _finish_link(request, background, finished, meta)
    failure: InvalidCredentials | None = None
    with session_scope() as db:
        try:
            user, messages = social_accounts.account_for(db, finished, meta)
        except InvalidCredentials as exc:
            failure = exc  # caught inside the unit of work so its audit row is committed
    if isinstance(failure, social_accounts.LinkNeeded):
        return _to_sign_in("social-link-needed", provider_id)
    if isinstance(failure, social_accounts.NoEmail):
        return _to_sign_in("social-no-email", provider_id)
    if failure is not None:
        return _to_sign_in("social-suspended", provider_id)
    if messages:
        background.add_task(email.deliver_all, messages)
    return _finish_sign_in(request, user.id, finished, meta)


def _finish_link(
    request: Request, background: BackgroundTasks, finished: social_accounts.Finished, meta: RequestMeta
) -> RedirectResponse:
    provider_id = finished.provider.id
    with session_scope() as db:
        identity = current_identity(request, db)
    # The browser that comes back must still be signed in as the user who started the link.
    if identity is None or identity.user.id != finished.link_user_id:
        return _to_sign_in("social", provider_id)
    try:
        with session_scope() as db:
            messages = social_accounts.link_to(db, identity.user.id, finished, meta)
    except Conflict as exc:
        return _to_settings(exc.fields.get("reason", "failed"), provider_id)
    except ServiceError:
        return _to_settings("failed", provider_id)
    if messages:
        background.add_task(email.deliver_all, messages)
    return _to_settings("linked", provider_id)


def _finish_sign_in(
    request: Request, user_id: int, finished: social_accounts.Finished, meta: RequestMeta
) -> RedirectResponse:
    """The one place a social sign-in ends: through the two-factor gate (api/two_factor.py), so
    an account with two-factor on gets the second-step page and no session until it passes."""
    with session_scope() as db:
        user = db.get(User, user_id)
        address = user.email
        response = two_factor_api.redirect_after_first_factor(
            request, db, user, method=finished.provider.label, callback=finished.callback
        )
    set_device_cookie(response, address)
    sign_in_limits.succeeded(address, meta.ip)
    return _clear_state_cookie(response)


@router.get("/list-accounts", responses=_answers(200, 401))
def list_accounts(request: Request):
    with session_scope() as db:
        identity = current_identity(request, db)
        if identity is None:
            return unauthorized()
        rows = social_accounts.list_accounts(db, identity.user.id)
        has_password = social_accounts.user_has_password(db, identity.user.id)
    answer: list[dict[str, Any]] = []
    if has_password:
        # Better Auth lists the email-and-password way in as the "credential" account.
        answer.append(
            {
                "id": f"credential-{identity.user.id}",
                "providerId": "credential",
                "accountId": str(identity.user.id),
                "createdAt": identity.user.created_at.isoformat(),
                "updatedAt": identity.user.created_at.isoformat(),
                "scopes": [],
            }
        )
    answer += [
        {
            "id": row.id,
            "providerId": row.provider,
            "accountId": row.account_id,
            "email": row.email,
            "createdAt": row.created_at.isoformat(),
            "updatedAt": row.created_at.isoformat(),
            "scopes": [],
        }
        for row in rows
    ]
    return JSONResponse(answer)


@router.post("/unlink-account", openapi_extra=UNLINK_BODY, responses=_answers(200, 401, 404, 409, 422))
def unlink_account(request: Request, background: BackgroundTasks, body: dict = Depends(parsed_body)):
    try:
        with session_scope() as db:
            identity = current_identity(request, db)
            if identity is None:
                return unauthorized()
            messages = social_accounts.unlink(
                db,
                identity.user.id,
                provider=body.get("providerId"),
                account_id=body.get("accountId"),
                meta=request_meta(request),
            )
    except ServiceError as exc:
        return service_error(exc)
    background.add_task(email.deliver_all, messages)
    return JSONResponse({"status": True})


@router.get("/social-providers", responses=_answers(200))
def social_provider_list():
    """The configured providers (what the sign-in page offers), for API clients."""
    return JSONResponse([{"id": p.id, "name": p.label} for p in social_providers.configured()])
