"""Tasks: the read path. One page of a user's view (filters, sort, page), every row of a
view for export, and the stat cards.

A page is read in index order however many tasks the user has (see `_page_rows`), and the
counts come from task_tally (kept by database triggers), so reading a page costs the same
at 10 tasks as at 10,000. Callers use it through the package:
`tasks.list_tasks`, `tasks.all_matching`, `tasks.stats`.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, case, func, literal_column, or_, text, union_all
from sqlmodel import Session, col, select

from fluxkit.clock import Clock, system_clock
from fluxkit.models import Task, TaskTally
from fluxkit.models.task_search import MIN_SEARCH_CHARS, SEARCH_TABLE
from fluxkit.services.paging import Page, page_count
from fluxkit.services.tasks.rules import (
    PRIORITIES,
    STATUSES,
    TaskQuery,
    TaskRow,
    TaskStats,
    names_of_people,
)
from fluxkit.services.user_time import today_for


def _mine_or_assigned(user_id: int):
    """Tasks the user owns, or that a member of their organization assigned to them."""
    return or_(Task.user_id == user_id, Task.assignee_id == user_id)


def _matching(search: str, dialect: str):
    """Tasks whose title or description contains `search`, ignoring case.

    On SQLite a word of three or more characters is looked up in the trigram index
    (models/task_search.py) instead of reading every task; PostgreSQL's trigram indexes
    serve the ILIKE itself.
    """
    if dialect == "sqlite" and len(search) >= MIN_SEARCH_CHARS:
        phrase = '"' + search.replace('"', '""') + '"'
        found = text(f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :phrase").bindparams(phrase=phrase)
        return col(Task.id).in_(found)
    pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(col(Task.title).ilike(pattern, escape="\\"), col(Task.description).ilike(pattern, escape="\\"))


def _filtered(db: Session, user_id: int, query: TaskQuery, today: date, seen_as=None):
    """The view's tasks; `seen_as` narrows it to owned or assigned ones (see _page_rows)."""
    visible = _mine_or_assigned(user_id) if seen_as is None else seen_as
    statement = select(Task).where(visible, col(Task.deleted_at).is_(None))
    search = query.search.replace("\x00", "")  # PostgreSQL cannot take a NUL in a parameter
    if search:
        statement = statement.where(_matching(search, db.get_bind().dialect.name))
    if query.status:
        statement = statement.where(Task.status == query.status)
    if query.priority:
        statement = statement.where(Task.priority == query.priority)
    if query.category:
        statement = statement.where(Task.category == query.category)
    if query.due:
        open_ = col(Task.status).in_(("pending", "in progress"))
        if query.due == "overdue":
            statement = statement.where(open_, col(Task.due_date) < today)
        elif query.due == "today":
            statement = statement.where(Task.due_date == today)
        else:
            week_end = today + timedelta(days=6 - today.weekday())
            statement = statement.where(col(Task.due_date) >= today, col(Task.due_date) <= week_end)
    return statement


def _rank(column, order: tuple[str, ...]):
    """`column`'s place in `order`, written with literals exactly as the sort indexes hold it
    (models/task_search.py `rank_sql`): with parameters no index could serve the sort."""
    return case(*[(column == literal_column(f"'{value}'"), literal_column(str(i))) for i, value in enumerate(order)])


def _order(query: TaskQuery, task=Task):
    """ORDER BY for the view, on `task`: the table, or the columns of a subquery of its rows.

    Each sort is one direction throughout (the tie-break on the id included), so the owner's
    sort index (models/tasks.py, models/task_search.py) is read in order, forwards or back."""
    # Only the sort in use is built: building a CASE costs more than running the query.
    if query.sort == "due":
        # Undated tasks go last either way.
        if query.descending:
            return [task.due_date.is_not(None).desc(), task.due_date.desc(), task.id.desc()]
        return [task.due_date.is_(None).asc(), task.due_date.asc(), task.id.asc()]
    column = {
        "created": lambda: task.created_at,
        "updated": lambda: task.updated_at,
        "title": lambda: func.lower(task.title),
        "status": lambda: _rank(task.status, STATUSES),
        "priority": lambda: _rank(task.priority, PRIORITIES),
    }[query.sort]()
    if query.descending:
        return [column.desc(), task.id.desc()]
    return [column.asc(), task.id.asc()]


