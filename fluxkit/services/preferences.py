"""A user's choices: appearance (theme, accent, density) and how each notification reaches them.

Notification choices are per type and channel: in the app (the bell), an email at once, or
the daily digest email. Quiet hours (in the user's timezone) hold emails back: what would be
emailed then goes into the digest instead. `notifications.notify()` asks `delivery()` here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from fluxkit import routes
from fluxkit.clock import Clock, system_clock
from fluxkit.models.accounts import DigestItem, DigestSent, User
from fluxkit.services import email, live, topics
from fluxkit.services.errors import InvalidInput
from fluxkit.services.user_time import zone_of
from fluxkit.settings import get_settings

THEMES = ("light", "dark", "system")
ACCENTS = ("violet", "indigo", "blue", "cyan", "teal", "green", "orange", "crimson")
DENSITIES = ("comfortable", "compact")
# The kinds of notification a user chooses for, and what they are called in Settings.
NOTIFICATION_TYPES = {
    "task_completed": "A task is completed",
    "task_due": "A task is due soon or overdue",
    "task_assigned": "A task is assigned to me",
    "mail": "New mail",
    "event_invitation": "Calendar invitations",
    "system": "System announcements",
}
CHANNELS = ("in_app", "email", "digest")
DEFAULT_CHANNELS = {"in_app": True, "email": False, "digest": False}
TOPIC = topics.PREFERENCES  # the user's own tabs re-apply appearance and re-read the choices


@dataclass(frozen=True)
class Appearance:
    theme: str
    accent: str
    density: str


@dataclass(frozen=True)
class NotificationChoice:
    type: str
    label: str
    in_app: bool
    email: bool
    digest: bool


@dataclass(frozen=True)
class Preferences:
    appearance: Appearance
    notifications: list[NotificationChoice]
    quiet_start: str  # "HH:MM", "" when there are no quiet hours
    quiet_end: str
    timezone: str


@dataclass(frozen=True)
class Delivery:
    """What notify() does with one notification."""

    in_app: bool
    email_now: bool
    digest: bool
    email: str = ""
    name: str = ""


def _choices(user: User) -> dict[str, dict[str, bool]]:
    try:
        stored = json.loads(user.notification_prefs or "{}")
    except ValueError:
        stored = {}
    stored = stored if isinstance(stored, dict) else {}
    out: dict[str, dict[str, bool]] = {}
    for kind in NOTIFICATION_TYPES:
        given = stored.get(kind) if isinstance(stored.get(kind), dict) else {}
        out[kind] = {ch: bool(given.get(ch, DEFAULT_CHANNELS[ch])) for ch in CHANNELS}
    return out


def _hhmm(minutes: int | None) -> str:
    return "" if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_time(raw: object, field_name: str) -> int | None:
    """'HH:MM' (24-hour) to minutes after midnight; '' or None for none."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    message = "Use a time like 22:00."
    if not isinstance(raw, str):
        raise InvalidInput(message, fields={field_name: message})
    hours, sep, minutes = raw.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2 or len(hours) > 2:
        raise InvalidInput(message, fields={field_name: message})
    h, m = int(hours), int(minutes)
    if h > 23 or m > 59:
        raise InvalidInput(message, fields={field_name: message})
    return h * 60 + m


def in_quiet_hours(user: User, at: datetime) -> bool:
    if user.quiet_start is None or user.quiet_end is None or user.quiet_start == user.quiet_end:
        return False
    local = at.astimezone(zone_of(user.timezone))
    now = local.hour * 60 + local.minute
    start, end = user.quiet_start, user.quiet_end
    if start < end:
        return start <= now < end
    return now >= start or now < end  # across midnight, e.g. 22:00-07:00


def get(db: Session, user_id: int) -> Preferences:
    user = db.get(User, user_id)
    choices = _choices(user)
    return Preferences(
        appearance=Appearance(theme=user.theme, accent=user.accent, density=user.density),
        notifications=[
            NotificationChoice(type=kind, label=label, **choices[kind]) for kind, label in NOTIFICATION_TYPES.items()
        ],
        quiet_start=_hhmm(user.quiet_start),
        quiet_end=_hhmm(user.quiet_end),
        timezone=user.timezone,
    )


def _pick(value: object, allowed: tuple[str, ...], field_name: str, what: str) -> str:
    if value not in allowed:
        message = f"Choose a {what}: {', '.join(allowed)}."
        raise InvalidInput(message, fields={field_name: message})
    return value  # type: ignore[return-value]


def update(db: Session, user_id: int, changes: dict[str, object], clock: Clock = system_clock) -> Preferences:
    """Apply the given keys only: theme, accent, density, notifications, quiet_start, quiet_end.

    `notifications` maps a type to {channel: bool} for the channels that change. Everything is
    checked before anything is stored, so a bad value changes nothing.
    """
    if not isinstance(changes, dict):
        raise InvalidInput("Send the preferences to change.")
    user = db.get(User, user_id)
    updates: dict[str, object] = {}
    if "theme" in changes:
        updates["theme"] = _pick(changes["theme"], THEMES, "theme", "theme")
    if "accent" in changes:
        updates["accent"] = _pick(changes["accent"], ACCENTS, "accent", "accent color")
    if "density" in changes:
        updates["density"] = _pick(changes["density"], DENSITIES, "density", "density")
    if "quiet_start" in changes or "quiet_end" in changes:
        start = parse_time(changes.get("quiet_start", _hhmm(user.quiet_start)), "quiet_start")
        end = parse_time(changes.get("quiet_end", _hhmm(user.quiet_end)), "quiet_end")
        if (start is None) != (end is None):
            message = "Give both the start and the end of the quiet hours, or neither."
            raise InvalidInput(message, fields={"quiet_end" if end is None else "quiet_start": message})
        updates["quiet_start"], updates["quiet_end"] = start, end
    if "notifications" in changes:
        wanted = changes["notifications"]
        if not isinstance(wanted, dict):
            raise InvalidInput(
                "Choose channels per notification type.",
                fields={"notifications": "Choose channels per notification type."},
            )
        choices = _choices(user)
        for kind, channels in wanted.items():
            if kind not in NOTIFICATION_TYPES or not isinstance(channels, dict):
                message = f"Unknown notification type: {str(kind)[:40]}."
                raise InvalidInput(message, fields={"notifications": message})
            for channel, on in channels.items():
                if channel not in CHANNELS or not isinstance(on, bool):
                    message = f"Channels are {', '.join(CHANNELS)}, each true or false."
                    raise InvalidInput(message, fields={"notifications": message})
                choices[kind][channel] = on
        updates["notification_prefs"] = json.dumps(choices, sort_keys=True)
    for key, value in updates.items():
        setattr(user, key, value)
    if updates:
        user.updated_at = clock.now()
        db.add(user)
        live.touch(db, user_id, TOPIC)
    return get(db, user_id)


