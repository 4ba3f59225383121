"""Social sign-in: accounts at Google, GitHub or an OpenID Connect provider linked to a user,
and the short-lived state of a sign-in or link in progress (state, PKCE verifier, nonce)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from fluxkit.clock import system_clock


def _now() -> datetime:
    return system_clock.now()


class SocialAccount(SQLModel, table=True):
    """One provider account (its stable subject id) linked to one FluxKit user."""

    __tablename__ = "social_account"
    __table_args__ = (UniqueConstraint("provider", "account_id", name="uq_social_account_provider_account"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    provider: str = Field(max_length=32)
    # The provider's id of the person (OIDC `sub`, GitHub's numeric id): never their email.
    account_id: str = Field(max_length=255)
    # What the provider said the address was when linked (shown in settings only).
    email: str = Field(default="", max_length=254)
    created_at: datetime = Field(default_factory=_now)


class OAuthFlow(SQLModel, table=True):
    """A redirect to a provider not yet come back: used once, within minutes.

    Only the state's hash is stored; the browser holds the state itself in a cookie, so a
    callback is accepted only in the browser that started it (no login CSRF)."""

    __tablename__ = "oauth_flow"

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True, index=True)
    provider: str = Field(max_length=32)
    code_verifier: str = Field(max_length=128)
    nonce: str = Field(max_length=128)
    callback: str = Field(default="/dashboard", max_length=2000)
    # Set when a signed-in user links an account from settings (not a sign-in).
    link_user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="CASCADE")
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime = Field(index=True)
