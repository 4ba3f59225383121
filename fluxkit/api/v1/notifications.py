"""/api/v1/notifications: the notification bodies and routes, thin doors onto services.notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Response
from pydantic import BaseModel, Field

from fluxkit.api.v1.common import CallerDep, refusals, run_as
from fluxkit.api.v1.fields import ID_MAX, as_utc
from fluxkit.services import notifications

NotificationType = Literal[
    "task_completed", "task_due", "welcome", "system", "mail", "event_invitation", "task_assigned"
]

assert NotificationType.__args__ == notifications.TYPES

NotificationId = Annotated[int, Path(ge=1, le=ID_MAX, description="The notification's id.")]


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
            created_at=as_utc(datetime.fromisoformat(row.created_at)),
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


router = APIRouter()


@router.get(
    "/notifications",
    tags=["notifications"],
    summary="List notifications (newest first)",
    response_model=NotificationPage,
    responses=refusals(),
)
def list_notifications(
    caller: CallerDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = notifications.PAGE_SIZE,
    unread_only: bool = False,
):
    return NotificationPage.of(
        run_as(caller, notifications.list_page, page=page, page_size=page_size, unread_only=unread_only)
    )


@router.post(
    "/notifications/read-all",
    tags=["notifications"],
    summary="Mark every notification read",
    response_model=MarkedRead,
    responses=refusals(),
)
def mark_all_read(caller: CallerDep):
    return MarkedRead(updated=run_as(caller, notifications.mark_all_read))


@router.delete("/notifications/read-all", include_in_schema=False)
def _not_a_notification_id() -> None:
    """`DELETE /notifications/read-all` would reach the `{notification_id}` route: it is a 405."""
    raise HTTPException(405)


@router.post(
    "/notifications/{notification_id}/read",
    tags=["notifications"],
    summary="Mark a notification read",
    response_model=Notification,
    responses=refusals(404),
)
def mark_read(caller: CallerDep, notification_id: NotificationId):
    return Notification.of(run_as(caller, notifications.mark_read, notification_id))


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
