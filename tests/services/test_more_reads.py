"""Reads past the task list that must stay flat with a user's data (migration 0018): the
calendar's month (organised, invited and recurring events, owned and assigned due tasks),
chat's conversation rows and "seen by", the audit log's action filter and action list, the
users admin's sorts and count. Each gives the answers a plain scan gives, to whom it may,
and EXPLAIN shows the index that serves it (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, insert, text
from sqlmodel import select

from fluxkit.models import (
    AuditEvent,
    CalendarEvent,
    ChatMessage,
    EventAttendee,
    MailCopy,
    MailMessage,
    Notification,
    Subscription,
    Task,
    User,
)
from fluxkit.services import calendar, chat, mailbox, notifications, tasks, users_admin
from fluxkit.services.audit import RequestMeta
from fluxkit.services.errors import NotFound
from fluxkit.services.users_admin import AuditQuery, UserQuery
from tests.support.factories import make_organization, make_task, make_user

META = RequestMeta(ip="127.0.0.1", user_agent="pytest")
MONTH, AFTER = date(2027, 3, 1), date(2027, 4, 1)


@pytest.fixture
def ada(db) -> int:
    return make_user(db, "ada@example.com", "Ada", admin=True).id


@pytest.fixture
def bob(db) -> int:
    return make_user(db, "bob@example.com", "Bob").id


@pytest.fixture
def eve(db) -> int:
    return make_user(db, "eve@example.com", "Eve").id


def _event(db, organizer: int, title: str, start: datetime, hours: float = 1, **fields) -> int:
    row = CalendarEvent(
        organizer_id=organizer,
        uid=f"{title}@test",
        title=title,
        start_at=start,
        end_at=start + timedelta(hours=hours),
        **fields,
    )
    db.add(row)
    db.flush()
    return row.id


def _at(day: int, hour: int = 9, month: date = MONTH) -> datetime:
    return datetime(month.year, month.month, 1, hour, tzinfo=UTC) + timedelta(days=day - 1)


# ---- the calendar ---------------------------------------------------------------------------------


def test_month_shows_organised_invited_recurring_and_long_events_and_nobody_elses(db, ada, bob, eve, clock):
    _event(db, ada, "Mine", _at(3))
    _event(db, ada, "Before the month", _at(20, month=date(2027, 2, 1)))
    _event(db, ada, "Spans into the month", _at(25, month=date(2027, 2, 1)), hours=24 * 10)
    _event(db, ada, "After the month", _at(2, month=AFTER))
    _event(db, ada, "Weekly since January", datetime(2027, 1, 4, 8, tzinfo=UTC), recur_freq="weekly")
    _event(
        db, ada, "Weekly, ended", datetime(2026, 1, 5, 8, tzinfo=UTC), recur_freq="weekly", recur_until=date(2026, 3, 1)
    )
    invited = _event(db, bob, "Bob invited me", _at(10))
    db.add(EventAttendee(event_id=invited, user_id=ada, status="accepted"))
    invited_series = _event(db, bob, "Bob's series", _at(1, month=date(2027, 2, 1)), recur_freq="weekly")
    db.add(EventAttendee(event_id=invited_series, user_id=ada, status="pending"))
    _event(db, bob, "Bob's own", _at(11))
    _event(db, eve, "Eve's own", _at(12))
    db.commit()

    found = calendar.list_range(db, ada, MONTH, AFTER, include_tasks=False)
    by_title: dict[str, list[str]] = {}
    for occ in found:
        by_title.setdefault(occ.title, []).append(occ.day)
    assert set(by_title) == {"Mine", "Spans into the month", "Weekly since January", "Bob invited me", "Bob's series"}
    assert by_title["Mine"] == ["2027-03-03"]
    assert len(by_title["Weekly since January"]) == 5  # the Mondays of March 2027
    assert len(by_title["Bob's series"]) == 5
    statuses = {occ.title: occ.my_status for occ in found}
    assert statuses["Bob invited me"] == "accepted" and statuses["Bob's series"] == "pending"
    assert [o.day for o in found] == sorted(o.day for o in found)
    # Bob sees his own and not Ada's.
    bobs = {o.title for o in calendar.list_range(db, bob, MONTH, AFTER, include_tasks=False)}
    assert bobs == {"Bob invited me", "Bob's series", "Bob's own"}


def test_month_shows_owned_and_assigned_due_tasks_once_not_deleted_or_cancelled(db, ada, bob, clock):
    org = make_organization(db, ada, members={bob: "member"}, clock=clock)
    make_task(db, ada, "Mine", due_date="2027-03-05", clock=clock)
    make_task(db, ada, "Mine, cancelled", due_date="2027-03-06", status="cancelled", clock=clock)
    make_task(db, ada, "Mine, April", due_date="2027-04-01", clock=clock)
    gone = make_task(db, ada, "Mine, deleted", due_date="2027-03-07", clock=clock)
    tasks.delete_task(db, ada, gone.id, clock)
    make_task(db, ada, "Mine, for Bob", due_date="2027-03-08", assignee_id=bob, organization_id=org.id, clock=clock)
    make_task(db, bob, "Bob's, for me", due_date="2027-03-02", assignee_id=ada, organization_id=org.id, clock=clock)
    make_task(db, bob, "Bob's own", due_date="2027-03-02", clock=clock)
    db.commit()

    def due(user):
        return [(o.day, o.title) for o in calendar.list_range(db, user, MONTH, AFTER) if o.type == "task"]

    assert due(ada) == [("2027-03-02", "Bob's, for me"), ("2027-03-05", "Mine"), ("2027-03-08", "Mine, for Bob")]
    assert due(bob) == [("2027-03-02", "Bob's own"), ("2027-03-02", "Bob's, for me"), ("2027-03-08", "Mine, for Bob")]


# ---- chat -----------------------------------------------------------------------------------------


def test_conversation_rows_show_each_ones_newest_message_and_seen_by(db, ada, bob, eve, clock):
    with_bob, _ = chat.start_direct(db, ada, bob, clock)
    with_eve, _ = chat.start_direct(db, ada, eve, clock)
    db.commit()
    for n in range(5):
        chat.send(db, ada, with_bob.id, f"to Bob {n}", clock)
        chat.send(db, bob, with_bob.id, f"from Bob {n}", clock)
        chat.send(db, ada, with_eve.id, f"to Eve {n}", clock)
    db.commit()
    rows = {row.id: row.last_message for row in chat.list_conversations(db, ada, clock)}
    assert rows == {with_bob.id: "from Bob 4", with_eve.id: "to Eve 4"}
    # Bob has read everything (he answered last): he saw my last message; Eve has not.
    chat.mark_seen(db, bob, with_bob.id)
    db.commit()
    assert chat.detail(db, ada, with_bob.id, clock).seen_by == ["Bob"]
    assert chat.detail(db, ada, with_eve.id, clock).seen_by == []
    chat.mark_seen(db, eve, with_eve.id)
    db.commit()
    assert chat.detail(db, ada, with_eve.id, clock).seen_by == ["Eve"]


# ---- the audit log and the users admin --------------------------------------------------------------


def _log(db, action: str, at: datetime, email: str = "x@example.com") -> None:
    db.add(AuditEvent(created_at=at, action=action, email=email))


def test_audit_action_filter_is_newest_first_and_the_action_list_is_every_distinct_action(db, ada, clock):
    start = datetime(2026, 6, 1, tzinfo=UTC)
    for n in range(30):
        _log(
            db,
            ("sign_in", "admin_user_suspended", "password_changed")[n % 3],
            start + timedelta(hours=n % 7, minutes=n),
        )
    db.commit()
    page = users_admin.audit_log(db, ada, AuditQuery(action="admin_user_suspended"))
    expected = db.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "admin_user_suspended")
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    ).all()
    assert page.total == 10
    assert [row.id for row in page.rows] == [e.id for e in expected]
    every = sorted({a for a in db.exec(select(AuditEvent.action)).all()})
    assert page.actions == every
    assert "sign_in" in every and "admin_user_suspended" in every
    with pytest.raises(NotFound):
        users_admin.audit_log(db, make_user(db, "nosy@example.com", "Nosy").id, AuditQuery())


def test_user_list_sorts_and_counts_like_a_scan(db, ada, clock):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    db.exec(
        insert(User),
        params=[
            {
                "email": f"p{n}@example.com",
                "name": f"Person {n}",
                "password_hash": "x",
                "role": "admin" if n % 4 == 0 else "user",
                "created_at": start + timedelta(days=n % 5),  # ties broken by the id
                "updated_at": start,
                "email_verified": True,
                "notification_prefs": "{}",
            }
            for n in range(40)
        ],
    )
    some = db.exec(select(User.id).where(User.email.like("p1%"))).all()
    for user_id in some:
        db.add(Subscription(user_id=user_id, plan="basic", interval="monthly", status="active"))
    db.commit()
    everyone = db.exec(select(User)).all()

    page = users_admin.list_users(db, ada, UserQuery(page_size=100))
    assert page.total == len(everyone)
    newest = sorted(everyone, key=lambda u: (u.created_at.replace(tzinfo=None), u.id), reverse=True)
    assert [r.id for r in page.rows] == [u.id for u in newest]

    by_role = users_admin.list_users(db, ada, UserQuery(sort="role", descending=False, page_size=100))
    assert [r.id for r in by_role.rows] == [u.id for u in sorted(everyone, key=lambda u: (u.role, u.id))]

    paid = users_admin.list_users(db, ada, UserQuery(plan="paid", page_size=100))
    assert paid.total == len(some) and {r.id for r in paid.rows} == set(some)
    with pytest.raises(NotFound):
        users_admin.list_users(db, some[0], UserQuery())


# ---- EXPLAIN: the index behind each read --------------------------------------------------------------


def plans_of(db, engine, call, table: str) -> list[str]:
    """The plan of every statement `call` sends that reads `table`."""
    sent: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if table in statement and not statement.lstrip().upper().startswith(("EXPLAIN", "INSERT", "UPDATE")):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    sqlite = engine.dialect.name == "sqlite"
    raw = db.connection().connection.driver_connection
    if not sqlite:
        # A test's few thousand rows are cheaper to read whole; with sequential scans priced
        # out the plan shows which index serves the query (bench/data_scale.py times the same
        # queries at 100,000 rows, where the planner picks these on its own).
        raw.execute("SET enable_seqscan = off")
    out = []
    for statement, parameters in sent:
        cursor = raw.cursor()
        cursor.execute(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters)
        out.append("\n".join(str(row[-1] if sqlite else row[0]) for row in cursor.fetchall()))
        cursor.close()
    if not sqlite:
        raw.execute("RESET enable_seqscan")
    return out


def full_scans(plan: str, table: str) -> bool:
    return any(
        line.strip() == f"SCAN {table}" or f"Seq Scan on {table}" in line or line.strip() == f"SCAN {table} USING INDEX"
        for line in plan.splitlines()
    )


@pytest.fixture
def busy(db, engine, ada, bob):
    """Ada with 3,000 past events, due tasks, a long chat and a long audit log."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    db.exec(
        insert(CalendarEvent),
        params=[
            {
                "organizer_id": ada if n % 10 else bob,
                "uid": f"e{n}@test",
                "title": f"Event {n}",
                "description": "",
                "start_at": start + timedelta(hours=2 * n),
                "end_at": start + timedelta(hours=2 * n + 1),
            }
            for n in range(3000)
        ],
    )
    invited = db.exec(select(CalendarEvent.id).where(CalendarEvent.organizer_id == bob)).all()
    db.exec(insert(EventAttendee), params=[{"event_id": e, "user_id": ada, "status": "accepted"} for e in invited])
    db.exec(
        insert(Task),
        params=[
            {
                "user_id": ada if n % 3 else bob,
                "assignee_id": ada if n % 3 == 0 else None,
                "title": f"Task {n}",
                "description": "",
                "status": "pending",
                "priority": "low",
                "category": "other",
                "due_date": (start + timedelta(days=n % 400)).date(),
                "created_at": start,
                "updated_at": start,
            }
            for n in range(3000)
        ],
    )
    conversation, _ = chat.start_direct(db, ada, bob)
    db.exec(
        insert(ChatMessage),
        params=[
            {"conversation_id": conversation.id, "sender_id": ada if n % 2 else bob, "kind": "text", "body": f"m{n}"}
            for n in range(3000)
        ],
    )
    db.exec(
        insert(AuditEvent),
        params=[
            {
                "created_at": start + timedelta(minutes=n),
                "action": ("sign_in", "password_changed")[n % 2],
                "email": "a@x",
            }
            for n in range(3000)
        ],
    )
    db.exec(
        insert(User),
        params=[
            {
                "email": f"u{n}@example.com",
                "name": f"U {n}",
                "password_hash": "x",
                "created_at": start,
                "updated_at": start,
            }
            for n in range(3000)
        ],
    )
    db.commit()
    db.exec(text("ANALYZE"))
    db.commit()
    return conversation.id


