"""/faqs through its state: everyone reads and searches; only admins change, and others change nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from fluxkit.models import Faq, User
from fluxkit.services import faqs
from fluxkit.services.faq_seed import default_rows
from fluxkit.state.faqs import FaqsState
from tests.support.states import FakeNamespace, call, make_root, redirect_targets, substate, texts, url_of


@pytest.fixture
def seeded(db):
    now = datetime.now(UTC)
    for row in default_rows():
        db.add(Faq(**row, created_at=now, updated_at=now))
    db.commit()


def _promote(db, user_id: int) -> None:
    """Make the user an admin and announce it to their tabs, as the users admin does."""
    from fluxkit.services import live

    user = db.get(User, user_id)
    user.role = "admin"
    db.add(user)
    live.touch(db, user_id, "account")
    db.commit()


def faqs_tab(token, path: str = "/faqs") -> FaqsState:
    return substate(make_root(token, path), FaqsState)


@pytest.fixture
def admin_tab(db, alice, seeded):
    user, token, _ = alice
    _promote(db, user.id)
    return faqs_tab(token)


@pytest.fixture
def user_tab(bob, seeded):
    _, token, _ = bob
    return faqs_tab(token)


def shown(state: FaqsState) -> list[str]:
    return [row.question for group in state.groups for row in group.rows]


def stored(db) -> list[tuple]:
    db.expire_all()
    return [(f.id, f.category, f.question, f.answer, f.position) for f in db.exec(select(Faq).order_by(Faq.id)).all()]


async def test_everyone_signed_in_reads_them_grouped_by_category(user_tab, db):
    await call(user_tab, "load")
    assert user_tab.loaded and not user_tab.is_admin
    assert [g.category for g in user_tab.groups] == list(faqs.CATEGORIES)
    assert user_tab.groups[0].label == "Accounts"
    assert user_tab.total == len(default_rows()) == len(shown(user_tab))
    assert all(len(g.rows) >= 4 for g in user_tab.groups)


async def test_search_filters_on_the_server_and_keeps_the_url(user_tab, bob):
    await call(user_tab, "load")
    out = await call(user_tab, "set_query", "ARGON2")
    assert shown(user_tab) == ["How is my password stored?"]
    assert [g.category for g in user_tab.groups] == ["security"]
    assert url_of(out) == "/faqs?q=ARGON2"
    # The answer text matches too, and a search nothing matches shows nothing.
    await call(user_tab, "set_query", "two months are free")
    assert shown(user_tab) == ["How does yearly billing work?"]
    await call(user_tab, "set_query", "zebra crossing")
    assert user_tab.groups == [] and user_tab.total == 0
    out = await call(user_tab, "clear_query")
    assert user_tab.total == len(default_rows()) and url_of(out) == "/faqs"
    # Opening a shared search link shows the same answers.
    _, token, _ = bob
    linked = faqs_tab(token, "/faqs?q=undo")
    await call(linked, "load")
    assert linked.query == "undo" and "I deleted a task by mistake. Can I get it back?" in shown(linked)


async def test_an_admin_adds_edits_reorders_and_deletes(admin_tab, db):
    await call(admin_tab, "load")
    assert admin_tab.is_admin
    await call(admin_tab, "open_new", "billing")
    assert admin_tab.editor_open and admin_tab.form_category == "billing"
    out = await call(
        admin_tab, "save", {"question": "Do you offer refunds?", "answer": "Within **14 days**.", "category": "billing"}
    )
    assert "FAQ added." in texts(out) and not admin_tab.editor_open
    billing = [g for g in admin_tab.groups if g.category == "billing"][0]
    new = billing.rows[-1]
    assert new.question == "Do you offer refunds?"

    await call(admin_tab, "open_edit", new.id)
    assert (admin_tab.editing_id, admin_tab.form_question) == (new.id, "Do you offer refunds?")
    await call(
        admin_tab,
        "save",
        {"question": "Do you offer refunds at all?", "answer": "Within 14 days.", "category": "billing"},
    )
    assert "Do you offer refunds at all?" in shown(admin_tab)

    await call(admin_tab, "move", new.id, -1)
    billing = [g for g in admin_tab.groups if g.category == "billing"][0]
    assert [r.question for r in billing.rows][-2:] == [
        "Do you offer refunds at all?",
        "What if a payment fails, and who handles my card?",
    ]

    await call(admin_tab, "ask_delete", new.id)
    assert admin_tab.confirm_id == new.id and admin_tab.confirm_question == "Do you offer refunds at all?"
    await call(admin_tab, "cancel_delete")
    assert admin_tab.confirm_id == 0 and db.get(Faq, new.id) is not None
    await call(admin_tab, "ask_delete", new.id)
    out = await call(admin_tab, "confirm_delete")
    assert "FAQ deleted." in texts(out)
    db.expire_all()
    assert db.get(Faq, new.id) is None and "Do you offer refunds at all?" not in shown(admin_tab)


async def test_bad_input_is_named_and_what_was_typed_stays(admin_tab, db):
    await call(admin_tab, "load")
    before = stored(db)
    await call(admin_tab, "open_new", "tasks")
    await call(
        admin_tab, "save", {"question": "Why", "answer": "A long answer I do not want to retype.", "category": "tasks"}
    )
    assert admin_tab.editor_open
    assert "question" in admin_tab.form_errors
    assert admin_tab.form_answer == "A long answer I do not want to retype."
    await call(admin_tab, "save", {"question": "Why though?", "answer": "x", "category": "cooking"})
    assert "category" in admin_tab.form_errors and admin_tab.form_category == "tasks"
    assert stored(db) == before


async def test_a_non_admin_gets_no_editor_and_changes_nothing(user_tab, db, seeded):
    await call(user_tab, "load")
    before = stored(db)
    target = user_tab.groups[0].rows[0].id
    for name, args in (
        ("open_new", ("tasks",)),
        ("open_edit", (target,)),
        ("move", (target, 1)),
        ("ask_delete", (target,)),
    ):
        out = await call(user_tab, name, *args)
        assert faqs.ADMINS_ONLY in texts(out), name
    assert not user_tab.editor_open and user_tab.confirm_id == 0
    # Even with the dialogs forced open from the browser, saving and deleting are refused.
    user_tab.editor_open, user_tab.editing_id, user_tab.confirm_id = True, target, target
    out = await call(user_tab, "save", {"question": "Defaced question?", "answer": "Defaced.", "category": "tasks"})
    assert faqs.ADMINS_ONLY in texts(out) and not user_tab.editor_open
    user_tab.confirm_id = target
    out = await call(user_tab, "confirm_delete")
    assert faqs.ADMINS_ONLY in texts(out)
    user_tab.editing_id = 0
    out = await call(user_tab, "save", {"question": "Brand new question?", "answer": "Mine.", "category": "tasks"})
    assert faqs.ADMINS_ONLY in texts(out)
    assert stored(db) == before
    assert not user_tab.is_admin


async def test_an_admin_demoted_meanwhile_is_refused(admin_tab, db, alice):
    await call(admin_tab, "load")
    target = admin_tab.groups[0].rows[0].id
    await call(admin_tab, "open_edit", target)
    user = db.get(User, alice[0].id)
    user.role = "user"
    db.add(user)
    db.commit()
    before = stored(db)
    out = await call(admin_tab, "save", {"question": "Changed by an ex-admin?", "answer": "x", "category": "tasks"})
    assert faqs.ADMINS_ONLY in texts(out)
    assert stored(db) == before and not admin_tab.is_admin and not admin_tab.editor_open


async def test_a_deleted_faq_says_so(admin_tab, db):
    await call(admin_tab, "load")
    target = admin_tab.groups[0].rows[0].id
    faqs.delete_faq(db, admin_tab._current_identity().user.id, target)
    db.commit()
    out = await call(admin_tab, "open_edit", target)
    assert faqs.NOT_FOUND in texts(out) and not admin_tab.editor_open
    assert target not in [r.id for g in admin_tab.groups for r in g.rows]


async def test_refresh_reloads_only_a_loaded_tab(user_tab, admin_tab, db, alice):
    await call(user_tab, "refresh")
    assert not user_tab.loaded
    await call(user_tab, "load")
    faqs.create_faq(db, alice[0].id, {"question": "Fresh from another tab?", "answer": "Yes.", "category": "data"})
    db.commit()
    await call(user_tab, "refresh")
    assert "Fresh from another tab?" in shown(user_tab)


async def test_signed_out_tabs_are_sent_to_sign_in(seeded):
    tab = faqs_tab(None)
    assert redirect_targets(await call(tab, "load")) == ["/sign-in?redirect=/faqs"]
    assert tab.groups == []


async def test_an_admins_change_reaches_every_open_tab_of_every_user(db, alice, bob, seeded):
    """live.touch_all: one announcement, a live event for each tab of each user on this worker."""
    import asyncio
    from types import SimpleNamespace

    from fluxkit.state import live as live_tabs
    from fluxkit.state.shell import ShellState

    _promote(db, alice[0].id)
    bob_root = make_root(bob[1], "/faqs")
    bob_page = substate(bob_root, FaqsState)
    await call(bob_page, "load")
    tabs = [(alice[0].id, "alice-tab"), (bob[0].id, "bob-tab-1"), (bob[0].id, "bob-tab-2")]
    for user_id, token in tabs:
        live_tabs.register_tab(user_id, token)
    namespace = FakeNamespace([token for _, token in tabs])
    relay = asyncio.create_task(live_tabs.relay(SimpleNamespace(event_namespace=namespace), ShellState.live))
    await asyncio.sleep(0.05)
    try:
        faqs.create_faq(db, alice[0].id, {"question": "Did everyone see this?", "answer": "Yes.", "category": "data"})
        db.commit()
        for _ in range(50):
            if len(namespace.sent) == 3:
                break
            await asyncio.sleep(0.01)
    finally:
        relay.cancel()
        for user_id, token in tabs:
            live_tabs.forget_tab(user_id, token)
    assert sorted(token for token, _ in namespace.sent) == ["alice-tab", "bob-tab-1", "bob-tab-2"]
    assert all(update.events[0].payload == {"topics": ["faqs"]} for _, update in namespace.sent)
    # Each tab sends the event back; its shell reloads the FAQs page in the same event.
    assert "Did everyone see this?" not in shown(bob_page)
    assert await call(substate(bob_root, ShellState), "live", ["faqs"]) == []
    assert "Did everyone see this?" in shown(bob_page)


async def test_a_role_change_shows_the_admin_controls_without_reload(db, user_tab, bob):
    from fluxkit.state.shell import ShellState

    root = make_root(bob[1], "/faqs")
    page = substate(root, FaqsState)
    await call(page, "load")
    assert not page.is_admin
    _promote(db, bob[0].id)
    # The users admin announces "account" to the promoted user's tabs; the FAQs page reloads.
    await call(substate(root, ShellState), "live", ["account"])
    assert page.is_admin
