"""Organizations: members and roles, emailed invitations, the active organization.

Every rule lives here, for the page and the REST API alike. Someone who is not a member of
an organization does not find it (NotFound); a member whose role does not allow an action
is refused with `NotAllowed` (403 in the API) and a sentence saying who may.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from fluxkit import routes
from fluxkit.clock import Clock, system_clock
from fluxkit.models import ActiveOrganization, Organization, OrgInvitation, OrgMember, Task, User
from fluxkit.services import accounts, email, live, topics, two_factor
from fluxkit.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from fluxkit.settings import get_settings

ROLES = ("owner", "admin", "member")
INVITE_ROLES = ("admin", "member")  # the owner is made by transfer, never by invitation
INVITATION_DAYS = 7
NAME_MAX = 100
SLUG_MAX = 60
MEMBER_LIMIT = 500  # members listed on one page (the page holds one organization)
TOPIC = topics.ORGANIZATIONS
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class NotAllowed(Forbidden):
    """A member tried what their role does not allow."""

    code = "forbidden"


class TwoFactorRequired(Forbidden):
    """The organization requires two-factor sign-in and the member has not turned it on."""

    code = "two_factor_required"


def _two_factor_message(org_name: str) -> str:
    return f"{org_name} requires two-factor sign-in. Turn it on in Settings › Account to use this organization."


# ---- what crosses into states and API answers --------------------------------------------


@dataclass(frozen=True)
class OrgRow:
    id: int
    name: str
    slug: str
    role: str  # the caller's
    members: int
    active: bool
    require_two_factor: bool = False  # members need two-factor sign-in to use it


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    name: str
    email: str
    role: str
    joined_at: str
    is_me: bool


@dataclass(frozen=True)
class InvitationRow:
    id: str
    organization_id: int
    organization: str
    email: str
    role: str
    inviter: str
    status: str  # pending, accepted, canceled, expired
    created_at: str
    expires_at: str


@dataclass(frozen=True)
class OrgDetail:
    org: OrgRow
    members: list[MemberRow]
    invitations: list[InvitationRow]  # pending ones; only for the owner and admins


@dataclass(frozen=True)
class Invited:
    invitation: InvitationRow
    messages: list[EmailMessage]


# ---- helpers ---------------------------------------------------------------------------------


def _id(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise NotFound("No such organization.")
    return value


def _membership(db: Session, user_id: int, org_id: object, *, two_factor_checked: bool = True) -> OrgMember:
    """The caller's membership; refused (`TwoFactorRequired`) when the organization requires
    two-factor sign-in and the caller has not turned it on, unless `two_factor_checked=False`
    (what such a member may still do: see it in their list, leave it)."""
    member = db.exec(
        select(OrgMember).where(OrgMember.organization_id == _id(org_id), OrgMember.user_id == user_id)
    ).first()
    if member is None:
        raise NotFound("No such organization.")
    if two_factor_checked:
        org = db.get(Organization, member.organization_id)
        if org.require_two_factor and not two_factor.is_enabled(db, user_id):
            raise TwoFactorRequired(_two_factor_message(org.name))
    return member


def two_factor_block(db: Session, user_id: int) -> str:
    """The name of the caller's active organization when it requires two-factor sign-in and the
    caller has not turned it on (the shell's notice); "" when nothing is blocked."""
    org_id = _active_id(db, user_id)
    if org_id is None:
        return ""
    org = db.get(Organization, org_id)
    if org.require_two_factor and not two_factor.is_enabled(db, user_id):
        return org.name
    return ""


def set_two_factor_requirement(db: Session, user_id: int, org_id: object, required: object) -> OrgRow:
    """The owner or an admin: members must have two-factor sign-in on to use the organization."""
    member = _manager(db, user_id, org_id)
    if not isinstance(required, bool):
        raise InvalidInput("Choose on or off.", fields={"require_two_factor": "Choose on or off."})
    org = db.get(Organization, member.organization_id)
    if required and not two_factor.is_enabled(db, user_id):
        raise Conflict("Turn on two-factor sign-in for your own account first (Settings › Account).")
    org.require_two_factor = required
    db.add(org)
    _announce(db, org.id)
    return _row(db, org, member.role, _active_id(db, user_id))


def _manager(db: Session, user_id: int, org_id: object) -> OrgMember:
    member = _membership(db, user_id, org_id)
    if member.role not in ("owner", "admin"):
        raise NotAllowed("Only the owner and admins of this organization can do that.")
    return member


def _member_ids(db: Session, org_id: int) -> list[int]:
    return list(db.exec(select(OrgMember.user_id).where(OrgMember.organization_id == org_id)).all())


def _announce(db: Session, org_id: int, *extra: int) -> None:
    for user_id in {*_member_ids(db, org_id), *extra}:
        live.touch(db, user_id, TOPIC)


def _active_id(db: Session, user_id: int) -> int | None:
    row = db.get(ActiveOrganization, user_id)
    if row is None:
        return None
    still = db.exec(
        select(OrgMember.id).where(OrgMember.organization_id == row.organization_id, OrgMember.user_id == user_id)
    ).first()
    return row.organization_id if still else None


def _set_active(db: Session, user_id: int, org_id: int | None) -> None:
    row = db.get(ActiveOrganization, user_id)
    if org_id is None:
        if row is not None:
            db.delete(row)
            db.flush()
    elif row is None:
        db.add(ActiveOrganization(user_id=user_id, organization_id=org_id))
    else:
        row.organization_id = org_id
        db.add(row)
    live.touch(db, user_id, TOPIC)


def _row(db: Session, org: Organization, role: str, active_id: int | None) -> OrgRow:
    count = db.exec(select(func.count()).select_from(OrgMember).where(OrgMember.organization_id == org.id)).one()
    return OrgRow(
        id=org.id,
        name=org.name,
        slug=org.slug,
        role=role,
        members=count,
        active=org.id == active_id,
        require_two_factor=org.require_two_factor,
    )


def _status_of(inv: OrgInvitation, now: datetime) -> str:
    if inv.status == "pending" and inv.expires_at <= now:
        return "expired"
    return inv.status


def _invitation_row(db: Session, inv: OrgInvitation, now: datetime) -> InvitationRow:
    org = db.get(Organization, inv.organization_id)
    inviter = db.get(User, inv.inviter_id) if inv.inviter_id else None
    return InvitationRow(
        id=inv.id,
        organization_id=inv.organization_id,
        organization=org.name if org else "",
        email=inv.email,
        role=inv.role,
        inviter=inviter.name if inviter else "Someone",
        status=_status_of(inv, now),
        created_at=inv.created_at.isoformat(),
        expires_at=inv.expires_at.isoformat(),
    )


def _unassign_from(db: Session, org_id: int, user_id: int) -> None:
    """A member who goes loses the tasks assigned to them in this organization."""
    owners = db.exec(
        select(Task.user_id).where(Task.organization_id == org_id, Task.assignee_id == user_id).distinct()
    ).all()
    db.exec(
        update(Task)
        .where(col(Task.organization_id) == org_id, col(Task.assignee_id) == user_id)
        .values(assignee_id=None)
    )
    for owner in owners:
        live.touch(db, owner, topics.TASKS)
    live.touch(db, user_id, topics.TASKS, topics.NOTIFICATIONS)


# ---- reading ---------------------------------------------------------------------------------


def list_mine(db: Session, user_id: int) -> list[OrgRow]:
    active = _active_id(db, user_id)
    pairs = db.exec(
        select(Organization, OrgMember.role)
        .join(OrgMember, col(OrgMember.organization_id) == col(Organization.id))
        .where(OrgMember.user_id == user_id)
        .order_by(func.lower(Organization.name), col(Organization.id))
    ).all()
    return [_row(db, org, role, active) for org, role in pairs]


def active_org(db: Session, user_id: int) -> OrgRow | None:
    org_id = _active_id(db, user_id)
    if org_id is None:
        return None
    member = _membership(db, user_id, org_id, two_factor_checked=False)  # its name only
    return _row(db, db.get(Organization, org_id), member.role, org_id)


def members(db: Session, user_id: int, org_id: object) -> list[MemberRow]:
    _membership(db, user_id, org_id)
    rank = {"owner": 0, "admin": 1, "member": 2}
    rows = db.exec(
        select(OrgMember, User)
        .join(User, col(User.id) == col(OrgMember.user_id))
        .where(OrgMember.organization_id == org_id)
        .order_by(func.lower(User.name), col(User.id))
        .limit(MEMBER_LIMIT)
    ).all()
    out = [
        MemberRow(
            user_id=u.id,
            name=u.name,
            email=u.email,
            role=m.role,
            joined_at=m.created_at.isoformat(),
            is_me=u.id == user_id,
        )
        for m, u in rows
    ]
    return sorted(out, key=lambda r: rank.get(r.role, 3))


def pending_invitations(db: Session, user_id: int, org_id: object, clock: Clock = system_clock) -> list[InvitationRow]:
    _manager(db, user_id, org_id)
    now = clock.now()
    rows = db.exec(
        select(OrgInvitation)
        .where(OrgInvitation.organization_id == org_id, OrgInvitation.status == "pending")
        .order_by(col(OrgInvitation.created_at).desc())
    ).all()
    return [_invitation_row(db, inv, now) for inv in rows]


def detail(db: Session, user_id: int, org_id: object, clock: Clock = system_clock) -> OrgDetail:
    member = _membership(db, user_id, org_id)
    org = db.get(Organization, member.organization_id)
    invitations = pending_invitations(db, user_id, org_id, clock) if member.role != "member" else []
    return OrgDetail(
        org=_row(db, org, member.role, _active_id(db, user_id)),
        members=members(db, user_id, org_id),
        invitations=invitations,
    )


def my_invitations(db: Session, user_id: int, clock: Clock = system_clock) -> list[InvitationRow]:
    """Pending, unexpired invitations sent to the caller's address."""
    user = db.get(User, user_id)
    if user is None:
        return []
    now = clock.now()
    rows = db.exec(
        select(OrgInvitation)
        .where(
            OrgInvitation.email == user.email, OrgInvitation.status == "pending", col(OrgInvitation.expires_at) > now
        )
        .order_by(col(OrgInvitation.created_at).desc())
    ).all()
    return [_invitation_row(db, inv, now) for inv in rows]


# ---- creating and switching ------------------------------------------------------------------


def clean_slug(value: object) -> str:
    slug = value.strip().lower() if isinstance(value, str) else ""
    if not slug:
        message = "Enter a slug (lowercase letters, digits and dashes)."
    elif len(slug) > SLUG_MAX:
        message = f"Use at most {SLUG_MAX} characters."
    elif not _SLUG.fullmatch(slug):
        message = "Use lowercase letters, digits and single dashes between them (like acme-inc)."
    else:
        return slug
    raise InvalidInput(message, fields={"slug": message})


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:SLUG_MAX].strip("-")


