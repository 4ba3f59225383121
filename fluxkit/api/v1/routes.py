"""The routes of /api/v1: thin doors onto the services, which hold every rule.

Routes are plain `def`, so FastAPI runs them (and their database work) in its threadpool.
Every write commits through `session_scope()`, whose after-commit hook announces the change
to every open tab of the user (live updates), exactly as a change made in the UI does.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response

from fluxkit.api.deps import request_meta
from fluxkit.api.v1 import schemas
from fluxkit.api.v1.caller import Caller, current_caller
from fluxkit.api.v1.errors import SessionRequired
from fluxkit.db import session_scope
from fluxkit.services import api_keys, notifications, tasks

CallerDep = Annotated[Caller, Depends(current_caller)]
TaskId = Annotated[int, Path(ge=1, le=schemas.ID_MAX, description="The task's id.")]
NotificationId = Annotated[int, Path(ge=1, le=schemas.ID_MAX, description="The notification's id.")]
KeyId = Annotated[int, Path(ge=1, le=schemas.ID_MAX, description="The key's id (not the key).")]


def _refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    described = {
        401: "Not signed in: no session cookie and no (valid) API key.",
        402: "The plan's limit is reached (only when billing is on); see /pricing.",
        403: "`session_required`: an API key cannot create keys; `not_owner`: an assignee only changes a task's status.",
        404: "No such resource for this user (another user's ids are not found either).",
        409: "Refused by a rule: `invalid_transition` (status table) or `too_many_keys`.",
        422: "Invalid input: `fields` names each bad field.",
        429: "Over the rate limit; see Retry-After.",
    }
    out: dict[int | str, dict[str, Any]] = {}
    for status in (401, *statuses, 422, 429):
        out[status] = {"model": schemas.Error, "description": described[status]}
    out[429]["headers"] = {
        "Retry-After": {"description": "Seconds until a request is allowed again.", "schema": {"type": "integer"}},
    }
    return out


router = APIRouter()


# ---- tasks --------------------------------------------------------------------------------


@router.get("/tasks", tags=["tasks"], summary="List tasks (one page)", response_model=schemas.TaskPage, responses=_refusals())
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
    with session_scope() as db:
        page_ = tasks.list_tasks(db, caller.user_id, tasks.TaskQuery.parse(params))
    return schemas.TaskPage.of(page_)


@router.post(
    "/tasks",
    tags=["tasks"],
    summary="Create a task",
    status_code=201,
    response_model=schemas.Task,
    responses=_refusals(402),
)
def create_task(caller: CallerDep, body: schemas.TaskCreate):
    with session_scope() as db:
        row = tasks.create_task(db, caller.user_id, body.model_dump())
    return schemas.Task.of(row)


@router.get("/tasks/{task_id}", tags=["tasks"], summary="Get a task", response_model=schemas.Task, responses=_refusals(404))
def get_task(caller: CallerDep, task_id: TaskId):
    with session_scope() as db:
        row = tasks.get_task(db, caller.user_id, task_id)
    return schemas.Task.of(row)


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
    responses=_refusals(402, 403, 404, 409),
)
def update_task(caller: CallerDep, task_id: TaskId, body: schemas.TaskUpdate):
    with session_scope() as db:
        row = tasks.update_task(db, caller.user_id, task_id, body.model_dump(exclude_unset=True))
    return schemas.Task.of(row)


@router.delete(
    "/tasks/{task_id}",
    tags=["tasks"],
    summary="Delete a task (the app can undo it for 10 minutes)",
    status_code=204,
    response_class=Response,
    responses=_refusals(403, 404),
)
def delete_task(caller: CallerDep, task_id: TaskId) -> None:
    with session_scope() as db:
        tasks.delete_task(db, caller.user_id, task_id)


@router.get(
    "/tasks/{task_id}/history",
    tags=["tasks"],
    summary="A task's status history (oldest first)",
    response_model=list[schemas.HistoryEntry],
    responses=_refusals(404),
)
def task_history(caller: CallerDep, task_id: TaskId):
    with session_scope() as db:
        rows = tasks.history(db, caller.user_id, task_id)
    return [schemas.HistoryEntry.of(r) for r in rows]


# ---- notifications ------------------------------------------------------------------------


@router.get(
    "/notifications",
    tags=["notifications"],
    summary="List notifications (newest first)",
    response_model=schemas.NotificationPage,
    responses=_refusals(),
)
def list_notifications(
    caller: CallerDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = notifications.PAGE_SIZE,
    unread_only: bool = False,
):
    with session_scope() as db:
        page_ = notifications.list_page(db, caller.user_id, page=page, page_size=page_size, unread_only=unread_only)
    return schemas.NotificationPage.of(page_)


@router.post(
    "/notifications/read-all",
    tags=["notifications"],
    summary="Mark every notification read",
    response_model=schemas.MarkedRead,
    responses=_refusals(),
)
def mark_all_read(caller: CallerDep):
    with session_scope() as db:
        updated = notifications.mark_all_read(db, caller.user_id)
    return schemas.MarkedRead(updated=updated)


@router.delete("/notifications/read-all", include_in_schema=False)
def _not_a_notification_id() -> None:
    """`DELETE /notifications/read-all` would reach the `{notification_id}` route: it is a 405."""
    raise HTTPException(405)


@router.post(
    "/notifications/{notification_id}/read",
    tags=["notifications"],
    summary="Mark a notification read",
    response_model=schemas.Notification,
    responses=_refusals(404),
)
def mark_read(caller: CallerDep, notification_id: NotificationId):
    with session_scope() as db:
        row = notifications.mark_read(db, caller.user_id, notification_id)
    return schemas.Notification.of(row)


@router.delete(
    "/notifications/{notification_id}",
    tags=["notifications"],
    summary="Delete a notification",
    status_code=204,
    response_class=Response,
    responses=_refusals(404),
)
def delete_notification(caller: CallerDep, notification_id: NotificationId) -> None:
    with session_scope() as db:
        notifications.delete_notification(db, caller.user_id, notification_id)


# ---- API keys -------------------------------------------------------------------------------


@router.get("/api-keys", tags=["api keys"], summary="List your API keys", response_model=list[schemas.ApiKey], responses=_refusals())
def list_keys(caller: CallerDep):
    with session_scope() as db:
        rows = api_keys.list_keys(db, caller.user_id)
    return [schemas.ApiKey.of(r) for r in rows]


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
    responses=_refusals(403, 409),
)
def create_key(caller: CallerDep, body: schemas.ApiKeyCreate, request: Request):
    if not caller.with_session:
        raise SessionRequired("Create API keys while signed in (Settings), not with another key.")
    with session_scope() as db:
        new = api_keys.create_key(db, caller.user_id, body.name, meta=request_meta(request))
    return schemas.ApiKeyCreated.of_new(new)


@router.delete(
    "/api-keys/{key_id}",
    tags=["api keys"],
    summary="Revoke an API key (it stops working at once)",
    status_code=204,
    response_class=Response,
    responses=_refusals(404),
)
def revoke_key(caller: CallerDep, key_id: KeyId, request: Request) -> None:
    with session_scope() as db:
        api_keys.revoke_key(db, caller.user_id, key_id, meta=request_meta(request))
