"""The signed-in user's own account: overview, profile, email change, sessions, deletion.

Profile fields are the user's to set; the interface text itself stays English whatever
`language` says (it is stored and shown, for the user and for a later translation).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from functools import cache
from urllib.parse import urlsplit

from sqlmodel import Session, delete, update

from fluxkit import routes
from fluxkit.clock import Clock, system_clock
from fluxkit.models import User, VerificationToken
from fluxkit.services import accounts, audit, billing, email, live, passwords, sessions, topics, user_time, users_admin
from fluxkit.services.accounts import clean_name, consume_token, issue_token, normalize_email, user_by_email
from fluxkit.services.audit import RequestMeta
from fluxkit.services.dto import Identity
from fluxkit.services.errors import InvalidInput, InvalidToken
from fluxkit.settings import get_settings

LANGUAGES = {
    "en": "English",
    "de": "Deutsch",
    "es": "Español",
    "fr": "Français",
    "it": "Italiano",
    "pt": "Português",
    "nl": "Nederlands",
    "ja": "日本語",
}
BIO_MAX = 500
LINE_MAX = 100
WEBSITE_MAX = 200
CHANGE_EMAIL = "email-change"
CHANGE_EMAIL_TTL = timedelta(hours=2)
ACCOUNT_TOPIC = users_admin.ACCOUNT_TOPIC  # the user's own tabs re-check who they are
PROFILE_TOPIC = topics.PROFILE


@cache
def timezones() -> tuple[str, ...]:
    """The IANA names users choose from (no legacy aliases like 'US/Eastern' or 'Etc/...')."""
    names = {
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/"))
    }
    return ("UTC", *sorted(names))


# What the audit log's actions mean to the account's owner.
ACTIVITY_LABELS = {
    "sign_up": "Account created",
    "user_created": "Account created",
    "email_verified": "Email verified",
    "sign_in": "Signed in",
    "sign_in_failed": "Failed sign-in attempt",
    "sign_out": "Signed out",
    "password_reset_requested": "Password reset requested",
    "password_reset": "Password reset",
    "password_changed": "Password changed",
    "password_change_failed": "Failed password change",
    "session_revoked": "Signed out a session",
    "sessions_revoked": "Signed out all other sessions",
    "profile_updated": "Profile updated",
    "email_change_requested": "Email change requested",
    "email_changed": "Email changed",
    "avatar_changed": "Profile picture changed",
    "data_exported": "Data exported",
    "sign_up_existing": "Someone tried to sign up with your email",
    "verification_sent": "Verification email sent",
}


@dataclass(frozen=True)
class Activity:
    label: str
    at: str  # ISO 8601, shown in the browser's time zone
    ip: str
    user_agent: str
    warning: bool
    ago: str = ""  # "5 minutes ago", as of the read (shown without a date library in the page)


@dataclass(frozen=True)
class Overview:
    name: str
    email: str
    email_verified: bool
    member_since: str
    active_sessions: int
    activity: list[Activity]


def overview(db: Session, identity: Identity, clock: Clock = system_clock, limit: int = 8) -> Overview:
    user = identity.user
    events = audit.events_for(db, user.id, limit=limit)
    return Overview(
        name=user.name,
        email=user.email,
        email_verified=user.email_verified,
        member_since=user.created_at.isoformat(),
        active_sessions=len(sessions.list_sessions(db, user.id, clock)),
        activity=[
            Activity(
                label=ACTIVITY_LABELS.get(e.action, e.action.replace("_", " ").capitalize()),
                at=e.created_at.isoformat(),
                ip=e.ip,
                user_agent=e.user_agent,
                warning=e.action.endswith("_failed") or e.action == "sign_up_existing",
                ago=user_time.time_ago(e.created_at, clock.now()),
            )
            for e in events
        ],
    )


def rename(db: Session, identity: Identity, name: object, meta: RequestMeta, clock: Clock = system_clock) -> str:
    clean = clean_name(name)
    user = db.get(User, identity.user.id)
    if user.name != clean:
        user.name = clean
        user.updated_at = clock.now()
        db.add(user)
        audit.record(db, "profile_updated", meta=meta, user_id=user.id, email=user.email, clock=clock)
    return clean


def change_password(
    db: Session,
    identity: Identity,
    *,
    current_password: object,
    new_password: object,
    meta: RequestMeta,
    clock: Clock = system_clock,
) -> list[EmailMessage]:
    """accounts.change_password, and the other sessions' open tabs land on sign-in at once."""
    messages = accounts.change_password(
        db, identity, current_password=current_password, new_password=new_password, meta=meta, clock=clock
    )
    live.touch(db, identity.user.id, ACCOUNT_TOPIC)
    return messages


