"""Request and response bodies of /api/v1: what the OpenAPI spec promises, precisely.

The allowed values come from the services (one list of statuses, priorities, ...), so the
spec cannot drift from the rules. The services still check everything themselves.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from fluxkit.services import api_keys, notifications, tasks

Status = Literal["pending", "in progress", "completed", "cancelled"]
Priority = Literal["low", "medium", "high"]
Category = Literal["feature", "bug", "documentation", "other"]
DueFilter = Literal["overdue", "today", "week"]
Sort = Literal["created", "updated", "due", "title", "priority", "status"]
Order = Literal["asc", "desc"]
NotificationType = Literal[
    "task_completed", "task_due", "welcome", "system", "mail", "event_invitation", "task_assigned"
]

# The Literals above must be the services' lists, in the services' order.
assert Status.__args__ == tasks.STATUSES
assert Priority.__args__ == tasks.PRIORITIES
assert Category.__args__ == tasks.CATEGORIES
assert DueFilter.__args__ == tasks.DUE_FILTERS
assert Sort.__args__ == tasks.SORTS
assert NotificationType.__args__ == notifications.TYPES

# Text a person typed: no NUL (PostgreSQL cannot store it) and, where required, not blank.
TEXT = r"^[^\x00]*$"
NON_BLANK = r"^[^\x00]*[^\s\x00-\x1f\x7f][^\x00]*$"

Title = Annotated[
    str, Field(min_length=1, max_length=tasks.TITLE_MAX, pattern=NON_BLANK, examples=["Write the release notes"])
]
Description = Annotated[str, Field(max_length=tasks.DESCRIPTION_MAX, pattern=TEXT, description="Markdown.")]
KeyName = Annotated[str, Field(min_length=1, max_length=api_keys.NAME_MAX, pattern=NON_BLANK, examples=["CI pipeline"])]
# Path ids are database integers.
ID_MAX = 2**31 - 1


def _int_from_text(value: object) -> object:
    """Query strings are text; let "25" match the integer choices."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


