"""Reads a user can trigger, at 10 -> 1,000 -> 10,000 -> 100,000 rows of each kind of their own.

    python -m bench.data_scale                         # SQLite and PostgreSQL, full sizes
    python -m bench.data_scale --sizes 10,1000 --samples 5 --sqlite-only
    python -m bench.data_scale --only mail,chat        # the reads whose name starts so

At each size the user owns that many tasks, mail copies (with their messages), messages in one
chat conversation, notifications, calendar events (in the past, plus a fixed month ahead) and
audit-log entries, and is the admin of an instance with that many accounts.

Each read is the service call the page makes (tasks.list_tasks with the view's query,
dashboard pieces), timed in-process on a fresh database per size, after a warm-up, the sizes
interleaved sample by sample; the reference is the same read at the smallest size, same run,
so the ratio says how the read grows with the user's data (1.0 = flat). The seeding is a bulk
load like an import, followed by what FluxKit runs after one (`db.gather_statistics`); no
autovacuum is waited for.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.support import fresh_postgres


@dataclass(frozen=True)
class Scale:
    """Who reads, and where: the same shape at every size."""

    user: int  # owns everything, and is an admin
    conversation: int
    month: date  # the first day of the month the calendar shows (fixed content at every size)


def _reads() -> dict[str, Callable]:
    from fluxkit.services import calendar, chat, dashboard, mailbox, notifications, tasks, users_admin
    from fluxkit.services.tasks import TaskQuery
    from fluxkit.services.users_admin import AuditQuery, UserQuery
    from fluxkit.state import palette

    def listing(**query):
        return lambda db, s, clock: tasks.list_tasks(db, s.user, TaskQuery(**query), clock)

    def users(**query):
        return lambda db, s, clock: users_admin.list_users(db, s.user, UserQuery(**query))

    def audit(**query):
        return lambda db, s, clock: users_admin.audit_log(db, s.user, AuditQuery(**query))

    def month(db, s, clock):
        after = (s.month + timedelta(days=32)).replace(day=1)
        return calendar.list_range(db, s.user, s.month, after)

    def bell(db, s, clock):
        return notifications.latest(db, s.user), notifications.unread_count(db, s.user)

    def palette_search(text):
        return lambda db, s, clock: [search(db, s.user, text) for search in palette.SEARCHERS]

    return {
        "tasks: default view": listing(),
        "tasks: page 20": listing(page=20),
        "tasks: search (word)": listing(search="needle"),
        "tasks: search (2 letters)": listing(search="ne"),
        "tasks: sort by title": listing(sort="title", descending=False),
        "tasks: sort by due date": listing(sort="due"),
        "tasks: sort by status": listing(sort="status"),
        "tasks: sort by priority": listing(sort="priority"),
        "tasks: filter status": listing(status="completed"),
        "tasks: filter priority": listing(priority="high"),
        "tasks: filter category": listing(category="bug"),
        "dashboard: stat cards": lambda db, s, clock: dashboard.stats(db, s.user, clock),
        "dashboard: latest tasks": lambda db, s, clock: dashboard.recent_tasks(db, s.user),
        "dashboard: chart 90 days": lambda db, s, clock: dashboard.chart(db, s.user, 90, clock),
        "calendar: month with tasks": month,
        "palette: search (word)": palette_search("needle"),
        "palette: search (2 letters)": palette_search("ne"),
        "mail: inbox": lambda db, s, clock: mailbox.list_folder(db, s.user, "inbox"),
        "mail: inbox page 20": lambda db, s, clock: mailbox.list_folder(db, s.user, "inbox", "", 20),
        "mail: archive (small folder)": lambda db, s, clock: mailbox.list_folder(db, s.user, "archive"),
        "mail: search (word)": lambda db, s, clock: mailbox.list_folder(db, s.user, "inbox", "needle"),
        "mail: unread badge": lambda db, s, clock: mailbox.unread_in_inbox(db, s.user),
        "chat: conversation list": lambda db, s, clock: chat.list_conversations(db, s.user, clock),
        "chat: open conversation": lambda db, s, clock: chat.detail(db, s.user, s.conversation, clock),
        "chat: history (latest page)": lambda db, s, clock: chat.messages(db, s.user, s.conversation),
        "chat: unread badge": lambda db, s, clock: chat.unread_total(db, s.user),
        "notifications: page": lambda db, s, clock: notifications.list_page(db, s.user),
        "notifications: unread only": lambda db, s, clock: notifications.list_page(db, s.user, unread_only=True),
        "notifications: bell": bell,
        "users admin: list": users(),
        "users admin: page 20": users(page=20),
        "users admin: search": users(search="needle"),
        "users admin: sort by name": users(sort="name", descending=False),
        "users admin: filter suspended": users(status="suspended"),
        "users admin: stat cards": lambda db, s, clock: users_admin.stats(db, s.user),
        "audit log: page": audit(),
        "audit log: filter action": audit(action="admin_user_suspended"),
        "audit log: filter actor": audit(actor="needle"),
    }


@contextlib.contextmanager
def _database(kind: str) -> Iterator[str]:
    if kind == "postgresql":
        with fresh_postgres() as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="fluxkit-scale-") as folder:
        yield f"sqlite:///{Path(folder) / 'scale.db'}"


def _seed(db, user_id: int, count: int, now) -> None:
    """`count` tasks over the last 80 days: every 997th has "needle" in its title, statuses,
    priorities and due dates vary as a real list's do. Triggers run (counts, search index)."""
    from sqlalchemy import insert

    from fluxkit.models import Task

    start = now - timedelta(days=80)
    statuses = ("pending", "in progress", "completed", "cancelled")
    priorities = ("low", "medium", "high")
    step = timedelta(days=80) / max(count, 1)
    batch = []
    for n in range(count):
        status = statuses[n % 4]
        created = start + step * n
        batch.append(
            {
                "user_id": user_id,
                "title": f"Task {n} {'needle' if n % 997 == 0 else 'hay'} item",
                "description": "Some words about the task, as people write them.",
                "status": status,
                "priority": priorities[n % 3],
                "category": ("feature", "bug", "documentation", "other")[n % 4],
                "due_date": (created + timedelta(days=n % 30)).date() if n % 2 else None,
                "created_at": created,
                "updated_at": created,
                "completed_at": created + timedelta(hours=5) if status == "completed" else None,
            }
        )
        if len(batch) == 10_000:
            db.exec(insert(Task), params=batch)
            batch = []
    if batch:
        db.exec(insert(Task), params=batch)
    db.commit()


