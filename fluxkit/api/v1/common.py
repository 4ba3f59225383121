"""What every /api/v1 router shares: who calls, the refusals a route declares, one service call.

A route is a thin door: `CallerDep` resolves the caller (401 / 429 before the route runs),
`run_as` calls one service function as that caller in one unit of work, and any
ServiceError it raises becomes the `{error, message, fields}` answer of
`fluxkit/api/errors.py` (its status from its semantic base). `refusals` declares those answers for the spec.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from fluxkit.api.v1.caller import Caller, authenticate, current_caller
from fluxkit.api.v1.fields import Error
from fluxkit.db import session_scope

T = TypeVar("T")

CallerDep = Annotated[Caller, Depends(current_caller)]

# What each refusal means, said once; a router with its own wording passes `described`.
DESCRIBED: dict[int, str] = {
    401: "Not signed in: no session cookie and no (valid) API key.",
    402: "The plan's limit is reached (only when billing is on); see /pricing.",
    403: "`session_required`: an API key cannot create keys; `not_owner`: an assignee only changes a task's status.",
    404: "No such resource for this user (another user's ids are not found either).",
    409: "Refused by a rule: `invalid_transition` (status table) or `too_many_keys`.",
    422: "Invalid input: `fields` names each bad field.",
    429: "Over the rate limit; see Retry-After.",
}


def refusals(*statuses: int, described: Mapping[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """A route's error answers for the spec: 401, then `statuses`, then 422 and 429."""
    wording = {**DESCRIBED, **(described or {})}
    out: dict[int | str, dict[str, Any]] = {}
    for status in (401, *statuses, 422, 429):
        out[status] = {"model": Error, "description": wording[status]}
    out[429]["headers"] = {
        "Retry-After": {"description": "Seconds until a request is allowed again.", "schema": {"type": "integer"}},
    }
    return out


def run_as(caller: Caller, service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`service(db, caller.user_id, *args, **kwargs)` in one unit of work; what it returns.

    It commits when the service returns (whose after-commit hook announces the change to
    every open tab, as a change made in the UI does) and rolls back when it raises; a
    ServiceError then reaches the client as its stable error body.
    """
    with session_scope() as db:
        return service(db, caller.user_id, *args, **kwargs)


def answer(body: BaseModel, status_code: int = 200) -> Response:
    """`body` as the route's JSON answer, serialised once by pydantic, in the route's own thread.

    Returning the model itself makes FastAPI validate it against the route's `response_model`
    (for a plain `def` route, in one more trip through the threadpool) and then serialise it:
    for a page of tasks that was a second threadpool hop per request. The body is the
    route's declared model, so the answer and the OpenAPI spec still agree
    (tests/api/v1/test_routes.py checks answers against the spec).
    """
    return Response(body.model_dump_json(), status_code=status_code, media_type="application/json")


def admin_route(require_admin: Callable[[Session, int], None]) -> type[APIRoute]:
    """A route class for admin-only routes: the caller is identified and `require_admin`
    (a service's check, raising its NotFound) runs before FastAPI reads or validates anything,
    so anyone else gets the same 404 whatever they send, never a 422 that tells the route exists."""

    class AdminRoute(APIRoute):
        def get_route_handler(self):
            handler = super().get_route_handler()

            async def admin_first(request: Request):
                caller = await run_in_threadpool(authenticate, request)
                await run_in_threadpool(_check, require_admin, caller)
                return await handler(request)

            return admin_first

    return AdminRoute


def _check(require_admin: Callable[[Session, int], None], caller: Caller) -> None:
    with session_scope() as db:
        require_admin(db, caller.user_id)