def create(db: Session, user_id: int, name: object, slug: object = "", clock: Clock = system_clock) -> OrgRow:
    problems: dict[str, str] = {}
    clean_name = name.strip() if isinstance(name, str) else ""
    if not clean_name:
        problems["name"] = "Enter a name."
    elif len(clean_name) > NAME_MAX:
        problems["name"] = f"Use at most {NAME_MAX} characters."
    elif "\x00" in clean_name:
        problems["name"] = "Remove the NUL character (\\0): it cannot be stored."
    raw_slug = slug if isinstance(slug, str) and slug.strip() else slugify(clean_name)
    try:
        clean = clean_slug(raw_slug)
    except InvalidInput as exc:
        problems.setdefault("slug", exc.message)
        clean = ""
    if clean and db.exec(select(Organization.id).where(Organization.slug == clean)).first():
        problems["slug"] = f"The slug {clean} is taken. Choose another."
    if problems:
        raise InvalidInput(next(iter(problems.values())), fields=problems)
    now = clock.now()
    org = Organization(name=clean_name, slug=clean, created_at=now)
    db.add(org)
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:
        message = f"The slug {clean} is taken. Choose another."
        raise InvalidInput(message, fields={"slug": message}) from None
    db.add(OrgMember(organization_id=org.id, user_id=user_id, role="owner", created_at=now))
    db.flush()
    _set_active(db, user_id, org.id)
    return _row(db, org, "owner", org.id)


