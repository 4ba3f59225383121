"""Two-factor sign-in (TOTP): each user's secret, backup codes, pending challenges, trusted devices.

Nothing here holds a usable credential: the TOTP secret is encrypted with a key derived from
FLUXKIT_SECRET_KEY, backup codes and the challenge and trusted-device tokens are stored only as
keyed hashes (fluxkit/services/two_factor.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from fluxkit.clock import system_clock


def _now() -> datetime:
    return system_clock.now()


class TwoFactor(SQLModel, table=True):
    """A user's TOTP secret. It counts (`enabled_at`) only once a first code confirmed it."""

    __tablename__ = "two_factor"

    user_id: int = Field(primary_key=True, foreign_key="user.id", ondelete="CASCADE")
    secret_encrypted: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=_now)
    enabled_at: datetime | None = Field(default=None)
    # The last 30-second time step a code was accepted for: that code, and older ones, are spent.
    last_step: int | None = Field(default=None)


class BackupCode(SQLModel, table=True):
    """One of a user's ten one-time backup codes (a keyed hash of it)."""

    __tablename__ = "two_factor_backup_code"
    __table_args__ = (Index("ix_two_factor_backup_code_user", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    code_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=_now)
    used_at: datetime | None = Field(default=None)


class TwoFactorChallenge(SQLModel, table=True):
    """A sign-in that passed its first factor and waits for a code. Not a session: it opens nothing."""

    __tablename__ = "two_factor_challenge"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    method: str = Field(default="password", max_length=32)  # how the first factor was passed
    callback: str = Field(default="/dashboard", max_length=500)
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime
    failures: int = Field(default=0)
    used_at: datetime | None = Field(default=None)


class TrustedDevice(SQLModel, table=True):
    """A browser that may skip the second step for 30 days (until it expires or is revoked)."""

    __tablename__ = "two_factor_trusted_device"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime
    user_agent: str = Field(default="", max_length=512)
