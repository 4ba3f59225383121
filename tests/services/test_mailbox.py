"""Internal mail: sending, per-participant copies, folders, drafts, threads, search, pages."""

from __future__ import annotations

import pytest
from sqlmodel import select

from fluxkit.models import MailCopy, MailMessage, Notification
from fluxkit.services import live, mailbox, notifications
from fluxkit.services.errors import InvalidInput, NotFound


@pytest.fixture
def people(signed_up):
    ada = signed_up("ada@example.com", name="Ada Lovelace")
    bob = signed_up("bob@example.com", name="Bob Builder")
    cy = signed_up("cy@example.com", name="Cy Twombly")
    return ada, bob, cy


@pytest.fixture
def announced():
    heard: list[tuple[int, frozenset[str]]] = []
    unsubscribe = live.subscribe(lambda user_id, topics: heard.append((user_id, topics)))
    yield heard
    unsubscribe()


def send(db, sender, to, subject="Hello", body="Hi there", cc=(), clock=None, **extra):
    kwargs = {"clock": clock} if clock else {}
    view = mailbox.send(
        db, sender.id, {"to": list(to), "cc": list(cc), "subject": subject, "body": body, **extra}, **kwargs
    )
    db.commit()
    return view


def inbox(db, user, **kwargs):
    return mailbox.list_folder(db, user.id, "inbox", **kwargs)


def counts(db, user) -> dict[str, tuple[int, int]]:
    return {c.folder: (c.total, c.unread) for c in mailbox.folder_counts(db, user.id)}


def test_sending_gives_each_participant_their_own_copy(db, people, announced):
    ada, bob, cy = people
    sent = send(
        db, ada, ["bob@example.com"], cc=["CY@example.com"], subject="Lunch?", body="Noon at the **usual** place"
    )
    assert sent.folder == "sent" and sent.read and not sent.draft
    assert sent.to_addresses == ["bob@example.com"] and sent.cc_addresses == ["cy@example.com"]

    [row] = inbox(db, bob).rows
    assert (row.subject, row.sender_name, row.sender_email, row.read) == (
        "Lunch?",
        "Ada Lovelace",
        "ada@example.com",
        False,
    )
    assert row.snippet == "Noon at the usual place"  # the list shows text, not markdown marks
    assert inbox(db, cy).rows[0].subject == "Lunch?"
    assert inbox(db, ada).rows == []
    assert mailbox.list_folder(db, ada.id, "sent").rows[0].id == sent.id
    assert counts(db, bob)["inbox"] == (1, 1)
    assert counts(db, ada)["sent"] == (1, 0)
    # Everybody whose mailbox changed hears about it, after the commit.
    assert {uid for uid, topics in announced if "mail" in topics} == {ada.id, bob.id, cy.id}


def test_each_recipient_gets_a_mail_notification_that_opens_their_copy(db, people):
    ada, bob, _ = people
    send(db, ada, ["bob@example.com"], subject="Quarterly numbers")
    [row] = inbox(db, bob).rows
    [note] = [n for n in notifications.latest(db, bob.id) if n.type == "mail"]
    assert note.title == "New mail from Ada Lovelace"
    assert note.body == "Quarterly numbers"
    assert note.link == f"/mail?open={row.id}"
    assert not [n for n in notifications.latest(db, ada.id) if n.type == "mail"]


def test_an_unknown_recipient_is_refused_by_name_and_nothing_is_sent(db, people):
    ada, bob, _ = people
    with pytest.raises(InvalidInput) as refused:
        mailbox.send(db, ada.id, {"to": ["bob@example.com", "nobody@example.com"], "subject": "Hi", "body": "x"})
    db.rollback()
    assert refused.value.fields == {"to": "No account on this FluxKit uses nobody@example.com."}
    assert inbox(db, bob).rows == []
    assert db.exec(select(MailMessage)).all() == []

    with pytest.raises(InvalidInput) as refused:
        mailbox.send(db, ada.id, {"to": ["bob@example.com"], "cc": ["not an address"], "subject": "Hi"})
    db.rollback()
    assert "not an email address" in refused.value.fields["cc"]
    with pytest.raises(InvalidInput) as refused:
        mailbox.send(db, ada.id, {"to": [], "subject": "Hi"})
    db.rollback()
    assert refused.value.fields == {"to": "Add at least one recipient."}


