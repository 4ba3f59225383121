"""FAQs: the defaults a fresh install shows, search, the admin-only rules, order, live announcements."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from alembic import command
from fluxkit.models import Faq, User
from fluxkit.services import faqs, live
from fluxkit.services.errors import InvalidInput, NotFound
from fluxkit.services.faq_seed import default_rows
from tests.support.factories import make_user
from tests.support.live_relay import Relay, wait_until
from tests.support.migrations import alembic_config


@pytest.fixture
def admin(db) -> int:
    return make_user(db, "root@example.com", "Root", admin=True).id


@pytest.fixture
def user(db) -> int:
    return make_user(db, "ada@example.com", "Ada").id


@pytest.fixture
def seeded(db):
    """The default FAQs, as migration 0007 inserts them."""
    now = datetime.now(UTC)
    for row in default_rows():
        db.add(Faq(**row, created_at=now, updated_at=now))
    db.commit()


def faq(db, admin_id: int, question: str, category: str = "tasks", answer: str = "An answer.") -> faqs.FaqRow:
    row = faqs.create_faq(db, admin_id, {"question": question, "answer": answer, "category": category})
    db.commit()
    return row


def questions(db, category: str) -> list[str]:
    return [r.question for r in faqs.search(db) if r.category == category]


def snapshot(db) -> list[tuple]:
    db.expire_all()
    return [(f.id, f.category, f.question, f.answer, f.position) for f in db.exec(select(Faq).order_by(Faq.id)).all()]


# ---- a fresh install ------------------------------------------------------------------------------


def test_a_freshly_migrated_database_has_real_faqs_in_every_category(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        with engine.connect() as connection:
            command.upgrade(alembic_config(connection), "head")
            connection.commit()
        with Session(engine) as db:
            rows = faqs.search(db)
    finally:
        engine.dispose()
    by_category = {c: [r for r in rows if r.category == c] for c in faqs.CATEGORIES}
    assert all(len(found) >= 4 for found in by_category.values()), {c: len(v) for c, v in by_category.items()}
    assert [r.position for r in by_category["billing"]] == list(range(1, len(by_category["billing"]) + 1))
    # Real answers about this product, not filler.
    answers = " ".join(r.answer for r in rows)
    for fact in ("argon2id", "10 minutes", "Ctrl+K", "fluxkit backup", "$19 a month", "`.ics`"):
        assert fact in answers
    for row in rows:
        assert faqs.QUESTION_MIN <= len(row.question) <= faqs.QUESTION_MAX
        assert 0 < len(row.answer) <= faqs.ANSWER_MAX


def test_the_defaults_pass_the_same_rules_as_an_admin_edit():
    for row in default_rows():
        assert faqs.clean_fields(row, partial=False)["question"] == row["question"]


# ---- reading and searching ------------------------------------------------------------------------


def test_search_matches_question_or_answer_case_insensitively_in_display_order(db, seeded):
    everything = faqs.search(db)
    assert [g.category for g in faqs.group(everything)] == list(faqs.CATEGORIES)
    assert faqs.group(everything)[4].label == "Tasks"

    by_question = faqs.search(db, "FORGOT MY PASSWORD")
    assert [r.question for r in by_question] == ["I forgot my password. How do I get back in?"]
    by_answer = faqs.search(db, "argon2id")
    assert [r.question for r in by_answer] == ["How is my password stored?"]
    assert faqs.search(db, "  ") == everything
    assert faqs.search(db, "no such words anywhere") == []


def test_search_treats_wildcards_and_nul_as_plain_text(db, admin):
    faq(db, admin, "What does 100% mean here?", answer="All of it.")
    faq(db, admin, "Why does a_b look odd?", answer="Underscores.")
    assert [r.question for r in faqs.search(db, "100%")] == ["What does 100% mean here?"]
    assert [r.question for r in faqs.search(db, "a_b")] == ["Why does a_b look odd?"]
    assert faqs.search(db, "%") != [] and len(faqs.search(db, "_")) == 1
    assert [r.question for r in faqs.search(db, "100\x00%")] == ["What does 100% mean here?"]
    assert faqs.search(db, 42) == faqs.search(db)


# ---- admins only --------------------------------------------------------------------------------------


def test_an_admin_creates_edits_and_deletes(db, admin):
    row = faq(db, admin, "  How do I reset things?  ", "data", "  Like **this**.  ")
    assert (row.question, row.answer, row.category, row.position) == (
        "How do I reset things?",
        "Like **this**.",
        "data",
        1,
    )
    changed = faqs.update_faq(db, admin, row.id, {"answer": "Differently."})
    db.commit()
    assert changed.answer == "Differently." and changed.question == "How do I reset things?"
    faqs.delete_faq(db, admin, row.id)
    db.commit()
    assert faqs.search(db) == []
    with pytest.raises(NotFound):
        faqs.get_faq(db, row.id)


def test_non_admins_are_refused_every_change_and_nothing_changes(db, admin, user):
    row = faq(db, admin, "Is this mine to change?")
    before = snapshot(db)
    for attempt in (
        lambda: faqs.create_faq(db, user, {"question": "Sneaky question?", "answer": "x", "category": "tasks"}),
        lambda: faqs.update_faq(db, user, row.id, {"answer": "Defaced."}),
        lambda: faqs.move_faq(db, user, row.id, 1),
        lambda: faqs.delete_faq(db, user, row.id),
        lambda: faqs.delete_faq(db, user, 999_999),  # refused before looking: no probing for ids
    ):
        with pytest.raises(faqs.AdminRequired) as refused:
            attempt()
        assert refused.value.message == faqs.ADMINS_ONLY
        db.rollback()
    assert snapshot(db) == before
    assert not faqs.is_admin(db, user) and faqs.is_admin(db, admin)


def test_a_suspended_or_demoted_admin_is_refused(db, admin):
    row = faq(db, admin, "Still allowed to edit?")
    account = db.get(User, admin)
    account.suspended_at = datetime.now(UTC)
    db.add(account)
    db.commit()
    with pytest.raises(faqs.AdminRequired):
        faqs.update_faq(db, admin, row.id, {"answer": "No."})
    db.rollback()
    account.suspended_at, account.role = None, "user"
    db.add(account)
    db.commit()
    with pytest.raises(faqs.AdminRequired):
        faqs.delete_faq(db, admin, row.id)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"question": "Why", "answer": "x", "category": "tasks"}, "question"),
        ({"question": "Why?" + "x" * 300, "answer": "x", "category": "tasks"}, "question"),
        ({"question": "Why is it so?", "answer": "   ", "category": "tasks"}, "answer"),
        ({"question": "Why is it so?", "answer": "x" * 10_001, "category": "tasks"}, "answer"),
        ({"question": "Why is it so?", "answer": "nul \x00", "category": "tasks"}, "answer"),
        ({"question": "Why is it so?", "answer": "x", "category": "gardening"}, "category"),
        ({"question": "Why is it so?", "answer": "x"}, "category"),
        ({"question": "Why is it so?", "answer": "x", "category": "tasks", "position": 0}, "position"),
    ],
)
def test_invalid_fields_are_named_and_nothing_is_saved(db, admin, data, field):
    with pytest.raises(InvalidInput) as refused:
        faqs.create_faq(db, admin, data)
    assert field in refused.value.fields
    db.rollback()
    assert faqs.search(db) == []


def test_limits_are_inclusive(db, admin):
    row = faq(db, admin, "x" * 5, answer="y" * 10_000)
    assert len(row.question) == 5
    assert faqs.update_faq(db, admin, row.id, {"question": "q" * 300}).question == "q" * 300


def test_unknown_ids_are_not_found(db, admin):
    for bad in (999_999, "1", None, True):
        with pytest.raises(NotFound) as refused:
            faqs.update_faq(db, admin, bad, {"answer": "x"})
        assert not isinstance(refused.value, faqs.AdminRequired)


# ---- order ----------------------------------------------------------------------------------------------


def test_reorder_up_and_down_is_stored_and_stops_at_the_ends(db, admin):
    a, b, c = (faq(db, admin, f"Question {n}?") for n in "ABC")
    assert questions(db, "tasks") == ["Question A?", "Question B?", "Question C?"]
    faqs.move_faq(db, admin, c.id, -1)
    db.commit()
    assert questions(db, "tasks") == ["Question A?", "Question C?", "Question B?"]
    faqs.move_faq(db, admin, a.id, 1)
    db.commit()
    assert questions(db, "tasks") == ["Question C?", "Question A?", "Question B?"]
    assert faqs.move_faq(db, admin, c.id, -1).position == 1  # already first
    assert faqs.move_faq(db, admin, b.id, 1).position == 3  # already last
    assert sorted(r.position for r in faqs.search(db)) == [1, 2, 3]
    with pytest.raises(InvalidInput):
        faqs.move_faq(db, admin, a.id, 2)


def test_position_and_category_changes_renumber_both_categories(db, admin):
    a, b, c = (faq(db, admin, f"Question {n}?") for n in "ABC")
    other = faq(db, admin, "Billing question?", "billing")
    faqs.update_faq(db, admin, c.id, {"position": 1})
    db.commit()
    assert questions(db, "tasks") == ["Question C?", "Question A?", "Question B?"]
    faqs.update_faq(db, admin, a.id, {"category": "billing"})  # moves last in billing
    db.commit()
    assert questions(db, "billing") == ["Billing question?", "Question A?"]
    assert [r.position for r in faqs.search(db) if r.category == "tasks"] == [1, 2]
    faqs.update_faq(db, admin, b.id, {"category": "billing", "position": 1})
    db.commit()
    assert questions(db, "billing") == ["Question B?", "Billing question?", "Question A?"]
    faqs.update_faq(db, admin, other.id, {"position": 99})  # clamped to the end
    db.commit()
    assert questions(db, "billing") == ["Question B?", "Question A?", "Billing question?"]
    faqs.delete_faq(db, admin, b.id)
    db.commit()
    assert [r.position for r in faqs.search(db) if r.category == "billing"] == [1, 2]


def test_every_change_announces_faqs_to_everyone_after_commit(db, admin):
    heard: list[tuple[int, frozenset[str]]] = []
    stop = live.subscribe(lambda user_id, topics: heard.append((user_id, topics)))
    try:
        row = faqs.create_faq(db, admin, {"question": "Live question?", "answer": "x", "category": "tasks"})
        assert heard == []  # nothing before commit
        db.commit()
        faqs.update_faq(db, admin, row.id, {"answer": "y"})
        db.commit()
        faqs.update_faq(db, admin, row.id, {"answer": "y"})  # no change: no announcement
        db.commit()
        faqs.delete_faq(db, admin, row.id)
        db.commit()
    finally:
        stop()
    assert heard == [(live.EVERYONE, frozenset({"faqs"}))] * 3


async def test_with_redis_a_change_reaches_every_worker_as_everyones(db, admin, redis_env, heard):
    """Several workers: the broadcast goes through Redis like any announcement."""

    async with Relay(redis_env):
        heard.clear()
        faq(db, admin, "Heard on every worker?")
        await wait_until(lambda: heard)
        assert heard == [(live.EVERYONE, frozenset({"faqs"}))]


def test_first_takes_one_per_category_in_display_order_then_fills_up(db, seeded):
    picked = faqs.first(db, 4)
    assert [row.category for row in picked] == list(faqs.CATEGORIES[:4])
    assert all(row.position == 1 for row in picked)
    many = faqs.first(db, len(faqs.CATEGORIES) + 2)
    assert len(many) == len(faqs.CATEGORIES) + 2
    assert len({row.id for row in many}) == len(many)
    assert faqs.first(db, 0) == []
