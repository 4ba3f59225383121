"""Periodic work, run by every worker: due reminders, daily digests and clean-up.

Safe with several workers: reminders carry unique keys (a second insert is a no-op), a
digest first claims its unique (user, day) row, and the clean-ups are idempotent deletes.
Nothing is kept in memory, so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import logging

from fluxkit.db import session_scope
from fluxkit.services import notifications, preferences, sessions, tasks

log = logging.getLogger("fluxkit.jobs")

INTERVAL_SECONDS = 60
FIRST_RUN_AFTER_SECONDS = 5


def run_once() -> dict[str, int]:
    with session_scope() as db:
        reminders = notifications.send_due_reminders(db)
    with session_scope() as db:
        digests = preferences.send_digests(db)
    with session_scope() as db:
        purged = tasks.purge_deleted(db)
        expired = sessions.purge_expired(db)
    return {"reminders": reminders, "digests": digests, "purged_tasks": purged, "expired_sessions": expired}


async def scheduler() -> None:
    """Lifespan task of the Reflex app."""
    await asyncio.sleep(FIRST_RUN_AFTER_SECONDS)
    while True:
        try:
            done = await asyncio.to_thread(run_once)
            if any(done.values()):
                log.info("scheduled jobs: %s", done)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduled jobs failed")
        await asyncio.sleep(INTERVAL_SECONDS)