def test_a_refused_draft_stays_as_it_was(db, people):
    ada, bob, _ = people
    draft = mailbox.save_draft(
        db, ada.id, {"to": "bob@example.com, ghost@example.com", "subject": "Plans", "body": "Draft text"}
    )
    db.commit()
    with pytest.raises(InvalidInput) as refused:
        mailbox.send_draft(db, ada.id, draft.id)
    db.rollback()
    assert "ghost@example.com" in refused.value.fields["to"]
    kept = mailbox.get_mail(db, ada.id, draft.id)
    assert (kept.folder, kept.draft, kept.to_addresses, kept.subject, kept.body) == (
        "drafts",
        True,
        ["bob@example.com", "ghost@example.com"],
        "Plans",
        "Draft text",
    )
    assert inbox(db, bob).rows == []

    mailbox.save_draft(
        db, ada.id, {"to": "bob@example.com", "subject": "Plans", "body": "Draft text"}, draft_id=draft.id
    )
    sent = mailbox.send_draft(db, ada.id, draft.id)
    db.commit()
    assert sent.id == draft.id and sent.folder == "sent"
    assert counts(db, ada)["drafts"] == (0, 0)
    assert [r.subject for r in inbox(db, bob).rows] == ["Plans"]


def test_drafts_are_saved_and_updated_and_only_by_their_author(db, people):
    ada, bob, _ = people
    draft = mailbox.save_draft(db, ada.id, {"to": "bo", "subject": "", "body": "half a thought"})
    db.commit()
    assert mailbox.list_folder(db, ada.id, "drafts").rows[0].draft
    updated = mailbox.save_draft(
        db, ada.id, {"to": ["bob@example.com"], "subject": "Whole", "body": "a whole thought"}, draft_id=draft.id
    )
    db.commit()
    assert (updated.id, updated.subject, updated.body) == (draft.id, "Whole", "a whole thought")
    assert counts(db, ada)["drafts"] == (1, 0)
    with pytest.raises(NotFound):
        mailbox.save_draft(db, bob.id, {"subject": "hijack"}, draft_id=draft.id)
    with pytest.raises(NotFound):
        mailbox.send_draft(db, bob.id, draft.id)
    db.rollback()
    assert mailbox.get_mail(db, ada.id, draft.id).subject == "Whole"
    with pytest.raises(InvalidInput):
        mailbox.send_draft(db, ada.id, mailbox.save_draft(db, ada.id, {"to": "bob@example.com"}).id)  # nothing written
    db.rollback()


def test_field_limits_name_the_field(db, people):
    ada, _, _ = people
    for data, field in (
        ({"subject": "x" * 201}, "subject"),
        ({"body": "x" * (mailbox.BODY_MAX + 1)}, "body"),
        ({"body": "nul \x00 here"}, "body"),
        ({"to": 42}, "to"),
        ({"subject": ["not", "text"]}, "subject"),
    ):
        with pytest.raises(InvalidInput) as refused:
            mailbox.save_draft(db, ada.id, data)
        assert field in refused.value.fields
    with pytest.raises(InvalidInput):
        mailbox.send(db, ada.id, {"to": [f"u{n}@example.com" for n in range(51)], "subject": "x"})
    db.rollback()


