"""The mail page state: a page of a folder, the open conversation, compose with drafts, and the 404 gate."""

from __future__ import annotations

from sqlmodel import select

from fluxkit.models import MailCopy
from fluxkit.services import mailbox
from fluxkit.state.mail import MailBadgeState, MailState
from fluxkit.state.notifications import BellState
from tests.support.states import call, make_root, redirect_targets, substate, texts, url_of


def mail_state(token, path: str = "/mail") -> MailState:
    return substate(make_root(token, path), MailState)


def send(db, sender, to: str, subject: str = "Hello", body: str = "Hi", **extra) -> mailbox.MailView:
    view = mailbox.send(db, sender.id, {"to": [to], "subject": subject, "body": body, **extra})
    db.commit()
    return view


def tabs(state: MailState) -> dict[str, int]:
    return {tab.folder: tab.badge for tab in state.folders}


def copies(db) -> list[tuple]:
    db.expire_all()
    return [
        (c.id, c.user_id, c.folder, c.read, c.starred) for c in db.exec(select(MailCopy).order_by(MailCopy.id)).all()
    ]


async def test_the_inbox_holds_one_page_and_the_view_is_in_the_url(db, alice, bob):
    alice_user, _, _ = alice
    _, bob_token, _ = bob
    for n in range(30):
        send(db, alice_user, "bob@example.com", subject=f"Note {n:02d}")
    state = mail_state(bob_token)
    await call(state, "load")
    assert len(state.rows) == mailbox.PAGE_SIZE and (state.total, state.pages) == (30, 2)
    assert state.rows[0].subject == "Note 29" and not state.rows[0].read
    assert tabs(state)["inbox"] == 30
    out = await call(state, "go_to_page", 2)
    assert [r.subject for r in state.rows][-1] == "Note 00"
    assert url_of(out) == "/mail?page=2"
    out = await call(state, "set_search", "note 07")
    assert [r.subject for r in state.rows] == ["Note 07"] and url_of(out) == "/mail?q=note+07"
    out = await call(state, "set_folder", "sent")
    assert state.rows == [] and url_of(out) == "/mail?folder=sent&q=note+07"
    await call(state, "set_folder", "spam")  # not a folder: ignored
    assert state.folder == "sent"

    again = mail_state(bob_token, "/mail?folder=inbox&q=Note&page=2")
    await call(again, "load")
    assert (again.folder, again.search, again.page, len(again.rows)) == ("inbox", "Note", 2, 5)


async def test_compose_suggests_saves_the_draft_and_sends(db, alice, bob):
    _, alice_token, _ = alice
    bob_user, bob_token, _ = bob
    state = mail_state(alice_token)
    await call(state, "load")
    await call(state, "compose")
    assert state.compose_open and state.draft_id == 0

    await call(state, "edit", "to", "bo")
    assert [s.email for s in state.suggestions] == ["bob@example.com"] and state.suggest_field == "to"
    assert state.draft_id > 0 and state.saved_note == "Draft saved"  # saved from the first keystroke
    await call(state, "hide_suggestions")  # the field lost focus
    assert state.suggestions == [] and state.suggest_field == ""
    await call(state, "pick_recipient", "bob@example.com")  # no longer offered: ignored
    assert state.to == "bo"
    await call(state, "edit", "to", "bo")
    await call(state, "pick_recipient", "mallory@example.com")  # not offered: ignored
    assert state.to == "bo"
    await call(state, "pick_recipient", "bob@example.com")
    assert state.to == "bob@example.com, " and state.suggestions == []
    await call(state, "edit", "subject", "Lunch")
    await call(state, "edit", "body", "At **noon**")
    draft = mailbox.get_mail(db, alice[0].id, state.draft_id)
    assert (draft.to_addresses, draft.subject, draft.body, draft.folder) == (
        ["bob@example.com"],
        "Lunch",
        "At **noon**",
        "drafts",
    )

    out = await call(state, "send")
    assert "Message sent." in texts(out)
    assert not state.compose_open and state.draft_id == 0
    assert tabs(state)["drafts"] == 0
    assert [r.subject for r in mailbox.list_folder(db, bob_user.id, "inbox").rows] == ["Lunch"]

    # Bob's open inbox and bell pick it up on the live refresh.
    bobs = mail_state(bob_token)
    await call(bobs, "load")
    assert [r.subject for r in bobs.rows] == ["Lunch"]
    bell = substate(make_root(bob_token), BellState)
    await call(bell, "refresh")
    assert any(item.type == "mail" and item.body == "Lunch" for item in bell.items)