def test_calendar_month_reads_ranges_of_its_indexes(db, engine, ada, busy):
    month = lambda: calendar.list_range(db, ada, date(2026, 5, 1), date(2026, 6, 1))  # noqa: E731
    events = plans_of(db, engine, month, "calendar_event")
    assert events and not any(full_scans(p, "calendar_event") for p in events), events
    assert any("ix_calendar_event_organizer_start" in p for p in events), events
    due = plans_of(db, engine, month, "FROM task")
    assert due and not any(full_scans(p, "task") for p in due), due
    joined = "\n".join(due)
    assert "ix_task_owner_due" in joined and "ix_task_assignee_due" in joined, joined


def test_chat_seen_by_and_newest_message_are_index_steps(db, engine, ada, busy):
    plans = plans_of(db, engine, lambda: chat.detail(db, ada, busy), "FROM chat_message")
    assert plans and not any(full_scans(p, "chat_message") for p in plans), plans
    if engine.dialect.name == "sqlite":  # PostgreSQL may as well walk the primary key back to my last one
        assert any("ix_chat_message_conversation" in p for p in plans), plans


def test_audit_log_action_filter_and_action_list_read_the_action_index(db, engine, ada, busy):
    plans = plans_of(
        db, engine, lambda: users_admin.audit_log(db, ada, AuditQuery(action="sign_in", page=3)), "audit_log"
    )
    assert plans and not any(full_scans(p, "audit_log") for p in plans), plans
    if engine.dialect.name == "sqlite":  # PostgreSQL at 3,000 rows may bitmap-scan the older action index
        assert any("ix_audit_log_action_created" in p for p in plans), plans


