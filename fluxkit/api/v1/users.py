"""/api/v1/users and /api/v1/audit: the users admin over the same service as the /users page.

Admins only: for anyone else every route answers 404, as if it did not exist, and changes
nothing. Every change is written to the audit log with the caller as actor. No answer ever
carries a password hash, a token or a key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from fluxkit.api.deps import request_meta
from fluxkit.api.v1.common import CallerDep, admin_route, refusals, run_as
from fluxkit.api.v1.fields import ID_MAX, TEXT, IsoDate, as_utc
from fluxkit.db import session_scope
from fluxkit.services import email, plans
from fluxkit.services import users_admin as admin

UserId = Annotated[int, Path(ge=1, le=ID_MAX, description="The user's id.")]
Role = Literal["user", "admin"]
UserStatus = Literal["active", "unverified", "suspended"]
PlanId = Literal["free", "basic", "professional", "enterprise"]
PlanFilter = Literal["free", "basic", "professional", "enterprise", "paid"]
UserSort = Literal["created", "name", "email", "role"]
TAG = ["users (admin)"]

assert Role.__args__ == admin.ROLES
assert UserStatus.__args__ == admin.STATUSES
assert PlanId.__args__ == plans.PLAN_IDS
assert PlanFilter.__args__ == (*plans.PLAN_IDS, admin.PAID)
assert UserSort.__args__ == admin.SORTS

_DESCRIBED = {
    404: "Not an admin (every route of the users admin is a 404 then), or no such user.",
    409: "Refused by a rule (`refused`): the last admin, your own account, a paying user.",
}


def _answers(*statuses: int) -> dict:
    """Each route passes 404: for anyone not an admin, every route of the users admin answers it."""
    return refusals(*statuses, described=_DESCRIBED)


# ---- bodies -------------------------------------------------------------------------------------


class AdminUser(BaseModel):
    """An account as an admin sees it (no password hash, tokens or keys, ever)."""

    id: int
    name: str
    email: str
    role: Role
    status: UserStatus
    plan: PlanId = Field(description="The plan in effect now (Free unless a paid subscription entitles them).")
    plan_name: str
    created_at: datetime
    suspended_at: datetime | None
    two_factor: bool = Field(description="Signs in with a code from an authenticator app after the password.")

    @classmethod
    def of(cls, row: admin.UserRow) -> AdminUser:
        return cls(
            id=row.id,
            name=row.name,
            email=row.email,
            role=row.role,
            status=row.status,
            plan=row.plan,
            plan_name=row.plan_name,
            created_at=as_utc(datetime.fromisoformat(row.created_at)),
            suspended_at=as_utc(datetime.fromisoformat(row.suspended_at)) if row.suspended_at else None,
            two_factor=row.two_factor,
        )


class UserStats(BaseModel):
    total: int = Field(ge=0)
    active: int = Field(ge=0, description="Verified and not suspended.")
    paid: int = Field(ge=0, description="On a paid plan now.")
    unverified: int = Field(ge=0, description="Email not verified yet (not suspended).")
    suspended: int = Field(ge=0)


class AdminUserPage(BaseModel):
    items: list[AdminUser]
    total: int = Field(ge=0)
    page: int = Field(ge=1)
    page_size: int = Field(ge=1)
    pages: int = Field(ge=1)
    stats: UserStats = Field(description="Counts over every user (not only this view).")


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role


class InviteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=1, max_length=254, pattern=TEXT, examples=["new.colleague@example.com"])


class Sent(BaseModel):
    email: str = Field(description="Where the email goes.")
    sent: bool = Field(description="Always true: the email is sent right after this answer.")


class AuditEntry(BaseModel):
    id: int
    created_at: datetime
    action: str
    actor: str = Field(description="Who did it: the admin's email, or the account's own for its own doing.")
    target: str = Field(description="The account it is about (an email).")
    detail: str
    ip: str


class AuditPage(BaseModel):
    items: list[AuditEntry]
    total: int = Field(ge=0)
    page: int = Field(ge=1)
    page_size: int = Field(ge=1)
    pages: int = Field(ge=1)
    actions: list[str] = Field(description="Every action in the log, for filtering.")


# Admins only, checked before the request is read: anyone else gets 404 whatever they send.
router = APIRouter(route_class=admin_route(admin.require_admin))


def _row(row: admin.UserRow) -> AdminUser:
    return AdminUser.of(row)


# ---- users ----------------------------------------------------------------------------------------


@router.get(
    "/users",
    tags=TAG,
    summary="List users (one page) with the stat counts",
    response_model=AdminUserPage,
    responses=_answers(404),
)
def list_users(
    caller: CallerDep,
    search: Annotated[str, Query(max_length=admin.SEARCH_MAX, pattern=TEXT, description="In name and email.")] = "",
    role: Role | None = None,
    status: UserStatus | None = None,
    plan: Annotated[PlanFilter | None, Query(description="A plan in effect, or `paid` for any paid plan.")] = None,
    sort: UserSort = "created",
    order: Literal["asc", "desc"] = "desc",
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Past the last page answers the last page.")] = 1,
    page_size: Annotated[Literal[10, 25, 50, 100], Query()] = 25,
):
    query = admin.UserQuery.parse(
        {
            "search": search,
            "role": role or "",
            "status": status or "",
            "plan": plan or "",
            "sort": sort,
            "order": order,
            "page": page,
            "page_size": page_size,
        }
    )
    with session_scope() as db:
        result = admin.list_users(db, caller.user_id, query)
        stats = admin.stats(db, caller.user_id)
    return AdminUserPage(
        items=[_row(r) for r in result.rows],
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        pages=result.pages,
        stats=UserStats(**stats.__dict__),
    )


@router.post(
    "/users/invite",
    tags=TAG,
    summary="Invite someone by email",
    description="Emails a sign-up link. Refused (422) for an email that already has an account.",
    status_code=202,
    response_model=Sent,
    responses=_answers(404),
)
def invite(caller: CallerDep, body: InviteRequest, request: Request, background: BackgroundTasks):
    invitation = run_as(caller, admin.invite, body.email, request_meta(request))
    background.add_task(email.deliver_all, invitation.messages)
    return Sent(email=invitation.email, sent=True)


@router.api_route("/users/invite", methods=["GET", "PATCH", "DELETE"], include_in_schema=False)
def _not_a_user_id() -> None:
    """`/users/invite` would reach the `{user_id}` routes for other methods: it is a 405."""
    raise HTTPException(405, headers={"Allow": "POST"})


@router.get("/users/{user_id}", tags=TAG, summary="Get a user", response_model=AdminUser, responses=_answers(404))
def get_user(caller: CallerDep, user_id: UserId):
    return _row(run_as(caller, admin.get_user, user_id))


@router.patch(
    "/users/{user_id}",
    tags=TAG,
    summary="Change a user's role",
    description="The last active admin cannot give up the role (409 `refused`).",
    response_model=AdminUser,
    responses=_answers(404, 409),
)
def change_role(caller: CallerDep, user_id: UserId, body: RoleChange, request: Request):
    return _row(run_as(caller, admin.set_role, user_id, body.role, request_meta(request)))


@router.post(
    "/users/{user_id}/suspend",
    tags=TAG,
    summary="Suspend a user",
    description=(
        "Ends every session of theirs at once (open tabs go to sign-in), stops their API keys, and "
        "refuses sign-in with a message saying the account is suspended. Not yourself, not the last admin."
    ),
    response_model=AdminUser,
    responses=_answers(404, 409),
)
def suspend(caller: CallerDep, user_id: UserId, request: Request):
    return _row(run_as(caller, admin.suspend, user_id, request_meta(request)))


@router.post(
    "/users/{user_id}/reactivate",
    tags=TAG,
    summary="Reactivate a suspended user",
    response_model=AdminUser,
    responses=_answers(404),
)
def reactivate(caller: CallerDep, user_id: UserId, request: Request):
    return _row(run_as(caller, admin.reactivate, user_id, request_meta(request)))


@router.post(
    "/users/{user_id}/resend-verification",
    tags=TAG,
    summary="Email an unverified user a fresh verification link",
    status_code=202,
    response_model=Sent,
    responses=_answers(404, 409),
)
def resend_verification(caller: CallerDep, user_id: UserId, request: Request, background: BackgroundTasks):
    messages = run_as(caller, admin.resend_verification, user_id, request_meta(request))
    background.add_task(email.deliver_all, messages)
    return Sent(email=str(messages[0]["To"]) if messages else "", sent=True)


@router.delete(
    "/users/{user_id}",
    tags=TAG,
    summary="Delete a user and everything that is theirs",
    description=(
        "`confirm` must be the user's email. Their sessions, tasks, notifications, API keys, "
        "subscription record, mail copies and calendar entries go with them; the audit log keeps "
        "its entries. Refused (409) for yourself, the last admin and a user on a paid plan."
    ),
    status_code=204,
    response_class=Response,
    responses=_answers(404, 409),
)
def delete_user(
    caller: CallerDep,
    user_id: UserId,
    request: Request,
    confirm: Annotated[str, Query(max_length=254, pattern=TEXT, description="The user's email, typed again.")] = "",
) -> None:
    run_as(caller, admin.delete_user, user_id, confirm, request_meta(request))


# ---- the audit log ------------------------------------------------------------------------------------


@router.get(
    "/audit", tags=TAG, summary="Browse the audit log (newest first)", response_model=AuditPage, responses=_answers(404)
)
def audit_log(
    caller: CallerDep,
    actor: Annotated[
        str, Query(max_length=admin.SEARCH_MAX, pattern=TEXT, description="Part of the actor's email.")
    ] = "",
    target: Annotated[
        str, Query(max_length=admin.SEARCH_MAX, pattern=TEXT, description="Part of the target's email.")
    ] = "",
    action: Annotated[str, Query(max_length=64, pattern=TEXT, description="An action, exactly (see `actions`).")] = "",
    date_from: Annotated[IsoDate | None, Query(description="From this day (UTC), inclusive.")] = None,
    date_to: Annotated[IsoDate | None, Query(description="Up to this day (UTC), inclusive.")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
):
    query = admin.AuditQuery.parse(
        {
            "actor": actor,
            "target": target,
            "action": action,
            "date_from": date_from or "",
            "date_to": date_to or "",
            "page": page,
        }
    )
    result = run_as(caller, admin.audit_log, query)
    return AuditPage(
        items=[
            AuditEntry(
                id=r.id,
                created_at=as_utc(datetime.fromisoformat(r.created_at)),
                action=r.action,
                actor=r.actor,
                target=r.target,
                detail=r.detail,
                ip=r.ip,
            )
            for r in result.rows
        ],
        total=result.total,
        page=result.page,
        page_size=result.page_size,
        pages=result.pages,
        actions=result.actions,
    )