def _owned_and_assigned(db: Session, user_id: int, query: TaskQuery, today: date):
    """The view split in two, each served by its own indexes: the user's own tasks, and the
    tasks others assigned to them. "Owned OR assigned" as one condition reads every task."""
    owned = _filtered(db, user_id, query, today, seen_as=Task.user_id == user_id)
    assigned = _filtered(db, user_id, query, today, seen_as=and_(Task.assignee_id == user_id, Task.user_id != user_id))
    return owned, assigned


def _count(db: Session, user_id: int, query: TaskQuery, today: date) -> int:
    """How many tasks the filtered view holds: two counts, each a range of an index."""
    owned, assigned = _owned_and_assigned(db, user_id, query, today)
    counts = [
        select(func.count()).select_from(part.with_only_columns(Task.id).subquery()) for part in (owned, assigned)
    ]
    return db.exec(select(counts[0].scalar_subquery() + counts[1].scalar_subquery())).one()


def _page_rows(db: Session, user_id: int, query: TaskQuery, today: date, page: int) -> list[Task]:
    """One page of the view, reading about a page of rows however many tasks the user has.

    "Owned OR assigned" cannot walk one index in the view's order, so the database would
    sort every task of the user for each page. Instead the first `page` pages of owned
    tasks (walked in order on the owner's index) and of tasks assigned to the user are
    taken separately, merged, and the page cut from the merge.
    """
    first = (page - 1) * query.page_size
    enough = first + query.page_size
    owned, assigned = _owned_and_assigned(db, user_id, query, today)
    sort_columns = (Task.id, Task.created_at, Task.updated_at, Task.due_date, Task.title, Task.status, Task.priority)
    branches = [
        select(part.with_only_columns(*sort_columns).order_by(*_order(query)).limit(enough).subquery())
        for part in (owned, assigned)
    ]
    merged = union_all(*branches).subquery().c
    ids = db.exec(select(merged.id).order_by(*_order(query, merged)).offset(first).limit(query.page_size)).all()
    found = {t.id: t for t in db.exec(select(Task).where(col(Task.id).in_(ids))).all()}
    return [found[i] for i in ids]


def _unfiltered_but_status(query: TaskQuery) -> bool:
    return not (query.search or query.priority or query.category or query.due)


def list_tasks(
    db: Session, user_id: int, query: TaskQuery, clock: Clock = system_clock, counts: TaskStats | None = None
) -> Page[TaskRow]:
    """One page of the view; `counts`: the user's `stats` when the caller has just read them."""
    today = today_for(db, user_id, clock)
    if _unfiltered_but_status(query):
        counts = counts or stats(db, user_id)
        total = counts.of(query.status) if query.status else counts.total
    else:
        total = _count(db, user_id, query, today)
    pages = page_count(total, query.page_size)
    page = min(query.page, pages)
    rows = _page_rows(db, user_id, query, today, page)
    names = names_of_people(db, rows)
    return Page(
        rows=[TaskRow.of(t, today, user_id, names) for t in rows], total=total, page=page, page_size=query.page_size
    )


def all_matching(
    db: Session, user_id: int, query: TaskQuery, clock: Clock = system_clock, limit: int = 50_000
) -> list[TaskRow]:
    """Every task of the current view (all pages), for export."""
    today = today_for(db, user_id, clock)
    rows = db.exec(_filtered(db, user_id, query, today).order_by(*_order(query)).limit(limit)).all()
    names = names_of_people(db, list(rows))
    return [TaskRow.of(t, today, user_id, names) for t in rows]


def stats(db: Session, user_id: int) -> TaskStats:
    """The user's task counts per status: one lookup, kept current by the database (TaskTally)."""
    counts = dict(db.exec(select(TaskTally.status, TaskTally.count).where(TaskTally.user_id == user_id)).all())
    return TaskStats(
        total=sum(counts.values()),
        pending=counts.get("pending", 0),
        in_progress=counts.get("in progress", 0),
        completed=counts.get("completed", 0),
        cancelled=counts.get("cancelled", 0),
    )