@pytest.mark.parametrize(("sort", "index"), [("created", "ix_user_created"), ("role", "ix_user_role")])
def test_user_list_sorts_read_their_index_in_order(db, engine, ada, busy, sort, index):
    plans = plans_of(
        db,
        engine,
        lambda: users_admin.list_users(db, ada, UserQuery(sort=sort, page=3)),
        '"user"' if engine.dialect.name == "postgresql" else "user",
    )
    assert any(index in p for p in plans), plans


# ---- counts kept by triggers (models/read_tally.py) ------------------------------------------------


def _scan_notifications(db, user_id: int) -> tuple[int, int]:
    rows = db.exec(select(Notification).where(Notification.user_id == user_id, Notification.type != "deleted")).all()
    return len(rows), sum(1 for n in rows if n.read_at is None)


def test_notification_counts_follow_every_change(db, ada, bob, clock):
    for n in range(6):
        notifications.notify(db, ada, "system", f"Note {n}", clock=clock)
    notifications.notify(db, ada, "task_due", "Due once", dedupe_key="due:1", clock=clock)
    notifications.notify(db, ada, "task_due", "Due once again", dedupe_key="due:1", clock=clock)  # not twice
    notifications.notify(db, bob, "system", "Bob's", clock=clock)
    db.commit()
    page = notifications.list_page(db, ada)
    assert (page.total, page.unread) == _scan_notifications(db, ada) == (7, 7)

    first = next(r.id for r in page.rows if r.title == "Note 5")
    notifications.mark_read(db, ada, first, clock)
    once = next(r.id for r in page.rows if r.title == "Due once")
    notifications.delete_notification(db, ada, once)  # a hidden tombstone: not counted
    other = next(r.id for r in page.rows if r.title == "Note 0")
    notifications.delete_notification(db, ada, other)
    db.commit()
    assert (notifications.list_page(db, ada).total, notifications.unread_count(db, ada)) == _scan_notifications(db, ada)
    unread = notifications.list_page(db, ada, unread_only=True)
    assert unread.total == len(unread.rows) == 4
    assert [r.id for r in unread.rows] == sorted((r.id for r in unread.rows), reverse=True)  # newest first
    with pytest.raises(NotFound):
        notifications.mark_read(db, bob, first, clock)  # not Bob's

    notifications.mark_all_read(db, ada, clock)
    db.commit()
    assert notifications.unread_count(db, ada) == 0 and notifications.list_page(db, ada).total == 5
    assert (notifications.list_page(db, bob).total, notifications.unread_count(db, bob)) == (1, 1)
    db.exec(text("DELETE FROM notification WHERE user_id = :id").bindparams(id=ada))  # bulk SQL, as a cascade does
    db.commit()
    assert notifications.list_page(db, ada).total == notifications.unread_count(db, ada) == 0


