"""/api/v1/chat over HTTP: the same conversations as the page, members only, clear refusals."""

from __future__ import annotations

from sqlmodel import select

from fluxkit.db import session_scope
from fluxkit.models import ChatMessage
from fluxkit.services import chat, live
from tests.support.http import V1, make_account

CHAT = f"{V1}/chat"


def test_start_send_page_and_read_a_direct_conversation(api, ada, bob):
    client, other = api(ada), api(bob)
    people = client.get(f"{CHAT}/users", params={"search": "bob"})
    assert people.status_code == 200 and [p["email"] for p in people.json()] == ["bob@example.com"]
    assert people.json()[0]["id"] == bob.user.id

    created = client.post(f"{CHAT}/conversations", json={"kind": "direct", "user_ids": [bob.user.id]})
    assert created.status_code == 201, created.text
    conversation = created.json()
    assert conversation["kind"] == "direct" and conversation["title"] == "Bob" and conversation["unread"] == 0
    again = other.post(f"{CHAT}/conversations", json={"kind": "direct", "user_ids": [ada.user.id]})
    assert again.status_code == 200 and again.json()["id"] == conversation["id"]  # reused, not doubled

    cid = conversation["id"]
    ids = []
    for n in range(35):
        sent = client.post(f"{CHAT}/conversations/{cid}/messages", json={"body": f"  message {n}  "})
        assert sent.status_code == 201, sent.text
        ids.append(sent.json()["id"])
    assert sent.json()["body"] == "message 34" and sent.json()["sender_id"] == ada.user.id

    assert other.get(f"{CHAT}/unread").json() == {"unread": 35}
    newest = other.get(f"{CHAT}/conversations/{cid}/messages")
    assert newest.status_code == 200
    page = newest.json()
    assert [m["body"] for m in page["items"]] == [f"message {n}" for n in range(5, 35)]
    assert page["next_before"] == ids[5]
    older = other.get(
        f"{CHAT}/conversations/{cid}/messages", params={"before": page["next_before"], "limit": 10}
    ).json()
    assert [m["body"] for m in older["items"]] == [f"message {n}" for n in range(5)] and older["next_before"] is None

    assert client.get(f"{CHAT}/conversations/{cid}").json()["seen_by"] == []
    seen = other.post(f"{CHAT}/conversations/{cid}/seen")
    assert seen.status_code == 200 and seen.json()["unread"] == 0
    assert other.get(f"{CHAT}/unread").json() == {"unread": 0}
    detail = client.get(f"{CHAT}/conversations/{cid}").json()
    assert detail["seen_by"] == ["Bob"] and [m["name"] for m in detail["members"]] == ["Ada", "Bob"]
    assert [c["id"] for c in client.get(f"{CHAT}/conversations").json()] == [cid]


def test_groups_rename_pin_mute_and_leave(db, api, ada, bob):
    cy = make_account(db, "cy@example.com", "Cy")
    client = api(ada)
    group = client.post(
        f"{CHAT}/conversations", json={"kind": "group", "user_ids": [bob.user.id, cy.user.id], "title": "Plans"}
    )
    assert group.status_code == 201 and group.json()["member_count"] == 3 and group.json()["title"] == "Plans"
    gid = group.json()["id"]

    renamed = api(bob).patch(f"{CHAT}/conversations/{gid}", json={"title": "Engines"})
    assert renamed.status_code == 200 and renamed.json()["title"] == "Engines"
    flags = client.patch(f"{CHAT}/conversations/{gid}", json={"pinned": True, "muted": True})
    assert flags.json()["pinned"] and flags.json()["muted"] and flags.json()["title"] == "Engines"
    assert api(bob).get(f"{CHAT}/conversations/{gid}").json()["pinned"] is False  # pins are per person

    api(bob).post(f"{CHAT}/conversations/{gid}/messages", json={"body": "muted for Ada"})
    assert client.get(f"{CHAT}/unread").json() == {"unread": 0}
    assert client.get(f"{CHAT}/conversations").json()[0]["unread"] == 1

    left = api(cy).post(f"{CHAT}/conversations/{gid}/leave")
    assert left.status_code == 204 and left.content == b""
    assert api(cy).get(f"{CHAT}/conversations").json() == []
    assert api(cy).get(f"{CHAT}/conversations/{gid}/messages").status_code == 404
    bodies = [m["body"] for m in client.get(f"{CHAT}/conversations/{gid}/messages").json()["items"]]
    assert bodies[-1] == "Cy left the group" and "Bob renamed the group to “Engines”" in bodies


