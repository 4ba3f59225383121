"""Notifications: created by other services (in their transaction), read by the user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, cast, literal, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from fluxkit.clock import Clock, system_clock
from fluxkit.models import Notification, NotificationTally, Task, User
from fluxkit.services import live, preferences, topics, user_time
from fluxkit.services.errors import NotFound
from fluxkit.services.paging import Page, page_count

TYPES = ("task_completed", "task_due", "welcome", "system", "mail", "event_invitation", "task_assigned")
TOPIC = topics.NOTIFICATIONS
PAGE_SIZE = 20
# A deleted once-only notification (one with a dedupe key) stays as a hidden tombstone, so
# its key stays used: otherwise the next reminder run (or sign-in) would bring it back.
DELETED = "deleted"


def _visible(user_id: int) -> list:
    return [Notification.user_id == user_id, Notification.type != DELETED]


@dataclass(frozen=True)
class NotificationRow:
    id: int
    type: str
    title: str
    body: str
    task_id: int  # 0 when not about a task
    created_at: str
    read: bool
    link: str = ""  # where opening it leads in the app (mail: the message), "" for none
    ago: str = ""  # "5 minutes ago", as of the read (the bell shows it without a date library)

    @classmethod
    def of(cls, n: Notification) -> NotificationRow:
        return cls(
            id=n.id,
            type=n.type,
            title=n.title,
            body=n.body,
            task_id=n.task_id or 0,
            created_at=n.created_at.isoformat(),
            read=n.read_at is not None,
            link=n.link or "",
            ago=user_time.time_ago(n.created_at, system_clock.now()),
        )


@dataclass(frozen=True)
class NotificationPage(Page[NotificationRow]):
    unread: int


def notify(
    db: Session,
    user_id: int,
    type: str,
    title: str,
    body: str = "",
    *,
    task_id: int | None = None,
    link: str = "",
    dedupe_key: str | None = None,
    clock: Clock = system_clock,
    at: datetime | None = None,
) -> bool:
    """Add a notification in the caller's transaction. With a dedupe key, at most once ever.

    The user's preferences decide where it goes (fluxkit/services/preferences.py): the bell
    (in-app), an email sent after the caller commits, and/or the daily digest. In-app off
    with a dedupe key still uses the key (a hidden row), so it never comes back.
    Returns False when nothing was added (key already used, or in-app off).
    """
    route = preferences.delivery(db, user_id, type, clock, at)
    if not route.in_app and dedupe_key is None:
        preferences.deliver_outside_app(db, user_id, type, title, body, link, route, clock)
        return False
    row = Notification(
        user_id=user_id,
        type=type if route.in_app else DELETED,
        title=title[:200],
        body=body[:1000],
        task_id=task_id,
        link=link[:200] or None,
        dedupe_key=dedupe_key,
        created_at=at or clock.now(),
    )
    if dedupe_key is None:
        db.add(row)
    elif not _insert_once(db, row):
        return False
    preferences.deliver_outside_app(db, user_id, type, title, body, link, route, clock)
    if not route.in_app:
        return False
    live.touch(db, user_id, TOPIC)
    return True


def _insert_once(db: Session, row: Notification) -> bool:
    """INSERT ... ON CONFLICT (dedupe_key) DO NOTHING, in the caller's transaction.

    A concurrent worker inserting the same key waits for the first and then adds nothing.
    (Not a SAVEPOINT: under pysqlite a SAVEPOINT that opens the transaction commits on
    release, so the row would outlive the caller's rollback.)
    """
    dialect = db.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        if db.exec(select(Notification.id).where(Notification.dedupe_key == row.dedupe_key)).first():
            return False
        try:
            with db.begin_nested():
                db.add(row)
        except IntegrityError:
            return False
        return True
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    values = row.model_dump(exclude={"id"})
    table = Notification.__table__
    statement = (
        insert(table).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)
    )
    return db.execute(statement).first() is not None


def _tally(db: Session, user_id: int) -> tuple[int, int]:
    """(visible, unread) notifications of the user, as the database keeps them (models/read_tally.py)."""
    found = db.exec(
        select(NotificationTally.total, NotificationTally.unread).where(NotificationTally.user_id == user_id)
    ).first()
    return (found[0], found[1]) if found else (0, 0)


def unread_count(db: Session, user_id: int) -> int:
    return _tally(db, user_id)[1]


def latest(db: Session, user_id: int, limit: int = 5) -> list[NotificationRow]:
    rows = db.exec(
        select(Notification)
        .where(*_visible(user_id))
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .limit(limit)
    ).all()
    return [NotificationRow.of(n) for n in rows]


def list_page(
    db: Session, user_id: int, page: int = 1, page_size: int = PAGE_SIZE, unread_only: bool = False
) -> NotificationPage:
    where = _visible(user_id)
    if unread_only:
        where.append(col(Notification.read_at).is_(None))
    visible, unread = _tally(db, user_id)
    total = unread if unread_only else visible
    pages = page_count(total, page_size)
    page = min(max(1, page), pages)
    rows = db.exec(
        select(Notification)
        .where(*where)
        .order_by(col(Notification.created_at).desc(), col(Notification.id).desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return NotificationPage(
        rows=[NotificationRow.of(n) for n in rows],
        total=total,
        unread=unread,
        page=page,
        page_size=page_size,
    )


def _owned(db: Session, user_id: int, notification_id: object) -> Notification:
    if not isinstance(notification_id, int) or isinstance(notification_id, bool):
        raise NotFound("No such notification.")
    row = db.get(Notification, notification_id)
    if row is None or row.user_id != user_id or row.type == DELETED:
        raise NotFound("No such notification.")
    return row


def mark_read(db: Session, user_id: int, notification_id: object, clock: Clock = system_clock) -> NotificationRow:
    row = _owned(db, user_id, notification_id)
    if row.read_at is None:
        row.read_at = clock.now()
        db.add(row)
        live.touch(db, user_id, TOPIC)
    return NotificationRow.of(row)


def mark_all_read(db: Session, user_id: int, clock: Clock = system_clock) -> int:
    result = db.exec(
        update(Notification)
        .where(Notification.user_id == user_id, col(Notification.read_at).is_(None))
        .values(read_at=clock.now())
    )
    if result.rowcount:
        live.touch(db, user_id, TOPIC)
    return result.rowcount


def delete_notification(db: Session, user_id: int, notification_id: object) -> None:
    row = _owned(db, user_id, notification_id)
    if row.dedupe_key is None:
        db.delete(row)
    else:
        row.type, row.title, row.body = DELETED, "", ""
        row.read_at = row.read_at or row.created_at
        db.add(row)
    db.flush()
    live.touch(db, user_id, TOPIC)


def welcome(db: Session, user_id: int, name: str, clock: Clock = system_clock) -> None:
    """Once per user, at the first verified sign-in."""
    notify(
        db,
        user_id,
        "welcome",
        "Welcome to FluxKit",
        f"Hi {name}, your account is ready. Create your first task to get started.",
        dedupe_key=f"welcome:{user_id}",
        clock=clock,
    )


def send_due_reminders(db: Session, clock: Clock = system_clock, batch: int = 5000) -> int:
    """Due-soon and overdue reminders, each at most once per task (dedupe keys).

    Safe to run on every worker at once: the unique key makes a second insert a no-op.
    Tasks whose overdue reminder exists are not looked at again, so a run never fills its
    batch with old overdue tasks while newer ones wait; what a full batch leaves, the next
    run takes.
    """
    now = clock.now()
    horizon = (now + timedelta(days=2)).date()
    candidates = db.exec(
        select(Task, User.name)
        .join(User, col(User.id) == col(Task.user_id))
        .where(
            col(Task.status).in_(("pending", "in progress")),
            col(Task.deleted_at).is_(None),
            col(Task.due_date).is_not(None),
            col(Task.due_date) <= horizon,
            ~select(Notification.id)
            .where(Notification.dedupe_key == literal("task_due:") + cast(Task.id, String) + literal(":overdue"))
            .exists(),
        )
        .order_by(col(Task.due_date), col(Task.id))  # the same order on every worker
        .limit(batch)
    ).all()
    sent = 0
    todays: dict[int, object] = {}
    for task, _name in candidates:
        if task.user_id not in todays:
            todays[task.user_id] = user_time.today_for(db, task.user_id, clock)
        today = todays[task.user_id]
        if task.due_date < today:
            kind, title, body = "overdue", "Task overdue", f"The task is overdue: {task.title}"
        elif task.due_date <= today + timedelta(days=1):
            kind, title, body = (
                "soon",
                "Task due soon",
                f"The task is due {'today' if task.due_date == today else 'tomorrow'}: {task.title}",
            )
        else:
            continue
        if notify(
            db,
            task.user_id,
            "task_due",
            title,
            body,
            task_id=task.id,
            dedupe_key=f"task_due:{task.id}:{kind}",
            clock=clock,
        ):
            sent += 1
    return sent
