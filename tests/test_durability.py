"""Writers killed with SIGKILL mid-stream lose nothing they acknowledged and break no invariant.

Runs on the test database: SQLite by default (then also `PRAGMA integrity_check`), PostgreSQL
when FLUXKIT_TEST_DATABASE_URL points there.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, text
from sqlmodel import select

from fluxkit.models import Notification, Task, TaskEvent
from fluxkit.services import tasks
from fluxkit.settings import get_settings
from tests.support.factories import make_user

ROOT = Path(__file__).resolve().parent.parent
WRITERS = 3
ACKS_BEFORE_KILL = 60  # per writer


def _start_writer(user_id: int, label: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.task_writer", str(user_id), label],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _read_acks(process: subprocess.Popen, acks: list[str]) -> None:
    for line in process.stdout:
        acks.append(line.strip())


def test_sigkilled_writers_lose_no_acknowledged_write(db, engine):
    user = make_user(db, "writer@example.com", "Writer")
    processes = [_start_writer(user.id, f"w{i}") for i in range(WRITERS)]
    acks: list[list[str]] = [[] for _ in processes]
    readers = [
        threading.Thread(target=_read_acks, args=(p, a), daemon=True) for p, a in zip(processes, acks, strict=True)
    ]
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + 120
    while min(len(a) for a in acks) < ACKS_BEFORE_KILL:
        crashed = [p for p in processes if p.poll() is not None]
        assert not crashed, crashed[0].stderr.read()
        assert time.monotonic() < deadline, f"writers too slow: {[len(a) for a in acks]}"
        time.sleep(0.01)
    for process in processes:
        process.send_signal(signal.SIGKILL)  # wherever each one is: mid-transaction or between
    for process, reader in zip(processes, readers, strict=True):
        process.wait(timeout=10)
        reader.join(timeout=10)
        assert process.returncode == -signal.SIGKILL

    created = {int(line.split()[1]) for a in acks for line in a if line.startswith("created ")}
    completed = {int(line.split()[1]) for a in acks for line in a if line.startswith("completed ")}
    assert len(created) >= WRITERS * ACKS_BEFORE_KILL * 2 // 3

    if get_settings().is_sqlite:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"

    db.expire_all()
    stored = {t.id: t for t in db.exec(select(Task).where(Task.user_id == user.id))}
    assert created <= set(stored), "an acknowledged task is missing"
    assert all(stored[i].status == "completed" for i in completed), "an acknowledged completion is missing"

    # Invariants over everything that committed, acknowledged or not.
    notified = dict(
        db.exec(
            select(Notification.task_id, func.count())
            .where(Notification.user_id == user.id, Notification.type == "task_completed")
            .group_by(Notification.task_id)
        ).all()
    )
    done = {i for i, t in stored.items() if t.status == "completed"}
    assert set(notified) == done, "a completion and its notification did not commit together"
    assert set(notified.values()) == {1}
    assert all(stored[i].completed_at is not None for i in done)
    creations = set(db.exec(select(TaskEvent.task_id).where(TaskEvent.from_status.is_(None))).all())
    assert creations >= set(stored), "a task committed without its history"
    by_status = Counter(t.status for t in stored.values() if t.deleted_at is None)
    assert tasks.stats(db, user.id) == tasks.TaskStats(
        total=sum(by_status.values()), **{s.replace(" ", "_"): by_status[s] for s in tasks.STATUSES}
    ), "the stat cards' counts (kept by triggers) differ from the tasks that committed"
