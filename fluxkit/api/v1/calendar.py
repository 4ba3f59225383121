"""/api/v1/calendar: events in a range, one event, create, change, delete, answer, .ics.

The same service as the page: an event the caller neither organises nor is invited to is a
404 for every route (nothing changes, nothing leaks); changing or deleting someone else's
event the caller is invited to is a 403 `not_organizer`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from fluxkit.api.v1.common import CallerDep, refusals, run_as
from fluxkit.api.v1.fields import ID_MAX, NON_BLANK, TEXT, IsoDate, json_int
from fluxkit.services import calendar
from fluxkit.services.calendar import ics as calendar_ics

EventType = Literal["meeting", "event", "personal", "task", "reminder"]
Color = Literal["blue", "green", "red", "orange", "purple", "pink", "teal", "gray"]
Repeat = Literal["", "daily", "weekly", "monthly"]
Reply = Literal["accepted", "declined"]
assert EventType.__args__ == calendar.TYPES
assert Color.__args__ == calendar.COLORS
assert Repeat.__args__ == calendar.REPEATS
assert Reply.__args__ == calendar.RESPONSES

MOMENT = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$"
Moment = Annotated[
    str,
    Field(
        max_length=40,
        pattern=MOMENT,
        description=(
            "A timed event: `YYYY-MM-DDTHH:MM`, in your timezone unless it ends in `Z` or an offset. "
            "An all-day event: `YYYY-MM-DD` (for `end`, the last day)."
        ),
        examples=["2026-12-01T09:00"],
    ),
]
Title = Annotated[
    str, Field(min_length=1, max_length=calendar.TITLE_MAX, pattern=NON_BLANK, examples=["Design review"])
]
Description = Annotated[str, Field(max_length=calendar.DESCRIPTION_MAX, pattern=TEXT, description="Markdown.")]
Location = Annotated[str, Field(max_length=calendar.LOCATION_MAX, pattern=TEXT)]
UserId = json_int(1, ID_MAX)
Attendees = Annotated[
    list[UserId], Field(max_length=calendar.MAX_ATTENDEES, description="User ids of the people invited.")
]
Count = json_int(1, calendar.MAX_COUNT)


class EventCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    start: Moment
    end: Moment | None = Field(default=None, description="Default: an hour after the start (all-day: the same day).")
    all_day: StrictBool = False
    type: EventType = "event"
    color: Color = "blue"
    location: Location = ""
    description: Description = ""
    repeat: Repeat = Field(
        default="", description="With `repeat`, send exactly one of `repeat_until` and `repeat_count`."
    )
    repeat_until: IsoDate | None = None
    repeat_count: Count | None = None
    attendees: Attendees = Field(default_factory=list)


class EventUpdate(BaseModel):
    """Only the fields sent change. `end` or `all_day` need `start` with them; `attendees` replaces the list."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    start: Moment | None = None
    end: Moment | None = None
    all_day: StrictBool | None = None
    type: EventType | None = None
    color: Color | None = None
    location: Location | None = None
    description: Description | None = None
    repeat: Repeat | None = None
    repeat_until: IsoDate | None = None
    repeat_count: Count | None = None
    attendees: Attendees | None = None


class RespondBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    response: Reply


class Attendee(BaseModel):
    user_id: int
    name: str
    email: str
    status: Literal["pending", "accepted", "declined"]


class Event(BaseModel):
    id: int
    title: str
    description: str
    location: str
    type: EventType
    color: Color
    all_day: bool
    start: str = Field(description="In your timezone (all-day: the first day).")
    end: str = Field(description="In your timezone (all-day: the last day).")
    start_utc: str
    end_utc: str
    timezone: str = Field(description="The organizer's timezone the series repeats in.")
    repeat: Repeat
    repeat_until: str
    repeat_count: int
    when: str
    organizer_id: int
    organizer_name: str
    is_organizer: bool
    my_status: Literal["organizer", "pending", "accepted", "declined"]
    attendees: list[Attendee]

    @classmethod
    def of(cls, row: calendar.EventDetail) -> Event:
        data = {k: v for k, v in row.__dict__.items() if k in cls.model_fields and k != "attendees"}
        return cls(**data, attendees=[Attendee(**a.__dict__) for a in row.attendees])


class Occurrence(BaseModel):
    event_id: int = Field(description="0 for a task.")
    task_id: int = Field(description="0 for an event.")
    title: str
    type: str
    color: str
    location: str
    all_day: bool
    start: str
    end: str
    start_utc: str
    end_utc: str
    recurring: bool
    my_status: Literal["organizer", "pending", "accepted", "declined", "task"]
    organizer: str

    @classmethod
    def of(cls, row: calendar.Occurrence) -> Occurrence:
        return cls(**{k: v for k, v in row.__dict__.items() if k in cls.model_fields})


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
    response_model=list[Occurrence],
    responses=_refusals(),
)
def list_events(
    caller: CallerDep,
    start: Annotated[IsoDate, Query(description="First day (YYYY-MM-DD).")],
    end: Annotated[IsoDate, Query(description="The day after the last (YYYY-MM-DD).")],
    include_tasks: bool = True,
):
    return [Occurrence.of(r) for r in run_as(caller, calendar.list_range, start, end, include_tasks=include_tasks)]


@router.post(
    "/events",
    summary="Create an event (attendees get an invitation)",
    status_code=201,
    response_model=Event,
    responses=_refusals(),
)
def create_event(caller: CallerDep, body: EventCreate):
    return Event.of(run_as(caller, calendar.create_event, body.model_dump()))


@router.get("/events/{event_id}", summary="Get an event", response_model=Event, responses=_refusals(404))
def get_event(caller: CallerDep, event_id: EventId):
    return Event.of(run_as(caller, calendar.get_event, event_id))


@router.patch(
    "/events/{event_id}",
    summary="Change an event (organizer only)",
    response_model=Event,
    responses=_refusals(403, 404),
)
def update_event(caller: CallerDep, event_id: EventId, body: EventUpdate):
    return Event.of(run_as(caller, calendar.update_event, event_id, body.model_dump(exclude_unset=True)))


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
    response_model=Event,
    responses=_refusals(404),
)
def respond(caller: CallerDep, event_id: EventId, body: RespondBody):
    return Event.of(run_as(caller, calendar.respond, event_id, body.response))


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
