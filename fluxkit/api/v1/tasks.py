"""/api/v1/tasks: the task bodies and routes, thin doors onto services.tasks.

Routes are plain `def`, so FastAPI runs them (and their database work) in its threadpool.
Every write commits through `session_scope()` (`common.run_as` for a single service call), whose
after-commit hook announces the change to every open tab of the user (live updates), exactly
as a change made in the UI does.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from fluxkit.api.v1.common import CallerDep, answer, refusals, run_as
from fluxkit.api.v1.fields import ID, ID_MAX, NON_BLANK, TEXT, IsoDate, PageSize, as_utc
from fluxkit.services import tasks
from fluxkit.services.paging import Page

Status = Literal["pending", "in progress", "completed", "cancelled"]
Priority = Literal["low", "medium", "high"]
Category = Literal["feature", "bug", "documentation", "other"]
DueFilter = Literal["overdue", "today", "week"]
Sort = Literal["created", "updated", "due", "title", "priority", "status"]
Order = Literal["asc", "desc"]

# The Literals above must be the services' lists, in the services' order.
assert Status.__args__ == tasks.STATUSES
assert Priority.__args__ == tasks.PRIORITIES
assert Category.__args__ == tasks.CATEGORIES
assert DueFilter.__args__ == tasks.DUE_FILTERS
assert Sort.__args__ == tasks.SORTS

Title = Annotated[
    str, Field(min_length=1, max_length=tasks.TITLE_MAX, pattern=NON_BLANK, examples=["Write the release notes"])
]
Description = Annotated[str, Field(max_length=tasks.DESCRIPTION_MAX, pattern=TEXT, description="Markdown.")]

TaskId = Annotated[int, Path(ge=1, le=ID_MAX, description="The task's id.")]


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


# What an answer says is what the row holds: the app writes only the values above, but a row
# written by hand, an old import or another tool may hold anything (say a category
# "improvement"); describing it is better than a 500 for the whole list.
StoredStatus = Annotated[str, Field(description=f"One of {', '.join(tasks.STATUSES)} (as the app writes it).")]
StoredPriority = Annotated[str, Field(description=f"One of {', '.join(tasks.PRIORITIES)} (as the app writes it).")]
StoredCategory = Annotated[str, Field(description=f"One of {', '.join(tasks.CATEGORIES)} (as the app writes it).")]


class Task(BaseModel):
    id: int
    title: str
    description: str
    status: StoredStatus
    priority: StoredPriority
    category: StoredCategory
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
            created_at=as_utc(datetime.fromisoformat(row.created_at)),
            updated_at=as_utc(datetime.fromisoformat(row.updated_at)),
            completed_at=as_utc(datetime.fromisoformat(row.completed_at)) if row.completed_at else None,
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
    def of(cls, page: Page[tasks.TaskRow]) -> TaskPage:
        return cls(
            items=[Task.of(r) for r in page.rows],
            total=page.total,
            page=page.page,
            page_size=page.page_size,
            pages=page.pages,
        )


class HistoryEntry(BaseModel):
    actor: str = Field(description="Who made the change.")
    from_status: StoredStatus | None = Field(description="null for the creation.")
    to_status: StoredStatus
    at: datetime

    @classmethod
    def of(cls, row: tasks.HistoryRow) -> HistoryEntry:
        return cls(
            actor=row.actor,
            from_status=row.from_status or None,
            to_status=row.to_status,
            at=as_utc(datetime.fromisoformat(row.at)),
        )


router = APIRouter()


@router.get("/tasks", tags=["tasks"], summary="List tasks (one page)", response_model=TaskPage, responses=refusals())
def list_tasks(
    caller: CallerDep,
    search: Annotated[str, Query(max_length=100, pattern=TEXT, description="In title and description.")] = "",
    status: Status | None = None,
    priority: Priority | None = None,
    category: Category | None = None,
    due: Annotated[DueFilter | None, Query(description="overdue, due today, or due this week.")] = None,
    sort: Sort = "created",
    order: Order = "desc",
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Past the last page answers the last page.")] = 1,
    page_size: Annotated[PageSize, Query()] = 10,
):
    params = {
        "search": search,
        "status": status or "",
        "priority": priority or "",
        "category": category or "",
        "due": due or "",
        "sort": sort,
        "order": order,
        "page": page,
        "page_size": page_size,
    }
    return answer(TaskPage.of(run_as(caller, tasks.list_tasks, tasks.TaskQuery.parse(params))))


@router.post(
    "/tasks",
    tags=["tasks"],
    summary="Create a task",
    status_code=201,
    response_model=Task,
    responses=refusals(402),
)
def create_task(caller: CallerDep, body: TaskCreate):
    return answer(Task.of(run_as(caller, tasks.create_task, body.model_dump())), 201)


@router.get("/tasks/{task_id}", tags=["tasks"], summary="Get a task", response_model=Task, responses=refusals(404))
def get_task(caller: CallerDep, task_id: TaskId):
    return answer(Task.of(run_as(caller, tasks.get_task, task_id)))


@router.patch(
    "/tasks/{task_id}",
    tags=["tasks"],
    summary="Change a task",
    description=(
        "Only the fields sent change. A `status` change goes through the transition table: "
        "pending -> in progress, completed, cancelled; in progress -> pending, completed, "
        "cancelled; completed -> in progress; cancelled -> pending. A refused move answers 409 "
        "with `error: invalid_transition` and changes nothing. Completing a task adds a "
        "`task_completed` notification in the same transaction. The owner assigns it with "
        "`assignee_id` (a member of their active organization; null unassigns), who gets a "
        "`task_assigned` notification; the assignee may change only `status` (else 403 `not_owner`)."
    ),
    response_model=Task,
    responses=refusals(402, 403, 404, 409),
)
def update_task(caller: CallerDep, task_id: TaskId, body: TaskUpdate):
    return answer(Task.of(run_as(caller, tasks.update_task, task_id, body.model_dump(exclude_unset=True))))


@router.delete(
    "/tasks/{task_id}",
    tags=["tasks"],
    summary="Delete a task (the app can undo it for 10 minutes)",
    status_code=204,
    response_class=Response,
    responses=refusals(403, 404),
)
def delete_task(caller: CallerDep, task_id: TaskId) -> None:
    run_as(caller, tasks.delete_task, task_id)


@router.get(
    "/tasks/{task_id}/history",
    tags=["tasks"],
    summary="A task's status history (oldest first)",
    response_model=list[HistoryEntry],
    responses=refusals(404),
)
def task_history(caller: CallerDep, task_id: TaskId):
    return [HistoryEntry.of(r) for r in run_as(caller, tasks.history, task_id)]
