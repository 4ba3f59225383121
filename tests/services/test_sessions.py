"""Session tokens: strength, storage, lifetime, sliding refresh and revocation."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import text
from sqlmodel import select

from fluxkit.models import UserSession
from fluxkit.services import accounts, sessions
from fluxkit.services.audit import RequestMeta
from fluxkit.services.errors import InvalidInput
from fluxkit.settings import get_settings
from tests.support.factories import META

WEEK = timedelta(days=7)


def _rows(db) -> list[UserSession]:
    db.expire_all()
    return list(db.exec(select(UserSession)))


def test_token_has_at_least_256_random_bits(db, signed_up, sign_in):
    signed_up()
    token, _ = sign_in()
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) >= 32
    assert len(set(sign_in()[0] for _ in range(3)) | {token}) == 4


def test_only_a_keyed_hash_of_the_token_is_stored(db, signed_up, sign_in):
    signed_up()
    token, identity = sign_in()
    [row] = _rows(db)
    assert row.id == identity.session.id
    key = get_settings().secret_key.encode()
    assert row.token_hash == hmac.new(key, token.encode(), hashlib.sha256).hexdigest()
    assert row.token_hash != hashlib.sha256(token.encode()).hexdigest()
    # Nothing in the whole session table contains the token itself.
    dump = db.connection().execute(text('SELECT * FROM "session"')).all()
    assert token not in repr(dump)
    # A stolen hash is not a credential.
    assert sessions.resolve(db, row.token_hash) is None


def test_every_sign_in_gets_a_new_session_and_token(db, signed_up, sign_in):
    signed_up()
    first, one = sign_in()
    second, two = sign_in()
    assert first != second
    assert one.session.id != two.session.id
    assert sessions.resolve(db, first).session.id == one.session.id
    assert sessions.resolve(db, second).session.id == two.session.id
    assert len(_rows(db)) == 2


def test_session_records_ip_and_user_agent(db, signed_up, sign_in):
    signed_up()
    _, identity = sign_in(meta=RequestMeta(ip="203.0.113.5", user_agent="Firefox/130"))
    assert (identity.session.ip, identity.session.user_agent) == ("203.0.113.5", "Firefox/130")


def test_session_lasts_7_days_without_use(db, clock, signed_up, sign_in):
    signed_up()
    token, identity = sign_in()
    assert identity.session.expires_at == clock.now() + WEEK
    clock.advance(days=7)
    assert sessions.resolve(db, token, clock) is None
    db.commit()
    assert _rows(db) == []  # an expired session is cleaned away when seen


def test_session_used_within_the_week_is_valid(db, clock, signed_up, sign_in):
    signed_up()
    token, _ = sign_in()
    clock.advance(days=6, hours=23, minutes=59)
    assert sessions.resolve(db, token, clock) is not None


def test_sliding_refresh_moves_the_expiry_after_a_day_of_use(db, clock, signed_up, sign_in):
    signed_up()
    token, identity = sign_in()
    signed_in_at = clock.now()

    clock.advance(hours=12)
    half_day = sessions.resolve(db, token, clock)
    db.commit()
    assert half_day.refreshed is False
    assert half_day.session.expires_at == signed_in_at + WEEK

    clock.advance(hours=12, minutes=1)
    next_day = sessions.resolve(db, token, clock)
    db.commit()
    assert next_day.refreshed is True
    assert next_day.session.expires_at == clock.now() + WEEK
    [row] = _rows(db)
    assert row.expires_at == clock.now() + WEEK

    # Someone who keeps using the app stays signed in well past the first week.
    for _ in range(4):
        clock.advance(days=5)
        assert sessions.resolve(db, token, clock) is not None
        db.commit()
    assert clock.now() - signed_in_at > timedelta(days=20)

    # ... and a week of silence ends it.
    clock.advance(days=7, seconds=1)
    assert sessions.resolve(db, token, clock) is None


def test_recently_refreshed_is_true_only_just_after_a_refresh(db, clock, signed_up, sign_in):
    signed_up()
    token, _ = sign_in()
    clock.advance(days=1, seconds=1)
    identity = sessions.resolve(db, token, clock)
    db.commit()
    assert sessions.recently_refreshed(identity, clock)
    clock.advance(minutes=2)
    assert not sessions.recently_refreshed(sessions.resolve(db, token, clock), clock)


def test_expired_session_is_refused(db, clock, signed_up, sign_in):
    signed_up()
    token, _ = sign_in()
    clock.advance(days=8)
    assert sessions.resolve(db, token, clock) is None
    # Moving time back does not revive it: it was deleted when seen expired.
    db.commit()
    clock.advance(days=-8)
    assert sessions.resolve(db, token, clock) is None


def test_unknown_or_malformed_tokens_are_refused(db, signed_up, sign_in):
    signed_up()
    token, _ = sign_in()
    for bad in [None, "", "x", token[:-1], token + "x", "x" * 500]:
        assert sessions.resolve(db, bad) is None


def test_revoke_ends_one_session_at_once(db, signed_up, sign_in):
    signed_up()
    laptop, _ = sign_in()
    phone, phone_identity = sign_in()
    laptop_identity = sessions.resolve(db, laptop)
    assert accounts.revoke_session(db, laptop_identity, phone_identity.session.id, META)
    db.commit()
    assert sessions.resolve(db, phone) is None
    assert sessions.resolve(db, laptop) is not None
    # Revoking it again finds nothing.
    assert not accounts.revoke_session(db, laptop_identity, phone_identity.session.id, META)


def test_revoke_refuses_another_users_session(db, signed_up, sign_in):
    signed_up("ada@example.com")
    signed_up("bob@example.com", name="Bob")
    ada_token, ada = sign_in("ada@example.com")
    bob_token, bob = sign_in("bob@example.com")
    assert accounts.revoke_session(db, ada, bob.session.id, META) is False
    db.commit()
    assert sessions.resolve(db, bob_token) is not None


def test_revoke_needs_a_session_id(db, signed_up, sign_in):
    signed_up()
    _, identity = sign_in()
    for bad in [None, "1", True, 1.0, [1]]:
        try:
            accounts.revoke_session(db, identity, bad, META)
        except InvalidInput:
            continue
        raise AssertionError(f"{bad!r} was accepted as a session id")


def test_revoke_other_sessions_keeps_only_the_current_one(db, signed_up, sign_in):
    signed_up("ada@example.com")
    signed_up("bob@example.com", name="Bob")
    current, identity = sign_in()
    others = [sign_in()[0] for _ in range(3)]
    bob_token, _ = sign_in("bob@example.com")
    assert accounts.revoke_other_sessions(db, identity, META) == 3
    db.commit()
    assert sessions.resolve(db, current) is not None
    assert all(sessions.resolve(db, t) is None for t in others)
    assert sessions.resolve(db, bob_token) is not None


def test_revoke_all_ends_every_session_of_that_user_only(db, signed_up, sign_in):
    signed_up("ada@example.com")
    signed_up("bob@example.com", name="Bob")
    tokens = [sign_in()[0] for _ in range(2)]
    bob_token, bob = sign_in("bob@example.com")
    assert sessions.revoke_all(db, sessions.resolve(db, tokens[0]).user.id) == 2
    db.commit()
    assert all(sessions.resolve(db, t) is None for t in tokens)
    assert sessions.resolve(db, bob_token) is not None


def test_sign_out_revokes_the_session(db, signed_up, sign_in):
    signed_up()
    token, _ = sign_in()
    other, _ = sign_in()
    accounts.sign_out(db, token, META)
    db.commit()
    assert sessions.resolve(db, token) is None
    assert sessions.resolve(db, other) is not None
    accounts.sign_out(db, token, META)  # signing out twice is harmless
    accounts.sign_out(db, None, META)


def test_list_sessions_shows_only_the_users_live_sessions(db, clock, signed_up, sign_in):
    signed_up("ada@example.com")
    signed_up("bob@example.com", name="Bob")
    old, _ = sign_in()
    clock.advance(hours=1)
    new, identity = sign_in()
    sign_in("bob@example.com")
    listed = sessions.list_sessions(db, identity.user.id, clock)
    assert [s.id for s in listed] == [identity.session.id, sessions.resolve(db, old, clock).session.id]
    clock.advance(days=6, hours=23, minutes=30)  # the first has expired, the second not yet
    assert [s.id for s in sessions.list_sessions(db, identity.user.id, clock)] == [identity.session.id]


def test_purge_expired_removes_only_expired_sessions(db, clock, signed_up, sign_in):
    signed_up()
    sign_in()
    clock.advance(days=3)
    fresh, _ = sign_in()
    clock.advance(days=4, seconds=1)
    assert sessions.purge_expired(db, clock) == 1
    db.commit()
    assert sessions.resolve(db, fresh, clock) is not None
