"""Export all my data: one JSON document of everything FluxKit holds about the caller.

Profile and preferences, tasks with their status history, notifications, API keys (name,
prefix, dates: never the key hash), passkeys (name, dates), connected provider accounts,
sessions (device, address, dates: never the token hash),
the subscription, my mailbox (each message in it as I see it), the chat messages I sent,
the calendar events I organise or am invited to, and my audit log. Every query filters by
the caller's id; nothing of another user's (their tasks, their mailboxes, their messages in
shared conversations) is included.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlmodel import Session, col, select

from fluxkit.clock import Clock, system_clock
from fluxkit.models import (
    ApiKey,
    AuditEvent,
    CalendarEvent,
    ChatMessage,
    EventAttendee,
    MailCopy,
    MailMessage,
    Notification,
    Passkey,
    SocialAccount,
    Subscription,
    Task,
    TaskEvent,
    User,
    UserSession,
)
from fluxkit.services import audit, preferences, profile
from fluxkit.services.audit import RequestMeta
from fluxkit.services.notifications import DELETED

FORMAT = "fluxkit-export/1"
# Never exported, whatever table they are in: credentials and other people's internals.
_SECRET = {"password_hash", "token_hash", "key_hash", "dedupe_key", "stripe_version", "notification_prefs"}


def _value(value: object) -> object:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _row(row: object, *, drop: tuple[str, ...] = ()) -> dict[str, object]:
    return {key: _value(value) for key, value in row.model_dump().items() if key not in _SECRET and key not in drop}


def export(db: Session, user_id: int, clock: Clock = system_clock) -> dict[str, object]:
    user = db.get(User, user_id)
    prefs = preferences.get(db, user_id)
    tasks = db.exec(select(Task).where(Task.user_id == user_id).order_by(Task.id)).all()
    task_ids = [t.id for t in tasks]
    history = (
        db.exec(select(TaskEvent).where(col(TaskEvent.task_id).in_(task_ids)).order_by(TaskEvent.id)).all()
        if task_ids
        else []
    )
    by_task: dict[int, list[dict[str, object]]] = {}
    for event in history:
        by_task.setdefault(event.task_id, []).append(_row(event, drop=("task_id",)))
    mailbox = db.exec(
        select(MailCopy, MailMessage)
        .join(MailMessage, col(MailMessage.id) == col(MailCopy.message_id))
        .where(MailCopy.user_id == user_id)
        .order_by(MailCopy.id)
    ).all()
    organised = db.exec(
        select(CalendarEvent).where(CalendarEvent.organizer_id == user_id).order_by(CalendarEvent.id)
    ).all()
    invited = db.exec(
        select(EventAttendee, CalendarEvent)
        .join(CalendarEvent, col(CalendarEvent.id) == col(EventAttendee.event_id))
        .where(EventAttendee.user_id == user_id)
        .order_by(EventAttendee.id)
    ).all()
    subscription = db.exec(select(Subscription).where(Subscription.user_id == user_id)).first()
    return {
        "format": FORMAT,
        "exported_at": clock.now().isoformat(),
        "profile": {
            **{k: _value(v) for k, v in profile.get_profile(db, user_id).__dict__.items()},
            "id": user.id,
            "role": user.role,
            "email_verified": user.email_verified,
            "created_at": _value(user.created_at),
        },
        "preferences": {
            "theme": prefs.appearance.theme,
            "accent": prefs.appearance.accent,
            "density": prefs.appearance.density,
            "quiet_hours": {"start": prefs.quiet_start, "end": prefs.quiet_end},
            "notifications": {
                c.type: {"in_app": c.in_app, "email": c.email, "digest": c.digest} for c in prefs.notifications
            },
        },
        "tasks": [{**_row(t, drop=("user_id",)), "history": by_task.get(t.id, [])} for t in tasks],
        "notifications": [
            _row(n, drop=("user_id",))
            for n in db.exec(
                select(Notification)
                .where(Notification.user_id == user_id, Notification.type != DELETED)
                .order_by(Notification.id)
            )
        ],
        "api_keys": [
            _row(k, drop=("user_id",))
            for k in db.exec(select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.id))
        ],
        # Passkeys: name, dates, device type; not the public key (of no use outside FluxKit).
        "passkeys": [
            _row(p, drop=("user_id", "public_key"))
            for p in db.exec(select(Passkey).where(Passkey.user_id == user_id).order_by(Passkey.id))
        ],
        # Accounts at Google, GitHub or an OpenID Connect provider that sign me in.
        "connected_accounts": [
            _row(a, drop=("user_id",))
            for a in db.exec(select(SocialAccount).where(SocialAccount.user_id == user_id).order_by(SocialAccount.id))
        ],
        "sessions": [
            _row(s, drop=("user_id",))
            for s in db.exec(select(UserSession).where(UserSession.user_id == user_id).order_by(UserSession.id))
        ],
        "subscription": _row(subscription, drop=("user_id",)) if subscription else None,
        "mail": [{**_row(message), "mailbox": _row(copy, drop=("user_id", "message_id"))} for copy, message in mailbox],
        "chat_messages_sent": [
            _row(m)
            for m in db.exec(select(ChatMessage).where(ChatMessage.sender_id == user_id).order_by(ChatMessage.id))
        ],
        "calendar": {
            "organised": [_row(e) for e in organised],
            "invited": [{**_row(e), "my_response": _row(a, drop=("user_id", "event_id"))} for a, e in invited],
        },
        "activity": [
            _row(a, drop=("user_id", "actor_id"))
            for a in db.exec(select(AuditEvent).where(AuditEvent.user_id == user_id).order_by(AuditEvent.id))
        ],
    }


def download(db: Session, user_id: int, meta: RequestMeta, clock: Clock = system_clock) -> tuple[str, str]:
    """The export as a file: (file name, JSON text). Recorded in the account's activity."""
    data = export(db, user_id, clock)
    audit.record(db, "data_exported", meta=meta, user_id=user_id, email=str(data["profile"]["email"]), clock=clock)
    return f"fluxkit-export-{clock.now().strftime('%Y-%m-%d')}.json", json.dumps(data, ensure_ascii=False, indent=2)
