"""Better Auth's passkey plugin routes under /api/auth/passkey (WebAuthn through services.passkeys).

Registration needs the signed-in browser; sign-in is for a signed-out one and, like the
password sign-in, answers with the HttpOnly session cookie. A passkey sign-in is complete on
its own: it asks for no second factor. Bodies are read as the other auth routes read them
(JSON only: a cross-site form cannot post here). The request and answer shapes are also
written into the OpenAPI document (`openapi_extra`), which the tests fuzz.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import JSONResponse
from limits import parse

from fluxkit.api import auth_answers as answers
from fluxkit.api.auth import parsed_body
from fluxkit.api.deps import current_identity, request_meta, set_hints_cookie, set_session_cookie
from fluxkit.api.errors import service_error, unauthorized
from fluxkit.db import session_scope
from fluxkit.services import accounts, passkeys, ratelimit, sign_in_limits, ui_hints
from fluxkit.services.dto import Identity
from fluxkit.services.errors import ServiceError
from fluxkit.services.passkeys import PasskeyRow

router = APIRouter(prefix="/api/auth", tags=["passkeys"])

# Ceremonies started or finished from one address (a person retries a few times, not hundreds).
SIGN_IN_PER_IP = parse("30/15 minutes")
# A signed-in account adding passkeys or changing them.
CHANGES_PER_ACCOUNT = parse("30/hour")


# ---- answers ---------------------------------------------------------------------------------------


def passkey_json(row: PasskeyRow) -> dict[str, Any]:
    """Better Auth's passkey object (no key material)."""
    return {
        "id": row.id,
        "name": row.name,
        "credentialID": row.credential_id,
        "deviceType": row.device_type,
        "backedUp": row.backed_up,
        "transports": ",".join(row.transports),
        "aaguid": row.aaguid,
        "counter": row.sign_count,
        "createdAt": row.created_at.isoformat(),
        "lastUsedAt": row.last_used_at.isoformat() if row.last_used_at else None,
    }


def _limited(verdict: ratelimit.Verdict) -> JSONResponse | None:
    if verdict.allowed:
        return None
    return answers.limited(verdict)


def _by_address(request: Request, route: str) -> JSONResponse | None:
    return _limited(ratelimit.hit(SIGN_IN_PER_IP, "ip", route, request_meta(request).ip))


def _by_account(identity: Identity, route: str) -> JSONResponse | None:
    return _limited(ratelimit.hit(CHANGES_PER_ACCOUNT, "user", route, str(identity.user.id)))


# ---- OpenAPI: what each route takes and answers --------------------------------------------------------

_ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}, "fields": {"type": "object"}},
}
_OPTIONS = {"type": "object", "required": ["challenge"], "properties": {"challenge": {"type": "string"}}}
_PASSKEY = {
    "type": "object",
    "required": ["id", "name", "credentialID", "createdAt"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "credentialID": {"type": "string"},
        "deviceType": {"type": "string"},
        "backedUp": {"type": "boolean"},
        "transports": {"type": "string"},
        "aaguid": {"type": "string"},
        "counter": {"type": "integer"},
        "createdAt": {"type": "string"},
        "lastUsedAt": {"type": ["string", "null"]},
    },
}
_CREDENTIAL = {
    "type": "object",
    "description": "PublicKeyCredential.toJSON() of navigator.credentials.create() or .get()",
    "properties": {
        "id": {"type": "string"},
        "rawId": {"type": "string"},
        "type": {"type": "string"},
        "response": {"type": "object"},
    },
}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _doc(body: dict | None, ok: dict, *errors: int) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "responses": {
            "200": {"description": "OK", **_json(ok)},
            **{str(code): {"description": "Refused", **_json(_ERROR)} for code in errors},
        }
    }
    if body is not None:
        extra["requestBody"] = {"required": True, **_json(body)}
    return extra


def _body(required: list[str], **properties: dict) -> dict:
    return {"type": "object", "required": required, "properties": properties}


# ---- registration (signed in) ---------------------------------------------------------------------------


@router.post(
    "/passkey/generate-register-options",
    openapi_extra=_doc(None, _OPTIONS, 401, 409, 429),
)
def generate_register_options(request: Request):
    with session_scope() as db:
        identity = current_identity(request, db)
        if identity is None:
            return unauthorized()
        if refused := _by_account(identity, "passkey-options"):
            return refused
        try:
            options = passkeys.registration_options(db, identity.user.id)
        except ServiceError as exc:
            return service_error(exc)
    return JSONResponse(options, headers={"Cache-Control": "no-store"})


