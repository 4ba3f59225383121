"""Every refusal of /api/auth, /api/billing and /api/v1 in one shape: `{error, message, fields}`.

Services raise errors that subclass a semantic base of `fluxkit/services/errors.py`; the
base's status is said here, once (`STATUS_OF`). /api/auth and /api/billing build their
answers with `service_error`; /api/v1 installs the same as exception handlers, and FastAPI's
own validation and routing errors are rewritten into the same shape, so a client parses
one kind of error body.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from fluxkit.services import ratelimit
from fluxkit.services.errors import (
    Conflict,
    Forbidden,
    InvalidCredentials,
    InvalidInput,
    InvalidToken,
    LimitReached,
    NotAuthenticated,
    NotFound,
    ServiceError,
    Unavailable,
)

# The semantic bases' statuses; any other ServiceError is a 400.
STATUS_OF: dict[type[ServiceError], int] = {
    InvalidInput: 422,
    InvalidToken: 400,
    InvalidCredentials: 401,
    NotAuthenticated: 401,
    LimitReached: 402,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Unavailable: 503,
}

SIGN_IN_FIRST = "Sign in to continue."


class RateLimited(Exception):
    def __init__(self, verdict: ratelimit.Verdict):
        super().__init__("rate limited")
        self.verdict = verdict


def error(
    status: int, code: str, message: str, fields: dict[str, str] | None = None, headers=None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "message": message}
    if fields:
        body["fields"] = fields
    body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers)


def status_of(exc: ServiceError) -> int:
    for kind in type(exc).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]
    return 400


def service_error(exc: ServiceError, *, status: int | None = None, headers=None) -> JSONResponse:
    """`exc` as its answer; `status` only where a route's caller needs another (Stripe's webhook)."""
    # A conflict is about the request as a whole; its code says it all, no field is to blame.
    fields = None if isinstance(exc, Conflict) else exc.fields
    return error(status or status_of(exc), exc.code, exc.message, fields, headers)


def unauthorized() -> JSONResponse:
    return error(401, NotAuthenticated.code, SIGN_IN_FIRST)


def rate_limited(verdict: ratelimit.Verdict, what: str = "requests", message: str | None = None) -> JSONResponse:
    """429 with Retry-After; `what` names what came too often ("requests", "attempts")."""
    retry_after = verdict.retry_after
    return error(
        429,
        "rate_limited",
        message or f"Too many {what}. Try again in {ratelimit.human_wait(retry_after)}.",
        headers={"Retry-After": str(retry_after)},
        retryAfter=retry_after,
    )


async def _service_error(_request: Request, exc: ServiceError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status_of(exc) == 401 else None
    return service_error(exc, headers=headers)


async def _limits_unavailable(_request: Request, exc: ratelimit.LimitsUnavailable) -> JSONResponse:
    """Redis is down and the operator chose to refuse rather than count per worker: 503 with
    the time until Redis is tried again."""
    return error(503, exc.code, exc.message, headers={"Retry-After": str(exc.retry_after)}, retryAfter=exc.retry_after)


async def _rate_limited(_request: Request, exc: RateLimited) -> JSONResponse:
    return rate_limited(exc.verdict)


# ---- FastAPI's own validation errors, in our shape ----------------------------------------------


def _friendly(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "This field is required."
    if kind == "extra_forbidden":
        return "Unknown field."
    if kind == "string_too_long":
        return f"Use at most {ctx.get('max_length')} characters."
    if kind in ("string_too_short", "string_pattern_mismatch"):
        return "Enter some text (not blank, no NUL characters)."
    if kind in ("string_type", "string_unicode"):
        return "Must be text."
    if kind in ("literal_error", "enum"):
        return f"Choose one of: {ctx.get('expected')}."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "Must be a whole number."
    if kind == "greater_than_equal":
        return f"Must be at least {ctx.get('ge')}."
    if kind == "less_than_equal":
        return f"Must be at most {ctx.get('le')}."
    if kind.startswith("date"):
        return "Use a date like 2026-12-31."
    if kind in ("bool_parsing", "bool_type"):
        return "Must be true or false."
    if kind == "json_invalid":
        return "The body is not valid JSON."
    if kind in ("model_attributes_type", "dict_type", "model_type"):
        return "Send a JSON object."
    return str(err.get("msg", "Not valid."))


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    if not parts:
        return "body"
    if loc and loc[0] == "body" and isinstance(loc[-1], int) and len(parts) == 1:
        return "body"  # a JSON syntax error's position, not a field
    return ".".join(parts)


def field_errors(errors: list[dict[str, Any]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for err in errors:
        fields.setdefault(_field_name(err.get("loc", ())), _friendly(err))
    return fields


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    fields = field_errors(list(exc.errors()))
    name, problem = next(iter(fields.items()), ("body", "Not valid."))
    message = problem if name == "body" else f"{name}: {problem}"
    # Never echo the input back: it may be anything, including text JSON cannot carry.
    return error(422, "invalid_input", message, fields)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _api_routes(routes) -> list[APIRoute]:
    """Every APIRoute of the app, inside each included router too (tasks, calendar, ...)."""
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):  # FastAPI's wrapper of an included router
            found.extend(_api_routes(route.original_router.routes))
    return found


def _allowed_methods(request: Request) -> str:
    """The methods of the path as routed (Starlette names only the first route's methods).

    `/notifications/read-all` also fits `/notifications/{notification_id}`; like the router
    and the spec, a fixed path wins over a template.
    """
    path, root = request.scope["path"], request.scope.get("root_path", "")
    if root and path.startswith(root + "/"):
        path = path[len(root) :]
    by_template: dict[str, set[str]] = {}
    for route in _api_routes(request.app.router.routes):
        if route.include_in_schema and route.path_regex.match(path):
            by_template.setdefault(route.path, set()).update(route.methods)
    if not by_template:
        return ""
    best = min(by_template, key=lambda template: template.count("{"))
    return ", ".join(sorted(by_template[best]))


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    message = exc.detail if isinstance(exc.detail, str) else "The request was refused."
    headers = dict(exc.headers or {})
    if exc.status_code == 400:
        # FastAPI's only 400: a body it could not read (not UTF-8, cut short). Bad input.
        return error(422, "invalid_input", "The body is not valid JSON.", {"body": "The body is not valid JSON."})
    if exc.status_code == 404:
        message = "No such route."
    if exc.status_code == 405:
        headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
    return error(exc.status_code, _HTTP_CODES.get(exc.status_code, "error"), message, headers=headers or None)


def install_limits_unavailable(app: FastAPI) -> None:
    """Only the 503 for rate limits without Redis (the app outside /api/v1 maps its own errors)."""
    app.add_exception_handler(ratelimit.LimitsUnavailable, _limits_unavailable)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ratelimit.LimitsUnavailable, _limits_unavailable)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RateLimited, _rate_limited)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
