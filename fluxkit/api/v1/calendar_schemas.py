"""Request and response bodies of /api/v1/calendar (the lists of allowed values come from the service)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from fluxkit.api.v1.schemas import ID_MAX, NON_BLANK, TEXT, IsoDate, json_int
from fluxkit.services import calendar

EventType = Literal["meeting", "event", "personal", "task", "reminder"]
Color = Literal["blue", "green", "red", "orange", "purple", "pink", "teal", "gray"]
Repeat = Literal["", "daily", "weekly", "monthly"]
Response = Literal["accepted", "declined"]
assert EventType.__args__ == calendar.TYPES
assert Color.__args__ == calendar.COLORS
assert Repeat.__args__ == calendar.REPEATS
assert Response.__args__ == calendar.RESPONSES

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

    response: Response


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
