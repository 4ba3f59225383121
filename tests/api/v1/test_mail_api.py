"""/api/v1/mail over HTTP: send, list, read, star, move, restore, delete, drafts, and the 404 gate."""

from __future__ import annotations

import pytest
from sqlmodel import select

from fluxkit.db import session_scope
from fluxkit.models import MailCopy, MailMessage
from fluxkit.services import live, mailbox, notifications
from tests.support.http import V1, make_account


@pytest.fixture
def cy(db, engine):
    return make_account(db, "cy@example.com", "Cy")


def inbox(client, **params) -> dict:
    answer = client.get(f"{V1}/mail", params={"folder": "inbox", **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def folders(page: dict) -> dict[str, tuple[int, int]]:
    return {f["folder"]: (f["total"], f["unread"]) for f in page["folders"]}


def test_send_arrives_in_each_recipients_inbox_with_a_notification(api, ada, bob, cy):
    heard: list[tuple[int, frozenset[str]]] = []
    unsubscribe = live.subscribe(lambda user_id, topics: heard.append((user_id, topics)))
    try:
        sent = api(ada).post(
            f"{V1}/mail",
            json={"to": ["bob@example.com"], "cc": ["cy@example.com"], "subject": "Roadmap", "body": "See **this**."},
        )
    finally:
        unsubscribe()
    assert sent.status_code == 201, sent.text
    mail = sent.json()
    assert mail["folder"] == "sent" and mail["from"] == {"name": "Ada", "email": "ada@example.com"}
    assert (mail["to"], mail["cc"], mail["subject"], mail["body"], mail["draft"]) == (
        ["bob@example.com"],
        ["cy@example.com"],
        "Roadmap",
        "See **this**.",
        False,
    )
    assert {user for user, topics in heard if "mail" in topics} == {ada.user.id, bob.user.id, cy.user.id}

    page = inbox(api(bob))
    [item] = page["items"]
    assert (item["subject"], item["from"]["email"], item["read"], item["snippet"]) == (
        "Roadmap",
        "ada@example.com",
        False,
        "See this.",
    )
    assert item["recipients"] == ["bob@example.com", "cy@example.com"]
    assert folders(page)["inbox"] == (1, 1)
    notes = api(bob).get(f"{V1}/notifications").json()["items"]
    [note] = [n for n in notes if n["type"] == "mail"]
    assert (note["title"], note["link"]) == ("New mail from Ada", f"/mail?open={item['id']}")
    assert inbox(api(cy))["total"] == 1
    assert folders(api(ada).get(f"{V1}/mail", params={"folder": "sent"}).json())["sent"] == (1, 0)


def test_an_unknown_recipient_is_a_422_naming_it_and_nothing_is_sent(api, ada, bob):
    answer = api(ada).post(f"{V1}/mail", json={"to": ["bob@example.com", "ghost@example.com"], "subject": "Hi"})
    assert answer.status_code == 422
    assert answer.json()["fields"] == {"to": "No account on this FluxKit uses ghost@example.com."}
    assert inbox(api(bob))["total"] == 0
    with session_scope() as db:
        assert db.exec(select(MailMessage)).all() == []
    bad = api(ada).post(f"{V1}/mail", json={"to": ["bob@example.com"], "cc": ["no-at-sign"], "subject": "Hi"})
    assert bad.status_code == 422 and "cc" in bad.json()["fields"]
    empty = api(ada).post(f"{V1}/mail", json={"to": [], "subject": "Hi"})
    assert empty.status_code == 422 and empty.json()["fields"] == {"to": "Add at least one recipient."}
    extra = api(ada).post(f"{V1}/mail", json={"to": ["bob@example.com"], "bcc": ["x@example.com"]})
    assert extra.status_code == 422 and "bcc" in extra.json()["fields"]


def test_read_star_move_restore_and_delete_only_change_my_copy(api, ada, bob):
    sent = api(ada).post(f"{V1}/mail", json={"to": ["bob@example.com"], "subject": "Mine and yours"}).json()
    client = api(bob)
    copy_id = inbox(client)["items"][0]["id"]

    got = client.get(f"{V1}/mail/{copy_id}")
    assert got.status_code == 200 and got.json()["read"] is False  # reading through GET changes nothing
    changed = client.patch(f"{V1}/mail/{copy_id}", json={"read": True, "starred": True})
    assert changed.status_code == 200
    assert (changed.json()["read"], changed.json()["starred"]) == (True, True)
    assert folders(inbox(client))["inbox"] == (1, 0)
    assert client.patch(f"{V1}/mail/{copy_id}", json={"read": False}).json()["read"] is False

    assert client.patch(f"{V1}/mail/{copy_id}", json={"folder": "archive"}).json()["folder"] == "archive"
    assert inbox(client)["total"] == 0
    assert client.patch(f"{V1}/mail/{copy_id}", json={"folder": "trash"}).json()["folder"] == "trash"
    assert client.post(f"{V1}/mail/{copy_id}/restore").json()["folder"] == "inbox"
    not_trash = client.post(f"{V1}/mail/{copy_id}/restore")
    assert not_trash.status_code == 422 and not_trash.json()["error"] == "invalid_input"
    bad_folder = client.patch(f"{V1}/mail/{copy_id}", json={"folder": "sent"})
    assert bad_folder.status_code == 422 and "folder" in bad_folder.json()["fields"]

    assert client.delete(f"{V1}/mail/{copy_id}").status_code == 204
    assert client.get(f"{V1}/mail/{copy_id}").status_code == 404
    # Ada's copy is untouched.
    adas = api(ada).get(f"{V1}/mail/{sent['id']}").json()
    assert (adas["folder"], adas["starred"], adas["subject"]) == ("sent", False, "Mine and yours")


def test_drafts_save_update_and_send_and_a_refused_draft_stays(api, ada, bob):
    client = api(ada)
    draft = client.post(
        f"{V1}/mail", json={"to": ["bob@example.com", "nobody@example.com"], "subject": "Draft", "draft": True}
    )
    assert draft.status_code == 201 and draft.json()["draft"] is True and draft.json()["folder"] == "drafts"
    draft_id = draft.json()["id"]
    refused = client.post(f"{V1}/mail/{draft_id}/send")
    assert refused.status_code == 422 and "nobody@example.com" in refused.json()["fields"]["to"]
    kept = client.get(f"{V1}/mail/{draft_id}").json()
    assert (kept["folder"], kept["to"]) == ("drafts", ["bob@example.com", "nobody@example.com"])

    replaced = client.put(
        f"{V1}/mail/{draft_id}", json={"to": ["bob@example.com"], "subject": "Final", "body": "Done."}
    )
    assert replaced.status_code == 200 and replaced.json()["subject"] == "Final"
    sent = client.post(f"{V1}/mail/{draft_id}/send")
    assert sent.status_code == 200 and sent.json()["folder"] == "sent" and sent.json()["draft"] is False
    assert [i["subject"] for i in inbox(api(bob))["items"]] == ["Final"]
    # A sent message is no longer a draft: it cannot be edited or sent again.
    assert client.put(f"{V1}/mail/{draft_id}", json={"subject": "Changed"}).status_code == 404
    assert client.post(f"{V1}/mail/{draft_id}/send").status_code == 404


def test_reply_joins_the_thread_search_and_pages(api, ada, bob):
    first = (
        api(ada)
        .post(f"{V1}/mail", json={"to": ["bob@example.com"], "subject": "Budget", "body": "Numbers attached"})
        .json()
    )
    bobs = inbox(api(bob))["items"][0]["id"]
    reply = api(bob).post(
        f"{V1}/mail", json={"to": ["ada@example.com"], "subject": "Re: Budget", "body": "Thanks", "reply_to": bobs}
    )
    assert reply.status_code == 201 and reply.json()["thread_id"] == first["thread_id"]
    thread = api(ada).get(f"{V1}/mail/{first['id']}/thread").json()
    assert [m["subject"] for m in thread] == ["Budget", "Re: Budget"]
    # reply_to must be one of the caller's own messages.
    foreign = api(ada).post(f"{V1}/mail", json={"to": ["bob@example.com"], "subject": "x", "reply_to": bobs})
    assert foreign.status_code == 404

    for n in range(11):
        api(ada).post(f"{V1}/mail", json={"to": ["bob@example.com"], "subject": f"Note {n}", "body": "filler"})
    assert [i["subject"] for i in inbox(api(bob), search="numbers")["items"]] == ["Budget"]
    assert inbox(api(bob), search="ada@example.com")["total"] == 12
    paged = inbox(api(bob), page_size=10, page=2)
    assert (paged["page"], paged["pages"], len(paged["items"])) == (2, 2, 2)
    assert api(bob).get(f"{V1}/mail", params={"folder": "spam"}).status_code == 422
    assert api(bob).get(f"{V1}/mail", params={"page_size": 7}).status_code == 422


def test_another_users_mail_is_not_found_and_nothing_changes(api, ada, bob, cy):
    api(ada).post(f"{V1}/mail", json={"to": ["bob@example.com"], "subject": "Secret plans"})
    theirs = inbox(api(bob))["items"][0]["id"]
    with session_scope() as db:
        before = [(c.id, c.folder, c.read, c.starred) for c in db.exec(select(MailCopy).order_by(MailCopy.id)).all()]
    client = api(cy)
    for method, path, body in (
        ("GET", f"/mail/{theirs}", None),
        ("GET", f"/mail/{theirs}/thread", None),
        ("PATCH", f"/mail/{theirs}", {"read": True, "starred": True, "folder": "trash"}),
        ("PUT", f"/mail/{theirs}", {"subject": "hijacked"}),
        ("POST", f"/mail/{theirs}/restore", None),
        ("POST", f"/mail/{theirs}/send", None),
        ("DELETE", f"/mail/{theirs}", None),
    ):
        answer = client.request(method, V1 + path, json=body)
        assert answer.status_code == 404, (method, path, answer.text)
        assert "Secret" not in answer.text
    answer = client.post(f"{V1}/mail", json={"to": ["ada@example.com"], "subject": "x", "reply_to": theirs})
    assert answer.status_code == 404
    with session_scope() as db:
        after = [(c.id, c.folder, c.read, c.starred) for c in db.exec(select(MailCopy).order_by(MailCopy.id)).all()]
        assert not [n for n in notifications.latest(db, ada.user.id) if n.type == "mail"]
    assert after == before
    assert inbox(api(cy))["total"] == 0


def test_anonymous_calls_are_401(client, ada):
    assert client.get(f"{V1}/mail").status_code == 401
    assert client.post(f"{V1}/mail", json={"to": ["ada@example.com"], "subject": "x"}).status_code == 401
    with session_scope() as db:
        assert mailbox.list_folder(db, ada.user.id, "inbox").total == 0