def switch(db: Session, user_id: int, org_id: object | None) -> OrgRow | None:
    """Make `org_id` the caller's active organization; None (or 0): personal, none active."""
    if org_id in (None, 0):
        _set_active(db, user_id, None)
        live.touch(db, user_id, topics.TASKS)
        return None
    member = _membership(db, user_id, org_id)
    _set_active(db, user_id, member.organization_id)
    live.touch(db, user_id, topics.TASKS)
    return _row(db, db.get(Organization, member.organization_id), member.role, member.organization_id)


def rename(db: Session, user_id: int, org_id: object, name: object) -> OrgRow:
    member = _manager(db, user_id, org_id)
    clean = name.strip() if isinstance(name, str) else ""
    if not clean or len(clean) > NAME_MAX or "\x00" in clean:
        message = f"Enter a name of 1 to {NAME_MAX} characters."
        raise InvalidInput(message, fields={"name": message})
    org = db.get(Organization, member.organization_id)
    org.name = clean
    db.add(org)
    _announce(db, org.id)
    return _row(db, org, member.role, _active_id(db, user_id))


# ---- invitations -----------------------------------------------------------------------------


def _invitation_email(inviter: User, org: Organization, inv: OrgInvitation) -> EmailMessage:
    link = get_settings().url(f"{routes.INVITE}/{inv.id}")
    return email.compose(
        inv.email,
        f"{inviter.name} invited you to {org.name} on FluxKit",
        f"Hi,\n\n{inviter.name} ({inviter.email}) invited you to join the organization {org.name} "
        f"on FluxKit as {'an admin' if inv.role == 'admin' else 'a member'}.\n\nOpen this link to accept "
        f"(it is valid for {INVITATION_DAYS} days; sign in with {inv.email}, verified):\n\n{link}\n\n"
        "If you did not expect this, you can ignore this email.\n",
    )