def test_refusals_are_clear_and_change_nothing(api, ada, bob):
    client = api(ada)
    cid = client.post(f"{CHAT}/conversations", json={"kind": "direct", "user_ids": [bob.user.id]}).json()["id"]
    too_long = client.post(f"{CHAT}/conversations/{cid}/messages", json={"body": "x" * 4001})
    assert too_long.status_code == 422
    assert too_long.json()["fields"] == {"body": "Use at most 4000 characters."}
    blank = client.post(f"{CHAT}/conversations/{cid}/messages", json={"body": "   "})
    assert blank.status_code == 422 and "body" in blank.json()["fields"]
    two = client.post(f"{CHAT}/conversations", json={"kind": "direct", "user_ids": [bob.user.id, ada.user.id + 1000]})
    assert two.status_code == 422 and two.json()["fields"] == {"user_ids": "Pick exactly one person."}
    nobody = client.post(f"{CHAT}/conversations", json={"kind": "group", "user_ids": [1_999_999_999]})
    assert nobody.status_code == 422 and nobody.json()["fields"] == {"user_ids": "Some of these people were not found."}
    myself = client.post(f"{CHAT}/conversations", json={"kind": "direct", "user_ids": [ada.user.id]})
    assert myself.status_code == 422
    rename_direct = client.patch(f"{CHAT}/conversations/{cid}", json={"title": "Us"})
    assert rename_direct.status_code == 422 and rename_direct.json()["fields"] == {
        "title": "Only a group can be renamed."
    }
    leave_direct = client.post(f"{CHAT}/conversations/{cid}/leave")
    assert leave_direct.status_code == 422
    null_flag = client.patch(f"{CHAT}/conversations/{cid}", json={"pinned": None})
    assert null_flag.status_code == 422
    with session_scope() as db:
        assert db.exec(select(ChatMessage)).all() == []
    assert client.get(f"{CHAT}/conversations").json()[0]["title"] == "Bob"


def test_a_conversation_you_are_not_in_is_404_everywhere_and_nothing_leaks(db, api, ada, bob, new_client):
    cy = make_account(db, "cy@example.com", "Cy")
    with session_scope() as db:
        theirs, _ = chat.start_direct(db, bob.user.id, cy.user.id)
        chat.send(db, bob.user.id, theirs.id, "Bob's secret")
    client = api(ada)
    path = f"{CHAT}/conversations/{theirs.id}"
    answers = [
        client.get(path),
        client.patch(path, json={"pinned": True}),
        client.patch(path, json={"title": "Mine"}),
        client.post(f"{path}/leave"),
        client.get(f"{path}/messages"),
        client.post(f"{path}/messages", json={"body": "let me in"}),
        client.post(f"{path}/seen"),
    ]
    for answer in answers:
        assert answer.status_code == 404, answer.request.url
        assert answer.json() == {"error": "not_found", "message": "No such conversation."}
    assert client.get(f"{CHAT}/conversations").json() == []
    assert new_client().get(f"{CHAT}/conversations").status_code == 401
    with session_scope() as db:
        assert [m.body for m in db.exec(select(ChatMessage)).all()] == ["Bob's secret"]
    assert api(bob).get(path).json()["pinned"] is False


def test_a_message_through_the_api_reaches_every_members_open_tabs(api, ada, bob):
    heard: list[tuple[int, frozenset[str]]] = []
    unsubscribe = live.subscribe(lambda user, topics: heard.append((user, topics)))
    try:
        cid = api(ada).post(f"{CHAT}/conversations", json={"kind": "direct", "user_ids": [bob.user.id]}).json()["id"]
        heard.clear()
        api(ada).post(f"{CHAT}/conversations/{cid}/messages", json={"body": "live?"})
    finally:
        unsubscribe()
    assert {user for user, topics in heard if chat.TOPIC in topics} == {ada.user.id, bob.user.id}