def test_copies_are_independent_read_star_move_delete(db, people):
    ada, bob, _ = people
    sent = send(db, ada, ["bob@example.com"], subject="Independent")
    bobs = inbox(db, bob).rows[0]

    mailbox.set_read(db, bob.id, bobs.id, True)
    mailbox.set_starred(db, bob.id, bobs.id, True)
    db.commit()
    assert counts(db, bob)["inbox"] == (1, 0)
    assert inbox(db, bob).rows[0].starred
    assert not mailbox.get_mail(db, ada.id, sent.id).starred

    mailbox.set_read(db, bob.id, bobs.id, False)
    db.commit()
    assert counts(db, bob)["inbox"] == (1, 1)

    mailbox.move(db, bob.id, bobs.id, "archive")
    db.commit()
    assert inbox(db, bob).rows == [] and mailbox.list_folder(db, bob.id, "archive").rows[0].id == bobs.id
    mailbox.move(db, bob.id, bobs.id, "inbox")
    mailbox.move(db, bob.id, bobs.id, "trash")
    db.commit()
    assert counts(db, bob)["trash"] == (1, 1)
    assert mailbox.restore(db, bob.id, bobs.id).folder == "inbox"
    mailbox.move(db, bob.id, bobs.id, "trash")
    mailbox.delete_forever(db, bob.id, bobs.id)
    db.commit()
    assert all(c.total == 0 for c in mailbox.folder_counts(db, bob.id))
    # Ada still has hers, with the message.
    assert mailbox.get_mail(db, ada.id, sent.id).subject == "Independent"
    assert db.exec(select(MailMessage)).one().subject == "Independent"

    # A sent copy moved "to the inbox" goes back to Sent; restore leads there too.
    mailbox.move(db, ada.id, sent.id, "archive")
    assert mailbox.move(db, ada.id, sent.id, "inbox").folder == "sent"
    mailbox.move(db, ada.id, sent.id, "trash")
    assert mailbox.restore(db, ada.id, sent.id).folder == "sent"
    # The last copy gone, the message goes too.
    mailbox.delete_forever(db, ada.id, sent.id)
    db.commit()
    assert db.exec(select(MailMessage)).all() == []


def test_bad_moves_are_refused(db, people):
    ada, bob, _ = people
    send(db, ada, ["bob@example.com"])
    bobs = inbox(db, bob).rows[0]
    for target in ("sent", "drafts", "spam", None):
        with pytest.raises(InvalidInput):
            mailbox.move(db, bob.id, bobs.id, target)
    with pytest.raises(InvalidInput):
        mailbox.restore(db, bob.id, bobs.id)  # not in the trash
    draft = mailbox.save_draft(db, bob.id, {"subject": "d"})
    with pytest.raises(InvalidInput):
        mailbox.move(db, bob.id, draft.id, "archive")
    mailbox.move(db, bob.id, draft.id, "trash")
    assert mailbox.restore(db, bob.id, draft.id).folder == "drafts"


def test_nobody_reaches_a_copy_that_is_not_theirs(db, people):
    ada, bob, cy = people
    sent = send(db, ada, ["bob@example.com"], subject="Private")
    bobs = inbox(db, bob).rows[0].id
    before = {(c.id, c.folder, c.read, c.starred) for c in db.exec(select(MailCopy)).all()}
    for copy_id in (sent.id, bobs, 999_999, "1", True, 0.5):
        for action in (
            lambda i: mailbox.get_mail(db, cy.id, i),
            lambda i: mailbox.open_mail(db, cy.id, i),
            lambda i: mailbox.thread(db, cy.id, i),
            lambda i: mailbox.set_read(db, cy.id, i, True),
            lambda i: mailbox.set_starred(db, cy.id, i, True),
            lambda i: mailbox.move(db, cy.id, i, "trash"),
            lambda i: mailbox.restore(db, cy.id, i),
            lambda i: mailbox.delete_forever(db, cy.id, i),
            lambda i: mailbox.compose_defaults(db, cy.id, i, "reply"),
            lambda i: mailbox.save_draft(db, cy.id, {"subject": "x"}, draft_id=i),
            lambda i: mailbox.send_draft(db, cy.id, i),
        ):
            with pytest.raises(NotFound):
                action(copy_id)
    with pytest.raises(NotFound):
        mailbox.save_draft(db, cy.id, {"to": "ada@example.com", "subject": "x", "reply_to": bobs})
    db.rollback()
    assert {(c.id, c.folder, c.read, c.starred) for c in db.exec(select(MailCopy)).all()} == before
    # Bob cannot act on Ada's copy either, even though he is in the conversation.
    with pytest.raises(NotFound):
        mailbox.set_starred(db, bob.id, sent.id, True)


