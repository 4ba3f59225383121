"""Small, secret-free rows that cross into states and API answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fluxkit.models import User, UserSession


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    name: str
    role: str
    email_verified: bool
    created_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @classmethod
    def of(cls, user: User) -> UserInfo:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            email_verified=user.email_verified,
            created_at=user.created_at,
        )


@dataclass(frozen=True)
class SessionInfo:
    id: int
    created_at: datetime
    expires_at: datetime
    ip: str
    user_agent: str

    @classmethod
    def of(cls, session: UserSession) -> SessionInfo:
        return cls(
            id=session.id,
            created_at=session.created_at,
            expires_at=session.expires_at,
            ip=session.ip,
            user_agent=session.user_agent,
        )


@dataclass(frozen=True)
class Identity:
    """Who is calling: the resolved user and their current session."""

    user: UserInfo
    session: SessionInfo
    refreshed: bool = False
