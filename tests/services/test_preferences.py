"""Preferences: appearance per user, and notification delivery following the user's choices
(in-app, email after commit, quiet hours into the digest, one digest per user and day)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from fluxkit.clock import FrozenClock
from fluxkit.models import Notification
from fluxkit.models.accounts import DigestItem, DigestSent
from fluxkit.services import email, notifications, preferences
from fluxkit.services.errors import InvalidInput
from tests.support.factories import make_user

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # 13:00 in Berlin


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def sent(monkeypatch) -> list:
    out: list = []
    monkeypatch.setattr(email, "send_in_background", lambda messages: out.extend(messages))
    return out


@pytest.fixture
def ada(db) -> int:
    return make_user(db, "ada@example.com", "Ada", timezone="Europe/Berlin").id


@pytest.fixture
def bob(db) -> int:
    return make_user(db, "bob@example.com", "Bob").id


def visible(db, user_id) -> list[str]:
    return [
        n.title
        for n in db.exec(select(Notification).where(Notification.user_id == user_id, Notification.type != "deleted"))
    ]


def test_appearance_is_stored_per_user_and_bad_values_change_nothing(db, ada, bob):
    prefs = preferences.update(db, ada, {"theme": "dark", "accent": "crimson", "density": "compact"})
    db.commit()
    assert (prefs.appearance.theme, prefs.appearance.accent, prefs.appearance.density) == ("dark", "crimson", "compact")
    assert preferences.get(db, bob).appearance.theme == "system"
    with pytest.raises(InvalidInput) as refused:
        preferences.update(db, ada, {"theme": "light", "accent": "neon"})
    assert "accent" in refused.value.fields
    db.rollback()
    assert preferences.get(db, ada).appearance.theme == "dark"


def test_quiet_hours_need_both_ends_and_real_times(db, ada):
    with pytest.raises(InvalidInput) as refused:
        preferences.update(db, ada, {"quiet_start": "22:00"})
    assert "quiet_end" in refused.value.fields
    with pytest.raises(InvalidInput):
        preferences.update(db, ada, {"quiet_start": "25:00", "quiet_end": "07:00"})
    prefs = preferences.update(db, ada, {"quiet_start": "22:00", "quiet_end": "07:30"})
    assert (prefs.quiet_start, prefs.quiet_end) == ("22:00", "07:30")
    cleared = preferences.update(db, ada, {"quiet_start": "", "quiet_end": ""})
    assert (cleared.quiet_start, cleared.quiet_end) == ("", "")


def test_unknown_type_or_channel_is_refused(db, ada):
    with pytest.raises(InvalidInput):
        preferences.update(db, ada, {"notifications": {"nope": {"email": True}}})
    with pytest.raises(InvalidInput):
        preferences.update(db, ada, {"notifications": {"mail": {"pigeon": True}}})
    with pytest.raises(InvalidInput):
        preferences.update(db, ada, {"notifications": {"mail": {"email": "yes"}}})


def test_in_app_off_creates_nothing_in_the_bell(db, ada, clock, sent):
    preferences.update(db, ada, {"notifications": {"system": {"in_app": False}}})
    db.commit()
    notifications.notify(db, ada, "system", "Maintenance tonight", clock=clock)
    notifications.notify(db, ada, "mail", "New mail from Bob", clock=clock)
    db.commit()
    assert visible(db, ada) == ["New mail from Bob"]
    assert notifications.unread_count(db, ada) == 1
    assert sent == []


def test_every_notification_type_but_welcome_can_be_chosen():
    # A switch in Settings for each kind FluxKit really sends; none for kinds it never sends.
    assert set(preferences.NOTIFICATION_TYPES) == set(notifications.TYPES) - {"welcome"}


def test_task_assigned_by_email_only(db, ada, clock, sent):
    preferences.update(db, ada, {"notifications": {"task_assigned": {"in_app": False, "email": True}}})
    db.commit()
    notifications.notify(db, ada, "task_assigned", "Bob assigned you a task", "Ship it", clock=clock)
    db.commit()
    assert visible(db, ada) == []
    assert [m["Subject"] for m in sent] == ["FluxKit: Bob assigned you a task"]


def test_in_app_off_with_a_dedupe_key_still_happens_once(db, ada, clock, sent):
    preferences.update(db, ada, {"notifications": {"task_due": {"in_app": False, "email": True}}})
    db.commit()
    for _ in range(3):  # the reminder job runs every minute
        notifications.notify(db, ada, "task_due", "Task due soon", dedupe_key="task_due:1:soon", clock=clock)
        db.commit()
    assert visible(db, ada) == []
    assert [m["Subject"] for m in sent] == ["FluxKit: Task due soon"]


def test_email_on_sends_after_commit_only(db, ada, clock, sent):
    preferences.update(db, ada, {"notifications": {"mail": {"email": True}}})
    db.commit()
    notifications.notify(db, ada, "mail", "New mail from Bob", "Lunch?", link="/mail?m=3", clock=clock)
    assert sent == []  # not before the caller's transaction commits
    db.rollback()
    assert sent == []  # a rolled-back notification sends nothing
    notifications.notify(db, ada, "mail", "New mail from Bob", "Lunch?", link="/mail?m=3", clock=clock)
    db.commit()
    [message] = sent
    assert message["To"] == "ada@example.com"
    assert "Lunch?" in message.get_content() and "/mail?m=3" in message.get_content()
    assert visible(db, ada) == ["New mail from Bob"]


def test_quiet_hours_hold_emails_for_the_digest_in_the_users_timezone(db, ada, sent):
    # 12:00-14:00 Berlin is quiet; NOW is 13:00 there (12:00 UTC).
    preferences.update(
        db, ada, {"notifications": {"mail": {"email": True}}, "quiet_start": "12:00", "quiet_end": "14:00"}
    )
    db.commit()
    notifications.notify(db, ada, "mail", "Quiet mail", clock=FrozenClock(NOW))
    db.commit()
    assert sent == []
    assert [i.title for i in db.exec(select(DigestItem).where(DigestItem.user_id == ada))] == ["Quiet mail"]
    notifications.notify(db, ada, "mail", "Loud mail", clock=FrozenClock(datetime(2026, 3, 10, 14, 0, tzinfo=UTC)))
    db.commit()
    assert [m["Subject"] for m in sent] == ["FluxKit: Loud mail"]


def test_quiet_hours_across_midnight(db, ada):
    preferences.update(db, ada, {"quiet_start": "22:00", "quiet_end": "07:00"})
    db.commit()
    from fluxkit.models import User

    user = db.get(User, ada)
    assert preferences.in_quiet_hours(user, datetime(2026, 3, 10, 22, 30, tzinfo=UTC))  # 23:30 Berlin
    assert preferences.in_quiet_hours(user, datetime(2026, 3, 10, 5, 0, tzinfo=UTC))  # 06:00 Berlin
    assert not preferences.in_quiet_hours(user, datetime(2026, 3, 10, 6, 0, tzinfo=UTC))  # 07:00 Berlin


def test_digest_collects_and_goes_once_per_user_and_day(db, engine, ada, bob, clock, sent):
    preferences.update(
        db, ada, {"notifications": {"task_completed": {"digest": True}, "mail": {"digest": True, "in_app": False}}}
    )
    db.commit()
    notifications.notify(db, ada, "task_completed", "Task completed", "Write report", clock=clock)
    notifications.notify(db, ada, "mail", "New mail from Bob", clock=clock)
    notifications.notify(db, bob, "mail", "Bob's own mail", clock=clock)  # Bob has no digest
    db.commit()
    assert sent == []
    assert preferences.send_digests(db, clock) == 1
    db.commit()
    [digest] = sent
    assert digest["To"] == "ada@example.com"
    assert "Write report" in digest.get_content() and "New mail from Bob" in digest.get_content()
    assert "Bob's own mail" not in digest.get_content()
    # Later the same day: new items wait for tomorrow.
    notifications.notify(db, ada, "task_completed", "Task completed", "Second task", clock=clock)
    db.commit()
    clock.advance(hours=2)
    assert preferences.send_digests(db, clock) == 0
    db.commit()
    assert len(sent) == 1
    clock.advance(days=1)
    assert preferences.send_digests(db, clock) == 1
    db.commit()
    assert "Second task" in sent[1].get_content()


def test_digest_waits_until_morning_in_the_users_timezone(db, ada, sent):
    preferences.update(db, ada, {"notifications": {"system": {"digest": True}}})
    db.commit()
    early = FrozenClock(datetime(2026, 3, 10, 5, 0, tzinfo=UTC))  # 06:00 in Berlin
    notifications.notify(db, ada, "system", "Welcome aboard", clock=early)
    db.commit()
    assert preferences.send_digests(db, early) == 0
    early.advance(hours=2)  # 08:00 in Berlin
    assert preferences.send_digests(db, early) == 1


def test_two_workers_send_one_digest(engine, db, ada, clock, sent):
    preferences.update(db, ada, {"notifications": {"system": {"digest": True}}})
    notifications.notify(db, ada, "system", "Maintenance", clock=clock)
    db.commit()
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def worker():
        with Session(engine) as mine:
            barrier.wait()
            try:
                counts.append(preferences.send_digests(mine, clock))
                mine.commit()
            except Exception:
                mine.rollback()
                counts.append(0)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == [0, 1]
    assert len(sent) == 1
    assert len(db.exec(select(DigestSent)).all()) == 1