def test_replies_join_the_conversation_and_opening_marks_it_read(db, people, clock):
    ada, bob, cy = people
    first = send(
        db, ada, ["bob@example.com"], cc=["cy@example.com"], subject="Offsite", body="Where shall we go?", clock=clock
    )
    bobs = inbox(db, bob).rows[0]

    clock.advance(minutes=5)
    reply = mailbox.compose_defaults(db, bob.id, bobs.id, "reply")
    assert (reply.to, reply.cc, reply.subject, reply.reply_to) == ("ada@example.com", "", "Re: Offsite", bobs.id)
    assert "> Where shall we go?" in reply.body and "Ada Lovelace <ada@example.com> wrote:" in reply.body
    everyone = mailbox.compose_defaults(db, bob.id, bobs.id, "reply_all")
    assert (everyone.to, everyone.cc) == ("ada@example.com", "cy@example.com")
    answer = send(
        db, bob, [reply.to], subject=reply.subject, body="The lake!" + reply.body, reply_to=reply.reply_to, clock=clock
    )
    assert answer.thread_id == first.thread_id

    # Ada's inbox has the reply; opening it shows both messages, oldest first, and reads it.
    [adas] = inbox(db, ada).rows
    assert (adas.subject, adas.read) == ("Re: Offsite", False)
    conversation = mailbox.open_mail(db, ada.id, adas.id)
    db.commit()
    assert [m.subject for m in conversation] == ["Offsite", "Re: Offsite"]
    assert [m.folder for m in conversation] == ["sent", "inbox"]
    assert counts(db, ada)["inbox"] == (1, 0)
    # Cy was not on the reply: his side of the conversation is the first message only.
    assert [m.subject for m in mailbox.thread(db, cy.id, inbox(db, cy).rows[0].id)] == ["Offsite"]

    # "Re:" is not stacked; a forward starts a new conversation with the original quoted.
    again = mailbox.compose_defaults(db, ada.id, adas.id, "reply")
    assert again.subject == "Re: Offsite"
    forward = mailbox.compose_defaults(db, ada.id, adas.id, "forward")
    assert (forward.to, forward.subject, forward.reply_to) == ("", "Fwd: Re: Offsite", 0)
    assert "Forwarded message" in forward.body and "The lake!" in forward.body
    # Replying to all from my own sent copy writes to its recipients again.
    mine = mailbox.compose_defaults(db, ada.id, first.id, "reply_all")
    assert (mine.to, mine.cc) == ("bob@example.com", "cy@example.com")
    with pytest.raises(InvalidInput):
        mailbox.compose_defaults(db, ada.id, adas.id, "shout")


def test_mail_to_myself_shows_once_in_the_conversation(db, people):
    ada, _, _ = people
    sent = send(db, ada, ["ada@example.com"], subject="Note to self")
    assert counts(db, ada)["inbox"] == (1, 1) and counts(db, ada)["sent"] == (1, 0)
    assert [m.folder for m in mailbox.thread(db, ada.id, sent.id)] == ["sent"]
    assert [m.folder for m in mailbox.thread(db, ada.id, inbox(db, ada).rows[0].id)] == ["inbox"]
    assert not [n for n in notifications.latest(db, ada.id) if n.type == "mail"]


