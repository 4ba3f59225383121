"""The ways a person can sign in: a password, linked provider accounts (social sign-in) and
passkeys. Removing one is refused when it is the last (services/social_accounts.py unlinks,
services/passkeys.py deletes); both count here, so neither forgets the other's."""

from __future__ import annotations

from sqlmodel import Session, func, select

from fluxkit.models import Passkey, SocialAccount, User


def has_usable_password(user: User) -> bool:
    """An account made without a password (through a provider) keeps an empty value here."""
    return bool(user.password_hash) and user.password_hash.startswith("$")


def count(db: Session, user_id: int) -> int:
    """How many ways in the user has: a usable password, each linked account, each passkey."""
    user = db.get(User, user_id)
    if user is None:
        return 0
    linked = db.exec(select(func.count()).select_from(SocialAccount).where(SocialAccount.user_id == user_id)).one()
    keys = db.exec(select(func.count()).select_from(Passkey).where(Passkey.user_id == user_id)).one()
    return int(has_usable_password(user)) + linked + keys
