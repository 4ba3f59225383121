"""Social sign-in's rules: starting and finishing a provider round trip, who it signs in,
linking and unlinking provider accounts, and never removing the last way to sign in.

A round trip is an `OAuthFlow` row (state hash, PKCE verifier, nonce, where to go after),
used once within minutes. The state itself is only in the browser's cookie and the
provider's redirect; a callback is accepted only when the two are the same.

Who a finished sign-in is:
- the user already linked to that provider account; else
- a user whose address the provider *verified* and which matches: the account is linked
  (an account whose own address was never verified loses its unproven password and links,
  so whoever registered the address first cannot keep a way in); else
- nobody with that address: a new account, verified only if the provider says so; else
- an address that matches but is not verified by the provider: refused, with the advice to
  sign in with the password and link the provider from settings.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from limits import parse
from sqlmodel import Session, col, delete, select

from fluxkit import routes
from fluxkit.clock import Clock, system_clock
from fluxkit.models import OAuthFlow, SocialAccount, User
from fluxkit.navigation import settings_path
from fluxkit.services import accounts, audit, email, live, sessions, sign_in_methods, social_providers, topics
from fluxkit.services.audit import RequestMeta
from fluxkit.services.errors import Conflict, InvalidCredentials, InvalidInput, InvalidToken, NotFound
from fluxkit.services.social_providers import Profile, Provider
from fluxkit.settings import get_settings

FLOW_TTL = timedelta(minutes=10)
STATE_COOKIE = "fluxkit.oauth_state"
CALLBACK_PATH = "/api/auth/callback/"
ACCOUNT_SETTINGS = settings_path("account")
# Starting round trips and coming back from them, per address.
SOCIAL_PER_IP = parse("60/15 minutes")

# Why a sign-in through a provider did not happen: the code the callback puts in
# /sign-in?error=..., and what the sign-in page says. {provider} is the provider's name.
SIGN_IN_ERRORS = {
    "social": "The sign-in with {provider} could not be completed. Try again.",
    "social-link-needed": (
        "An account with this email already exists. Sign in with your password, then connect "
        "{provider} in Settings › Account and security."
    ),
    "social-no-email": "{provider} did not share a verified email address with us, so we cannot create an account.",
    "social-suspended": accounts.SUSPENDED,
    "social-unavailable": "{provider} did not answer. Try again in a moment.",
}
# The same for a link started from settings: /settings/account?social=...
LINK_MESSAGES = {
    "linked": "{provider} is now connected. You can sign in with it.",
    "failed": "Connecting {provider} did not work. Try again.",
    "taken": "That {provider} account is already connected to another FluxKit account.",
    "other": "Another {provider} account is already connected. Disconnect it first.",
    "unavailable": "{provider} did not answer. Try again in a moment.",
}


@dataclass(frozen=True)
class ConnectedAccount:
    """A linked provider account as settings and /list-accounts show it."""

    id: int
    provider: str
    label: str
    email: str
    account_id: str
    created_at: datetime


@dataclass(frozen=True)
class Finished:
    """A round trip that came back: for whom it was started, and who the provider says it is."""

    provider: Provider
    profile: Profile
    callback: str
    link_user_id: int | None


class LinkNeeded(InvalidCredentials):
    """The address belongs to an account, but the provider did not verify it."""

    code = "account_exists"


class NoEmail(InvalidCredentials):
    code = "email_required"


def label_of(provider_id: str) -> str:
    provider = social_providers.get(provider_id)
    if provider is not None:
        return provider.label
    return {"google": "Google", "github": "GitHub", "oidc": "single sign-on"}.get(provider_id, provider_id)


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def redirect_uri(provider_id: str) -> str:
    return get_settings().url(f"{CALLBACK_PATH}{provider_id}")


# ---- the round trip ------------------------------------------------------------------------------


def start(
    db: Session,
    provider_id: object,
    *,
    callback: object = None,
    link_user_id: int | None = None,
    clock: Clock = system_clock,
) -> tuple[str, str]:
    """(the provider's authorization URL, the state for the browser's cookie)."""
    provider = social_providers.get(provider_id)
    if provider is None:
        message = "Choose a sign-in provider that is set up here."
        raise InvalidInput(message, fields={"provider": message})
    if callback is not None and not isinstance(callback, str):
        message = "Give the page to come back to as a path, like /dashboard."
        raise InvalidInput(message, fields={"callbackURL": message})
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)  # 86 characters: within PKCE's 43..128
    nonce = secrets.token_urlsafe(32)
    default = ACCOUNT_SETTINGS if link_user_id else routes.DASHBOARD
    url = social_providers.authorization_url(
        provider, redirect_uri(provider.id), state=state, code_verifier=verifier, nonce=nonce
    )
    now = clock.now()
    db.exec(delete(OAuthFlow).where(col(OAuthFlow.expires_at) <= now))  # old ones never came back
    db.add(
        OAuthFlow(
            state_hash=_hash(state),
            provider=provider.id,
            code_verifier=verifier,
            nonce=nonce,
            callback=accounts.safe_redirect(callback, default=default)[:2000],
            link_user_id=link_user_id,
            created_at=now,
            expires_at=now + FLOW_TTL,
        )
    )
    return url, state


def flow_of(db: Session, provider_id: str, state: object, cookie_state: object) -> OAuthFlow | None:
    """The flow this browser started for this state, if it is still waiting (not consumed)."""
    if not isinstance(state, str) or not isinstance(cookie_state, str) or not state or len(state) > 200:
        return None
    if not secrets.compare_digest(state, cookie_state):
        return None  # a state this browser did not start: forged, or another browser's
    return db.exec(
        select(OAuthFlow).where(OAuthFlow.state_hash == _hash(state), OAuthFlow.provider == provider_id)
    ).first()


def finish(
    db: Session,
    provider_id: str,
    *,
    state: object,
    cookie_state: object,
    code: object,
    clock: Clock = system_clock,
) -> Finished:
    """Use the flow once (of two callbacks with one state, exactly one gets it), then trade
    the code at the provider and check the answer."""
    flow = flow_of(db, provider_id, state, cookie_state)
    provider = social_providers.get(provider_id)
    if flow is None or provider is None:
        raise InvalidToken("This sign-in link is invalid or was already used.")
    consumed = db.exec(delete(OAuthFlow).where(OAuthFlow.id == flow.id)).rowcount
    db.commit()  # the flow is gone for every other request, whatever happens next
    if consumed != 1:
        raise InvalidToken("This sign-in link is invalid or was already used.")
    if flow.expires_at <= clock.now():
        raise InvalidToken("This sign-in took too long. Start again.")
    if not isinstance(code, str) or not code or len(code) > 2000:
        raise InvalidToken("The provider did not send a code.")
    profile = social_providers.exchange(
        provider, redirect_uri(provider.id), code=code, code_verifier=flow.code_verifier, nonce=flow.nonce
    )
    return Finished(provider=provider, profile=profile, callback=flow.callback, link_user_id=flow.link_user_id)


# ---- who it signs in -----------------------------------------------------------------------------


def _linked_email(user: User, label: str) -> EmailMessage:
    return email.compose(
        user.email,
        f"{label} linked to your FluxKit account",
        f"Hi {user.name},\n\n{label} was just linked to your FluxKit account: you can sign in with it now. "
        "If this was not you, sign in, disconnect it in Settings › Account and security and change "
        f"your password:\n\n{get_settings().url(ACCOUNT_SETTINGS)}\n",
    )


def _unlinked_email(user: User, label: str) -> EmailMessage:
    return email.compose(
        user.email,
        f"{label} unlinked from your FluxKit account",
        f"Hi {user.name},\n\n{label} was disconnected from your FluxKit account: it no longer signs you in. "
        f"If this was not you, review your account now:\n\n{get_settings().url(ACCOUNT_SETTINGS)}\n",
    )


def _link(
    db: Session, user: User, profile: Profile, label: str, meta: RequestMeta, clock: Clock, how: str
) -> list[EmailMessage]:
    db.add(
        SocialAccount(
            user_id=user.id,
            provider=profile.provider,
            account_id=profile.account_id,
            email=profile.email[:254],
            created_at=clock.now(),
        )
    )
    db.flush()
    audit.record(
        db, "social_linked", meta=meta, user_id=user.id, email=user.email, detail=f"{label} ({how})", clock=clock
    )
    live.touch(db, user.id, topics.ACCOUNT)
    return [_linked_email(user, label)]


def _linked_user(db: Session, profile: Profile) -> User | None:
    row = db.exec(
        select(SocialAccount).where(
            SocialAccount.provider == profile.provider, SocialAccount.account_id == profile.account_id
        )
    ).first()
    return db.get(User, row.user_id) if row else None


def _new_name(profile: Profile, address: str) -> str:
    name = " ".join(profile.name.split())[: accounts.NAME_MAX]
    return name or address.split("@")[0][: accounts.NAME_MAX] or "New user"


def account_for(
    db: Session, finished: Finished, meta: RequestMeta, clock: Clock = system_clock
) -> tuple[User, list[EmailMessage]]:
    """The user a finished sign-in is for (linking or creating as the rules say), and the
    emails it produces. Raises LinkNeeded, NoEmail or InvalidCredentials (suspended)."""
    profile, label = finished.profile, finished.provider.label
    user = _linked_user(db, profile)
    messages: list[EmailMessage] = []
    if user is None:
        try:
            address = accounts.normalize_email(profile.email)
        except InvalidInput:
            address = ""
        existing = accounts.user_by_email(db, address) if address else None
        if existing is not None:
            if not profile.email_verified:
                audit.record(
                    db,
                    "sign_in_failed",
                    meta=meta,
                    user_id=existing.id,
                    email=address,
                    detail=f"{label}: email not verified by the provider",
                    clock=clock,
                )
                raise LinkNeeded(SIGN_IN_ERRORS["social-link-needed"].format(provider=label))
            if not existing.email_verified:
                # Nobody ever proved this address before: whoever registered it keeps no way in.
                existing.password_hash = ""
                existing.email_verified = True
                existing.updated_at = clock.now()
                db.add(existing)
                db.exec(delete(SocialAccount).where(SocialAccount.user_id == existing.id))
                sessions.revoke_all(db, existing.id)
                audit.record(db, "email_verified", meta=meta, user_id=existing.id, email=address, clock=clock)
            messages = _link(db, existing, profile, label, meta, clock, "verified email")
            user = existing
        else:
            if not address:
                audit.record(db, "sign_in_failed", meta=meta, detail=f"{label}: no email", clock=clock)
                raise NoEmail(SIGN_IN_ERRORS["social-no-email"].format(provider=label))
            now = clock.now()
            user = User(
                email=address,
                name=_new_name(profile, address),
                password_hash="",  # no password until the person sets one (forgot password)
                email_verified=profile.email_verified,
                created_at=now,
                updated_at=now,
            )
            db.add(user)
            db.flush()
            audit.record(db, "sign_up", meta=meta, user_id=user.id, email=address, detail=label, clock=clock)
            _link(db, user, profile, label, meta, clock, "new account")  # no "linked" email: it is new
            if not profile.email_verified:
                messages += accounts.send_verification(db, address, meta, clock)
            accounts.announce_to_admins(db)
    if user.suspended_at is not None:
        audit.record(
            db, "sign_in_failed", meta=meta, user_id=user.id, email=user.email, detail="suspended", clock=clock
        )
        raise InvalidCredentials(accounts.SUSPENDED)
    return user, messages


def link_to(
    db: Session, user_id: int, finished: Finished, meta: RequestMeta, clock: Clock = system_clock
) -> list[EmailMessage]:
    """Link a provider account to a signed-in user (started from settings). Raises Conflict
    with code "taken" or "other" when it cannot be."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    profile, label = finished.profile, finished.provider.label
    owner = _linked_user(db, profile)
    if owner is not None:
        if owner.id == user.id:
            return []  # already linked: nothing changes, nobody is emailed
        raise Conflict(LINK_MESSAGES["taken"].format(provider=label), fields={"reason": "taken"})
    same_provider = db.exec(
        select(SocialAccount).where(SocialAccount.user_id == user.id, SocialAccount.provider == profile.provider)
    ).first()
    if same_provider is not None:
        raise Conflict(LINK_MESSAGES["other"].format(provider=label), fields={"reason": "other"})
    return _link(db, user, profile, label, meta, clock, "from settings")