def test_search_matches_subject_body_and_sender_in_the_folder(db, people):
    ada, bob, cy = people
    send(db, ada, ["bob@example.com"], subject="Budget 2027", body="numbers inside")
    send(db, cy, ["bob@example.com"], subject="Party", body="bring the 100% cake_mix")
    send(db, ada, ["bob@example.com"], subject="Other", body="nothing")

    def found(text):
        return sorted(r.subject for r in inbox(db, bob, search=text).rows)

    assert found("budget") == ["Budget 2027"]
    assert found("NUMBERS") == ["Budget 2027"]
    assert found("Twombly") == ["Party"]
    assert found("ada@example") == ["Budget 2027", "Other"]
    assert found("100%") == ["Party"] and found("e_m") == ["Party"] and found("%") == ["Party"]
    assert found("nope") == []
    assert found("  ") == ["Budget 2027", "Other", "Party"]
    assert found("\x00budget") == ["Budget 2027"]
    assert mailbox.list_folder(db, bob.id, "sent", search="budget").rows == []
    with pytest.raises(InvalidInput):
        mailbox.list_folder(db, bob.id, "spam")


def test_pages_hold_one_page_newest_first(db, people, clock):
    ada, bob, _ = people
    for n in range(12):
        clock.advance(seconds=1)
        send(db, ada, ["bob@example.com"], subject=f"Message {n}", clock=clock)
    first = inbox(db, bob, page_size=10)
    assert (first.total, first.pages, len(first.rows)) == (12, 2, 10)
    assert first.rows[0].subject == "Message 11"
    second = inbox(db, bob, page=2, page_size=10)
    assert [r.subject for r in second.rows] == ["Message 1", "Message 0"]
    # Past the end answers the last page; nonsense sizes fall back to the default.
    assert inbox(db, bob, page=99, page_size=10).page == 2
    assert inbox(db, bob, page_size=7).page_size == mailbox.PAGE_SIZE


def test_empty_trash_removes_only_my_trash(db, people):
    ada, bob, _ = people
    send(db, ada, ["bob@example.com"], subject="one")
    send(db, ada, ["bob@example.com"], subject="two")
    for row in inbox(db, bob).rows:
        mailbox.move(db, bob.id, row.id, "trash")
    assert mailbox.empty_trash(db, bob.id) == 2
    db.commit()
    assert counts(db, bob)["trash"] == (0, 0)
    assert counts(db, ada)["sent"] == (2, 0)


def test_recipient_suggestions_are_people_of_this_instance(db, people, signed_up):
    ada, _, _ = people
    assert [r.email for r in mailbox.suggest_recipients(db, ada.id, "b")] == ["bob@example.com"]
    assert [r.email for r in mailbox.suggest_recipients(db, ada.id, "Twom")] == ["cy@example.com"]
    assert [r.email for r in mailbox.suggest_recipients(db, ada.id, "example")] == []
    assert mailbox.suggest_recipients(db, ada.id, "") == []
    assert mailbox.suggest_recipients(db, ada.id, None) == []
    assert len(mailbox.suggest_recipients(db, ada.id, "%")) == 0


def test_snippets_are_plain_text_and_short(db, people):
    ada, bob, _ = people
    send(db, ada, ["bob@example.com"], body="# Agenda\n\n> quoted *and* `code`\n\n- **one**\n- two\n\n" + "word " * 60)
    snippet = inbox(db, bob).rows[0].snippet
    assert snippet.startswith("Agenda quoted *and* code one two word word")
    assert len(snippet) == mailbox.SNIPPET and snippet.endswith("…")


def test_notification_row_carries_the_link(db, people):
    _, bob, _ = people
    notifications.notify(db, bob.id, "mail", "t", "b", link="/mail?open=5")
    db.commit()
    assert db.exec(select(Notification.link)).one() == "/mail?open=5"
