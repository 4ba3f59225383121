"""/api/v1/faqs: everyone signed in reads and searches; admins change; anyone else gets 404 and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from fluxkit.db import session_scope
from fluxkit.models import Faq, User
from fluxkit.services import live
from fluxkit.services.faq_seed import default_rows
from tests.support.http import V1, make_account, signed_in_client


@pytest.fixture
def seeded(engine):
    now = datetime.now(UTC)
    with session_scope() as db:
        for row in default_rows():
            db.add(Faq(**row, created_at=now, updated_at=now))


@pytest.fixture
def root(db, engine):
    account = make_account(db, "root@example.com", "Root")
    with session_scope() as db:
        user = db.get(User, account.user.id)
        user.role = "admin"
        db.add(user)
    return account


def stored() -> list[tuple]:
    with session_scope() as db:
        return [
            (f.id, f.category, f.question, f.answer, f.position) for f in db.exec(select(Faq).order_by(Faq.id)).all()
        ]


def test_any_signed_in_caller_lists_and_searches(api, ada, seeded, new_client):
    client = api(ada)
    everything = client.get(f"{V1}/faqs")
    assert everything.status_code == 200
    body = everything.json()
    assert len(body) == len(default_rows())
    assert [f["category"] for f in body][:2] == ["accounts", "accounts"] and body[-1]["category"] == "collaboration"
    assert set(body[0]) == {"id", "category", "question", "answer", "position", "updated_at"}
    assert body[0]["position"] == 1 and body[0]["updated_at"].endswith(("Z", "+00:00"))

    found = client.get(f"{V1}/faqs", params={"q": "ARGON2ID"}).json()
    assert [f["question"] for f in found] == ["How is my password stored?"]
    assert client.get(f"{V1}/faqs", params={"q": "%"}).json() == []
    # The browser session works too; nobody signed in gets 401.
    browser = signed_in_client(new_client, "ada@example.com")
    assert (
        browser.get(f"{V1}/faqs", params={"q": "undo"}).json()[0]["question"]
        == "I deleted a task by mistake. Can I get it back?"
    )
    assert new_client().get(f"{V1}/faqs").status_code == 401


def test_an_admin_creates_changes_moves_and_deletes(api, root):
    client = api(root)
    created = client.post(
        f"{V1}/faqs",
        json={"category": "billing", "question": "  Do you offer refunds?  ", "answer": "Within **14 days**."},
    )
    assert created.status_code == 201, created.text
    faq = created.json()
    assert (faq["question"], faq["category"], faq["position"]) == ("Do you offer refunds?", "billing", 1)
    second = client.post(
        f"{V1}/faqs", json={"category": "billing", "question": "Is VAT included?", "answer": "No.", "position": 1}
    ).json()
    assert second["position"] == 1
    assert [f["question"] for f in client.get(f"{V1}/faqs").json()] == ["Is VAT included?", "Do you offer refunds?"]

    moved = client.patch(f"{V1}/faqs/{faq['id']}", json={"position": 1})
    assert moved.status_code == 200 and moved.json()["position"] == 1
    assert [f["question"] for f in client.get(f"{V1}/faqs").json()] == ["Do you offer refunds?", "Is VAT included?"]

    changed = client.patch(f"{V1}/faqs/{faq['id']}", json={"category": "data", "answer": "Never."})
    assert changed.status_code == 200
    assert (changed.json()["category"], changed.json()["answer"], changed.json()["question"]) == (
        "data",
        "Never.",
        "Do you offer refunds?",
    )

    deleted = client.delete(f"{V1}/faqs/{faq['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert client.delete(f"{V1}/faqs/{faq['id']}").status_code == 404
    assert client.patch(f"{V1}/faqs/{faq['id']}", json={"answer": "x"}).json()["error"] == "not_found"
    assert [f["question"] for f in client.get(f"{V1}/faqs").json()] == ["Is VAT included?"]


def test_non_admins_get_404_on_every_change_and_nothing_changes(api, ada, root, seeded):
    client = api(ada)
    target = client.get(f"{V1}/faqs").json()[0]["id"]
    before = stored()
    for answer in (
        client.post(f"{V1}/faqs", json={"category": "tasks", "question": "Sneaky question?", "answer": "x"}),
        client.patch(f"{V1}/faqs/{target}", json={"answer": "Defaced."}),
        client.patch(f"{V1}/faqs/{target}", json={"position": 5}),
        client.delete(f"{V1}/faqs/{target}"),
        client.delete(f"{V1}/faqs/2000000000"),
        # Invalid input is not looked at before the role: a 422 would tell the route exists.
        client.post(f"{V1}/faqs", json={"question": 7}),
        client.patch(f"{V1}/faqs/{target}", json={"position": "first", "junk": True}),
        client.delete(f"{V1}/faqs/0"),
    ):
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"] == "not_found"
    assert stored() == before
    # The same key works the moment its owner is made an admin: the role is read on every call.
    with session_scope() as db:
        user = db.get(User, ada.user.id)
        user.role = "admin"
        db.add(user)
    assert client.patch(f"{V1}/faqs/{target}", json={"answer": "Now allowed."}).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "tasks", "question": "Why", "answer": "x"}, "question"),
        ({"category": "tasks", "question": "Why so?" + "x" * 300, "answer": "x"}, "question"),
        ({"category": "tasks", "question": "Why so?", "answer": ""}, "answer"),
        ({"category": "tasks", "question": "Why so?", "answer": "x" * 10_001}, "answer"),
        ({"category": "tasks", "question": "Why so?", "answer": "   "}, "answer"),
        ({"category": "cooking", "question": "Why so?", "answer": "x"}, "category"),
        ({"question": "Why so?", "answer": "x"}, "category"),
        ({"category": "tasks", "question": "Why so?", "answer": "x", "position": 0}, "position"),
        ({"category": "tasks", "question": "Why so?", "answer": "x", "author": "me"}, "author"),
    ],
)
def test_invalid_bodies_get_422_naming_the_field(api, root, body, field):
    answer = api(root).post(f"{V1}/faqs", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "invalid_input" and field in answer.json()["fields"]
    assert stored() == []


def test_blank_after_trimming_is_refused_by_the_service_rule(api, root):
    answer = api(root).post(f"{V1}/faqs", json={"category": "tasks", "question": "  ab   ", "answer": "x"})
    assert answer.status_code == 422 and "question" in answer.json()["fields"]


def test_a_change_through_the_api_is_announced_to_every_tab(api, root):
    heard: list[tuple[int, frozenset[str]]] = []
    stop = live.subscribe(lambda user_id, topics: heard.append((user_id, topics)))
    try:
        api(root).post(f"{V1}/faqs", json={"category": "tasks", "question": "Live from the API?", "answer": "Yes."})
    finally:
        stop()
    assert (live.EVERYONE, frozenset({"faqs"})) in heard
