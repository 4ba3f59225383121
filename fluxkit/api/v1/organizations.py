"""/api/v1/organizations: yours, create, members, invitations, roles, leave, transfer, switch.

The same service as the /organizations page. An organization the caller is not a member of
is a 404 on every route; a member whose role does not allow the action gets a 403 `forbidden`
saying who may. Invitation ids are the unguessable part of the emailed /invite/<id> link.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from fluxkit.api.v1.common import CallerDep, refusals, run_as
from fluxkit.api.v1.fields import ID, ID_MAX, NON_BLANK, json_int
from fluxkit.services import email
from fluxkit.services import organizations as orgs

OrgId = Annotated[int, Path(ge=1, le=ID_MAX, description="The organization's id.")]
MemberId = Annotated[int, Path(ge=1, le=ID_MAX, description="The member's user id.")]
InvitationId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$", description="From the /invite/<id> link.")
]
Role = Literal["owner", "admin", "member"]
InviteRole = Literal["admin", "member"]
_DESCRIBED = {
    403: "`forbidden`: your role in this organization does not allow it (the message says who may); "
    "`two_factor_required`: the organization requires two-factor sign-in, which you have not turned on "
    "(Settings › Account).",
    404: "No such organization (or member, or invitation) for you: not being a member is not found.",
    422: "Invalid input: `fields` names each bad field; or the invitation cannot be accepted (the message says why).",
}


def _refusals(*statuses: int) -> dict:
    return refusals(*statuses, described=_DESCRIBED)


# ---- schemas ---------------------------------------------------------------------------------


class Organization(BaseModel):
    id: int
    name: str
    slug: str
    role: Role = Field(description="Your role in it.")
    members: int
    active: bool = Field(description="Your active organization (the one tasks are assigned in).")
    require_two_factor: bool = Field(
        description="Members need two-factor sign-in to use it (set by the owner or an admin in the app)."
    )

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


class Rename(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=orgs.NAME_MAX, pattern=NON_BLANK)]


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, Field(max_length=254)]
    role: InviteRole = "member"


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: InviteRole


NewOwnerId = json_int(1, ID_MAX, "The member who becomes the owner.")


class Transfer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: NewOwnerId


class ActiveChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organization_id: Annotated[ID | None, Field(description="null: no active organization.")]


# ---- routes ------------------------------------------------------------------------------------

router = APIRouter(prefix="/organizations", tags=["organizations"])


@router.get("", summary="Your organizations", response_model=list[Organization], responses=_refusals())
def list_mine(caller: CallerDep):
    return [Organization.of(r) for r in run_as(caller, orgs.list_mine)]


@router.post(
    "",
    summary="Create an organization (you own it; it becomes active)",
    status_code=201,
    response_model=Organization,
    responses=_refusals(),
)
def create(caller: CallerDep, body: OrganizationCreate):
    return Organization.of(run_as(caller, orgs.create, body.name, body.slug))


@router.get(
    "/active",
    summary="Your active organization (null: none)",
    response_model=Organization | None,
    responses=_refusals(),
)
def get_active(caller: CallerDep):
    row = run_as(caller, orgs.active_org)
    return Organization.of(row) if row else None


@router.put(
    "/active",
    summary="Switch your active organization",
    response_model=Organization | None,
    responses=_refusals(403, 404),
)
def switch(caller: CallerDep, body: ActiveChoice):
    row = run_as(caller, orgs.switch, body.organization_id)
    return Organization.of(row) if row else None


@router.get(
    "/invitations",
    summary="Pending invitations to your (verified) address",
    response_model=list[Invitation],
    responses=_refusals(),
)
def my_invitations(caller: CallerDep):
    return [Invitation.of(r) for r in run_as(caller, orgs.my_invitations)]


@router.get(
    "/invitations/{invitation_id}",
    summary="An invitation (from its link)",
    response_model=Invitation,
    responses=_refusals(404),
)
def view_invitation(caller: CallerDep, invitation_id: InvitationId):
    return Invitation.of(run_as(caller, orgs.view_invitation, invitation_id))


@router.post(
    "/invitations/{invitation_id}/accept",
    summary="Accept an invitation",
    description="Needs your verified email to be the invited address, and the invitation pending and under 7 days old.",
    response_model=Organization,
    responses=_refusals(404),
)
def accept(caller: CallerDep, invitation_id: InvitationId):
    return Organization.of(run_as(caller, orgs.accept, invitation_id))


@router.delete(
    "/invitations/{invitation_id}",
    summary="Cancel a pending invitation (owner and admins)",
    status_code=204,
    response_class=Response,
    responses=_refusals(403, 404),
)
def cancel_invitation(caller: CallerDep, invitation_id: InvitationId) -> None:
    run_as(caller, orgs.cancel_invitation, invitation_id)


@router.get(
    "/{org_id}",
    summary="An organization: members and pending invitations",
    response_model=OrganizationDetail,
    responses=_refusals(403, 404),
)
def get_detail(caller: CallerDep, org_id: OrgId):
    found = run_as(caller, orgs.detail, org_id)
    return OrganizationDetail(
        organization=Organization.of(found.org),
        members=[Member.of(m) for m in found.members],
        invitations=[Invitation.of(i) for i in found.invitations],
    )


# Its own path: a PATCH on /{org_id} would also catch PATCH /active and /invitations
# (422 for a bad id instead of 405, a method those paths do not have).
@router.put(
    "/{org_id}/name",
    summary="Rename an organization (owner and admins)",
    response_model=Organization,
    responses=_refusals(403, 404),
)
def rename(caller: CallerDep, org_id: OrgId, body: Rename):
    return Organization.of(run_as(caller, orgs.rename, org_id, body.name))


@router.get("/{org_id}/members", summary="Its members", response_model=list[Member], responses=_refusals(403, 404))
def list_members(caller: CallerDep, org_id: OrgId):
    return [Member.of(m) for m in run_as(caller, orgs.members, org_id)]


@router.get(
    "/{org_id}/invitations",
    summary="Its pending invitations (owner and admins)",
    response_model=list[Invitation],
    responses=_refusals(403, 404),
)
def list_invitations(caller: CallerDep, org_id: OrgId):
    return [Invitation.of(i) for i in run_as(caller, orgs.pending_invitations, org_id)]


@router.post(
    "/{org_id}/invitations",
    summary="Invite someone by email (owner and admins; only the owner invites admins)",
    description=(
        "Emails a link to /invite/<id>, valid for 7 days. Inviting the same address again replaces its "
        "pending invitation."
    ),
    status_code=201,
    response_model=Invitation,
    responses=_refusals(403, 404),
)
def invite(caller: CallerDep, org_id: OrgId, body: InvitationCreate, background: BackgroundTasks):
    invited = run_as(caller, orgs.invite, org_id, body.email, body.role)
    background.add_task(email.deliver_all, invited.messages)
    return Invitation.of(invited.invitation)


@router.patch(
    "/{org_id}/members/{user_id}",
    summary="Change a member's role (owner and admins; nobody changes the owner's)",
    response_model=Member,
    responses=_refusals(403, 404),
)
def change_role(caller: CallerDep, org_id: OrgId, user_id: MemberId, body: RoleChange):
    return Member.of(run_as(caller, orgs.change_role, org_id, user_id, body.role))


@router.delete(
    "/{org_id}/members/{user_id}",
    summary="Remove a member (they lose the tasks assigned to them here)",
    status_code=204,
    response_class=Response,
    responses=_refusals(403, 404),
)
def remove_member(caller: CallerDep, org_id: OrgId, user_id: MemberId) -> None:
    run_as(caller, orgs.remove_member, org_id, user_id)


@router.post(
    "/{org_id}/leave",
    summary="Leave (the owner transfers ownership first)",
    status_code=204,
    response_class=Response,
    responses=_refusals(403, 404),
)
def leave(caller: CallerDep, org_id: OrgId) -> None:
    run_as(caller, orgs.leave, org_id)


@router.post(
    "/{org_id}/transfer",
    summary="Transfer ownership to another member (you become an admin)",
    response_model=Member,
    responses=_refusals(403, 404),
)
def transfer(caller: CallerDep, org_id: OrgId, body: Transfer):
    return Member.of(run_as(caller, orgs.transfer, org_id, body.user_id))