async def test_an_unknown_recipient_keeps_the_dialog_and_the_draft(db, alice):
    alice_user, alice_token, _ = alice
    state = mail_state(alice_token)
    await call(state, "load")
    await call(state, "compose")
    await call(state, "edit", "to", "ghost@example.com")
    await call(state, "edit", "subject", "Anyone?")
    out = await call(state, "send")
    assert "No account on this FluxKit uses ghost@example.com." in texts(out)
    assert state.compose_errors == {"to": "No account on this FluxKit uses ghost@example.com."}
    assert state.compose_open
    assert tabs(state)["drafts"] == 1
    # Fixing the field clears its error; closing keeps the draft in Drafts.
    await call(state, "edit", "to", "alice@example.com")
    assert state.compose_errors == {}
    out = await call(state, "set_compose_open", False)
    assert "Saved in Drafts." in texts(out)
    [draft] = mailbox.list_folder(db, alice_user.id, "drafts").rows
    # Opening a draft opens the dialog with it; discarding deletes it.
    await call(state, "open", draft.id)
    assert state.compose_open and (state.draft_id, state.to, state.subject) == (
        draft.id,
        "alice@example.com",
        "Anyone?",
    )
    await call(state, "discard")
    assert mailbox.list_folder(db, alice_user.id, "drafts").total == 0


async def test_open_reads_the_conversation_and_actions_change_only_my_copy(db, alice, bob):
    alice_user, alice_token, _ = alice
    bob_user, bob_token, _ = bob
    sent = send(db, alice_user, "bob@example.com", subject="Plans", body="Let us **meet**")
    state = mail_state(bob_token)
    await call(state, "load")
    copy_id = state.rows[0].id
    out = await call(state, "open", copy_id)
    assert url_of(out) == f"/mail?open={copy_id}"
    assert [m.body for m in state.conversation] == ["Let us **meet**"]
    assert state.open_subject == "Plans" and tabs(state)["inbox"] == 0

    await call(state, "toggle_star", copy_id)
    assert state.open_starred
    await call(state, "toggle_read", copy_id)  # mark unread: back to the folder
    assert state.open_id == 0 and tabs(state)["inbox"] == 1
    await call(state, "move", copy_id, "archive")
    assert state.rows == [] and tabs(state)["archive"] == 1
    await call(state, "move", copy_id, "trash")
    out = await call(state, "restore", copy_id)
    assert "Restored to Inbox." in texts(out)
    await call(state, "delete_forever", copy_id)
    assert state.total == 0
    # Alice's copy is as it was.
    adas = mailbox.get_mail(db, alice_user.id, sent.id)
    assert (adas.folder, adas.starred) == ("sent", False)

    # The reply starts prefilled and saved; sending it lands in Alice's inbox in the thread.
    second_sent = send(db, alice_user, "bob@example.com", subject="Second")
    await call(state, "refresh")
    second = state.rows[0].id
    await call(state, "respond", second, "reply")
    assert (state.to, state.subject, state.reply_to) == ("alice@example.com", "Re: Second", second)
    assert state.draft_id > 0
    await call(state, "send")
    [reply] = mailbox.list_folder(db, alice_user.id, "inbox").rows
    assert (reply.subject, reply.thread_id) == ("Re: Second", second_sent.thread_id)
    assert [m.subject for m in mailbox.thread(db, alice_user.id, reply.id)] == ["Second", "Re: Second"]


