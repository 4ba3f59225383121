"""How many tasks each user sees, per status, kept by the database itself.

The tasks page and the dashboard show these counts after every change. Counting the rows
each time costs more the more tasks a user has (a user with 10,000 tasks paid ×2 per event
for it), so the counts are kept in `task_tally` by triggers on `task`. Triggers, not Python,
because every way a task row changes must move the counts: the ORM, bulk SQL (an
organization member leaving unassigns their tasks), and foreign-key cascades (a deleted
account deletes its tasks and unassigns others'). Deleted-account rows simply drop to zero.

A user "sees" a task they own or one assigned to them (not by themselves), unless it is
deleted (`deleted_at` set, waiting for Undo). Migration 0012 creates the table, fills it
from the existing tasks and installs these triggers; tests build the schema with
`create_all`, which installs them through the `after_create` hook below. Changing a trigger
needs a new migration.
"""

from __future__ import annotations

from sqlalchemy import DDL, event
from sqlmodel import Field, SQLModel

from fluxkit.models.tasks import Task


class TaskTally(SQLModel, table=True):
    __tablename__ = "task_tally"

    # No foreign key: the cascade that deletes an account's tasks also runs these triggers,
    # which must still be able to write the (zero) counts of the account being deleted.
    user_id: int = Field(primary_key=True)
    status: str = Field(primary_key=True, max_length=20)
    count: int = 0


def _apply(row: str, step: int) -> str:
    """SQL adding `step` to the counts of everyone who sees task `row` (NEW or OLD)."""
    upsert = (
        "INSERT INTO task_tally (user_id, status, count) SELECT {who}, {row}.status, {step} "
        "WHERE {row}.deleted_at IS NULL{extra} "
        "ON CONFLICT (user_id, status) DO UPDATE SET count = task_tally.count + excluded.count;"
    )
    owner = upsert.format(who=f"{row}.user_id", row=row, step=step, extra="")
    assignee = upsert.format(
        who=f"{row}.assignee_id",
        row=row,
        step=step,
        extra=f" AND {row}.assignee_id IS NOT NULL AND {row}.assignee_id <> {row}.user_id",
    )
    return f"{owner}\n{assignee}"


# Only these columns decide who sees a task and under which status.
_WATCHED = "status, deleted_at, user_id, assignee_id"

SQLITE_TRIGGERS = (
    f"CREATE TRIGGER task_tally_insert AFTER INSERT ON task BEGIN\n{_apply('NEW', 1)}\nEND",
    f"CREATE TRIGGER task_tally_delete AFTER DELETE ON task BEGIN\n{_apply('OLD', -1)}\nEND",
    f"CREATE TRIGGER task_tally_update AFTER UPDATE OF {_WATCHED} ON task BEGIN\n"
    f"{_apply('OLD', -1)}\n{_apply('NEW', 1)}\nEND",
)

POSTGRESQL_TRIGGERS = (
    "CREATE OR REPLACE FUNCTION task_tally_apply() RETURNS trigger LANGUAGE plpgsql AS $$\n"
    "BEGIN\n"
    f"IF TG_OP IN ('UPDATE', 'DELETE') THEN\n{_apply('OLD', -1)}\nEND IF;\n"
    f"IF TG_OP IN ('UPDATE', 'INSERT') THEN\n{_apply('NEW', 1)}\nEND IF;\n"
    "RETURN NULL;\n"
    "END $$",
    f"CREATE TRIGGER task_tally AFTER INSERT OR DELETE OR UPDATE OF {_WATCHED} ON task "
    "FOR EACH ROW EXECUTE FUNCTION task_tally_apply()",
)

TRIGGERS = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS}

# The counts as the triggers would have kept them, from the tasks as they are now.
RECOUNT = """
INSERT INTO task_tally (user_id, status, count)
SELECT viewer, status, COUNT(*) FROM (
    SELECT user_id AS viewer, status FROM task WHERE deleted_at IS NULL
    UNION ALL
    SELECT assignee_id AS viewer, status FROM task
    WHERE deleted_at IS NULL AND assignee_id IS NOT NULL AND assignee_id <> user_id
) AS seen
GROUP BY viewer, status
"""

for _dialect, _statements in TRIGGERS.items():
    for _statement in _statements:
        event.listen(Task.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
