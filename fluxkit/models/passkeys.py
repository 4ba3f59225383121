"""Passkeys (WebAuthn credentials) and the one-time challenges their ceremonies sign."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, LargeBinary
from sqlmodel import Field, SQLModel

from fluxkit.clock import system_clock


def _now() -> datetime:
    return system_clock.now()


class Passkey(SQLModel, table=True):
    """A public-key credential a user registered (Better Auth's `passkey` table).

    Only public material: the credential's id and public key. The private key never leaves
    the user's authenticator (phone, laptop, security key or password manager).
    """

    __tablename__ = "passkey"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    # The credential id as base64url (how browsers and the WebAuthn JSON spell it).
    credential_id: str = Field(max_length=1400, unique=True, index=True)
    public_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # COSE key
    # The authenticator's signature counter (a uint32): a clone shows up as a count that
    # does not go up. 0 for authenticators that do not count (most synced passkeys).
    sign_count: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    aaguid: str = Field(default="", max_length=36)  # the authenticator's model, when it says
    device_type: str = Field(default="single_device", max_length=32)  # or "multi_device" (synced)
    backed_up: bool = Field(default=False)
    transports: str = Field(default="", max_length=200)  # comma-separated hints: internal,usb,...
    created_at: datetime = Field(default_factory=_now)
    last_used_at: datetime | None = Field(default=None)


class PasskeyChallenge(SQLModel, table=True):
    """A challenge handed to a browser for one ceremony: used once, within minutes.

    Found again by its hash, taken from the clientDataJSON the authenticator signed. A
    registration challenge belongs to the signed-in user it was made for.
    """

    __tablename__ = "passkey_challenge"

    id: int | None = Field(default=None, primary_key=True)
    challenge_hash: str = Field(max_length=64, unique=True, index=True)
    purpose: str = Field(max_length=16)  # "register" or "authenticate"
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime = Field(index=True)
