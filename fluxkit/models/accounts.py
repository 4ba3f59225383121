"""Accounts: users, their sessions, one-time tokens and the audit log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from fluxkit.clock import system_clock


def _now() -> datetime:
    return system_clock.now()


class User(SQLModel, table=True):
    __tablename__ = "user"
    __table_args__ = (
        # The users admin's sorts by sign-up date and role read a page in index order (0018).
        Index("ix_user_created", "created_at", "id"),
        Index("ix_user_role", "role", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=100)
    password_hash: str = Field(max_length=255)
    email_verified: bool = Field(default=False)
    role: str = Field(default="user", max_length=20)
    # IANA name; due dates and "today" are the user's own.
    timezone: str = Field(default="UTC", max_length=64, sa_column_kwargs={"server_default": "UTC"})
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)
    # Set by an admin: no sign-in, no session, no API key works until reactivated.
    suspended_at: datetime | None = Field(default=None)
    # Profile (Settings). The avatar is a file name under FLUXKIT_DATA_DIR/avatars.
    bio: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": text("''")})
    company: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": text("''")})
    location: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": text("''")})
    website: str = Field(default="", max_length=200, sa_column_kwargs={"server_default": text("''")})
    language: str = Field(default="en", max_length=16, sa_column_kwargs={"server_default": "en"})
    avatar: str | None = Field(default=None, max_length=64)
    # An email change waits here until the link sent to the new address is followed.
    pending_email: str | None = Field(default=None, max_length=254)
    # Appearance, applied by the shell on every device.
    theme: str = Field(default="system", max_length=10, sa_column_kwargs={"server_default": "system"})
    accent: str = Field(default="violet", max_length=16, sa_column_kwargs={"server_default": "violet"})
    density: str = Field(default="comfortable", max_length=16, sa_column_kwargs={"server_default": "comfortable"})
    # Notifications: {"<type>": {"in_app": bool, "email": bool, "digest": bool}} (JSON);
    # quiet hours in minutes after midnight in the user's timezone (no emails in between).
    notification_prefs: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    quiet_start: int | None = Field(default=None)
    quiet_end: int | None = Field(default=None)


class UserSession(SQLModel, table=True):
    """A signed-in browser or client. Only the token's keyed hash is stored."""

    __tablename__ = "session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=_now)
    refreshed_at: datetime = Field(default_factory=_now)
    expires_at: datetime = Field(index=True)
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=512)


class VerificationToken(SQLModel, table=True):
    """Single-use emailed tokens (email verification, password reset)."""

    __tablename__ = "verification"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=32)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime
    used_at: datetime | None = Field(default=None)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        # The audit log filtered by action, newest first: a page in index order (0018).
        Index("ix_audit_log_action_created", "action", "created_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=_now, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True, ondelete="SET NULL")
    action: str = Field(max_length=64, index=True)
    email: str = Field(default="", max_length=254)
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=512)
    detail: str = Field(default="", max_length=1000)
    # Who did it, when it was not the account's own doing (an admin, in the users admin).
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True, ondelete="SET NULL")
    actor_email: str | None = Field(default=None, max_length=254)


class DigestItem(SQLModel, table=True):
    """A notification waiting for the user's daily digest email."""

    __tablename__ = "digest_item"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    type: str = Field(max_length=32)
    title: str = Field(max_length=200)
    body: str = Field(default="", max_length=1000)
    created_at: datetime = Field(default_factory=_now)


class DigestSent(SQLModel, table=True):
    """One row per user and local day a digest went out: at most one a day, on any worker."""

    __tablename__ = "digest_sent"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_digest_sent_user_day"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    day: date
    sent_at: datetime = Field(default_factory=_now)