# ---- settings ----------------------------------------------------------------------------------------


def has_password(user: User) -> bool:
    return sign_in_methods.has_usable_password(user)


def list_accounts(db: Session, user_id: int) -> list[ConnectedAccount]:
    rows = db.exec(select(SocialAccount).where(SocialAccount.user_id == user_id).order_by(col(SocialAccount.id))).all()
    return [
        ConnectedAccount(
            id=row.id,
            provider=row.provider,
            label=label_of(row.provider),
            email=row.email,
            account_id=row.account_id,
            created_at=row.created_at,
        )
        for row in rows
    ]


def user_has_password(db: Session, user_id: int) -> bool:
    user = db.get(User, user_id)
    return bool(user and has_password(user))


LAST_WAY = (
    "This is your only way to sign in. Set a password first (use “Forgot your password?” on the "
    "sign-in page, or the button here), add a passkey, or connect another account."
)


def unlink(
    db: Session,
    user_id: int,
    *,
    provider: object = None,
    account_id: object = None,
    meta: RequestMeta,
    clock: Clock = system_clock,
) -> list[EmailMessage]:
    """Remove one of the user's own links (by provider, and account id when given). The last
    way to sign in stays: a password counts when the user has one."""
    if not isinstance(provider, str) or not provider:
        raise InvalidInput("Choose an account to disconnect.", fields={"providerId": "Choose an account."})
    query = select(SocialAccount).where(SocialAccount.user_id == user_id, SocialAccount.provider == provider)
    if account_id is not None:
        if not isinstance(account_id, str):
            raise InvalidInput("Choose an account to disconnect.", fields={"accountId": "Choose an account."})
        query = query.where(SocialAccount.account_id == account_id)
    row = db.exec(query).first()
    user = db.get(User, user_id)
    if row is None or user is None:
        raise NotFound("That account is not connected.")
    # Locks the user's row on PostgreSQL, so two removals at once cannot both pass the count.
    db.exec(select(User.id).where(User.id == user_id).with_for_update()).first()
    if sign_in_methods.count(db, user_id) <= 1:  # a password, another account or a passkey stays
        raise Conflict(LAST_WAY)
    label = label_of(row.provider)
    db.delete(row)
    audit.record(db, "social_unlinked", meta=meta, user_id=user.id, email=user.email, detail=label, clock=clock)
    live.touch(db, user.id, topics.ACCOUNT)
    return [_unlinked_email(user, label)]