@router.post(
    "/passkey/verify-registration",
    openapi_extra=_doc(
        _body(["response"], response=_CREDENTIAL, name={"type": "string"}), _PASSKEY, 401, 409, 422, 429
    ),
)
def verify_registration(request: Request, background: BackgroundTasks, body: dict = Depends(parsed_body)):
    failure: ServiceError | None = None
    with session_scope() as db:
        identity = current_identity(request, db)
        if identity is None:
            return unauthorized()
        if refused := _by_account(identity, "passkey-register"):
            return refused
        try:
            row, messages = passkeys.verify_registration(
                db, identity, body.get("response"), name=body.get("name"), meta=request_meta(request)
            )
        except ServiceError as exc:
            failure = exc  # inside the unit of work: the used-up challenge and the audit row commit
    if failure is not None:
        return service_error(failure)
    answers.send_later(background, messages)
    return JSONResponse(passkey_json(row))


# ---- sign-in (signed out) ----------------------------------------------------------------------------------


@router.post("/passkey/generate-authenticate-options", openapi_extra=_doc(None, _OPTIONS, 429))
def generate_authenticate_options(request: Request):
    if refused := _by_address(request, "passkey-options"):
        return refused
    with session_scope() as db:
        options = passkeys.authentication_options(db)
    return JSONResponse(options, headers={"Cache-Control": "no-store"})


@router.post(
    "/passkey/verify-authentication",
    openapi_extra=_doc(
        _body(["response"], response=_CREDENTIAL, callbackURL={"type": "string"}),
        _body(["user", "session", "redirect"]),
        401,
        422,
        429,
    ),
)
def verify_authentication(request: Request, body: dict = Depends(parsed_body)):
    if refused := _by_address(request, "passkey-sign-in"):
        return refused
    meta = request_meta(request)
    failure: ServiceError | None = None
    with session_scope() as db:
        try:
            token, identity = passkeys.verify_authentication(db, body.get("response"), meta=meta)
            hints = ui_hints.for_identity(db, identity)
        except ServiceError as exc:
            failure = exc  # inside the unit of work: the used-up challenge and the audit row commit
    if failure is not None:
        return service_error(failure)
    user = identity.user
    response = JSONResponse(
        {
            "user": answers.user_json(user),
            "session": answers.session_json(identity.session, identity.session.id),
            "redirect": accounts.safe_redirect(body.get("callbackURL")),
        }
    )
    set_session_cookie(response, token)
    set_hints_cookie(response, ui_hints.encode(hints))
    sign_in_limits.succeeded(user.email, meta.ip)  # a locked-out owner's passkey lifts the lock
    return response


# ---- the signed-in user's passkeys -----------------------------------------------------------------------


@router.get("/passkey/list-user-passkeys", openapi_extra=_doc(None, {"type": "array", "items": _PASSKEY}, 401))
def list_user_passkeys(request: Request):
    with session_scope() as db:
        identity = current_identity(request, db)
        if identity is None:
            return unauthorized()
        rows = passkeys.list_passkeys(db, identity.user.id)
    return JSONResponse([passkey_json(row) for row in rows])


@router.post(
    "/passkey/update-passkey",
    openapi_extra=_doc(
        _body(["id", "name"], id={"type": "integer"}, name={"type": "string"}),
        _body(["passkey"], passkey=_PASSKEY),
        401,
        404,
        422,
        429,
    ),
)
def update_passkey(request: Request, background: BackgroundTasks, body: dict = Depends(parsed_body)):
    try:
        with session_scope() as db:
            identity = current_identity(request, db)
            if identity is None:
                return unauthorized()
            if refused := _by_account(identity, "passkey-change"):
                return refused
            row, messages = passkeys.rename_passkey(
                db, identity.user.id, body.get("id"), body.get("name"), meta=request_meta(request)
            )
    except ServiceError as exc:
        return service_error(exc)
    answers.send_later(background, messages)
    return JSONResponse({"passkey": passkey_json(row)})


@router.post(
    "/passkey/delete-passkey",
    openapi_extra=_doc(_body(["id"], id={"type": "integer"}), _body(["status"]), 401, 404, 409, 429),
)
def delete_passkey(request: Request, background: BackgroundTasks, body: dict = Depends(parsed_body)):
    try:
        with session_scope() as db:
            identity = current_identity(request, db)
            if identity is None:
                return unauthorized()
            if refused := _by_account(identity, "passkey-change"):
                return refused
            messages = passkeys.delete_passkey(db, identity.user.id, body.get("id"), meta=request_meta(request))
    except ServiceError as exc:
        return service_error(exc)
    answers.send_later(background, messages)
    return JSONResponse({"status": True})