def invite(
    db: Session, user_id: int, org_id: object, email: object, role: object = "member", clock: Clock = system_clock
) -> Invited:
    manager = _manager(db, user_id, org_id)
    if not isinstance(email, str) or not email.strip():
        # Not "your" address, as on the sign-in form: the person being invited.
        message = "Enter the email address of the person to invite."
        raise InvalidInput(message, fields={"email": message})
    address = accounts.normalize_email(email)  # InvalidInput naming the email field
    if role not in INVITE_ROLES:
        message = "Choose admin or member."
        raise InvalidInput(message, fields={"role": message})
    if role == "admin" and manager.role != "owner":
        message = "Only the owner can invite admins."
        raise NotAllowed(message, fields={"role": message})
    org_id = manager.organization_id
    already = db.exec(
        select(OrgMember.id)
        .join(User, col(User.id) == col(OrgMember.user_id))
        .where(OrgMember.organization_id == org_id, User.email == address)
    ).first()
    if already:
        message = f"{address} is already a member."
        raise InvalidInput(message, fields={"email": message})
    now = clock.now()
    # Inviting the same address again replaces its pending invitation (a fresh link and 7 days).
    db.exec(
        update(OrgInvitation)
        .where(
            col(OrgInvitation.organization_id) == org_id,
            col(OrgInvitation.email) == address,
            col(OrgInvitation.status) == "pending",
        )
        .values(status="canceled")
    )
    inv = OrgInvitation(
        id=secrets.token_urlsafe(24),
        organization_id=org_id,
        email=address,
        role=role,
        inviter_id=user_id,
        status="pending",
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    db.add(inv)
    db.flush()
    invitee = accounts.user_by_email(db, address)
    _announce(db, org_id, *([invitee.id] if invitee else []))
    inviter = db.get(User, user_id)
    org = db.get(Organization, org_id)
    return Invited(invitation=_invitation_row(db, inv, now), messages=[_invitation_email(inviter, org, inv)])


def _invitation(db: Session, invitation_id: object) -> OrgInvitation:
    inv = db.get(OrgInvitation, invitation_id) if isinstance(invitation_id, str) and invitation_id else None
    if inv is None:
        raise NotFound("No such invitation.")
    return inv


def cancel_invitation(db: Session, user_id: int, invitation_id: object) -> None:
    inv = _invitation(db, invitation_id)
    try:
        _manager(db, user_id, inv.organization_id)
    except NotFound:
        raise NotFound("No such invitation.") from None
    if inv.status != "pending":
        raise NotFound("This invitation is no longer pending.")
    inv.status = "canceled"
    db.add(inv)
    invitee = accounts.user_by_email(db, inv.email)
    _announce(db, inv.organization_id, *([invitee.id] if invitee else []))


def _may_see(db: Session, user_id: int, inv: OrgInvitation) -> bool:
    """The invited address, or the owner and admins of the organization."""
    user = db.get(User, user_id)
    if user is not None and user.email == inv.email:
        return True
    role = db.exec(
        select(OrgMember.role).where(OrgMember.organization_id == inv.organization_id, OrgMember.user_id == user_id)
    ).first()
    return role in ("owner", "admin")


def view_invitation(
    db: Session, user_id: int, invitation_id: object, clock: Clock = system_clock, *, from_link: bool = False
) -> InvitationRow:
    """An invitation, for its invitee and the organization's owner and admins (else not found).

    `from_link`: the /invite/<id> page, opened from the emailed link, whose unguessable id is
    the capability to see it, so whoever is signed in there is told whom it is for.
    """
    inv = _invitation(db, invitation_id)
    if not from_link and not _may_see(db, user_id, inv):
        raise NotFound("No such invitation.")
    return _invitation_row(db, inv, clock.now())


def accept_problem(db: Session, user_id: int, invitation_id: object, clock: Clock = system_clock) -> str:
    """Why the caller cannot accept this invitation ("" when they can)."""
    inv = _invitation(db, invitation_id)
    user = db.get(User, user_id)
    status = _status_of(inv, clock.now())
    if status == "expired":
        return "This invitation has expired. Ask for a new one."
    if status == "canceled":
        return "This invitation was cancelled."
    if status == "accepted":
        return "This invitation has already been accepted."
    if user is None or user.email != inv.email:
        return f"This invitation is for {inv.email}. Sign in with that address to accept it."
    if not user.email_verified:
        return f"Verify your email address ({inv.email}) first: open the link we emailed you, then come back."
    if db.exec(
        select(OrgMember.id).where(OrgMember.organization_id == inv.organization_id, OrgMember.user_id == user_id)
    ).first():
        return "You are already a member of this organization."
    return ""


def accept(db: Session, user_id: int, invitation_id: object, clock: Clock = system_clock) -> OrgRow:
    inv = _invitation(db, invitation_id)
    if not _may_see(db, user_id, inv):
        raise NotFound("No such invitation.")
    problem = accept_problem(db, user_id, invitation_id, clock)
    if problem:
        raise InvalidInput(problem)
    now = clock.now()
    inv.status = "accepted"
    db.add(inv)
    db.add(OrgMember(organization_id=inv.organization_id, user_id=user_id, role=inv.role, created_at=now))
    db.flush()
    _set_active(db, user_id, inv.organization_id)
    _announce(db, inv.organization_id)
    live.touch(db, user_id, topics.TASKS)
    return _row(db, db.get(Organization, inv.organization_id), inv.role, inv.organization_id)


# ---- roles and membership ----------------------------------------------------------------------


def _target(db: Session, org_id: int, user_id: object) -> OrgMember:
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise NotFound("No such member.")
    member = db.exec(select(OrgMember).where(OrgMember.organization_id == org_id, OrgMember.user_id == user_id)).first()
    if member is None:
        raise NotFound("No such member.")
    return member


def change_role(db: Session, user_id: int, org_id: object, member_id: object, role: object) -> MemberRow:
    actor = _manager(db, user_id, org_id)
    target = _target(db, actor.organization_id, member_id)
    if role not in INVITE_ROLES:
        message = "Choose admin or member. To make someone the owner, transfer ownership."
        raise InvalidInput(message, fields={"role": message})
    if target.role == "owner":
        raise NotAllowed("Nobody can change the owner's role. The owner can transfer ownership.")
    if target.user_id == user_id:
        raise NotAllowed("You cannot change your own role.")
    if role == "admin" and actor.role != "owner" and target.role != "admin":
        raise NotAllowed("Only the owner can make someone an admin.")
    target.role = role
    db.add(target)
    _announce(db, actor.organization_id)
    user = db.get(User, target.user_id)
    return MemberRow(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role=role,
        joined_at=target.created_at.isoformat(),
        is_me=False,
    )


def _drop(db: Session, member: OrgMember) -> None:
    org_id, gone = member.organization_id, member.user_id
    _announce(db, org_id)
    db.delete(member)
    db.flush()
    _unassign_from(db, org_id, gone)
    active = db.get(ActiveOrganization, gone)
    if active is not None and active.organization_id == org_id:
        db.delete(active)
        db.flush()


def remove_member(db: Session, user_id: int, org_id: object, member_id: object) -> None:
    actor = _manager(db, user_id, org_id)
    target = _target(db, actor.organization_id, member_id)
    if target.user_id == user_id:
        raise NotAllowed("To go, leave the organization instead.")
    if target.role == "owner":
        raise NotAllowed("Nobody can remove the owner.")
    if target.role == "admin" and actor.role != "owner":
        raise NotAllowed("Only the owner can remove an admin.")
    _drop(db, target)


def leave(db: Session, user_id: int, org_id: object) -> None:
    member = _membership(db, user_id, org_id, two_factor_checked=False)
    if member.role == "owner":
        raise NotAllowed("You own this organization: transfer ownership to another member before leaving.")
    _drop(db, member)


def transfer(db: Session, user_id: int, org_id: object, member_id: object) -> MemberRow:
    """The owner hands the organization to another member and becomes an admin."""
    actor = _membership(db, user_id, org_id)
    if actor.role != "owner":
        raise NotAllowed("Only the owner can transfer ownership.")
    target = _target(db, actor.organization_id, member_id)
    if target.user_id == user_id:
        message = "Choose another member: you already own this organization."
        raise InvalidInput(message, fields={"user_id": message})
    actor.role = "admin"
    target.role = "owner"
    db.add(actor)
    db.add(target)
    _announce(db, actor.organization_id)
    user = db.get(User, target.user_id)
    return MemberRow(
        user_id=user.id,
        name=user.name,
        email=user.email,
        role="owner",
        joined_at=target.created_at.isoformat(),
        is_me=False,
    )


# ---- for tasks -------------------------------------------------------------------------------------


def shared_org(db: Session, user_id: int, other_id: int, preferred: int | None = None) -> int | None:
    """An organization both are members of: `preferred` if it is one, else the user's active one."""
    for org_id in (preferred, _active_id(db, user_id)):
        if org_id is None:
            continue
        both = db.exec(
            select(func.count())
            .select_from(OrgMember)
            .where(OrgMember.organization_id == org_id, col(OrgMember.user_id).in_((user_id, other_id)))
        ).one()
        if both == 2:
            return org_id
    return None


def assignable(db: Session, user_id: int) -> list[MemberRow]:
    """The members of the caller's active organization a task can be assigned to (not the caller)."""
    org_id = _active_id(db, user_id)
    if org_id is None:
        return []
    return [m for m in members(db, user_id, org_id) if not m.is_me]
