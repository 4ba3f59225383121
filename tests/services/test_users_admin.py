"""The users admin service: admins only, list and filters, every action, its rules and audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from fluxkit.models import (
    ApiKey,
    AuditEvent,
    Notification,
    Subscription,
    Task,
    TaskEvent,
    User,
    UserSession,
    VerificationToken,
)
from fluxkit.services import accounts, api_keys, notifications, sessions, tasks
from fluxkit.services import users_admin as admin
from fluxkit.services.errors import InvalidCredentials, InvalidInput, NotFound
from fluxkit.services.users_admin import AuditQuery, Refused, UserQuery
from tests.support.factories import META, PASSWORD, link_token


@pytest.fixture
def people(db, signed_up):
    """An admin (Ada), a second user (Bob) and an unverified sign-up (Cy)."""
    ada = signed_up("ada@example.com", name="Ada")
    bob = signed_up("bob@example.com", name="Bob")
    accounts.sign_up(db, name="Cy", email="cy@example.com", password=PASSWORD, meta=META)
    db.commit()
    user = db.get(User, ada.id)
    user.role = "admin"
    db.add(user)
    db.commit()
    cy = accounts.user_by_email(db, "cy@example.com")
    return ada.id, bob.id, cy.id


def _subscribe(db, user_id: int, plan: str, status: str = "active") -> None:
    db.add(Subscription(user_id=user_id, stripe_customer_id=f"cus_{user_id}", plan=plan, status=status))
    db.commit()


def _emails(page) -> list[str]:
    return [row.email for row in page.rows]


# ---- who may look ------------------------------------------------------------------------------


def test_non_admins_get_not_found_from_everything(db, people):
    _, bob, cy = people
    calls = [
        lambda: admin.list_users(db, bob, UserQuery()),
        lambda: admin.stats(db, bob),
        lambda: admin.get_user(db, bob, cy),
        lambda: admin.set_role(db, bob, bob, "admin", META),
        lambda: admin.suspend(db, bob, cy, META),
        lambda: admin.reactivate(db, bob, cy, META),
        lambda: admin.resend_verification(db, bob, cy, META),
        lambda: admin.invite(db, bob, "new@example.com", META),
        lambda: admin.delete_user(db, bob, cy, "cy@example.com", META),
        lambda: admin.audit_log(db, bob, AuditQuery()),
        lambda: admin.pending_invites(db, bob),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
        db.rollback()
    assert db.get(User, bob).role == "user"
    assert db.get(User, cy) is not None and db.get(User, cy).suspended_at is None
    assert not db.exec(select(AuditEvent).where(AuditEvent.action.startswith("admin_"))).all()


def test_a_suspended_admin_is_no_admin(db, people, clock):
    ada, bob, _ = people
    admin.set_role(db, ada, bob, "admin", META)
    admin.suspend(db, ada, bob, META)
    db.commit()
    with pytest.raises(NotFound):
        admin.list_users(db, bob, UserQuery())


# ---- the list ------------------------------------------------------------------------------------


def test_search_filters_sort_and_pages(db, people):
    ada, bob, cy = people
    _subscribe(db, bob, "basic")
    _subscribe(db, cy, "professional", status="canceled")  # not entitled: Free
    admin.suspend(db, ada, cy, META)
    db.commit()

    everyone = admin.list_users(db, ada, UserQuery())
    assert everyone.total == 3 and _emails(everyone) == ["cy@example.com", "bob@example.com", "ada@example.com"]
    assert {r.email: (r.role, r.status, r.plan) for r in everyone.rows} == {
        "ada@example.com": ("admin", "active", "free"),
        "bob@example.com": ("user", "active", "basic"),
        "cy@example.com": ("user", "suspended", "free"),
    }
    assert _emails(admin.list_users(db, ada, UserQuery.parse({"search": "BO"}))) == ["bob@example.com"]
    assert _emails(admin.list_users(db, ada, UserQuery.parse({"search": "ada@"}))) == ["ada@example.com"]
    assert _emails(admin.list_users(db, ada, UserQuery.parse({"search": "%"}))) == []  # a literal percent
    assert _emails(admin.list_users(db, ada, UserQuery.parse({"role": "admin"}))) == ["ada@example.com"]
    assert _emails(admin.list_users(db, ada, UserQuery.parse({"status": "suspended"}))) == ["cy@example.com"]
    assert _emails(
        admin.list_users(db, ada, UserQuery.parse({"status": "active", "sort": "name", "order": "asc"}))
    ) == [
        "ada@example.com",
        "bob@example.com",
    ]
    assert _emails(admin.list_users(db, ada, UserQuery.parse({"plan": "basic"}))) == ["bob@example.com"]
    assert _emails(admin.list_users(db, ada, UserQuery.parse({"plan": "free", "sort": "email", "order": "asc"}))) == [
        "ada@example.com",
        "cy@example.com",
    ]
    # Unknown values fall back to the defaults instead of failing.
    assert admin.list_users(db, ada, UserQuery.parse({"role": "root", "sort": "password_hash"})).total == 3

    for n in range(30):
        db.add(User(email=f"u{n:02d}@example.com", name=f"U{n:02d}", password_hash="x", email_verified=True))
    db.commit()
    page = admin.list_users(db, ada, UserQuery.parse({"page": "2", "page_size": "10", "sort": "email", "order": "asc"}))
    assert (page.total, page.page, page.pages) == (33, 2, 4)
    assert _emails(page)[0] == "u07@example.com" and len(page.rows) == 10
    last = admin.list_users(db, ada, UserQuery.parse({"page": "99", "page_size": "10"}))
    assert last.page == 4 and len(last.rows) == 3


def test_stat_cards(db, people):
    ada, bob, cy = people
    _subscribe(db, bob, "enterprise", status="trialing")
    assert admin.stats(db, ada) == admin.UserStats(total=3, active=2, paid=1, unverified=1, suspended=0)
    admin.suspend(db, ada, bob, META)
    db.commit()
    assert admin.stats(db, ada) == admin.UserStats(total=3, active=1, paid=1, unverified=1, suspended=1)


# ---- role -----------------------------------------------------------------------------------------


def test_change_role_is_audited_and_announced(db, people, heard):
    ada, bob, _ = people
    row = admin.set_role(db, ada, bob, "admin", META)
    db.commit()
    assert row.role == "admin" and db.get(User, bob).role == "admin"
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "admin_role_changed")).one()
    assert (event.actor_id, event.actor_email, event.user_id, event.email, event.detail) == (
        ada,
        "ada@example.com",
        bob,
        "bob@example.com",
        "user -> admin",
    )
    assert (bob, frozenset({"account", "users"})) in heard
    assert any(user_id == ada and "users" in topics for user_id, topics in heard)

    with pytest.raises(InvalidInput):
        admin.set_role(db, ada, bob, "owner", META)
    with pytest.raises(NotFound):
        admin.set_role(db, ada, 999_999, "admin", META)


def test_the_last_admin_keeps_the_role(db, people):
    ada, bob, _ = people
    with pytest.raises(Refused, match="only admin"):
        admin.set_role(db, ada, ada, "user", META)
    db.rollback()
    assert db.get(User, ada).role == "admin"
    # With a second admin, either may step down; then the other is the last one.
    admin.set_role(db, ada, bob, "admin", META)
    admin.set_role(db, ada, ada, "user", META)
    db.commit()
    with pytest.raises(Refused, match="only admin"):
        admin.set_role(db, bob, bob, "user", META)


def test_a_suspended_admin_does_not_count_as_the_other_admin(db, people):
    ada, bob, _ = people
    admin.set_role(db, ada, bob, "admin", META)
    admin.suspend(db, ada, bob, META)
    db.commit()
    with pytest.raises(Refused, match="only admin"):
        admin.set_role(db, ada, ada, "user", META)


# ---- suspend and reactivate -------------------------------------------------------------------------


def test_suspension_ends_sessions_keys_and_sign_in_until_reactivated(db, people, sign_in, heard, clock):
    ada, bob, _ = people
    token, _ = sign_in("bob@example.com")
    key = api_keys.create_key(db, bob, "script").key
    db.commit()
    assert sessions.resolve(db, token) is not None and api_keys.authenticate(db, key) is not None

    row = admin.suspend(db, ada, bob, META, clock)
    db.commit()
    assert row.status == "suspended" and row.suspended_at
    assert sessions.resolve(db, token) is None
    assert not db.exec(select(UserSession).where(UserSession.user_id == bob)).all()
    assert api_keys.authenticate(db, key) is None
    assert (bob, frozenset({"account", "users"})) in heard  # their open tabs re-check
    # The right password gets the clear message; a wrong one the usual answer.
    with pytest.raises(InvalidCredentials, match="suspended"):
        accounts.sign_in(db, email="bob@example.com", password=PASSWORD, meta=META)
    with pytest.raises(InvalidCredentials) as wrong:
        accounts.sign_in(db, email="bob@example.com", password="not the password at all", meta=META)
    assert "suspended" not in wrong.value.message
    db.commit()
    assert db.exec(
        select(AuditEvent).where(AuditEvent.action == "sign_in_failed", AuditEvent.detail == "suspended")
    ).one()
    suspended = db.exec(select(AuditEvent).where(AuditEvent.action == "admin_user_suspended")).one()
    assert suspended.detail == "1 sessions ended" and suspended.actor_id == ada

    admin.reactivate(db, ada, bob, META)
    db.commit()
    assert db.get(User, bob).suspended_at is None
    new_token, identity = sign_in("bob@example.com")
    assert identity.user.id == bob and sessions.resolve(db, new_token) is not None
    assert api_keys.authenticate(db, key) is not None  # keys were kept, only refused meanwhile
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "admin_user_reactivated")).one().actor_id == ada


def test_admins_cannot_suspend_themselves_or_the_last_admin(db, people):
    ada, bob, _ = people
    with pytest.raises(Refused, match="only admin"):
        admin.suspend(db, ada, ada, META)
    db.rollback()
    admin.set_role(db, ada, bob, "admin", META)
    db.commit()
    with pytest.raises(Refused, match="your own account"):
        admin.suspend(db, ada, ada, META)
    db.rollback()
    assert db.get(User, ada).suspended_at is None


# ---- verification and invitations -------------------------------------------------------------------


def test_resend_verification_emails_a_working_link(db, people):
    ada, bob, cy = people
    [message] = admin.resend_verification(db, ada, cy, META)
    db.commit()
    assert message["To"] == "cy@example.com" and "Verify your email" in message["Subject"]
    accounts.verify_email(db, link_token(message), META)
    db.commit()
    assert db.get(User, cy).email_verified
    assert (
        db.exec(select(AuditEvent).where(AuditEvent.action == "admin_verification_resent")).one().email
        == "cy@example.com"
    )
    with pytest.raises(Refused, match="already verified"):
        admin.resend_verification(db, ada, bob, META)


def test_invite_emails_a_sign_up_link_and_stays_pending_until_sign_up(db, people):
    ada, _, _ = people
    invitation = admin.invite(db, ada, "  New.Person@Example.com ", META)
    db.commit()
    [message] = invitation.messages
    assert invitation.email == "new.person@example.com" and message["To"] == "new.person@example.com"
    assert "http://localhost:3000/sign-up" in message.get_content() and "Ada" in message["Subject"]
    assert [p.email for p in admin.pending_invites(db, ada)] == ["new.person@example.com"]
    assert admin.pending_invites(db, ada)[0].invited_by == "ada@example.com"

    with pytest.raises(InvalidInput, match="already has an account"):
        admin.invite(db, ada, "bob@example.com", META)
    with pytest.raises(InvalidInput) as bad:
        admin.invite(db, ada, "not an email", META)
    assert "email" in bad.value.fields

    accounts.sign_up(db, name="New", email="new.person@example.com", password=PASSWORD, meta=META)
    db.commit()
    assert admin.pending_invites(db, ada) == []


# ---- delete -----------------------------------------------------------------------------------------


def test_delete_needs_the_typed_email_and_cascades_their_data(db, people, sign_in):
    ada, bob, _ = people
    sign_in("bob@example.com")
    task = tasks.create_task(db, bob, {"title": "Bob's task"})
    tasks.change_status(db, bob, task.id, "completed")
    api_keys.create_key(db, bob, "script")
    notifications.notify(db, bob, "system", "Hello")
    _subscribe(db, bob, "basic", status="canceled")
    ada_task = tasks.create_task(db, ada, {"title": "Ada's task"})
    db.commit()

    with pytest.raises(InvalidInput, match="Type bob@example.com"):
        admin.delete_user(db, ada, bob, "bob", META)
    db.rollback()
    assert db.get(User, bob) is not None

    assert admin.delete_user(db, ada, bob, " BOB@example.com", META) == "bob@example.com"
    db.commit()
    db.expire_all()
    assert db.get(User, bob) is None
    for model in (UserSession, VerificationToken, Task, Notification, ApiKey, Subscription):
        assert not db.exec(select(model).where(model.user_id == bob)).all(), model.__name__
    assert not db.exec(select(TaskEvent).where(TaskEvent.task_id == task.id)).all()
    assert db.get(Task, ada_task.id) is not None
    # The audit log keeps what happened, no longer linked to the account.
    deleted = db.exec(select(AuditEvent).where(AuditEvent.action == "admin_user_deleted")).one()
    assert (deleted.user_id, deleted.email, deleted.actor_id) == (None, "bob@example.com", ada)
    assert (
        db.exec(select(AuditEvent).where(AuditEvent.email == "bob@example.com", AuditEvent.action == "sign_in"))
        .one()
        .user_id
        is None
    )
    with pytest.raises(NotFound):
        admin.delete_user(db, ada, bob, "bob@example.com", META)


def test_delete_refuses_self_the_last_admin_and_paying_users(db, people):
    ada, bob, _ = people
    with pytest.raises(Refused, match="only admin"):
        admin.delete_user(db, ada, ada, "ada@example.com", META)
    db.rollback()
    _subscribe(db, bob, "professional")
    with pytest.raises(Refused, match="Stripe"):
        admin.delete_user(db, ada, bob, "bob@example.com", META)
    db.rollback()
    admin.set_role(db, ada, bob, "admin", META)
    db.commit()
    with pytest.raises(Refused, match="your own account"):
        admin.delete_user(db, ada, ada, "ada@example.com", META)
    db.rollback()
    assert db.get(User, ada) is not None and db.get(User, bob) is not None


# ---- the audit log ----------------------------------------------------------------------------------


def test_audit_log_filters_and_pages(db, people, clock):
    ada, bob, cy = people
    clock.advance(days=3)
    admin.set_role(db, ada, bob, "admin", META, clock)
    clock.advance(days=1)
    admin.suspend(db, bob, cy, META, clock)
    admin.invite(db, bob, "zed@example.com", META, clock)
    db.commit()
    day = lambda offset: (clock.now() + timedelta(days=offset)).date().isoformat()  # noqa: E731

    log = admin.audit_log(db, ada, AuditQuery())
    assert [r.action for r in log.rows[:3]] == ["admin_user_invited", "admin_user_suspended", "admin_role_changed"]
    assert {"sign_up", "email_verified", "admin_role_changed"} <= set(log.actions)

    by_bob = admin.audit_log(db, ada, AuditQuery.parse({"actor": "BOB@"}))
    assert [(r.action, r.target) for r in by_bob.rows if r.action.startswith("admin_")] == [
        ("admin_user_invited", "zed@example.com"),
        ("admin_user_suspended", "cy@example.com"),
    ]
    about_cy = admin.audit_log(db, ada, AuditQuery.parse({"target": "cy@", "action": "admin_user_suspended"}))
    assert [(r.actor, r.target) for r in about_cy.rows] == [("bob@example.com", "cy@example.com")]
    latest_day = admin.audit_log(db, ada, AuditQuery.parse({"date_from": day(0), "date_to": day(0)}))
    assert {r.action for r in latest_day.rows} == {"admin_user_invited", "admin_user_suspended"}
    window = admin.audit_log(db, ada, AuditQuery.parse({"date_from": day(-1), "date_to": day(-1)}))
    assert [r.action for r in window.rows] == ["admin_role_changed"]
    assert admin.audit_log(db, ada, AuditQuery.parse({"date_from": "2026-13-45", "action": "x\x00"})).total == log.total

    for n in range(60):
        admin.invite(db, ada, f"guest{n}@example.com", META, clock)
    db.commit()
    page = admin.audit_log(db, ada, AuditQuery.parse({"action": "admin_user_invited", "page": "3"}))
    assert (page.total, page.page, page.pages, len(page.rows)) == (61, 3, 3, 11)


def test_make_admin_from_the_command_line(db, people):
    _, bob, _ = people
    row = admin.make_admin(db, "Bob@Example.com", META)
    db.commit()
    assert row.role == "admin" and db.get(User, bob).role == "admin"
    with pytest.raises(InvalidInput, match="No account"):
        admin.make_admin(db, "nobody@example.com", META)


def test_delete_takes_their_mail_chat_and_calendar_but_not_what_others_received(db, people):
    from fluxkit.models.calendar import CalendarEvent, EventAttendee
    from fluxkit.models.chat import ChatMessage, ConversationMember
    from fluxkit.models.mail import MailCopy, MailMessage
    from fluxkit.services import calendar, chat, mailbox

    ada, bob, _ = people
    mailbox.send(db, bob, {"to": ["ada@example.com"], "subject": "From Bob"})
    mailbox.send(db, ada, {"to": ["bob@example.com"], "subject": "To Bob"})
    conversation = chat.start_direct(db, ada, bob)[0].id
    chat.send(db, bob, conversation, "Bob says hi")
    bobs_event = calendar.create_event(
        db, bob, {"title": "Bob's meeting", "start": "2026-12-01T09:00", "attendees": [ada]}
    ).id
    adas_event = calendar.create_event(
        db, ada, {"title": "Ada's meeting", "start": "2026-12-02T09:00", "attendees": [bob]}
    ).id
    db.commit()

    admin.delete_user(db, ada, bob, "bob@example.com", META)
    db.commit()
    db.expire_all()
    assert not db.exec(select(MailCopy).where(MailCopy.user_id == bob)).all()
    from_bob = db.exec(select(MailMessage).where(MailMessage.subject == "From Bob")).one()
    assert from_bob.sender_id is None
    assert db.exec(select(MailCopy).where(MailCopy.user_id == ada, MailCopy.message_id == from_bob.id)).one()
    assert not db.exec(select(ConversationMember).where(ConversationMember.user_id == bob)).all()
    assert db.exec(select(ChatMessage).where(ChatMessage.body == "Bob says hi")).one().sender_id is None
    assert db.get(CalendarEvent, bobs_event) is None
    assert db.get(CalendarEvent, adas_event) is not None
    assert not db.exec(select(EventAttendee).where(EventAttendee.user_id == bob)).all()