def _bulk(db, model, rows) -> None:
    from sqlalchemy import insert

    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == 10_000:
            db.exec(insert(model), params=batch)
            batch = []
    if batch:
        db.exec(insert(model), params=batch)


def _seed_more(db, user_id: int, count: int, now: datetime) -> Scale:
    """`count` rows of every other kind the user reads (every 997th has "needle" in it), and a
    month ahead whose calendar holds the same 20 events and 20 due tasks at every size."""
    from sqlmodel import select

    from fluxkit.db import gather_statistics
    from fluxkit.models import (
        AuditEvent,
        CalendarEvent,
        ChatMessage,
        Conversation,
        ConversationMember,
        EventAttendee,
        MailCopy,
        MailMessage,
        Notification,
        Task,
        User,
    )

    other = User(email=f"other{count}@example.com", name="Other", password_hash="x", email_verified=True)
    db.add(other)
    db.flush()
    start = now - timedelta(days=400)
    step = timedelta(days=300) / max(count, 1)

    # Accounts for the users admin: every 50th suspended, every 7th unverified.
    _bulk(
        db,
        User,
        (
            {
                "email": f"person{n}@example.com",
                "name": f"Person {n} {'needle' if n % 997 == 0 else 'plain'}",
                "password_hash": "x",
                "email_verified": n % 7 != 0,
                "role": "admin" if n % 500 == 0 else "user",
                "timezone": "UTC",
                "created_at": start + step * n,
                "updated_at": start + step * n,
                "suspended_at": start + step * n if n % 50 == 0 else None,
                "notification_prefs": "{}",
            }
            for n in range(count)
        ),
    )
    # The audit log: sign-ins of those accounts and admin actions.
    actions = ("sign_in", "sign_in", "sign_in_failed", "password_changed", "admin_user_suspended")
    _bulk(
        db,
        AuditEvent,
        (
            {
                "created_at": start + step * n,
                "user_id": None,
                "action": actions[n % 5],
                "email": f"person{n}@example.com",
                "ip": "127.0.0.1",
                "user_agent": "bench",
                "detail": "",
                "actor_email": f"needle{n}@example.com" if n % 997 == 0 else None,
            }
            for n in range(count)
        ),
    )
    # Mail: messages from the other account, the user's copies (nine in ten in the inbox,
    # every 3rd unread).
    first_message = (db.exec(select(MailMessage.id).order_by(MailMessage.id.desc())).first() or 0) + 1
    _bulk(
        db,
        MailMessage,
        (
            {
                "id": first_message + n,
                "thread_id": first_message + n,
                "sender_id": other.id,
                "sender_name": "Other",
                "sender_email": other.email,
                "to_addresses": f"scale{count}@example.com",
                "cc_addresses": "",
                "subject": f"Message {n} about the {'needle' if n % 997 == 0 else 'hay'} plan",
                "body": "Hello, a few lines as people write them in mail. Regards.",
                "created_at": start + step * n,
                "updated_at": start + step * n,
                "sent_at": start + step * n,
            }
            for n in range(count)
        ),
    )
    _bulk(
        db,
        MailCopy,
        (
            {
                "user_id": user_id,
                "message_id": first_message + n,
                "thread_id": first_message + n,
                "folder": "archive" if n % 10 == 5 else "inbox",
                "origin": "inbox",
                "read": n % 3 != 0,
                "starred": False,
                "at": start + step * n,
            }
            for n in range(count)
        ),
    )
    # Chat: one conversation with `count` messages, both members have seen them all.
    conversation = Conversation(kind="direct", direct_key=f"{min(user_id, other.id)}:{max(user_id, other.id)}")
    db.add(conversation)
    db.flush()
    _bulk(
        db,
        ChatMessage,
        (
            {
                "conversation_id": conversation.id,
                "sender_id": user_id if n % 2 else other.id,
                "kind": "text",
                "body": f"Message {n}",
                "created_at": start + step * n,
            }
            for n in range(count)
        ),
    )
    newest = db.exec(select(ChatMessage.id).order_by(ChatMessage.id.desc())).first() or 0
    for member in (user_id, other.id):
        db.add(ConversationMember(conversation_id=conversation.id, user_id=member, last_seen_message_id=newest))
    # Notifications: every 3rd unread.
    _bulk(
        db,
        Notification,
        (
            {
                "user_id": user_id,
                "type": "task_due",
                "title": f"Task {n} is due",
                "body": "",
                "created_at": start + step * n,
                "read_at": None if n % 3 == 0 else start + step * n,
            }
            for n in range(count)
        ),
    )
    # Calendar: `count` past events (every 10th the other account's, the user invited), then
    # a month ahead with 20 events and 20 due tasks at every size.
    month = (now.date() + timedelta(days=62)).replace(day=1)
    events = []
    for n in range(count):
        at = start + step * n
        events.append(
            {
                "organizer_id": other.id if n % 10 == 0 else user_id,
                "uid": f"bench-{n}@fluxkit",
                "title": f"Meeting {n} {'needle' if n % 997 == 0 else 'sync'}",
                "description": "",
                "location": "",
                "type": "meeting",
                "color": "blue",
                "all_day": False,
                "start_at": at,
                "end_at": at + timedelta(hours=1),
                "timezone": "UTC",
                "recur_freq": "",
                "created_at": at,
                "updated_at": at,
            }
        )
    for n in range(20):
        at = datetime.combine(month + timedelta(days=n), datetime.min.time(), UTC) + timedelta(hours=9)
        events.append(
            {
                "organizer_id": user_id,
                "uid": f"bench-month-{n}@fluxkit",
                "title": f"Planning {n}",
                "description": "",
                "location": "",
                "type": "meeting",
                "color": "blue",
                "all_day": False,
                "start_at": at,
                "end_at": at + timedelta(hours=1),
                "timezone": "UTC",
                "recur_freq": "weekly" if n == 0 else "",
                "created_at": now,
                "updated_at": now,
            }
        )
    _bulk(db, CalendarEvent, events)
    invited = db.exec(select(CalendarEvent.id).where(CalendarEvent.organizer_id == other.id)).all()
    _bulk(db, EventAttendee, ({"event_id": e, "user_id": user_id, "status": "accepted"} for e in invited))
    _bulk(
        db,
        Task,
        (
            {
                "user_id": user_id,
                "title": f"Due next month {n}",
                "description": "",
                "status": "pending",
                "priority": "medium",
                "category": "other",
                "due_date": month + timedelta(days=n),
                "created_at": now,
                "updated_at": now,
            }
            for n in range(20)
        ),
    )
    db.commit()
    gather_statistics(db)  # what FluxKit runs after its own bulk imports and migration 0014
    db.commit()
    return Scale(user=user_id, conversation=conversation.id, month=month)


