"""Chat: conversations only between their members, one direct conversation per pair, pages of
history by keyset, unread counts and receipts, typing and presence that lapse, groups that
can be renamed and left, pin and mute per person, long messages refused, links made safe."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from fluxkit.clock import FrozenClock
from fluxkit.models import ChatMessage, ConversationMember, User
from fluxkit.services import chat
from fluxkit.services.errors import InvalidInput, NotFound
from tests.support.factories import make_user

NOW = datetime(2026, 3, 10, 11, 30, tzinfo=UTC)


@pytest.fixture
def clock():
    return FrozenClock(NOW)


@pytest.fixture
def ada(db) -> int:
    return make_user(db, "ada@example.com", "Ada Lovelace").id


@pytest.fixture
def bob(db) -> int:
    return make_user(db, "bob@example.com", "Bob Babbage").id


@pytest.fixture
def cy(db) -> int:
    return make_user(db, "cy@example.com", "Cy Hopper").id


def direct(db, me, other, clock) -> int:
    row, _ = chat.start_direct(db, me, other, clock)
    db.commit()
    return row.id


def say(db, me, conversation_id, text, clock) -> int:
    row = chat.send(db, me, conversation_id, text, clock)
    db.commit()
    clock.advance(seconds=1)
    return row.id


# ---- starting conversations ------------------------------------------------------------------------


def test_a_direct_conversation_with_the_same_person_is_reused(db, ada, bob, cy, clock):
    first, created = chat.start_direct(db, ada, bob, clock)
    db.commit()
    assert created and first.kind == "direct" and first.title == "Bob Babbage" and first.subtitle == "bob@example.com"
    again, created_again = chat.start_direct(db, bob, ada, clock)  # from the other side, too
    assert (again.id, created_again) == (first.id, False)
    assert again.title == "Ada Lovelace"
    with_cy, _ = chat.start_direct(db, ada, cy, clock)
    assert with_cy.id != first.id
    assert [c.title for c in chat.list_conversations(db, ada, clock)] == ["Cy Hopper", "Bob Babbage"]


def test_one_cannot_start_a_conversation_with_oneself_or_nobody(db, ada, clock):
    for others in ([ada], [], [999_999], "2", [True]):
        with pytest.raises(InvalidInput) as refused:
            chat.start(db, ada, "group", others, "", clock)
        assert "user_ids" in refused.value.fields
    with pytest.raises(InvalidInput):
        chat.start_direct(db, ada, ada, clock)
    with pytest.raises(InvalidInput):
        chat.start(db, ada, "channel", [ada], "", clock)
    assert chat.list_conversations(db, ada, clock) == []


def test_a_group_shows_its_title_or_the_members_and_tells_everyone(db, ada, bob, cy, clock, heard):
    group = chat.create_group(db, ada, [bob, cy, bob], "", clock)
    db.commit()
    assert group.kind == "group" and group.member_count == 3 and group.subtitle == "3 members"
    assert group.title == "Bob Babbage, Cy Hopper"
    assert {user for user, topics in heard if "chat" in topics} == {ada, bob, cy}
    named = chat.create_group(db, bob, [ada], "  Launch   plans ", clock)
    assert named.title == "Launch plans"
    with pytest.raises(InvalidInput):
        chat.create_group(db, ada, [bob], "x" * 101, clock)


# ---- participation -------------------------------------------------------------------------------


def test_someone_elses_conversation_is_not_found_by_any_door(db, ada, bob, cy, clock):
    conversation = direct(db, ada, bob, clock)
    say(db, ada, conversation, "private", clock)
    for call in (
        lambda: chat.get_conversation(db, cy, conversation, clock),
        lambda: chat.detail(db, cy, conversation, clock),
        lambda: chat.messages(db, cy, conversation),
        lambda: chat.messages_after(db, cy, conversation, 0),
        lambda: chat.send(db, cy, conversation, "hi", clock),
        lambda: chat.mark_seen(db, cy, conversation),
        lambda: chat.typing(db, cy, conversation, clock),
        lambda: chat.rename(db, cy, conversation, "mine", clock),
        lambda: chat.leave(db, cy, conversation, clock),
        lambda: chat.set_flags(db, cy, conversation, pinned=True, clock=clock),
    ):
        with pytest.raises(NotFound):
            call()
    for bad_id in (0, -1, "1", None, True, 2**40, conversation + 1000):
        with pytest.raises(NotFound):
            chat.messages(db, ada, bad_id)
    db.rollback()
    assert [m.body for m in chat.messages(db, ada, conversation).items] == ["private"]
    assert chat.list_conversations(db, cy, clock) == []


# ---- messages ------------------------------------------------------------------------------------


def test_history_comes_in_pages_older_on_demand(db, ada, bob, clock):
    conversation = direct(db, ada, bob, clock)
    ids = [say(db, ada if n % 2 else bob, conversation, f"message {n}", clock) for n in range(70)]
    first = chat.messages(db, ada, conversation)
    assert [m.body for m in first.items] == [f"message {n}" for n in range(40, 70)]
    assert first.has_more and first.next_before == ids[40]
    second = chat.messages(db, ada, conversation, before=first.next_before)
    assert [m.body for m in second.items] == [f"message {n}" for n in range(10, 40)]
    last = chat.messages(db, ada, conversation, before=second.next_before)
    assert [m.body for m in last.items] == [f"message {n}" for n in range(10)]
    assert not last.has_more and last.next_before is None
    assert [m.mine for m in last.items[:2]] == [False, True]
    assert chat.messages(db, ada, conversation, limit=5).items[0].body == "message 65"
    # New ones since a point, for live appends.
    assert [m.body for m in chat.messages_after(db, ada, conversation, ids[67])] == ["message 68", "message 69"]
    assert chat.messages_after(db, ada, conversation, 0, limit=10) is None


def test_a_message_is_trimmed_kept_whole_and_limited_with_a_clear_message(db, ada, bob, clock):
    conversation = direct(db, ada, bob, clock)
    line = chat.send(db, ada, conversation, "  first line\r\nsecond\x00 line  ", clock)
    assert line.body == "first line\nsecond line"
    assert chat.send(db, ada, conversation, "x" * 4000, clock).body == "x" * 4000
    with pytest.raises(InvalidInput) as too_long:
        chat.send(db, ada, conversation, "y" * 4001, clock)
    assert (
        too_long.value.message
        == "A message can be at most 4,000 characters; this one has 4,001. Shorten it or split it in two."
    )
    for blank in ("", "   \n ", None, 5):
        with pytest.raises(InvalidInput) as empty:
            chat.send(db, ada, conversation, blank, clock)
        assert empty.value.fields == {"body": "Write a message."}


def test_links_are_http_or_https_only_and_text_stays_text(db, ada, bob, clock):
    parts = chat.split_links("See https://example.org/a?b=1. or <b>javascript:alert(1)</b> and http://x.io)")
    assert [(p.text, p.url) for p in parts] == [
        ("See ", ""),
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        (". or <b>javascript:alert(1)</b> and ", ""),
        ("http://x.io", "http://x.io"),
        (")", ""),
    ]
    assert [p.url for p in chat.split_links("ftp://x.org data:text/html,<script> https://")] == [""]
    assert chat.split_links('a "https://q.org/"onmouseover=x') == [
        chat.TextPart('a "'),
        chat.TextPart("https://q.org/", "https://q.org/"),
        chat.TextPart('"onmouseover=x'),
    ]
    conversation = direct(db, ada, bob, clock)
    row = chat.send(db, ada, conversation, "<img src=x onerror=alert(1)> https://fluxkit.dev", clock)
    assert row.parts[0].text == "<img src=x onerror=alert(1)> " and row.parts[1].url == "https://fluxkit.dev"


def test_sending_moves_the_conversation_up_and_tells_every_member(db, ada, bob, cy, clock, heard):
    older = direct(db, ada, bob, clock)
    clock.advance(minutes=1)
    newer = direct(db, ada, cy, clock)
    assert [c.id for c in chat.list_conversations(db, ada, clock)] == [newer, older]
    heard.clear()
    clock.advance(minutes=1)
    say(db, bob, older, "hello again", clock)
    assert {user for user, topics in heard if "chat" in topics} == {ada, bob}
    rows = chat.list_conversations(db, ada, clock)
    assert [c.id for c in rows] == [older, newer]
    assert rows[0].last_message == "hello again"


# ---- unread, seen, mute, pin ------------------------------------------------------------------------


def test_unread_counts_seen_receipts_and_the_badge_total(db, ada, bob, cy, clock, heard):
    conversation = direct(db, ada, bob, clock)
    mine = say(db, ada, conversation, "are you there?", clock)
    assert chat.unread_total(db, bob) == 1 and chat.unread_total(db, ada) == 0
    assert chat.detail(db, ada, conversation, clock).seen_by == []
    say(db, ada, conversation, "hello?", clock)
    assert chat.list_conversations(db, bob, clock)[0].unread == 2
    heard.clear()
    assert chat.mark_seen(db, bob, conversation) is True
    db.commit()
    assert {user for user, _ in heard} == {ada, bob}  # Ada's tab shows the receipt
    assert chat.unread_total(db, bob) == 0
    assert chat.detail(db, ada, conversation, clock).seen_by == ["Bob Babbage"]
    heard.clear()
    assert chat.mark_seen(db, bob, conversation) is False  # nothing new: no announcement
    db.commit()
    assert heard == []
    say(db, bob, conversation, "yes!", clock)
    assert chat.unread_total(db, ada) == 1
    # Ada's newest message is still the seen one; a new one of hers is not seen yet.
    say(db, ada, conversation, "great", clock)
    assert chat.detail(db, ada, conversation, clock).seen_by == []
    assert mine  # (ids are positive)


def test_a_muted_conversation_keeps_its_count_but_not_the_badge_and_pins_go_first(db, ada, bob, cy, clock):
    with_bob = direct(db, ada, bob, clock)
    clock.advance(minutes=1)
    with_cy = direct(db, ada, cy, clock)
    clock.advance(minutes=1)
    say(db, cy, with_cy, "two", clock)
    say(db, bob, with_bob, "one", clock)
    assert chat.unread_total(db, ada) == 2
    row = chat.set_flags(db, ada, with_bob, muted=True, clock=clock)
    db.commit()
    assert row.muted and row.unread == 1
    assert chat.unread_total(db, ada) == 1
    say(db, bob, with_bob, "three", clock)
    assert chat.unread_total(db, ada) == 1
    assert chat.unread_total(db, bob) == 0  # muting is Ada's alone
    assert [c.id for c in chat.list_conversations(db, ada, clock)] == [with_bob, with_cy]  # bob's is newer
    say(db, cy, with_cy, "four", clock)
    assert [c.id for c in chat.list_conversations(db, ada, clock)] == [with_cy, with_bob]
    chat.set_flags(db, ada, with_bob, pinned=True, clock=clock)
    db.commit()
    assert [c.id for c in chat.list_conversations(db, ada, clock)] == [with_bob, with_cy]
    assert [c.pinned for c in chat.list_conversations(db, bob, clock)] == [False]
    with pytest.raises(InvalidInput):
        chat.set_flags(db, ada, with_bob, pinned="yes", clock=clock)


# ---- typing and presence ----------------------------------------------------------------------------


def test_typing_shows_to_the_others_and_lapses_after_a_few_seconds(db, ada, bob, clock, heard):
    conversation = direct(db, ada, bob, clock)
    heard.clear()
    chat.typing(db, ada, conversation, clock)
    db.commit()
    assert [user for user, _ in heard] == [bob]
    assert chat.detail(db, bob, conversation, clock).typing == ["Ada Lovelace"]
    assert chat.detail(db, ada, conversation, clock).typing == []
    heard.clear()
    clock.advance(seconds=1)
    chat.typing(db, ada, conversation, clock)  # written at most every 2 seconds
    db.commit()
    assert heard == []
    clock.advance(seconds=5)
    assert chat.detail(db, bob, conversation, clock).typing == []
    chat.typing(db, ada, conversation, clock)
    say(db, ada, conversation, "done typing", clock)
    assert chat.detail(db, bob, conversation, clock).typing == []


def test_online_while_a_tab_reports_in(db, ada, bob, clock):
    conversation = direct(db, ada, bob, clock)
    assert not chat.is_online(db, bob, clock)
    chat.heartbeat(db, bob, clock)
    db.commit()
    assert chat.is_online(db, bob, clock)
    assert chat.list_conversations(db, ada, clock)[0].online
    assert [m.online for m in chat.detail(db, ada, conversation, clock).members] == [False, True]
    clock.advance(seconds=chat.ONLINE_SECONDS - 1)
    assert chat.is_online(db, bob, clock)
    clock.advance(seconds=2)
    assert not chat.is_online(db, bob, clock)
    chat.heartbeat(db, bob, clock)
    chat.heartbeat(db, bob, clock)  # twice in a row is one row
    db.commit()
    assert chat.is_online(db, bob, clock)


# ---- groups ------------------------------------------------------------------------------------------


def test_renaming_and_leaving_a_group(db, ada, bob, cy, clock, heard):
    group = chat.create_group(db, ada, [bob, cy], "", clock).id
    db.commit()
    renamed = chat.rename(db, bob, group, "Engines", clock)
    db.commit()
    assert renamed.title == "Engines" and renamed.custom_title == "Engines"
    assert chat.get_conversation(db, cy, group, clock).title == "Engines"
    events = [m.body for m in chat.messages(db, ada, group).items if m.kind == "event"]
    assert events == ["Ada Lovelace created the group", "Bob Babbage renamed the group to “Engines”"]
    say(db, cy, group, "before I go", clock)
    heard.clear()
    chat.leave(db, cy, group, clock)
    db.commit()
    assert {user for user, _ in heard} == {ada, bob, cy}
    assert chat.list_conversations(db, cy, clock) == []
    with pytest.raises(NotFound):
        chat.messages(db, cy, group)
    with pytest.raises(NotFound):
        chat.send(db, cy, group, "back?", clock)
    row = chat.get_conversation(db, ada, group, clock)
    assert row.member_count == 2 and chat.messages(db, ada, group).items[-1].body == "Cy Hopper left the group"
    # Events never count as unread.
    assert chat.list_conversations(db, ada, clock)[0].unread == 1
    # A direct conversation can be neither renamed nor left.
    pair = direct(db, ada, bob, clock)
    with pytest.raises(InvalidInput):
        chat.rename(db, ada, pair, "Us", clock)
    with pytest.raises(InvalidInput):
        chat.leave(db, ada, pair, clock)


def test_search_finds_people_of_this_instance_by_name_or_email_but_not_me(db, ada, bob, cy, clock):
    assert [u.name for u in chat.search_users(db, ada, "", clock)] == ["Bob Babbage", "Cy Hopper"]
    assert [u.name for u in chat.search_users(db, ada, "HOPP", clock)] == ["Cy Hopper"]
    assert [u.email for u in chat.search_users(db, ada, "bob@", clock)] == ["bob@example.com"]
    assert chat.search_users(db, ada, "ada", clock) == []
    assert chat.search_users(db, ada, "%", clock) == []
    assert chat.search_users(db, ada, "_", clock) == []
    assert chat.search_users(db, ada, None, clock) == chat.search_users(db, ada, "", clock)
    # A suspended account is neither found nor can be added.
    user = db.get(User, cy)
    user.suspended_at = NOW
    db.add(user)
    db.commit()
    assert [u.name for u in chat.search_users(db, ada, "", clock)] == ["Bob Babbage"]
    with pytest.raises(InvalidInput):
        chat.start_direct(db, ada, cy, clock)


def test_a_failed_send_changes_nothing(db, engine, ada, bob, clock):
    conversation = direct(db, ada, bob, clock)
    with pytest.raises(InvalidInput):
        chat.send(db, ada, conversation, "z" * 5000, clock)
    db.rollback()
    with Session(engine) as other:
        assert other.exec(select(ChatMessage)).all() == []
        member = other.exec(select(ConversationMember).where(ConversationMember.user_id == ada)).one()
        assert member.last_seen_message_id == 0
