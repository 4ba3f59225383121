"""The chat page and the sidebar badge: only the user's own conversations, live refreshes that
append what is new, seen receipts, refused messages kept with the reason, groups."""

from __future__ import annotations

from fluxkit.services import chat
from fluxkit.state.chat import GONE, ChatBadgeState, ChatState
from tests.support.factories import make_signed_in
from tests.support.states import call, make_root, substate, texts, url_of


def _page(token: str, path: str = "/chat") -> ChatState:
    return substate(make_root(token, path), ChatState)


def _direct(db, me: int, other: int) -> int:
    row, _ = chat.start_direct(db, me, other)
    db.commit()
    return row.id


def _say(db, me: int, conversation_id: int, text: str) -> int:
    row = chat.send(db, me, conversation_id, text)
    db.commit()
    return row.id


async def test_starting_a_conversation_from_the_picker_and_sending(db, alice, bob):
    (_, a_token, _), (b, b_token, _) = alice, bob
    page = _page(a_token)
    await call(page, "load")
    assert page.loaded and page.conversations == [] and page.active_id == 0
    await call(page, "set_picker_open", True)
    assert [h.name for h in page.picker_hits] == ["Bob"]
    await call(page, "search_people", "nobody-like-this")
    assert page.picker_hits == []
    await call(page, "toggle_person", b.id)  # not among the hits shown: not picked
    assert page.picked == []
    await call(page, "search_people", "bob@")
    await call(page, "toggle_person", b.id)
    assert page.picked_ids == [b.id]
    out = await call(page, "start_conversation", {})
    assert not page.picker_open and page.active_id > 0 and page.active.title == "Bob"
    assert url_of(out) == f"/chat?c={page.active_id}"
    first = page.active_id

    out = await call(page, "send", {"body": "Hello Bob, see https://fluxkit.dev"})
    assert [m.body for m in page.messages] == ["Hello Bob, see https://fluxkit.dev"]
    assert page.messages[0].mine and page.messages[0].parts[1].url == "https://fluxkit.dev"
    assert "ref_chat_input" in texts(out)  # the box is emptied
    assert page.composer_error == ""

    # Picking Bob again opens the same conversation.
    await call(page, "set_picker_open", True)
    await call(page, "toggle_person", b.id)
    await call(page, "start_conversation", {})
    assert page.active_id == first and len(page.conversations) == 1

    # Bob's badge counts it; opening it clears it and Ada sees "Seen".
    badge = substate(make_root(b_token), ChatBadgeState)
    await call(badge, "heartbeat", "now")
    assert (badge.unread, badge.badge) == (1, "1")
    bob_page = _page(b_token, f"/chat?c={first}")
    bob_page.router.url.query_parameters  # noqa: B018 - the path carries ?c=
    await call(bob_page, "load")
    assert bob_page.active_id == first and bob_page.conversations[0].unread == 0
    await call(badge, "refresh")
    assert badge.unread == 0
    await call(page, "refresh")
    assert page.seen_text == "Seen" and page.active.online  # Bob's tab reported in


async def test_a_refused_message_stays_with_the_reason(db, alice, bob):
    (a, a_token, _), (b, _, _) = alice, bob
    conversation = _direct(db, a.id, b.id)
    page = _page(a_token)
    await call(page, "load")
    await call(page, "open_conversation", conversation)
    out = await call(page, "send", {"body": "x" * 4001})
    assert page.composer_error.startswith("A message can be at most 4,000 characters")
    assert "ref_chat_input" not in texts(out)  # what was typed is not cleared
    assert page.messages == []
    await call(page, "send", {"body": "   "})
    assert page.composer_error == "Write a message."
    await call(page, "send", {"body": "short"})
    assert page.composer_error == "" and [m.body for m in page.messages] == ["short"]


async def test_live_refresh_appends_new_messages_marks_them_seen_and_shows_typing(db, alice, bob):
    (a, a_token, _), (b, _, _) = alice, bob
    conversation = _direct(db, a.id, b.id)
    for n in range(35):
        _say(db, b.id, conversation, f"old {n}")
    page = _page(a_token)
    await call(page, "load")
    await call(page, "open_conversation", conversation)
    assert len(page.messages) == 30 and page.has_more and page.messages[0].body == "old 5"
    await call(page, "load_older")
    assert len(page.messages) == 35 and not page.has_more and page.messages[0].body == "old 0"

    _say(db, b.id, conversation, "new one")
    chat.typing(db, b.id, conversation)
    db.commit()
    await call(page, "refresh")
    assert page.messages[-1].body == "new one" and len(page.messages) == 36
    assert page.typing_text == "Bob is typing…"
    assert chat.unread_total(db, a.id) == 0  # open on the chat page: seen at once
    assert page.conversations[0].unread == 0

    # The same tab on another page: a refresh does not mark anything seen.
    _say(db, b.id, conversation, "while away")
    page.router = make_root(a_token, "/tasks").router
    await call(page, "refresh")
    assert chat.unread_total(db, a.id) == 1


