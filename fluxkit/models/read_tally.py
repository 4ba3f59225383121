"""Counts that pages show after every change, kept by the database itself (like task_tally).

The notifications page and the bell show how many notifications a user has and how many are
unread; the mailbox shows each folder's total and unread count on every listing. Counting the
rows each time reads every one of them: at 100,000 notifications or mail copies a page took
×15–×34 the time it took at 10. So the counts live in `notification_tally` and `mail_tally`,
moved by triggers on every insert, delete and change of the columns that decide them
(triggers, not Python: foreign-key cascades and bulk SQL change these rows too).

Migration 0018 creates the tables, fills them from the rows already there and installs the
triggers; tests build the schema with `create_all`, which installs them through the
`after_create` hooks below. Changing a trigger needs a new migration.
"""

from __future__ import annotations

from sqlalchemy import DDL, event
from sqlmodel import Field, SQLModel

from fluxkit.models.mail import MailCopy
from fluxkit.models.notifications import Notification

# A deleted once-only notification stays as a hidden tombstone (services/notifications.py).
_HIDDEN_TYPE = "deleted"


class NotificationTally(SQLModel, table=True):
    __tablename__ = "notification_tally"

    # No foreign key: the cascade that deletes an account's notifications runs the triggers,
    # which must still write the (zero) counts of the account being deleted.
    user_id: int = Field(primary_key=True)
    total: int = 0  # visible (not deleted) notifications
    unread: int = 0


class MailTally(SQLModel, table=True):
    __tablename__ = "mail_tally"

    user_id: int = Field(primary_key=True)
    folder: str = Field(primary_key=True, max_length=10)
    total: int = 0
    unread: int = 0


def _notification(row: str, step: int) -> str:
    return (
        "INSERT INTO notification_tally (user_id, total, unread) "
        f"SELECT {row}.user_id, {step}, CASE WHEN {row}.read_at IS NULL THEN {step} ELSE 0 END "
        f"WHERE {row}.type <> '{_HIDDEN_TYPE}' "
        "ON CONFLICT (user_id) DO UPDATE SET total = notification_tally.total + excluded.total, "
        "unread = notification_tally.unread + excluded.unread;"
    )


def _mail(row: str, step: int) -> str:
    return (
        "INSERT INTO mail_tally (user_id, folder, total, unread) "
        f"SELECT {row}.user_id, {row}.folder, {step}, CASE WHEN {row}.read THEN 0 ELSE {step} END "
        "WHERE TRUE "
        "ON CONFLICT (user_id, folder) DO UPDATE SET total = mail_tally.total + excluded.total, "
        "unread = mail_tally.unread + excluded.unread;"
    )


_TALLIES = {
    # table: (tally SQL for a row, the columns that decide the counts)
    "notification": (_notification, "user_id, type, read_at"),
    "mail_copy": (_mail, "user_id, folder, read"),
}


def _sqlite(table: str) -> tuple[str, ...]:
    apply, watched = _TALLIES[table]
    return (
        f"CREATE TRIGGER {table}_tally_insert AFTER INSERT ON {table} BEGIN\n{apply('NEW', 1)}\nEND",
        f"CREATE TRIGGER {table}_tally_delete AFTER DELETE ON {table} BEGIN\n{apply('OLD', -1)}\nEND",
        f"CREATE TRIGGER {table}_tally_update AFTER UPDATE OF {watched} ON {table} BEGIN\n"
        f"{apply('OLD', -1)}\n{apply('NEW', 1)}\nEND",
    )


def _postgresql(table: str) -> tuple[str, ...]:
    apply, watched = _TALLIES[table]
    return (
        f"CREATE OR REPLACE FUNCTION {table}_tally_apply() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN\n{apply('OLD', -1)}\nEND IF;\n"
        f"IF TG_OP IN ('UPDATE', 'INSERT') THEN\n{apply('NEW', 1)}\nEND IF;\n"
        "RETURN NULL;\n"
        "END $$",
        f"CREATE TRIGGER {table}_tally AFTER INSERT OR DELETE OR UPDATE OF {watched} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_tally_apply()",
    )


TRIGGERS = {
    table: {"sqlite": _sqlite(table), "postgresql": _postgresql(table)} for table in ("notification", "mail_copy")
}
DROP = {
    table: {
        "sqlite": tuple(f"DROP TRIGGER IF EXISTS {table}_tally_{op}" for op in ("insert", "delete", "update")),
        "postgresql": (
            f"DROP TRIGGER IF EXISTS {table}_tally ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_tally_apply()",
        ),
    }
    for table in ("notification", "mail_copy")
}

# The counts as the triggers would have kept them, from the rows as they are now.
RECOUNT = (
    "INSERT INTO notification_tally (user_id, total, unread) "
    "SELECT user_id, COUNT(*), SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END) FROM notification "
    f"WHERE type <> '{_HIDDEN_TYPE}' GROUP BY user_id",
    "INSERT INTO mail_tally (user_id, folder, total, unread) "
    "SELECT user_id, folder, COUNT(*), SUM(CASE WHEN read THEN 0 ELSE 1 END) FROM mail_copy GROUP BY user_id, folder",
)

for _table, _model in (("notification", Notification), ("mail_copy", MailCopy)):
    for _dialect, _statements in TRIGGERS[_table].items():
        for _statement in _statements:
            event.listen(_model.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