def sign_out_session(
    db: Session, identity: Identity, session_id: object, meta: RequestMeta, clock: Clock = system_clock
) -> bool:
    """End one of my other sessions; its open tabs land on sign-in at once."""
    revoked = accounts.revoke_session(db, identity, session_id, meta, clock)
    if revoked:
        live.touch(db, identity.user.id, ACCOUNT_TOPIC)
    return revoked


def sign_out_everywhere_else(db: Session, identity: Identity, meta: RequestMeta, clock: Clock = system_clock) -> int:
    """End every session but this one; their open tabs land on sign-in at once."""
    ended = accounts.revoke_other_sessions(db, identity, meta, clock)
    if ended:
        live.touch(db, identity.user.id, ACCOUNT_TOPIC)
    return ended


@dataclass(frozen=True)
class SessionRow:
    id: int
    device: str
    ip: str
    created_at: str
    expires_at: str
    current: bool


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe_device(user_agent: str) -> str:
    """'Chrome on Linux' from a User-Agent header; good enough to recognise a session."""
    if not user_agent:
        return "Unknown device"
    browser = next((name for key, name in _BROWSERS if key in user_agent), "")
    if "HeadlessChrome" in user_agent:
        browser = "Headless Chrome"
    system = next((name for key, name in _SYSTEMS if key in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or user_agent[:40]


def session_rows(db: Session, identity: Identity, clock: Clock = system_clock) -> list[SessionRow]:
    rows = [
        SessionRow(
            id=s.id,
            device=describe_device(s.user_agent),
            ip=s.ip,
            created_at=s.created_at.isoformat(),
            expires_at=s.expires_at.isoformat(),
            current=s.id == identity.session.id,
        )
        for s in sessions.list_sessions(db, identity.user.id, clock)
    ]
    return sorted(rows, key=lambda r: not r.current)


# ---- profile -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    name: str
    email: str
    pending_email: str
    bio: str
    company: str
    location: str
    website: str
    timezone: str
    language: str
    avatar_url: str  # "" without a picture


def avatar_url(name: str | None) -> str:
    return f"/api/avatars/{name}" if name else ""


def get_profile(db: Session, user_id: int) -> Profile:
    user = db.get(User, user_id)
    return Profile(
        name=user.name,
        email=user.email,
        pending_email=user.pending_email or "",
        bio=user.bio,
        company=user.company,
        location=user.location,
        website=user.website,
        timezone=user.timezone,
        language=user.language,
        avatar_url=avatar_url(user.avatar),
    )


def _line(raw: object, field: str, limit: int, multiline: bool = False) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise InvalidInput("Enter text.", fields={field: "Enter text."})
    text = raw.strip()
    if len(text) > limit:
        message = f"Use at most {limit} characters."
        raise InvalidInput(message, fields={field: message})
    allowed = "\n\t" if multiline else ""
    if any((ord(c) < 32 and c not in allowed) or ord(c) == 127 for c in text):
        message = "Remove the control characters."
        raise InvalidInput(message, fields={field: message})
    return text


def clean_website(raw: object) -> str:
    text = _line(raw, "website", WEBSITE_MAX)
    if not text:
        return ""
    message = "Enter a web address starting with http:// or https://, like https://example.com."
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - a port out of range raises here
    except ValueError:
        raise InvalidInput(message, fields={"website": message}) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in text or "\\" in text:
        raise InvalidInput(message, fields={"website": message})
    if parts.username or parts.password:
        raise InvalidInput(
            "Leave the user name and password out of the address.",
            fields={"website": "Leave the user name and password out of the address."},
        )
    return text


def clean_timezone(raw: object) -> str:
    if not isinstance(raw, str) or raw not in timezones():
        message = "Choose a time zone from the list, like Europe/Berlin."
        raise InvalidInput(message, fields={"timezone": message})
    return raw


def clean_language(raw: object) -> str:
    if raw not in LANGUAGES:
        message = f"Choose a language: {', '.join(LANGUAGES.values())}."
        raise InvalidInput(message, fields={"language": message})
    return raw  # type: ignore[return-value]


_PROFILE_FIELDS = {
    "name": clean_name,
    "bio": lambda v: _line(v, "bio", BIO_MAX, multiline=True),
    "company": lambda v: _line(v, "company", LINE_MAX),
    "location": lambda v: _line(v, "location", LINE_MAX),
    "website": clean_website,
    "timezone": clean_timezone,
    "language": clean_language,
}
PROFILE_FIELDS = tuple(_PROFILE_FIELDS)


def update_profile(
    db: Session, user_id: int, changes: dict[str, object], meta: RequestMeta, clock: Clock = system_clock
) -> Profile:
    """Change the given fields only. Every field is checked first; all problems come back at once."""
    if not isinstance(changes, dict):
        raise InvalidInput("Send the fields to change.")
    clean: dict[str, object] = {}
    problems: dict[str, str] = {}
    for key, value in changes.items():
        check = _PROFILE_FIELDS.get(key)
        if check is None:
            problems[str(key)[:40]] = "This field cannot be changed here."
            continue
        try:
            clean[key] = check(value)
        except InvalidInput as exc:
            problems.update(exc.fields or {key: exc.message})
    if problems:
        raise InvalidInput("Please correct the highlighted fields.", fields=problems)
    user = db.get(User, user_id)
    changed = [key for key, value in clean.items() if getattr(user, key) != value]
    if changed:
        for key in changed:
            setattr(user, key, clean[key])
        user.updated_at = clock.now()
        db.add(user)
        audit.record(
            db, "profile_updated", meta=meta, user_id=user.id, email=user.email, detail=", ".join(changed), clock=clock
        )
        live.touch(db, user.id, PROFILE_TOPIC, *([topics.TASKS, topics.CALENDAR] if "timezone" in changed else []))
    return get_profile(db, user_id)


# ---- email change ------------------------------------------------------------------------------


def _check_password(db: Session, user: User, password: object, field: str = "password") -> None:
    given = password if isinstance(password, str) else ""
    ok, _ = passwords.verify_password(given, user.password_hash) if given else (False, None)
    if not ok:
        message = "Your current password is not right."
        raise InvalidInput(message, fields={field: message})


def request_email_change(
    db: Session, identity: Identity, new_email: object, password: object, meta: RequestMeta, clock: Clock = system_clock
) -> list[EmailMessage]:
    """Send a confirmation link to the new address; tell the old one. Nothing changes yet."""
    user = db.get(User, identity.user.id)
    address = normalize_email(new_email)
    if address == user.email:
        raise InvalidInput(
            "That is already your email address.", fields={"email": "That is already your email address."}
        )
    _check_password(db, user, password)
    if user_by_email(db, address) is not None:
        message = "Another account uses this address."
        raise InvalidInput(message, fields={"email": message})
    # Earlier unused change links stop working: only the newest request counts.
    db.exec(
        update(VerificationToken)
        .where(
            VerificationToken.user_id == user.id,
            VerificationToken.purpose == CHANGE_EMAIL,
            VerificationToken.used_at.is_(None),
        )
        .values(used_at=clock.now())
    )
    token = issue_token(db, user, CHANGE_EMAIL, CHANGE_EMAIL_TTL, clock)
    user.pending_email = address
    user.updated_at = clock.now()
    db.add(user)
    audit.record(
        db, "email_change_requested", meta=meta, user_id=user.id, email=user.email, detail=f"to {address}", clock=clock
    )
    live.touch(db, user.id, PROFILE_TOPIC)
    link = get_settings().url(f"/api/account/confirm-email?token={token}")
    return [
        email.compose(
            address,
            "Confirm your new email for FluxKit",
            f"Hi {user.name},\n\nConfirm that this is the new email address of your FluxKit account:\n\n{link}\n\n"
            "The link works once, within 2 hours. Until then your account keeps its old address. "
            "If you did not ask for this, ignore this email.\n",
        ),
        email.compose(
            user.email,
            "Your FluxKit email is about to change",
            f"Hi {user.name},\n\nSomeone signed in to your FluxKit account asked to change its email to {address}. "
            "It changes only when the link sent there is followed. If this was not you, change your password now "
            f"and sign out your other sessions: {get_settings().url(routes.SETTINGS)}\n",
        ),
    ]


def confirm_email_change(
    db: Session, token: object, meta: RequestMeta, clock: Clock = system_clock
) -> tuple[str, list[EmailMessage]]:
    """Follow the link: the pending address becomes the account's; the old one is told."""
    user = consume_token(db, token, CHANGE_EMAIL, clock)
    now = clock.now()
    new = user.pending_email
    if not new:
        raise InvalidToken("This link is invalid, has expired or was already used.")
    if user_by_email(db, new) is not None:
        user.pending_email = None
        db.add(user)
        raise InvalidInput("Another account uses this address now. Choose another one in Settings.")
    old = user.email
    user.email, user.pending_email, user.email_verified, user.updated_at = new, None, True, now
    db.add(user)
    audit.record(db, "email_changed", meta=meta, user_id=user.id, email=new, detail=f"from {old}", clock=clock)
    live.touch(db, user.id, PROFILE_TOPIC, ACCOUNT_TOPIC)
    return new, [
        email.compose(
            old,
            "Your FluxKit email was changed",
            f"Hi {user.name},\n\nThe email of your FluxKit account is now {new}; this address no longer signs in. "
            f"If this was not you, reset your password at {get_settings().url(routes.FORGOT_PASSWORD)} using {new}, "
            "or reply to this email.\n",
        )
    ]


def cancel_email_change(db: Session, user_id: int, clock: Clock = system_clock) -> None:
    user = db.get(User, user_id)
    if user.pending_email:
        user.pending_email = None
        db.add(user)
        db.exec(
            update(VerificationToken)
            .where(
                VerificationToken.user_id == user_id,
                VerificationToken.purpose == CHANGE_EMAIL,
                VerificationToken.used_at.is_(None),
            )
            .values(used_at=clock.now())
        )
        live.touch(db, user_id, PROFILE_TOPIC)


# ---- delete my account --------------------------------------------------------------------------


def delete_account(
    db: Session,
    identity: Identity,
    confirm_email: object,
    password: object,
    meta: RequestMeta,
    clock: Clock = system_clock,
) -> str | None:
    """Delete the account for good, with its data (the database cascades, see
    users_admin.delete_user). Needs the email typed and the current password. Every session
    ends; open tabs land on sign-in. Answers the avatar file name to remove after commit.
    """
    user = db.get(User, identity.user.id)
    problems: dict[str, str] = {}
    if not isinstance(confirm_email, str) or confirm_email.strip().lower() != user.email:
        problems["confirm"] = f"Type {user.email} to confirm."
    given = password if isinstance(password, str) else ""
    if not given or not passwords.verify_password(given, user.password_hash)[0]:
        problems["password"] = "Your current password is not right."
    if problems:
        raise InvalidInput("Please correct the highlighted fields.", fields=problems)
    users_admin.refuse_if_last_admin(db, user)
    plan = billing.current_plan(db, user.id)
    if plan.paid:
        raise users_admin.Refused(
            f"You pay for {plan.name}. Cancel the subscription under Billing first, so you are not charged again."
        )
    avatar = user.avatar
    audit.record(
        db,
        "account_deleted",
        meta=meta,
        user_id=user.id,
        email=user.email,
        detail=f"user {user.id} ({user.name})",
        clock=clock,
    )
    live.touch(db, user.id, ACCOUNT_TOPIC)
    sessions.revoke_all(db, user.id)
    db.flush()
    db.expunge(user)
    db.exec(delete(User).where(User.id == user.id))
    return avatar