def measure(
    kind: str, sizes: list[int], samples: int, only: tuple[str, ...] = ()
) -> dict[str, dict[int, tuple[float, float]]]:
    """{read: {size: (p50 ms, p95 ms)}}: one fresh database per size, all seeded first, then
    each read timed on every size in turn, sample after sample (interleaved: a busy moment of
    this shared machine falls on all sizes alike, not on whichever ran then)."""
    from sqlmodel import Session, SQLModel

    import fluxkit.models  # noqa: F401
    from fluxkit.clock import FrozenClock
    from fluxkit.db import engine_for
    from tests.support.factories import make_user

    reads = {name: read for name, read in _reads().items() if not only or name.startswith(only)}
    clock = FrozenClock()
    times: dict[str, dict[int, list[float]]] = {name: {size: [] for size in sizes} for name in reads}
    with contextlib.ExitStack() as stack:
        users: dict[int, tuple[Session, Scale]] = {}
        for size in sizes:
            engine = engine_for(stack.enter_context(_database(kind)))
            stack.callback(engine.dispose)
            SQLModel.metadata.create_all(engine)
            db = stack.enter_context(Session(engine, expire_on_commit=False))
            user = make_user(db, f"scale{size}@example.com", "Scale", admin=True).id
            started = time.perf_counter()
            _seed(db, user, size, clock.now())
            scale = _seed_more(db, user, size, clock.now())
            print(
                f"  {kind} {size:>7} rows of each kind seeded in {time.perf_counter() - started:.1f}s", file=sys.stderr
            )
            users[size] = (db, scale)
        for name, read in reads.items():
            for db, user in users.values():
                read(db, user, clock)  # warm-up: caches, the first plan
            for _ in range(samples):
                for size, (db, user) in users.items():
                    t = time.perf_counter()
                    read(db, user, clock)
                    times[name][size].append((time.perf_counter() - t) * 1000)
                    db.rollback()
    out: dict[str, dict[int, tuple[float, float]]] = {}
    for name, by_size in times.items():
        out[name] = {}
        for size, values in by_size.items():
            values.sort()
            out[name][size] = (statistics.median(values), values[min(len(values) - 1, int(0.95 * len(values)))])
    return out


def table(kind: str, results: dict[str, dict[int, tuple[float, float]]], sizes: list[int]) -> str:
    head = "| read | " + " | ".join(f"{s:,} p50 ms" for s in sizes) + f" | ×{sizes[-1]:,} vs {sizes[0]:,} |"
    lines = [f"**{kind}**", "", head, "|---" * (len(sizes) + 2) + "|"]
    for name, by_size in results.items():
        cells = [f"{by_size[s][0]:.2f}" for s in sizes]
        ratio = by_size[sizes[-1]][0] / by_size[sizes[0]][0]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | ×{ratio:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,1000,10000,100000")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgresql-only", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated prefixes of the reads to time")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    os.environ.setdefault("FLUXKIT_DATA_DIR", tempfile.mkdtemp(prefix="fluxkit-scale-data-"))
    only = tuple(p.strip() for p in args.only.split(",") if p.strip())
    kinds = ("sqlite",) if args.sqlite_only else ("postgresql",) if args.postgresql_only else ("sqlite", "postgresql")
    for kind in kinds:
        print(table(kind, measure(kind, sizes, args.samples, only), sizes), flush=True)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