PageSize = Annotated[Literal[10, 25, 50, 100], BeforeValidator(_int_from_text)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_only(value: object) -> object:
    """Only "YYYY-MM-DD" (pydantic alone would also take numbers as timestamps)."""
    if value is None or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("date_format", "Use a date like 2026-12-31.")


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


def _json_integer(value: object) -> object:
    """What JSON Schema calls an integer: a number without a fraction (7 or 7.0), never
    true/false or "7" (pydantic alone would take true as 1 and "7" as 7)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


def json_int(ge: int, le: int, description: str | None = None):
    """An integer field in [ge, le] that takes only what JSON Schema calls an integer.

    The check runs before pydantic's own, and after the bounds in the Annotated list, so the
    spec still says minimum / maximum.
    """
    return Annotated[int, Field(ge=ge, le=le, description=description), BeforeValidator(_json_integer)]


ID = json_int(1, ID_MAX)


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class Error(BaseModel):
    """Every refusal: a stable machine code, a sentence for people, per-field messages."""

    error: str = Field(examples=["invalid_input"])
    message: str
    fields: dict[str, str] = Field(default_factory=dict, description="Field name -> what is wrong with it.")
    retryAfter: int | None = Field(default=None, description="Seconds to wait (429 only).")


# ---- tasks ---------------------------------------------------------------------------


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description = ""
    status: Status = "pending"
    priority: Priority = "medium"
    category: Category = "feature"
    due_date: IsoDate | None = Field(default=None, description="In the user's timezone; null for none.")
    assignee_id: ID | None = Field(
        default=None, description="A member of your active organization to assign it to; null for nobody."
    )


class TaskUpdate(BaseModel):
    """Only the fields sent change. A `status` change follows the transition table."""

    model_config = ConfigDict(extra="forbid")

    # Optional but not nullable: `None` here only means "not sent".
    title: Title = Field(default=None)
    description: Description | None = Field(default=None)
    status: Status = Field(default=None)
    priority: Priority = Field(default=None)
    category: Category = Field(default=None)
    due_date: IsoDate | None = Field(default=None, description="null clears the due date.")
    assignee_id: ID | None = Field(
        default=None,
        description="Assign to a member of your active organization (owner only); null unassigns.",
    )


class Task(BaseModel):
    id: int
    title: str
    description: str
    status: Status
    priority: Priority
    category: Category
    due_date: date | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    overdue: bool = Field(description="Open and due before today (in the user's timezone).")
    assignee_id: int | None = Field(default=None, description="Who it is assigned to, if anyone.")
    assignee_name: str = ""
    owner_name: str = Field(default="", description="Who owns it, when it is not you (it was assigned to you).")
    assigned_to_me: bool = False

    @classmethod
    def of(cls, row: tasks.TaskRow) -> Task:
        return cls(
            id=row.id,
            title=row.title,
            description=row.description,
            status=row.status,
            priority=row.priority,
            category=row.category,
            due_date=date.fromisoformat(row.due_date) if row.due_date else None,
            created_at=_utc(datetime.fromisoformat(row.created_at)),
            updated_at=_utc(datetime.fromisoformat(row.updated_at)),
            completed_at=_utc(datetime.fromisoformat(row.completed_at)) if row.completed_at else None,
            overdue=row.overdue,
            assignee_id=row.assignee_id or None,
            assignee_name=row.assignee_name,
            owner_name=row.owner_name,
            assigned_to_me=row.assigned_to_me,
        )


class TaskPage(BaseModel):
    items: list[Task]
    total: int = Field(ge=0)
    page: int = Field(ge=1)
    page_size: int = Field(ge=1)
    pages: int = Field(ge=1)

    @classmethod
    def of(cls, page: tasks.TaskPage) -> TaskPage:
        return cls(
            items=[Task.of(r) for r in page.rows],
            total=page.total,
            page=page.page,
            page_size=page.page_size,
            pages=page.pages,
        )


class HistoryEntry(BaseModel):
    actor: str = Field(description="Who made the change.")
    from_status: Status | None = Field(description="null for the creation.")
    to_status: Status
    at: datetime

    @classmethod
    def of(cls, row: tasks.HistoryRow) -> HistoryEntry:
        return cls(
            actor=row.actor,
            from_status=row.from_status or None,
            to_status=row.to_status,
            at=_utc(datetime.fromisoformat(row.at)),
        )


# ---- notifications ----------------------------------------------------------------------


class Notification(BaseModel):
    id: int
    type: NotificationType
    title: str
    body: str
    task_id: int | None = Field(description="The task it is about, if any.")
    link: str = Field(
        default="", description="Where it leads in the app (e.g. `/mail?open=12` for new mail), or empty."
    )
    created_at: datetime
    read: bool

    @classmethod
    def of(cls, row: notifications.NotificationRow) -> Notification:
        return cls(
            id=row.id,
            type=row.type,
            title=row.title,
            body=row.body,
            task_id=row.task_id or None,
            link=row.link,
            created_at=_utc(datetime.fromisoformat(row.created_at)),
            read=row.read,
        )


class NotificationPage(BaseModel):
    items: list[Notification]
    total: int = Field(ge=0)
    unread: int = Field(ge=0, description="Unread notifications in all (not only this page).")
    page: int = Field(ge=1)
    page_size: int = Field(ge=1)
    pages: int = Field(ge=1)

    @classmethod
    def of(cls, page: notifications.NotificationPage) -> NotificationPage:
        return cls(
            items=[Notification.of(r) for r in page.rows],
            total=page.total,
            unread=page.unread,
            page=page.page,
            page_size=page.page_size,
            pages=page.pages,
        )


class MarkedRead(BaseModel):
    updated: int = Field(ge=0, description="How many notifications were unread and now are read.")


# ---- API keys -----------------------------------------------------------------------------


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: KeyName


class ApiKey(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    created_at: datetime
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")

    @classmethod
    def of(cls, row: api_keys.ApiKeyRow) -> ApiKey:
        return cls(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            created_at=_utc(row.created_at),
            last_used_at=_utc(row.last_used_at),
        )


class ApiKeyCreated(ApiKey):
    key: str = Field(description="The key itself. Shown only in this answer: store it now.")

    @classmethod
    def of_new(cls, new: api_keys.NewApiKey) -> ApiKeyCreated:
        return cls(**dict(ApiKey.of(new.row)), key=new.key)
