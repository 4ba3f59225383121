"""Forgotten and changed passwords: links, expiry, single use, concurrency, sessions ended."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from fluxkit.models import User
from fluxkit.services import accounts, sessions
from fluxkit.services.errors import InvalidCredentials, InvalidInput, InvalidToken
from tests.support.factories import META, PASSWORD, link_token

# Resets and changes hash at the cost the app uses.
pytestmark = pytest.mark.production_hash_cost

NEW_PASSWORD = "a brand new passphrase"


def _request_reset(db, clock, email="ada@example.com", path=None):
    messages = accounts.request_password_reset(db, email, reset_path=path, meta=META, clock=clock)
    db.commit()
    return messages


def _reset(db, clock, token, password=NEW_PASSWORD):
    messages = accounts.reset_password(db, token=token, new_password=password, meta=META, clock=clock)
    db.commit()
    return messages


def _can_sign_in(db, clock, password, email="ada@example.com") -> bool:
    try:
        accounts.sign_in(db, email=email, password=password, meta=META, clock=clock)
    except InvalidCredentials:
        db.rollback()
        return False
    db.commit()
    return True


# ---- the reset link -------------------------------------------------------------------------


def test_reset_email_only_for_a_registered_address(db, clock, signed_up):
    signed_up()
    assert _request_reset(db, clock, "nobody@example.com") == []
    [message] = _request_reset(db, clock, " ADA@example.com ")
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Reset your FluxKit password"
    assert f"http://localhost:3000/reset-password?token={link_token(message)}" in message.get_content()


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.example/x",
        "//evil.example",
        "//evil.example/reset-password",
        "/\\evil.example",
        "evil.example/x",
        None,
    ],
)
def test_reset_link_is_always_on_the_base_url(db, clock, signed_up, path):
    signed_up()
    [message] = _request_reset(db, clock, path=path)
    body = message.get_content()
    assert "evil.example" not in body
    assert f"http://localhost:3000/reset-password?token={link_token(message)}" in body


def test_reset_link_may_use_a_relative_page_path(db, clock, signed_up):
    signed_up()
    [message] = _request_reset(db, clock, path="/account/new-password?next=/x#frag")
    assert f"http://localhost:3000/account/new-password?token={link_token(message)}" in message.get_content()


def test_reset_sets_the_password_and_does_not_sign_in(db, clock, signed_up):
    signed_up()
    [message] = _request_reset(db, clock)
    notices = _reset(db, clock, link_token(message))
    assert not _can_sign_in(db, clock, PASSWORD)
    assert _can_sign_in(db, clock, NEW_PASSWORD)
    # Only an email comes back: no session token.
    assert all(not isinstance(n, str) for n in notices)


def test_reset_ends_every_session_and_sends_a_password_changed_notice(db, clock, signed_up, sign_in):
    signed_up()
    signed_up("bob@example.com", name="Bob")
    tokens = [sign_in()[0] for _ in range(3)]
    bob_token, _ = sign_in("bob@example.com")
    [message] = _request_reset(db, clock)
    [notice] = _reset(db, clock, link_token(message))
    assert notice["To"] == "ada@example.com"
    assert notice["Subject"] == "Your FluxKit password was changed"
    assert "http://localhost:3000/forgot-password" in notice.get_content()
    assert all(sessions.resolve(db, t, clock) is None for t in tokens)
    assert sessions.resolve(db, bob_token, clock) is not None


def test_reset_link_works_for_1_hour_and_not_after(db, clock, signed_up):
    signed_up()
    [message] = _request_reset(db, clock)
    clock.advance(minutes=59)
    _reset(db, clock, link_token(message))
    assert _can_sign_in(db, clock, NEW_PASSWORD)

    [late] = _request_reset(db, clock)
    clock.advance(hours=1, seconds=1)
    with pytest.raises(InvalidToken):
        _reset(db, clock, link_token(late), "yet another passphrase")
    db.rollback()
    assert _can_sign_in(db, clock, NEW_PASSWORD)


def test_reset_link_works_once(db, clock, signed_up):
    signed_up()
    [message] = _request_reset(db, clock)
    _reset(db, clock, link_token(message))
    with pytest.raises(InvalidToken) as caught:
        _reset(db, clock, link_token(message), "an attacker's passphrase")
    assert "already used" in caught.value.message
    db.rollback()
    assert _can_sign_in(db, clock, NEW_PASSWORD)


def test_a_reset_ends_every_other_outstanding_reset_link(db, clock, signed_up):
    signed_up()
    [first] = _request_reset(db, clock)
    [second] = _request_reset(db, clock)
    _reset(db, clock, link_token(second))
    with pytest.raises(InvalidToken):
        _reset(db, clock, link_token(first), "an attacker's passphrase")


@pytest.mark.parametrize("token", ["", "forged", "A" * 43, None, 7])
def test_forged_reset_token_is_refused(db, clock, signed_up, token):
    signed_up()
    _request_reset(db, clock)
    with pytest.raises(InvalidToken):
        _reset(db, clock, token)
    db.rollback()
    assert _can_sign_in(db, clock, PASSWORD)


def test_a_verification_token_cannot_reset_a_password(db, clock):
    [message] = accounts.sign_up(db, name="Ada", email="ada@example.com", password=PASSWORD, meta=META, clock=clock)
    db.commit()
    with pytest.raises(InvalidToken):
        _reset(db, clock, link_token(message))


@pytest.mark.parametrize("password", ["short", "password1", "x" * 129, None])
def test_a_refused_new_password_does_not_use_up_the_link(db, clock, signed_up, password):
    signed_up()
    [message] = _request_reset(db, clock)
    with pytest.raises(InvalidInput) as caught:
        _reset(db, clock, link_token(message), password)
    assert "newPassword" in caught.value.fields
    db.rollback()
    _reset(db, clock, link_token(message))
    assert _can_sign_in(db, clock, NEW_PASSWORD)


def test_reset_from_an_unverified_account_lets_it_sign_in(db, clock):
    accounts.sign_up(db, name="Ada", email="ada@example.com", password=PASSWORD, meta=META, clock=clock)
    db.commit()
    [message] = _request_reset(db, clock)
    _reset(db, clock, link_token(message))
    assert _can_sign_in(db, clock, NEW_PASSWORD)


def test_two_concurrent_uses_of_one_reset_link_exactly_one_wins(engine, db, clock, signed_up):
    signed_up()
    [message] = _request_reset(db, clock)
    token = link_token(message)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def use(password: str) -> None:
        with Session(engine, expire_on_commit=False) as own:
            start.wait()
            try:
                accounts.reset_password(own, token=token, new_password=password, meta=META, clock=clock)
                own.commit()
                outcomes[password] = "ok"
            except InvalidToken:
                own.rollback()
                outcomes[password] = "refused"
            except Exception as exc:
                own.rollback()
                outcomes[password] = f"error: {exc!r}"

    threads = [threading.Thread(target=use, args=(p,)) for p in ("first thread passphrase", "second thread passphrase")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes.values()) == ["ok", "refused"], outcomes
    [winner] = [p for p, outcome in outcomes.items() if outcome == "ok"]
    [loser] = [p for p, outcome in outcomes.items() if outcome == "refused"]
    assert _can_sign_in(db, clock, winner)
    assert not _can_sign_in(db, clock, loser)


# ---- change password -----------------------------------------------------------------------


def test_change_password_needs_the_current_password(db, clock, signed_up, sign_in):
    signed_up()
    token, identity = sign_in()
    other, _ = sign_in()
    before = db.exec(select(User.password_hash)).one()
    for wrong in ["not my password", "", None]:
        with pytest.raises(InvalidInput) as caught:
            accounts.change_password(
                db, identity, current_password=wrong, new_password=NEW_PASSWORD, meta=META, clock=clock
            )
        assert caught.value.fields == {"currentPassword": "Your current password is not right."}
        db.rollback()
    db.expire_all()
    assert db.exec(select(User.password_hash)).one() == before
    assert sessions.resolve(db, other, clock) is not None


def test_change_password_ends_other_sessions_only(db, clock, signed_up, sign_in):
    signed_up()
    signed_up("bob@example.com", name="Bob")
    current, identity = sign_in()
    others = [sign_in()[0] for _ in range(2)]
    bob_token, _ = sign_in("bob@example.com")
    [notice] = accounts.change_password(
        db, identity, current_password=PASSWORD, new_password=NEW_PASSWORD, meta=META, clock=clock
    )
    db.commit()
    assert notice["Subject"] == "Your FluxKit password was changed"
    assert sessions.resolve(db, current, clock) is not None
    assert all(sessions.resolve(db, t, clock) is None for t in others)
    assert sessions.resolve(db, bob_token, clock) is not None
    assert not _can_sign_in(db, clock, PASSWORD)
    assert _can_sign_in(db, clock, NEW_PASSWORD)


@pytest.mark.parametrize(
    "new, message",
    [
        (PASSWORD, "Choose a password different from the current one."),
        ("password1", "This password is too common. Choose one that is harder to guess."),
        ("short", "Use at least 8 characters."),
    ],
)
def test_change_password_refuses_a_bad_new_password(db, clock, signed_up, sign_in, new, message):
    signed_up()
    _, identity = sign_in()
    other, _ = sign_in()
    with pytest.raises(InvalidInput) as caught:
        accounts.change_password(db, identity, current_password=PASSWORD, new_password=new, meta=META, clock=clock)
    assert caught.value.fields == {"newPassword": message}
    db.rollback()
    assert sessions.resolve(db, other, clock) is not None
    assert _can_sign_in(db, clock, PASSWORD)
