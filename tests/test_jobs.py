"""The periodic jobs: reminders once, deleted tasks and expired sessions cleaned up."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from fluxkit import jobs
from fluxkit.clock import FrozenClock, system_clock
from fluxkit.models import Notification, Task, UserSession
from fluxkit.services import sessions, tasks, user_time
from tests.support.factories import make_session, make_user


def test_run_once_reminds_once_and_cleans_up(db):
    user = make_user(db, "jobs@example.com", "Jobs")
    today = user_time.today_for(db, user.id)
    late = tasks.create_task(db, user.id, {"title": "Late", "due_date": (today - timedelta(days=1)).isoformat()})
    tasks.create_task(db, user.id, {"title": "Later", "due_date": (today + timedelta(days=30)).isoformat()})
    gone = tasks.create_task(db, user.id, {"title": "Gone"})
    tasks.delete_task(db, user.id, gone.id, clock=FrozenClock(system_clock.now() - timedelta(hours=1)))
    old = FrozenClock(system_clock.now() - timedelta(days=30))
    make_session(db, "jobs@example.com", clock=old)

    assert jobs.run_once() == {"reminders": 1, "digests": 0, "purged_tasks": 1, "expired_sessions": 1}
    assert jobs.run_once()["reminders"] == 0
    db.expire_all()
    reminders = db.exec(select(Notification).where(Notification.type == "task_due")).all()
    assert [(n.task_id, n.title) for n in reminders] == [(late.id, "Task overdue")]
    assert db.get(Task, gone.id) is None
    assert db.exec(select(UserSession)).all() == []
    assert sessions.list_sessions(db, user.id) == []