def _scan_folders(db, user_id: int) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for copy in db.exec(select(MailCopy).where(MailCopy.user_id == user_id)).all():
        total, unread = out.get(copy.folder, (0, 0))
        out[copy.folder] = (total + 1, unread + (0 if copy.read else 1))
    return out


def _shown(db, user_id: int) -> dict[str, tuple[int, int]]:
    return {c.folder: (c.total, c.unread) for c in mailbox.folder_counts(db, user_id) if c.total}


def test_mail_folder_counts_follow_every_change(db, ada, bob, clock):
    for n in range(4):
        mailbox.send(db, bob, {"to": "ada@example.com", "subject": f"Hello {n}", "body": "Hi"}, clock)
    mailbox.save_draft(db, ada, {"to": "bob@example.com", "subject": "Unfinished"}, None, clock)
    db.commit()
    assert _shown(db, ada) == _scan_folders(db, ada)
    assert _shown(db, ada)["inbox"] == (4, 4) and _shown(db, ada)["drafts"][0] == 1
    inbox = mailbox.list_folder(db, ada, "inbox")
    assert inbox.total == 4 and [r.subject for r in inbox.rows] == ["Hello 3", "Hello 2", "Hello 1", "Hello 0"]
    assert mailbox.unread_in_inbox(db, ada) == 4

    mailbox.open_mail(db, ada, inbox.rows[0].id)  # read
    mailbox.move(db, ada, inbox.rows[1].id, "archive")
    mailbox.move(db, ada, inbox.rows[2].id, "trash")
    db.commit()
    assert _shown(db, ada) == _scan_folders(db, ada)
    assert mailbox.unread_in_inbox(db, ada) == 1
    assert mailbox.list_folder(db, ada, "archive").total == 1

    mailbox.empty_trash(db, ada)
    mailbox.set_read(db, ada, inbox.rows[3].id, True)
    db.commit()
    assert _shown(db, ada) == _scan_folders(db, ada)
    assert mailbox.unread_in_inbox(db, ada) == 0
    assert _shown(db, bob) == _scan_folders(db, bob)
    assert _shown(db, bob)["sent"][0] == 4
    with pytest.raises(NotFound):
        mailbox.move(db, bob, inbox.rows[0].id, "trash")  # Ada's copy: not Bob's to move