def delivery(db: Session, user_id: int, type: str, clock: Clock = system_clock, at: datetime | None = None) -> Delivery:
    """How a notification of `type` reaches the user now. Types without a choice: in the app only."""
    user = db.get(User, user_id)
    if user is None:
        return Delivery(in_app=False, email_now=False, digest=False)
    if type not in NOTIFICATION_TYPES:
        return Delivery(in_app=True, email_now=False, digest=False)
    choice = _choices(user)[type]
    quiet = in_quiet_hours(user, at or clock.now())
    email_now = choice["email"] and not quiet
    digest = choice["digest"] or (choice["email"] and quiet)
    return Delivery(in_app=choice["in_app"], email_now=email_now, digest=digest, email=user.email, name=user.name)


def deliver_outside_app(
    db: Session, user_id: int, type: str, title: str, body: str, link: str, route: Delivery, clock: Clock = system_clock
) -> None:
    """The email and digest halves of a notification, in the caller's transaction."""
    if route.email_now:
        url = get_settings().url(link) if link.startswith("/") else get_settings().url(routes.NOTIFICATIONS)
        email_after_commit(
            db,
            email.compose(
                route.email,
                f"FluxKit: {title[:150]}",
                f"Hi {route.name},\n\n{title}\n{body}\n\nOpen it in FluxKit: {url}\n\n"
                f"Choose which notifications you get by email in Settings: {get_settings().url(routes.SETTINGS)}\n",
            ),
        )
    if route.digest:
        db.add(DigestItem(user_id=user_id, type=type, title=title[:200], body=body[:1000], created_at=clock.now()))


# ---- the daily digest --------------------------------------------------------------------------

DIGEST_HOUR = 8  # local time from which the day's digest may go out


def _claim_day(db: Session, user_id: int, day) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on (user, day): True for the one worker that wins."""
    dialect = db.get_bind().dialect.name
    values = {"user_id": user_id, "day": day, "sent_at": system_clock.now()}
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = DigestSent.__table__
    statement = (
        insert(table).values(**values).on_conflict_do_nothing(index_elements=["user_id", "day"]).returning(table.c.id)
    )
    return db.execute(statement).first() is not None


def _digest_email(user: User, items: list[DigestItem]) -> EmailMessage:
    lines = [f"- {item.title}" + (f": {item.body}" if item.body else "") for item in items]
    return email.compose(
        user.email,
        f"Your FluxKit digest: {len(items)} notification{'s' if len(items) != 1 else ''}",
        f"Hi {user.name},\n\nHere is what happened since your last digest:\n\n"
        + "\n".join(lines)
        + f"\n\nOpen FluxKit: {get_settings().url(routes.NOTIFICATIONS)}\n"
        f"Change what goes into this digest in Settings: {get_settings().url(routes.SETTINGS)}\n",
    )


def send_digests(db: Session, clock: Clock = system_clock) -> int:
    """Email each user their waiting digest items, at most once per user and local day.

    Runs on every worker: the unique (user, day) row decides who sends. A digest goes from
    DIGEST_HOUR local time on, outside quiet hours; what arrives after it waits for tomorrow's.
    The emails leave after this transaction commits.
    """
    now = clock.now()
    sent = 0
    user_ids = db.exec(select(DigestItem.user_id).distinct()).all()
    for user_id in user_ids:
        user = db.get(User, user_id)
        local = now.astimezone(zone_of(user.timezone))
        if local.hour < DIGEST_HOUR or in_quiet_hours(user, now):
            continue
        if not _claim_day(db, user_id, local.date()):
            continue
        items = db.exec(
            select(DigestItem)
            .where(DigestItem.user_id == user_id, DigestItem.created_at <= now)
            .order_by(DigestItem.id)
        ).all()
        if not items:
            continue
        email_after_commit(db, _digest_email(user, list(items)))
        for item in items:
            db.delete(item)
        sent += 1
    return sent


# ---- emails that leave only once the transaction that caused them commits ---------------------


def email_after_commit(db: OrmSession, message: EmailMessage) -> None:
    """Queue an email on the session; it is sent (in the background) after a real commit."""
    db.info.setdefault("fluxkit_mail", []).append(message)


@event.listens_for(OrmSession, "after_commit")
def _send_after_commit(db: OrmSession) -> None:
    if db.in_nested_transaction():
        return
    pending = db.info.pop("fluxkit_mail", None)
    if pending:
        email.send_in_background(pending)


@event.listens_for(OrmSession, "after_transaction_end")
def _forget_unsent(db: OrmSession, transaction) -> None:
    if transaction.parent is None:
        db.info.pop("fluxkit_mail", None)
