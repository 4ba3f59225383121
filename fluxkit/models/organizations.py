"""Organizations: members with a role, emailed invitations, each user's active organization."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

from fluxkit.clock import system_clock


def _now() -> datetime:
    return system_clock.now()


class Organization(SQLModel, table=True):
    __tablename__ = "organization"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    slug: str = Field(max_length=60, unique=True, index=True)
    created_at: datetime = Field(default_factory=_now)
    # Set by the owner or an admin: members without two-factor sign-in cannot use it.
    require_two_factor: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})


class OrgMember(SQLModel, table=True):
    """One person in one organization: owner (exactly one), admin or member."""

    __tablename__ = "org_member"
    __table_args__ = (
        UniqueConstraint("organization_id", "user_id", name="uq_org_member_org_user"),
        Index("ix_org_member_user", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    role: str = Field(default="member", max_length=10)
    created_at: datetime = Field(default_factory=_now)


class OrgInvitation(SQLModel, table=True):
    """An emailed invitation; its id is the unguessable part of the /invite/<id> link."""

    __tablename__ = "org_invitation"
    __table_args__ = (Index("ix_org_invitation_org_status", "organization_id", "status"),)

    id: str = Field(primary_key=True, max_length=64)
    organization_id: int = Field(foreign_key="organization.id", ondelete="CASCADE")
    email: str = Field(max_length=254, index=True)
    role: str = Field(default="member", max_length=10)
    inviter_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    status: str = Field(default="pending", max_length=10)  # pending, accepted, canceled
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime


class ActiveOrganization(SQLModel, table=True):
    """Which organization a user works in (the switcher in the sidebar); none: personal."""

    __tablename__ = "active_organization"

    user_id: int = Field(primary_key=True, foreign_key="user.id", ondelete="CASCADE")
    organization_id: int = Field(foreign_key="organization.id", ondelete="CASCADE")