# ---- the mailbox search (models/mail_search.py) ------------------------------------------------------

MAIL = [
    ("Fix the LOGIN page", "Users cannot sign in after the update"),
    ("100% done", "snake_case user_name"),
    ('Quote "the customer"', "back\\slash path"),
    ("Café menu", "Déjà vu on the ÉCRAN"),
    ("Short", ""),
]
MAIL_TERMS = ["login", "LOGIN", "100%", "user_name", '"the', "\\slash", "café", "écran", "in", "e", "bob@"]


def test_mail_search_finds_what_a_scan_finds_in_the_users_own_folder(db, ada, bob, eve, clock):
    for subject, body in MAIL:
        mailbox.send(db, bob, {"to": "ada@example.com", "subject": subject, "body": body}, clock)
        mailbox.send(db, eve, {"to": "bob@example.com", "subject": subject, "body": body}, clock)  # not Ada's
    db.commit()
    for term in MAIL_TERMS:
        needle = term.lower()
        expected = {s for s, b in MAIL if needle in s.lower() or needle in b.lower() or needle in "bob@example.com bob"}
        page = mailbox.list_folder(db, ada, "inbox", term, 1, 50)
        assert {r.subject for r in page.rows} == expected, term
        assert page.total == len(page.rows), term
        assert mailbox.list_folder(db, ada, "sent", term).total == 0  # another folder


