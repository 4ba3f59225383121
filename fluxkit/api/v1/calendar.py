"""/api/v1/calendar: events in a range, one event, create, change, delete, answer, .ics.

The same service as the page: an event the caller neither organises nor is invited to is a
404 for every route (nothing changes, nothing leaks); changing or deleting someone else's
event the caller is invited to is a 403 `not_organizer`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from fluxkit.api.v1 import calendar_schemas as schemas
from fluxkit.api.v1.caller import Caller, current_caller
from fluxkit.api.v1.errors import STATUS_OF
from fluxkit.api.v1.schemas import ID_MAX, Error, IsoDate
from fluxkit.db import session_scope
from fluxkit.services import calendar, calendar_ics

STATUS_OF[calendar.NotOrganizer] = 403

CallerDep = Annotated[Caller, Depends(current_caller)]
EventId = Annotated[int, Path(ge=1, le=ID_MAX, description="The event's id.")]
_DESCRIBED = {
    401: "Not signed in: no session cookie and no (valid) API key.",
    403: "`not_organizer`: only the organizer changes or deletes an event.",
    404: "No such event for this user (events you are not invited to are not found either).",
    422: "Invalid input: `fields` names each bad field.",
    429: "Over the rate limit; see Retry-After.",
}


def _refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {s: {"model": Error, "description": _DESCRIBED[s]} for s in (401, *statuses, 422, 429)}
    out[429]["headers"] = {"Retry-After": {"description": "Seconds until a request is allowed again.", "schema": {"type": "integer"}}}
    return out


router = APIRouter(prefix="/calendar", tags=["calendar"])


@router.get(
    "/events",
    summary="Everything on your calendar in a date range",
    description=(
        "Events you organise or are invited to, each occurrence of a recurring event within the range, "
        "and your tasks on their due date. Dates are in your timezone; `end` is exclusive; at most 400 days."
    ),
    response_model=list[schemas.Occurrence],
    responses=_refusals(),
)
def list_events(
    caller: CallerDep,
    start: Annotated[IsoDate, Query(description="First day (YYYY-MM-DD).")],
    end: Annotated[IsoDate, Query(description="The day after the last (YYYY-MM-DD).")],
    include_tasks: bool = True,
):
    with session_scope() as db:
        rows = calendar.list_range(db, caller.user_id, start, end, include_tasks=include_tasks)
    return [schemas.Occurrence.of(r) for r in rows]


@router.post(
    "/events",
    summary="Create an event (attendees get an invitation)",
    status_code=201,
    response_model=schemas.Event,
    responses=_refusals(),
)
def create_event(caller: CallerDep, body: schemas.EventCreate):
    with session_scope() as db:
        row = calendar.create_event(db, caller.user_id, body.model_dump())
    return schemas.Event.of(row)


@router.get("/events/{event_id}", summary="Get an event", response_model=schemas.Event, responses=_refusals(404))
def get_event(caller: CallerDep, event_id: EventId):
    with session_scope() as db:
        row = calendar.get_event(db, caller.user_id, event_id)
    return schemas.Event.of(row)


@router.patch("/events/{event_id}", summary="Change an event (organizer only)", response_model=schemas.Event, responses=_refusals(403, 404))
def update_event(caller: CallerDep, event_id: EventId, body: schemas.EventUpdate):
    with session_scope() as db:
        row = calendar.update_event(db, caller.user_id, event_id, body.model_dump(exclude_unset=True))
    return schemas.Event.of(row)


@router.delete(
    "/events/{event_id}",
    summary="Delete an event for everyone (organizer only)",
    status_code=204,
    response_class=Response,
    responses=_refusals(403, 404),
)
def delete_event(caller: CallerDep, event_id: EventId) -> None:
    with session_scope() as db:
        calendar.delete_event(db, caller.user_id, event_id)


@router.post(
    "/events/{event_id}/respond",
    summary="Accept or decline an invitation",
    description="Only invited users answer; the organizer sees the answer on the event.",
    response_model=schemas.Event,
    responses=_refusals(404),
)
def respond(caller: CallerDep, event_id: EventId, body: schemas.RespondBody):
    with session_scope() as db:
        row = calendar.respond(db, caller.user_id, event_id, body.response)
    return schemas.Event.of(row)


@router.get(
    "/events/{event_id}/ics",
    summary="Download an event as an .ics file",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "An iCalendar file."}, **_refusals(404)},
)
def event_ics(caller: CallerDep, event_id: EventId) -> Response:
    with session_scope() as db:
        name, data = calendar_ics.event_ics(db, caller.user_id, event_id)
    return Response(data, media_type="text/calendar; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{name}"'})
