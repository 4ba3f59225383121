"""Profile: fields checked (website http/https only, IANA time zones, a small language list),
email change only through the link sent to the new address (the old one told), and deleting
my own account (typed email + password, sessions end, data cascades, the last admin stays)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from fluxkit.models import ApiKey, AuditEvent, Notification, Task, User, UserSession
from fluxkit.services import api_keys, notifications, profile, sessions, tasks
from fluxkit.services.errors import InvalidCredentials, InvalidInput, InvalidToken
from fluxkit.services.users_admin import LAST_ADMIN, Refused
from tests.support.factories import META, PASSWORD, link_token


@pytest.fixture
def ada(signed_up, sign_in):
    signed_up("ada@example.com", name="Ada")
    return sign_in("ada@example.com")[1]


def test_profile_fields_are_saved_and_shown(db, ada, heard):
    saved = profile.update_profile(
        db,
        ada.user.id,
        {
            "bio": "  Builds things.\nLikes tea.  ",
            "company": "Analytical Engines",
            "location": "London",
            "website": "https://ada.example.com/about",
            "timezone": "Europe/London",
            "language": "fr",
        },
        META,
    )
    db.commit()
    assert saved.bio == "Builds things.\nLikes tea."
    assert (saved.company, saved.location, saved.website, saved.timezone, saved.language) == (
        "Analytical Engines",
        "London",
        "https://ada.example.com/about",
        "Europe/London",
        "fr",
    )
    assert db.get(User, ada.user.id).timezone == "Europe/London"  # tasks and calendar use it
    assert any(user == ada.user.id and "profile" in topics for user, topics in heard)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "ftp://example.com"}, "website"),
        ({"website": "https://user:pw@example.com"}, "website"),
        ({"website": "example.com"}, "website"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "US/Eastern"}, "timezone"),
        ({"language": "klingon"}, "language"),
        ({"bio": "x" * 501}, "bio"),
        ({"company": "a\x00b"}, "company"),
        ({"name": "   "}, "name"),
        ({"role": "admin"}, "role"),
    ],
)
def test_bad_fields_are_refused_and_nothing_changes(db, ada, changes, field):
    with pytest.raises(InvalidInput) as refused:
        profile.update_profile(db, ada.user.id, {"company": "Kept?", **changes}, META)
    assert field in refused.value.fields
    db.rollback()
    user = db.get(User, ada.user.id)
    assert (user.company, user.role) == ("", "user")


def test_all_problems_come_back_at_once(db, ada):
    with pytest.raises(InvalidInput) as refused:
        profile.update_profile(db, ada.user.id, {"website": "nope", "language": "xx"}, META)
    assert set(refused.value.fields) == {"website", "language"}


def test_email_changes_only_when_the_new_address_confirms(db, ada, sign_in):
    with pytest.raises(InvalidInput) as wrong:
        profile.request_email_change(db, ada, "ada@new.example", "not my password", META)
    assert "currentPassword" not in wrong.value.fields and "password" in wrong.value.fields
    to_new, to_old = profile.request_email_change(db, ada, "Ada@New.Example", PASSWORD, META)
    db.commit()
    assert to_new["To"] == "ada@new.example" and to_old["To"] == "ada@example.com"
    assert "ada@new.example" in to_old.get_content()
    user = db.get(User, ada.user.id)
    assert (user.email, user.pending_email) == ("ada@example.com", "ada@new.example")
    sign_in("ada@example.com")  # the old address still signs in until the link is followed
    email, [told] = profile.confirm_email_change(db, link_token(to_new), META)
    db.commit()
    assert email == "ada@new.example" and told["To"] == "ada@example.com"
    assert "ada@new.example" in told.get_content()
    assert db.get(User, ada.user.id).email == "ada@new.example"
    sign_in("ada@new.example")
    with pytest.raises(InvalidCredentials):
        sign_in("ada@example.com")
    with pytest.raises(InvalidToken):
        profile.confirm_email_change(db, link_token(to_new), META)  # once only


def test_email_change_refuses_taken_addresses_and_only_the_newest_link_works(db, ada, signed_up):
    signed_up("bob@example.com", name="Bob")
    with pytest.raises(InvalidInput) as taken:
        profile.request_email_change(db, ada, "bob@example.com", PASSWORD, META)
    assert "Another account" in taken.value.fields["email"]
    first, _ = profile.request_email_change(db, ada, "one@example.com", PASSWORD, META)
    second, _ = profile.request_email_change(db, ada, "two@example.com", PASSWORD, META)
    db.commit()
    with pytest.raises(InvalidToken):
        profile.confirm_email_change(db, link_token(first), META)
    db.rollback()
    profile.confirm_email_change(db, link_token(second), META)
    db.commit()
    assert db.get(User, ada.user.id).email == "two@example.com"


def test_delete_my_account_needs_email_and_password_then_everything_goes(db, ada, signed_up, sign_in, heard):
    signed_up("bob@example.com", name="Bob")
    bob_token, bob = sign_in("bob@example.com")
    tasks.create_task(db, ada.user.id, {"title": "Ada's task"})
    tasks.create_task(db, bob.user.id, {"title": "Bob's task"})
    api_keys.create_key(db, ada.user.id, "script")
    notifications.notify(db, ada.user.id, "system", "Hello")
    db.commit()
    with pytest.raises(InvalidInput) as refused:
        profile.delete_account(db, ada, "ada@example.com", "wrong password", META)
    assert set(refused.value.fields) == {"password"}
    with pytest.raises(InvalidInput) as refused:
        profile.delete_account(db, ada, "someone@example.com", PASSWORD, META)
    assert set(refused.value.fields) == {"confirm"}
    db.rollback()
    profile.delete_account(db, ada, " ADA@example.com ", PASSWORD, META)
    db.commit()
    assert db.get(User, ada.user.id) is None
    assert db.exec(select(UserSession).where(UserSession.user_id == ada.user.id)).all() == []
    assert [t.title for t in db.exec(select(Task))] == ["Bob's task"]
    assert db.exec(select(Notification).where(Notification.user_id == ada.user.id)).all() == []
    assert db.exec(select(ApiKey).where(ApiKey.user_id == ada.user.id)).all() == []
    assert sessions.resolve(db, bob_token) is not None  # nobody else is touched
    assert any(user == ada.user.id and "account" in topics for user, topics in heard)
    deleted = db.exec(select(AuditEvent).where(AuditEvent.action == "account_deleted")).one()
    assert deleted.user_id is None and deleted.email == "ada@example.com"
    with pytest.raises(InvalidCredentials):
        sign_in("ada@example.com")


def test_the_last_admin_cannot_delete_themselves(db, ada, signed_up, sign_in):
    user = db.get(User, ada.user.id)
    user.role = "admin"
    db.add(user)
    db.commit()
    with pytest.raises(Refused) as refused:
        profile.delete_account(db, ada, "ada@example.com", PASSWORD, META)
    assert refused.value.message == LAST_ADMIN
    db.rollback()
    bob = signed_up("bob@example.com", name="Bob")
    other = db.get(User, bob.id)
    other.role = "admin"
    db.add(other)
    db.commit()
    profile.delete_account(db, ada, "ada@example.com", PASSWORD, META)
    db.commit()
    assert db.get(User, ada.user.id) is None


def test_time_zones_are_iana_names():
    zones = profile.timezones()
    assert zones[0] == "UTC" and "Europe/Berlin" in zones and "America/New_York" in zones
    assert not any(z.startswith(("US/", "Etc/")) for z in zones)


def test_sign_out_everywhere_else_ends_the_others_and_tells_their_tabs(db, ada, sign_in, heard):
    other_token, other = sign_in("ada@example.com")
    third_token, _ = sign_in("ada@example.com")
    assert profile.sign_out_session(db, ada, other.session.id, META) is True
    db.commit()
    assert sessions.resolve(db, other_token) is None
    assert any(user == ada.user.id and "account" in topics for user, topics in heard)
    heard.clear()
    assert profile.sign_out_everywhere_else(db, ada, META) == 1
    db.commit()
    assert sessions.resolve(db, third_token) is None
    assert [(u, "account" in t) for u, t in heard] == [(ada.user.id, True)]
    assert profile.sign_out_everywhere_else(db, ada, META) == 0  # nothing left to end


def test_changing_the_password_tells_the_other_tabs(db, ada, sign_in, heard):
    other_token, _ = sign_in("ada@example.com")
    [told] = profile.change_password(
        db, ada, current_password=PASSWORD, new_password="another unusual passphrase", meta=META
    )
    db.commit()
    assert told["To"] == "ada@example.com"
    assert sessions.resolve(db, other_token) is None
    assert any(user == ada.user.id and "account" in topics for user, topics in heard)