def test_mail_search_follows_edits_and_deletions(db, ada, clock):
    draft = mailbox.save_draft(db, ada, {"to": "bob@example.com", "subject": "Order the paint"}, None, clock)
    db.commit()
    assert mailbox.list_folder(db, ada, "drafts", "paint").total == 1
    mailbox.save_draft(db, ada, {"to": "bob@example.com", "subject": "Order the varnish"}, draft.id, clock)
    db.commit()
    assert mailbox.list_folder(db, ada, "drafts", "paint").total == 0
    assert mailbox.list_folder(db, ada, "drafts", "varnish").total == 1
    mailbox.delete_forever(db, ada, draft.id)
    db.commit()
    assert mailbox.list_folder(db, ada, "drafts", "varnish").total == 0


def test_mail_search_reads_the_trigram_index(db, engine, ada, bob):
    if engine.dialect.name == "postgresql":
        db.exec(text("TRUNCATE mail_message, mail_copy, mail_tally CASCADE"))
        db.commit()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    count = 3000 if engine.dialect.name == "sqlite" else 20_000
    db.exec(
        insert(MailMessage),
        params=[
            {
                "id": n + 1,
                "thread_id": n + 1,
                "sender_id": bob,
                "sender_name": "Bob",
                "sender_email": "bob@example.com",
                "to_addresses": "ada@example.com",
                "cc_addresses": "",
                "subject": f"Message {n} {'needle' if n % 997 == 0 else 'hay'}",
                "body": "Words as people write them.",
                "created_at": start,
                "updated_at": start,
                "sent_at": start,
            }
            for n in range(count)
        ],
    )
    db.exec(
        insert(MailCopy),
        params=[
            {"user_id": ada, "message_id": n + 1, "thread_id": n + 1, "folder": "inbox", "origin": "inbox", "at": start}
            for n in range(count)
        ],
    )
    db.commit()
    db.exec(text("ANALYZE"))
    db.commit()
    found = []
    plans = plans_of(db, engine, lambda: found.append(mailbox.list_folder(db, ada, "inbox", "needle")), "mail_message")
    assert found[0].total == len(range(0, count, 997))
    assert plans and not any(full_scans(p, "mail_message") or full_scans(p, "mail_copy") for p in plans), plans
    if engine.dialect.name == "sqlite":
        assert any("mail_search" in p for p in plans), plans
    # PostgreSQL: the trigram indexes exist (mail_search.POSTGRESQL_DDL), but at this size its
    # planner reads the messages by key instead; not shown to be flat there (BENCHMARKS.md).
    if engine.dialect.name == "postgresql":
        db.rollback()
        db.exec(text("TRUNCATE mail_message, mail_copy, mail_tally CASCADE"))
        db.commit()


def test_unread_notifications_page_reads_its_partial_index_in_order(db, engine, ada):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    db.exec(
        insert(Notification),
        params=[
            {
                "user_id": ada,
                "type": "system",
                "title": f"N {n}",
                "body": "",
                "created_at": start + timedelta(minutes=n),
                "read_at": None if n % 3 == 0 else start,
            }
            for n in range(3000)
        ],
    )
    db.commit()
    db.exec(text("ANALYZE"))
    db.commit()
    found = []
    call = lambda: found.append(notifications.list_page(db, ada, page=3, unread_only=True))  # noqa: E731
    plans = plans_of(db, engine, call, "FROM notification")
    assert found[0].total == 1000 and [r.title for r in found[0].rows][:2] == ["N 2877", "N 2874"]
    assert plans and not any(full_scans(p, "notification") for p in plans), plans
    # In index order, no sort of the user's rows: the partial index of unread ones, or (as
    # SQLite's planner picks when other users' rows are in the statistics) the user's own index.
    assert not any("TEMP B-TREE" in p for p in plans), plans
    assert any("ix_notification_unread_created" in p or "ix_notification_user_created" in p for p in plans), plans
