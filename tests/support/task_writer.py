"""A writer process for the durability test: `python -m tests.support.task_writer USER_ID LABEL`.

Creates tasks and completes every other one, each in its own transaction through the same
services as the app, and acknowledges each commit on stdout ("created 12", "completed 12")
only after it returned. The test kills it with SIGKILL at an arbitrary moment.
"""

from __future__ import annotations

import sys

from fluxkit.db import session_scope
from fluxkit.services import tasks


def main(user_id: int, label: str) -> None:
    n = 0
    while True:
        n += 1
        with session_scope() as db:
            row = tasks.create_task(db, user_id, {"title": f"{label} {n}", "description": "x" * (n % 500)})
        print(f"created {row.id}", flush=True)
        if n % 2 == 0:
            with session_scope() as db:
                tasks.change_status(db, user_id, row.id, "completed")
            print(f"completed {row.id}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