async def test_another_users_mail_is_not_found_and_nothing_changes(db, alice, bob):
    alice_user, alice_token, _ = alice
    bob_user, bob_token, _ = bob
    send(db, alice_user, "alice@example.com", subject="Alice only")
    theirs = mailbox.list_folder(db, alice_user.id, "inbox").rows[0].id
    before = copies(db)
    state = mail_state(bob_token)
    await call(state, "load")
    for name, args in (
        ("open", (theirs,)),
        ("toggle_star", (theirs,)),
        ("toggle_read", (theirs,)),
        ("move", (theirs, "trash")),
        ("restore", (theirs,)),
        ("delete_forever", (theirs,)),
        ("respond", (theirs, "reply")),
    ):
        out = await call(state, name, *args)
        assert mailbox.NOT_FOUND in texts(out), name
        assert state.conversation == [] and state.open_id == 0
        assert "Alice only" not in str(state.dict())
    # A tampered draft id (Alice's copy) is never written to: a new draft of Bob's is made.
    await call(state, "compose")
    state.draft_id = theirs
    await call(state, "edit", "subject", "hijack")
    assert state.draft_id != theirs
    assert [c for c in copies(db) if c[1] == alice_user.id] == [c for c in before if c[1] == alice_user.id]

    linked = mail_state(bob_token, f"/mail?open={theirs}")
    out = await call(linked, "load")
    assert mailbox.NOT_FOUND in texts(out) and linked.conversation == []


async def test_refresh_only_reloads_a_tab_that_showed_mail(db, alice, bob):
    alice_user, _, _ = alice
    _, bob_token, _ = bob
    state = mail_state(bob_token)
    await call(state, "refresh")
    assert not state.loaded and state.rows == []
    await call(state, "load")
    send(db, alice_user, "bob@example.com", subject="Live")
    await call(state, "refresh")
    assert [r.subject for r in state.rows] == ["Live"] and tabs(state)["inbox"] == 1


async def test_the_mail_notification_opens_the_message(db, alice, bob):
    alice_user, _, _ = alice
    bob_user, bob_token, _ = bob
    send(db, alice_user, "bob@example.com", subject="Open me", body="Inside")
    copy_id = mailbox.list_folder(db, bob_user.id, "inbox").rows[0].id
    bell = substate(make_root(bob_token), BellState)
    await call(bell, "refresh")
    [item] = [i for i in bell.items if i.type == "mail"]
    assert (item.title, item.body) == ("New mail from Alice", "Open me")
    out = await call(bell, "open_item", item.id)
    assert redirect_targets(out) == [f"/mail?open={copy_id}"]

    state = mail_state(bob_token, f"/mail?open={copy_id}")
    await call(state, "load")
    assert state.open_id == copy_id and [m.body for m in state.conversation] == ["Inside"]
    assert tabs(state)["inbox"] == 0  # opened: read


async def test_the_sidebar_badge_counts_unread_inbox_mail(db, alice, bob):
    alice_user, _, _ = alice
    bob_user, bob_token, _ = bob
    badge = substate(make_root(bob_token), MailBadgeState)
    await call(badge, "refresh")
    assert badge.badge == ""
    for n in range(3):
        send(db, alice_user, "bob@example.com", subject=f"n{n}")
    await call(badge, "refresh")
    assert badge.badge == "3"
    first = mailbox.list_folder(db, bob_user.id, "inbox").rows[0].id
    mailbox.open_mail(db, bob_user.id, first)
    mailbox.move(db, bob_user.id, mailbox.list_folder(db, bob_user.id, "inbox").rows[1].id, "archive")
    db.commit()
    await call(badge, "refresh")
    assert badge.badge == "1"  # read, and archived, mail no longer counts