async def test_another_users_conversation_is_not_found_and_nothing_changes(db, alice, bob):
    (a, _, _), (b, _, _) = alice, bob
    carol, c_token, _ = make_signed_in(db, "carol@example.com", "Carol")
    theirs = _direct(db, a.id, b.id)
    _say(db, a.id, theirs, "between us")
    page = _page(c_token, f"/chat?c={theirs}")
    out = await call(page, "load")
    assert GONE in texts(out) and page.active_id == 0 and page.messages == []
    for handler, args in (
        ("open_conversation", (theirs,)),
        ("toggle_pin", (theirs,)),
        ("toggle_mute", (theirs,)),
    ):
        out = await call(page, handler, *args)
        assert GONE in texts(out), handler
        assert page.active_id == 0 and page.messages == [] and page.conversations == []
    # A tampered active id: every handler on the open conversation refuses.
    for handler, args in (
        ("send", ({"body": "hi"},)),
        ("typing", ("a",)),
        ("rename", ({"title": "x"},)),
        ("leave", ()),
        ("refresh", ()),
        ("tick", ("now",)),
    ):
        page.active_id = theirs
        out = await call(page, handler, *args)
        assert GONE in texts(out), handler
        assert page.active_id == 0 and page.messages == [] and page.conversations == []
    assert [m.body for m in chat.messages(db, a.id, theirs).items] == ["between us"]
    assert chat.list_conversations(db, carol.id) == []
    member_pins = [c.pinned for c in chat.list_conversations(db, a.id)]
    assert member_pins == [False]


async def test_group_rename_pin_mute_and_leave(db, alice, bob):
    (a, a_token, _), (b, b_token, _) = alice, bob
    group = chat.create_group(db, a.id, [b.id], "").id
    db.commit()
    page = _page(a_token)
    await call(page, "load")
    await call(page, "open_conversation", group)
    assert page.active.kind == "group" and page.members_text == "2 members: Alice, Bob"
    await call(page, "set_rename_open", True)
    assert page.rename_open
    await call(page, "rename", {"title": "y" * 101})
    assert page.rename_open and page.rename_error == "Use at most 100 characters for the name."
    await call(page, "rename", {"title": "Analytical Engine"})
    assert not page.rename_open and page.active.title == "Analytical Engine"
    assert page.messages[-1].body == "Alice renamed the group to “Analytical Engine”"

    await call(page, "toggle_pin", group)
    assert page.active.pinned and page.conversations[0].pinned
    _say(db, b.id, group, "ping")
    badge = substate(make_root(a_token), ChatBadgeState)
    page.router = make_root(a_token, "/tasks").router
    await call(page, "refresh")
    await call(badge, "refresh")
    assert badge.unread == 1
    out = await call(page, "toggle_mute", group)
    assert page.active.muted and "Muted" in texts(out)
    await call(badge, "refresh")
    assert badge.unread == 0 and page.conversations[0].unread == 1

    bob_page = _page(b_token)
    await call(bob_page, "load")
    await call(bob_page, "open_conversation", group)
    out = await call(bob_page, "leave")
    assert "You left the group." in texts(out)
    assert bob_page.active_id == 0 and bob_page.conversations == []
    assert url_of(out) == "/chat"
    await call(page, "refresh")
    assert page.members_text == "1 member: Alice"
    assert page.messages[-1].body == "Bob left the group"


async def test_the_enter_that_sends_does_not_leave_the_sender_typing(db, alice, bob):
    (a, a_token, _), (b, b_token, _) = alice, bob
    conversation = _direct(db, a.id, b.id)
    bob_page = _page(b_token)
    await call(bob_page, "load")
    await call(bob_page, "open_conversation", conversation)
    await call(bob_page, "typing", "h")
    alice_page = _page(a_token)
    await call(alice_page, "load")
    await call(alice_page, "open_conversation", conversation)
    assert alice_page.typing_text == "Bob is typing…"

    # Enter: the browser sends the form first, then the key's typing report arrives.
    await call(bob_page, "send", {"body": "hello"})
    await call(bob_page, "typing", "Enter")
    await call(alice_page, "refresh")
    assert alice_page.messages[-1].body == "hello"
    assert alice_page.typing_text == ""
