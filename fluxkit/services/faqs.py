"""FAQs: everyone signed in reads and searches them; only admins change them.

The FAQs are global (not anybody's own rows), so reading needs no owner filter, and every
change first checks in the database that the acting user is an admin who is not suspended.
Anyone else gets `AdminRequired`, a `NotFound`: the API answers 404 as for a route or id that
does not exist. Each category keeps its own order (`position`, 1 for the first); every
change renumbers the category, so the order stays 1..n whatever happened before.
A change announces the "faqs" topic to every open tab (`live.touch_all`), after commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from fluxkit.clock import Clock, system_clock
from fluxkit.models import Faq, User
from fluxkit.services import live, query_params, topics
from fluxkit.services.errors import InvalidInput, NotFound

TOPIC = topics.FAQS
CATEGORIES = ("accounts", "security", "billing", "data", "tasks", "collaboration")
CATEGORY_LABELS = {
    "accounts": "Accounts",
    "security": "Security",
    "billing": "Billing",
    "data": "Data & privacy",
    "tasks": "Tasks",
    "collaboration": "Mail, chat & calendar",
}
QUESTION_MIN = 5
QUESTION_MAX = 300
ANSWER_MAX = 10_000
SEARCH_MAX = 100
LIST_MAX = 1_000  # a curated list; a page never holds more than this
NOT_FOUND = "That FAQ was not found. It may have been deleted."
ADMINS_ONLY = "Only admins can change the FAQs."
_NUL = "Remove the NUL character (\\0): it cannot be stored."


class AdminRequired(NotFound):
    """A non-admin tried to change the FAQs (404 in the API, like any hidden resource)."""


@dataclass(frozen=True)
class FaqRow:
    id: int
    category: str
    question: str
    answer: str
    position: int
    updated_at: str

    @classmethod
    def of(cls, faq: Faq) -> FaqRow:
        return cls(
            id=faq.id,
            category=faq.category,
            question=faq.question,
            answer=faq.answer,
            position=faq.position,
            updated_at=faq.updated_at.isoformat(),
        )


@dataclass(frozen=True)
class FaqGroup:
    category: str
    label: str
    rows: list[FaqRow]


def group(rows: list[FaqRow]) -> list[FaqGroup]:
    """Rows (already in category order) as one group per category that has any."""
    return [
        FaqGroup(category=c, label=CATEGORY_LABELS[c], rows=[r for r in rows if r.category == c])
        for c in CATEGORIES
        if any(r.category == c for r in rows)
    ]


# ---- who may change them ------------------------------------------------------------------------


def is_admin(db: Session, user_id: int) -> bool:
    user = db.get(User, user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) else None
    return user is not None and user.role == "admin" and user.suspended_at is None


def require_admin(db: Session, user_id: int) -> None:
    if not is_admin(db, user_id):
        raise AdminRequired(ADMINS_ONLY)


# ---- reading --------------------------------------------------------------------------------------


def _category_order():
    return case({c: i for i, c in enumerate(CATEGORIES)}, value=Faq.category, else_=len(CATEGORIES))


def search(db: Session, q: object = "") -> list[FaqRow]:
    """Every FAQ whose question or answer contains `q` (case-insensitive), in display order."""
    text = query_params.search_text(q, SEARCH_MAX)
    statement = select(Faq)
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(col(Faq.question).ilike(pattern, escape="\\"), col(Faq.answer).ilike(pattern, escape="\\"))
        )
    rows = db.exec(statement.order_by(_category_order(), col(Faq.position), col(Faq.id)).limit(LIST_MAX)).all()
    return [FaqRow.of(faq) for faq in rows]


def first(db: Session, limit: int = 4) -> list[FaqRow]:
    """The first `limit` FAQs in display order, each from a different category while there
    are categories left (the public landing page shows a few; reading them needs no account)."""
    limit = max(0, min(int(limit), LIST_MAX))
    rows = db.exec(select(Faq).order_by(_category_order(), col(Faq.position), col(Faq.id)).limit(LIST_MAX)).all()
    picked: list[Faq] = []
    seen: set[str] = set()
    for faq in rows:
        if len(picked) < limit and faq.category not in seen:
            picked.append(faq)
            seen.add(faq.category)
    for faq in rows:
        if len(picked) >= limit:
            break
        if faq not in picked:
            picked.append(faq)
    return [FaqRow.of(faq) for faq in picked]


def count(db: Session) -> int:
    return db.exec(select(func.count()).select_from(Faq)).one()


def _existing(db: Session, faq_id: object) -> Faq:
    if not isinstance(faq_id, int) or isinstance(faq_id, bool):
        raise NotFound(NOT_FOUND)
    faq = db.get(Faq, faq_id)
    if faq is None:
        raise NotFound(NOT_FOUND)
    return faq


def get_faq(db: Session, faq_id: object) -> FaqRow:
    return FaqRow.of(_existing(db, faq_id))


# ---- field rules ------------------------------------------------------------------------------------


def _text(
    data: dict[str, object], key: str, low: int, high: int, too_short: str, problems: dict[str, str]
) -> str | None:
    value = data.get(key)
    value = value.strip() if isinstance(value, str) else ""
    if len(value) < low:
        problems[key] = too_short
    elif len(value) > high:
        problems[key] = f"Use at most {high:,} characters."
    elif "\x00" in value:
        problems[key] = _NUL
    else:
        return value
    return None


def clean_fields(data: dict[str, object], *, partial: bool) -> dict[str, object]:
    """Validated question / answer / category, or InvalidInput naming each bad field."""
    clean: dict[str, object] = {}
    problems: dict[str, str] = {}
    rules = (
        ("question", QUESTION_MIN, QUESTION_MAX, f"Write a question of at least {QUESTION_MIN} characters."),
        ("answer", 1, ANSWER_MAX, "Write an answer."),
    )
    for key, low, high, too_short in rules:
        if key in data or not partial:
            value = _text(data, key, low, high, too_short, problems)
            if value is not None:
                clean[key] = value
    if "category" in data or not partial:
        category = data.get("category")
        if category not in CATEGORIES:
            problems["category"] = f"Choose one of: {', '.join(CATEGORIES)}."
        else:
            clean["category"] = category
    if problems:
        raise InvalidInput(next(iter(problems.values())), fields=problems)
    return clean


def _position(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        message = "Use a whole number of at least 1."
        raise InvalidInput(message, fields={"position": message})
    return value


# ---- order ---------------------------------------------------------------------------------------------


def _siblings(db: Session, category: str, exclude: int | None = None) -> list[Faq]:
    statement = select(Faq).where(Faq.category == category)
    if exclude is not None:
        statement = statement.where(Faq.id != exclude)
    return list(db.exec(statement.order_by(col(Faq.position), col(Faq.id))).all())


def _place(db: Session, faq: Faq, position: int | None) -> None:
    """Put `faq` at `position` (1-based, clamped; None: last) of its category; renumber it."""
    others = _siblings(db, faq.category, exclude=faq.id)
    index = len(others) if position is None else min(max(position, 1), len(others) + 1) - 1
    others.insert(index, faq)
    for number, row in enumerate(others, start=1):
        if row.position != number:
            row.position = number
            db.add(row)


def _renumber(db: Session, category: str) -> None:
    for number, row in enumerate(_siblings(db, category), start=1):
        if row.position != number:
            row.position = number
            db.add(row)


# ---- changes (admins only) -----------------------------------------------------------------------------


def create_faq(db: Session, user_id: int, data: dict[str, object], clock: Clock = system_clock) -> FaqRow:
    """A new FAQ, last in its category (or at `position`)."""
    require_admin(db, user_id)
    fields = clean_fields(data, partial=False)
    position = _position(data["position"]) if data.get("position") is not None else None
    now = clock.now()
    faq = Faq(**fields, position=0, created_at=now, updated_at=now)
    db.add(faq)
    db.flush()
    _place(db, faq, position)
    db.flush()
    live.touch_all(db, TOPIC)
    return FaqRow.of(faq)


def update_faq(
    db: Session, user_id: int, faq_id: object, data: dict[str, object], clock: Clock = system_clock
) -> FaqRow:
    """Change the fields sent. A new category puts it last there (or at `position`)."""
    require_admin(db, user_id)
    faq = _existing(db, faq_id)
    fields = clean_fields(data, partial=True)
    position = _position(data["position"]) if data.get("position") is not None else None
    old_category = faq.category
    changed = any(getattr(faq, key) != value for key, value in fields.items())
    for key, value in fields.items():
        setattr(faq, key, value)
    if faq.category != old_category or position is not None:
        before = faq.position
        _place(db, faq, position)
        changed = changed or faq.category != old_category or faq.position != before
        if faq.category != old_category:
            db.flush()
            _renumber(db, old_category)
    if changed:
        faq.updated_at = clock.now()
        db.add(faq)
        db.flush()
        live.touch_all(db, TOPIC)
    return FaqRow.of(faq)


def move_faq(db: Session, user_id: int, faq_id: object, offset: object, clock: Clock = system_clock) -> FaqRow:
    """One place up (-1) or down (+1) within its category; at either end nothing moves."""
    require_admin(db, user_id)
    if offset not in (-1, 1) or isinstance(offset, bool):
        raise InvalidInput("Move one place up (-1) or down (1).", fields={"offset": "Use -1 or 1."})
    faq = _existing(db, faq_id)
    siblings = _siblings(db, faq.category)
    index = next(i for i, row in enumerate(siblings) if row.id == faq.id)
    if not 0 <= index + offset < len(siblings):
        return FaqRow.of(faq)
    return update_faq(db, user_id, faq.id, {"position": index + 1 + offset}, clock)


def delete_faq(db: Session, user_id: int, faq_id: object) -> None:
    require_admin(db, user_id)
    faq = _existing(db, faq_id)
    category = faq.category
    db.delete(faq)
    db.flush()
    _renumber(db, category)
    live.touch_all(db, TOPIC)
