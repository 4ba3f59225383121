"""The signed-in user's own account: overview for the dashboard, name, sessions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from fluxkit.clock import Clock, system_clock
from fluxkit.models import User
from fluxkit.services import audit, sessions
from fluxkit.services.accounts import clean_name
from fluxkit.services.audit import RequestMeta
from fluxkit.services.dto import Identity

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


@dataclass(frozen=True)
class SessionRow:
    id: int
    device: str
    ip: str
    created_at: str
    expires_at: str
    current: bool


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Linux", "Linux"))


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
