"""/api/v1/calendar: events in a range, one event, create, change, delete, answer, .ics.

The same service as the page: an event the caller neither organises nor is invited to is a
404 for every route (nothing changes, nothing leaks); changing or deleting someone else's
event the caller is invited to is a 403 `not_organizer`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from fluxkit.api.v1 import calendar_schemas as schemas
from fluxkit.api.v1.common import CallerDep, refusals, run_as
from fluxkit.api.v1.errors import STATUS_OF
from fluxkit.api.v1.schemas import ID_MAX, IsoDate
from fluxkit.services import calendar, calendar_ics

STATUS_OF[calendar.NotOrganizer] = 403

EventId = Annotated[int, Path(ge=1, le=ID_MAX, description="The event's id.")]
_DESCRIBED = {
    403: "`not_organizer`: only the organizer changes or deletes an event.",
    404: "No such event for this user (events you are not invited to are not found either).",
}


def _refusals(*statuses: int) -> dict:
    return refusals(*statuses, described=_DESCRIBED)


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
    return [
        schemas.Occurrence.of(r) for r in run_as(caller, calendar.list_range, start, end, include_tasks=include_tasks)
    ]


@router.post(
    "/events",
    summary="Create an event (attendees get an invitation)",
    status_code=201,
    response_model=schemas.Event,
    responses=_refusals(),
)
def create_event(caller: CallerDep, body: schemas.EventCreate):
    return schemas.Event.of(run_as(caller, calendar.create_event, body.model_dump()))


@router.get("/events/{event_id}", summary="Get an event", response_model=schemas.Event, responses=_refusals(404))
def get_event(caller: CallerDep, event_id: EventId):
    return schemas.Event.of(run_as(caller, calendar.get_event, event_id))


@router.patch(
    "/events/{event_id}",
    summary="Change an event (organizer only)",
    response_model=schemas.Event,
    responses=_refusals(403, 404),
)
def update_event(caller: CallerDep, event_id: EventId, body: schemas.EventUpdate):
    return schemas.Event.of(run_as(caller, calendar.update_event, event_id, body.model_dump(exclude_unset=True)))


@router.delete(
    "/events/{event_id}",
    summary="Delete an event for everyone (organizer only)",
    status_code=204,
    response_class=Response,
    responses=_refusals(403, 404),
)
def delete_event(caller: CallerDep, event_id: EventId) -> None:
    run_as(caller, calendar.delete_event, event_id)


@router.post(
    "/events/{event_id}/respond",
    summary="Accept or decline an invitation",
    description="Only invited users answer; the organizer sees the answer on the event.",
    response_model=schemas.Event,
    responses=_refusals(404),
)
def respond(caller: CallerDep, event_id: EventId, body: schemas.RespondBody):
    return schemas.Event.of(run_as(caller, calendar.respond, event_id, body.response))


@router.get(
    "/events/{event_id}/ics",
    summary="Download an event as an .ics file",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "An iCalendar file."},
        **_refusals(404),
    },
)
def event_ics(caller: CallerDep, event_id: EventId) -> Response:
    name, data = run_as(caller, calendar_ics.event_ics, event_id)
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
