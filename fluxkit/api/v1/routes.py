"""The routes of /api/v1: thin doors onto the services, which hold every rule.

Routes are plain `def`, so FastAPI runs them (and their database work) in its threadpool.
Every write commits through `session_scope()` (`common.run_as` for a single service call), whose
after-commit hook announces the change to every open tab of the user (live updates), exactly
as a change made in the UI does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response

from fluxkit.api.deps import request_meta
from fluxkit.api.v1 import schemas
from fluxkit.api.v1.common import CallerDep, refusals, run_as
from fluxkit.api.v1.errors import SessionRequired
from fluxkit.services import api_keys, notifications, tasks

TaskId = Annotated[int, Path(ge=1, le=schemas.ID_MAX, description="The task's id.")]
NotificationId = Annotated[int, Path(ge=1, le=schemas.ID_MAX, description="The notification's id.")]
KeyId = Annotated[int, Path(ge=1, le=schemas.ID_MAX, description="The key's id (not the key).")]


router = APIRouter()


# ---- tasks --------------------------------------------------------------------------------


@router.get(
    "/tasks", tags=["tasks"], summary="List tasks (one page)", response_model=schemas.TaskPage, responses=refusals()
)
def list_tasks(
    caller: CallerDep,
    search: Annotated[str, Query(max_length=100, pattern=schemas.TEXT, description="In title and description.")] = "",
    status: schemas.Status | None = None,
    priority: schemas.Priority | None = None,
    category: schemas.Category | None = None,
    due: Annotated[schemas.DueFilter | None, Query(description="overdue, due today, or due this week.")] = None,
    sort: schemas.Sort = "created",
    order: schemas.Order = "desc",
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Past the last page answers the last page.")] = 1,
    page_size: Annotated[schemas.PageSize, Query()] = 10,
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
    return schemas.TaskPage.of(run_as(caller, tasks.list_tasks, tasks.TaskQuery.parse(params)))


@router.post(
    "/tasks",
    tags=["tasks"],
    summary="Create a task",
    status_code=201,
    response_model=schemas.Task,
    responses=refusals(402),
)
def create_task(caller: CallerDep, body: schemas.TaskCreate):
    return schemas.Task.of(run_as(caller, tasks.create_task, body.model_dump()))


@router.get(
    "/tasks/{task_id}", tags=["tasks"], summary="Get a task", response_model=schemas.Task, responses=refusals(404)
)
def get_task(caller: CallerDep, task_id: TaskId):
    return schemas.Task.of(run_as(caller, tasks.get_task, task_id))


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
    response_model=schemas.Task,
    responses=refusals(402, 403, 404, 409),
)
def update_task(caller: CallerDep, task_id: TaskId, body: schemas.TaskUpdate):
    return schemas.Task.of(run_as(caller, tasks.update_task, task_id, body.model_dump(exclude_unset=True)))


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
    response_model=list[schemas.HistoryEntry],
    responses=refusals(404),
)
def task_history(caller: CallerDep, task_id: TaskId):
    return [schemas.HistoryEntry.of(r) for r in run_as(caller, tasks.history, task_id)]


# ---- notifications ------------------------------------------------------------------------


@router.get(
    "/notifications",
    tags=["notifications"],
    summary="List notifications (newest first)",
    response_model=schemas.NotificationPage,
    responses=refusals(),
)
def list_notifications(
    caller: CallerDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = notifications.PAGE_SIZE,
    unread_only: bool = False,
):
    return schemas.NotificationPage.of(
        run_as(caller, notifications.list_page, page=page, page_size=page_size, unread_only=unread_only)
    )


@router.post(
    "/notifications/read-all",
    tags=["notifications"],
    summary="Mark every notification read",
    response_model=schemas.MarkedRead,
    responses=refusals(),
)
def mark_all_read(caller: CallerDep):
    return schemas.MarkedRead(updated=run_as(caller, notifications.mark_all_read))


@router.delete("/notifications/read-all", include_in_schema=False)
def _not_a_notification_id() -> None:
    """`DELETE /notifications/read-all` would reach the `{notification_id}` route: it is a 405."""
    raise HTTPException(405)


@router.post(
    "/notifications/{notification_id}/read",
    tags=["notifications"],
    summary="Mark a notification read",
    response_model=schemas.Notification,
    responses=refusals(404),
)
def mark_read(caller: CallerDep, notification_id: NotificationId):
    return schemas.Notification.of(run_as(caller, notifications.mark_read, notification_id))


@router.delete(
    "/notifications/{notification_id}",
    tags=["notifications"],
    summary="Delete a notification",
    status_code=204,
    response_class=Response,
    responses=refusals(404),
)
def delete_notification(caller: CallerDep, notification_id: NotificationId) -> None:
    run_as(caller, notifications.delete_notification, notification_id)


# ---- API keys -------------------------------------------------------------------------------


@router.get(
    "/api-keys",
    tags=["api keys"],
    summary="List your API keys",
    response_model=list[schemas.ApiKey],
    responses=refusals(),
)
def list_keys(caller: CallerDep):
    return [schemas.ApiKey.of(r) for r in run_as(caller, api_keys.list_keys)]


@router.post(
    "/api-keys",
    tags=["api keys"],
    summary="Create an API key (shown once)",
    description=(
        "Answers the key itself in `key`, this once: only a keyed hash is stored. Needs the "
        "signed-in browser session (an API key cannot create more keys)."
    ),
    status_code=201,
    response_model=schemas.ApiKeyCreated,
    responses=refusals(403, 409),
)
def create_key(caller: CallerDep, body: schemas.ApiKeyCreate, request: Request):
    if not caller.with_session:
        raise SessionRequired("Create API keys while signed in (Settings), not with another key.")
    return schemas.ApiKeyCreated.of_new(run_as(caller, api_keys.create_key, body.name, meta=request_meta(request)))


@router.delete(
    "/api-keys/{key_id}",
    tags=["api keys"],
    summary="Revoke an API key (it stops working at once)",
    status_code=204,
    response_class=Response,
    responses=refusals(404),
)
def revoke_key(caller: CallerDep, key_id: KeyId, request: Request) -> None:
    run_as(caller, api_keys.revoke_key, key_id, meta=request_meta(request))
