"""/api/v1/organizations: yours, create, members, invitations, roles, leave, transfer, switch.

The same service as the /organizations page. An organization the caller is not a member of
is a 404 on every route; a member whose role does not allow the action gets a 403 `forbidden`
saying who may. Invitation ids are the unguessable part of the emailed /invite/<id> link.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from fluxkit.api.v1.caller import Caller, current_caller
from fluxkit.api.v1.errors import STATUS_OF
from fluxkit.api.v1.schemas import ID_MAX, NON_BLANK, Error
from fluxkit.db import session_scope
from fluxkit.services import mail, organizations as orgs

STATUS_OF[orgs.NotAllowed] = 403

CallerDep = Annotated[Caller, Depends(current_caller)]
OrgId = Annotated[int, Path(ge=1, le=ID_MAX, description="The organization's id.")]
MemberId = Annotated[int, Path(ge=1, le=ID_MAX, description="The member's user id.")]
InvitationId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="From the /invite/<id> link.")]
Role = Literal["owner", "admin", "member"]
InviteRole = Literal["admin", "member"]
_DESCRIBED = {
    401: "Not signed in: no session cookie and no (valid) API key.",
    403: "`forbidden`: your role in this organization does not allow it (the message says who may).",
    404: "No such organization (or member, or invitation) for you: not being a member is not found.",
    422: "Invalid input: `fields` names each bad field; or the invitation cannot be accepted (the message says why).",
    429: "Over the rate limit; see Retry-After.",
}


def _refusals(*statuses: int) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {s: {"model": Error, "description": _DESCRIBED[s]} for s in (401, *statuses, 422, 429)}
    out[429]["headers"] = {"Retry-After": {"description": "Seconds until a request is allowed again.", "schema": {"type": "integer"}}}
    return out


# ---- schemas ---------------------------------------------------------------------------------


class Organization(BaseModel):
    id: int
    name: str
    slug: str
    role: Role = Field(description="Your role in it.")
    members: int
    active: bool = Field(description="Your active organization (the one tasks are assigned in).")

    @classmethod
    def of(cls, row: orgs.OrgRow) -> Organization:
        return cls(**row.__dict__)


class Member(BaseModel):
    user_id: int
    name: str
    email: str
    role: Role
    joined_at: str
    is_me: bool

    @classmethod
    def of(cls, row: orgs.MemberRow) -> Member:
        return cls(**row.__dict__)


class Invitation(BaseModel):
    id: str
    organization_id: int
    organization: str
    email: str
    role: InviteRole
    inviter: str
    status: Literal["pending", "accepted", "canceled", "expired"]
    created_at: str
    expires_at: str

    @classmethod
    def of(cls, row: orgs.InvitationRow) -> Invitation:
        return cls(**row.__dict__)


class OrganizationDetail(BaseModel):
    organization: Organization
    members: list[Member]
    invitations: list[Invitation] = Field(description="Pending invitations (empty for plain members).")


class OrganizationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=orgs.NAME_MAX, pattern=NON_BLANK)]
    slug: Annotated[str, Field(max_length=orgs.SLUG_MAX, description="Unique; made from the name when empty.")] = ""


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, Field(max_length=254)]
    role: InviteRole = "member"


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: InviteRole


class Transfer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: Annotated[int, Field(ge=1, le=ID_MAX, description="The member who becomes the owner.")]


class ActiveChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization_id: Annotated[int | None, Field(ge=1, le=ID_MAX, description="null: no active organization.")]


# ---- routes ------------------------------------------------------------------------------------

router = APIRouter(prefix="/organizations", tags=["organizations"])


@router.get("", summary="Your organizations", response_model=list[Organization], responses=_refusals())
def list_mine(caller: CallerDep):
    with session_scope() as db:
        rows = orgs.list_mine(db, caller.user_id)
    return [Organization.of(r) for r in rows]


@router.post("", summary="Create an organization (you own it; it becomes active)", status_code=201, response_model=Organization, responses=_refusals())
def create(caller: CallerDep, body: OrganizationCreate):
    with session_scope() as db:
        row = orgs.create(db, caller.user_id, body.name, body.slug)
    return Organization.of(row)


@router.get("/active", summary="Your active organization (null: none)", response_model=Organization | None, responses=_refusals())
def get_active(caller: CallerDep):
    with session_scope() as db:
        row = orgs.active_org(db, caller.user_id)
    return Organization.of(row) if row else None


@router.put("/active", summary="Switch your active organization", response_model=Organization | None, responses=_refusals(404))
def switch(caller: CallerDep, body: ActiveChoice):
    with session_scope() as db:
        row = orgs.switch(db, caller.user_id, body.organization_id)
    return Organization.of(row) if row else None


@router.get("/invitations", summary="Pending invitations to your (verified) address", response_model=list[Invitation], responses=_refusals())
def my_invitations(caller: CallerDep):
    with session_scope() as db:
        rows = orgs.my_invitations(db, caller.user_id)
    return [Invitation.of(r) for r in rows]


@router.get("/invitations/{invitation_id}", summary="An invitation (from its link)", response_model=Invitation, responses=_refusals(404))
def view_invitation(caller: CallerDep, invitation_id: InvitationId):
    with session_scope() as db:
        row = orgs.view_invitation(db, caller.user_id, invitation_id)
    return Invitation.of(row)


@router.post(
    "/invitations/{invitation_id}/accept",
    summary="Accept an invitation",
    description="Needs your verified email to be the invited address, and the invitation pending and under 7 days old.",
    response_model=Organization,
    responses=_refusals(404),
)
def accept(caller: CallerDep, invitation_id: InvitationId):
    with session_scope() as db:
        row = orgs.accept(db, caller.user_id, invitation_id)
    return Organization.of(row)


@router.delete(
    "/invitations/{invitation_id}",
    summary="Cancel a pending invitation (owner and admins)",
    status_code=204,
    response_class=Response,
    responses=_refusals(403, 404),
)
def cancel_invitation(caller: CallerDep, invitation_id: InvitationId) -> None:
    with session_scope() as db:
        orgs.cancel_invitation(db, caller.user_id, invitation_id)


@router.get("/{org_id}", summary="An organization: members and pending invitations", response_model=OrganizationDetail, responses=_refusals(404))
def get_detail(caller: CallerDep, org_id: OrgId):
    with session_scope() as db:
        found = orgs.detail(db, caller.user_id, org_id)
    return OrganizationDetail(
        organization=Organization.of(found.org),
        members=[Member.of(m) for m in found.members],
        invitations=[Invitation.of(i) for i in found.invitations],
    )


@router.get("/{org_id}/members", summary="Its members", response_model=list[Member], responses=_refusals(404))
def list_members(caller: CallerDep, org_id: OrgId):
    with session_scope() as db:
        rows = orgs.members(db, caller.user_id, org_id)
    return [Member.of(m) for m in rows]


@router.get("/{org_id}/invitations", summary="Its pending invitations (owner and admins)", response_model=list[Invitation], responses=_refusals(403, 404))
def list_invitations(caller: CallerDep, org_id: OrgId):
    with session_scope() as db:
        rows = orgs.pending_invitations(db, caller.user_id, org_id)
    return [Invitation.of(i) for i in rows]


@router.post(
    "/{org_id}/invitations",
    summary="Invite someone by email (owner and admins; only the owner invites admins)",
    description="Emails a link to /invite/<id>, valid for 7 days. Inviting the same address again replaces its pending invitation.",
    status_code=201,
    response_model=Invitation,
    responses=_refusals(403, 404),
)
def invite(caller: CallerDep, org_id: OrgId, body: InvitationCreate, background: BackgroundTasks):
    with session_scope() as db:
        invited = orgs.invite(db, caller.user_id, org_id, body.email, body.role)
    background.add_task(mail.deliver_all, invited.messages)
    return Invitation.of(invited.invitation)


@router.patch(
    "/{org_id}/members/{user_id}",
    summary="Change a member's role (owner and admins; nobody changes the owner's)",
    response_model=Member,
    responses=_refusals(403, 404),
)
def change_role(caller: CallerDep, org_id: OrgId, user_id: MemberId, body: RoleChange):
    with session_scope() as db:
        row = orgs.change_role(db, caller.user_id, org_id, user_id, body.role)
    return Member.of(row)


@router.delete(
    "/{org_id}/members/{user_id}",
    summary="Remove a member (they lose the tasks assigned to them here)",
    status_code=204,
    response_class=Response,
    responses=_refusals(403, 404),
)
def remove_member(caller: CallerDep, org_id: OrgId, user_id: MemberId) -> None:
    with session_scope() as db:
        orgs.remove_member(db, caller.user_id, org_id, user_id)


@router.post(
    "/{org_id}/leave",
    summary="Leave (the owner transfers ownership first)",
    status_code=204,
    response_class=Response,
    responses=_refusals(403, 404),
)
def leave(caller: CallerDep, org_id: OrgId) -> None:
    with session_scope() as db:
        orgs.leave(db, caller.user_id, org_id)


@router.post(
    "/{org_id}/transfer",
    summary="Transfer ownership to another member (you become an admin)",
    response_model=Member,
    responses=_refusals(403, 404),
)
def transfer(caller: CallerDep, org_id: OrgId, body: Transfer):
    with session_scope() as db:
        row = orgs.transfer(db, caller.user_id, org_id, body.user_id)
    return Member.of(row)
