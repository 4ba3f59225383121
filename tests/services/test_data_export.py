"""Export all my data: everything FluxKit holds about me, no secrets, nobody else's data."""

from __future__ import annotations

import json

import pytest

from fluxkit.models import SocialAccount
from fluxkit.services import api_keys, calendar, chat, data_export, mailbox, notifications, preferences, profile, tasks
from tests.support.factories import META


@pytest.fixture
def people(signed_up, sign_in):
    signed_up("ada@example.com", name="Ada")
    signed_up("bob@example.com", name="Bob")
    return sign_in("ada@example.com")[1], sign_in("bob@example.com")[1]


def test_export_has_my_data_and_none_of_anyone_elses(db, people):
    ada, bob = people
    a, b = ada.user.id, bob.user.id
    profile.update_profile(db, a, {"bio": "Mathematician", "website": "https://ada.example.com"}, META)
    preferences.update(db, a, {"theme": "dark", "notifications": {"mail": {"email": True}}})
    mine = tasks.create_task(db, a, {"title": "Ada's secret plan"})
    tasks.update_task(db, a, mine.id, {"status": "completed"})
    tasks.create_task(db, b, {"title": "Bob's hidden task"})
    key = api_keys.create_key(db, a, "backup script")
    api_keys.create_key(db, b, "bob's key")
    db.add(SocialAccount(user_id=a, provider="github", account_id="ada-at-github", email="ada@example.com"))
    db.add(SocialAccount(user_id=b, provider="google", account_id="bob-at-google", email="bob@example.com"))
    notifications.notify(db, a, "system", "For Ada")
    notifications.notify(db, b, "system", "For Bob only")
    mailbox.send(db, b, {"to": ["ada@example.com"], "subject": "Lunch with Ada", "body": "Noon?"})
    mailbox.send(db, b, {"to": ["bob@example.com"], "subject": "Bob's note to self", "body": "private"})
    conversation, _ = chat.start_direct(db, a, b)
    chat.send(db, a, conversation.id, "Ada says hi")
    chat.send(db, b, conversation.id, "Bob's chat line")
    calendar.create_event(
        db, a, {"title": "Ada's review", "type": "meeting", "start": "2026-12-01T09:00", "end": "2026-12-01T10:00"}
    )
    calendar.create_event(
        db,
        b,
        {
            "title": "Bob invites Ada",
            "type": "meeting",
            "start": "2026-12-03T09:00",
            "end": "2026-12-03T10:00",
            "attendees": [a],
        },
    )
    calendar.create_event(
        db, b, {"title": "Bob's dentist", "type": "personal", "start": "2026-12-02T09:00", "end": "2026-12-02T10:00"}
    )
    db.commit()

    out = data_export.export(db, a)
    text = json.dumps(out)  # it is JSON as it is
    assert out["profile"]["email"] == "ada@example.com" and out["profile"]["bio"] == "Mathematician"
    assert out["preferences"]["theme"] == "dark" and out["preferences"]["notifications"]["mail"]["email"] is True
    assert [t["title"] for t in out["tasks"]] == ["Ada's secret plan"]
    assert out["tasks"][0]["history"], "status history is included"
    assert [k["name"] for k in out["api_keys"]] == ["backup script"]
    assert out["api_keys"][0]["prefix"] == key.row.prefix
    assert "For Ada" in text and "Lunch with Ada" in text and "Ada says hi" in text and "Ada's review" in text
    assert [e["title"] for e in out["calendar"]["invited"]] == ["Bob invites Ada"]
    assert len(out["sessions"]) == 1
    assert [(c["provider"], c["account_id"]) for c in out["connected_accounts"]] == [("github", "ada-at-github")]
    for secret in ("password_hash", "token_hash", "key_hash", "$argon2"):
        assert secret not in text
    for theirs in (
        "Bob's hidden task",
        "bob's key",
        "For Bob only",
        "Bob's note to self",
        "Bob's chat line",
        "Bob's dentist",
    ):
        assert theirs not in text
    assert key.key not in text
