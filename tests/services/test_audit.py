"""The audit log records what happened to an account, when, from which IP and browser."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from fluxkit.models import AuditEvent
from fluxkit.services import accounts, audit, sessions
from fluxkit.services.audit import RequestMeta
from fluxkit.services.errors import InvalidCredentials
from tests.support.factories import PASSWORD, link_token

HOME = RequestMeta(ip="192.0.2.10", user_agent="Firefox/130 (home)")
CAFE = RequestMeta(ip="2001:db8::77", user_agent="Safari/18 (cafe)")


def _events(db) -> list[AuditEvent]:
    db.expire_all()
    return list(db.exec(select(AuditEvent).order_by(AuditEvent.id)))


def test_account_lifecycle_is_audited_with_time_ip_and_user_agent(db, clock):
    started = clock.now()
    [verify] = accounts.sign_up(db, name="Ada", email="ada@example.com", password=PASSWORD, meta=HOME, clock=clock)
    db.commit()
    accounts.verify_email(db, link_token(verify), HOME, clock)
    db.commit()

    clock.advance(minutes=1)
    try:
        accounts.sign_in(db, email="ada@example.com", password="wrong passphrase", meta=CAFE, clock=clock)
    except InvalidCredentials:
        db.commit()
    try:
        accounts.sign_in(db, email="nobody@example.com", password="wrong passphrase", meta=CAFE, clock=clock)
    except InvalidCredentials:
        db.commit()

    clock.advance(minutes=1)
    home_token, home = accounts.sign_in(db, email="ada@example.com", password=PASSWORD, meta=HOME, clock=clock)
    db.commit()
    cafe_token, cafe = accounts.sign_in(db, email="ada@example.com", password=PASSWORD, meta=CAFE, clock=clock)
    db.commit()
    accounts.revoke_session(db, home, cafe.session.id, HOME, clock)
    db.commit()
    accounts.sign_in(db, email="ada@example.com", password=PASSWORD, meta=CAFE, clock=clock)
    db.commit()
    accounts.revoke_other_sessions(db, home, HOME, clock)
    db.commit()
    accounts.change_password(
        db, home, current_password=PASSWORD, new_password="second passphrase here", meta=HOME, clock=clock
    )
    db.commit()

    clock.advance(minutes=1)
    [reset] = accounts.request_password_reset(db, "ada@example.com", meta=CAFE, clock=clock)
    db.commit()
    accounts.reset_password(db, token=link_token(reset), new_password="third passphrase here", meta=CAFE, clock=clock)
    db.commit()
    token, _ = accounts.sign_in(db, email="ada@example.com", password="third passphrase here", meta=HOME, clock=clock)
    db.commit()
    accounts.sign_out(db, token, HOME, clock)
    db.commit()

    rows = _events(db)
    seen = [(e.action, e.ip, e.user_agent) for e in rows]
    expected = [
        ("sign_up", HOME),
        ("email_verified", HOME),
        ("sign_in_failed", CAFE),
        ("sign_in_failed", CAFE),
        ("sign_in", HOME),
        ("sign_in", CAFE),
        ("session_revoked", HOME),
        ("sign_in", CAFE),
        ("sessions_revoked", HOME),
        ("password_changed", HOME),
        ("password_reset_requested", CAFE),
        ("password_reset", CAFE),
        ("sign_in", HOME),
        ("sign_out", HOME),
    ]
    assert seen == [(action, meta.ip, meta.user_agent) for action, meta in expected]

    user_id = home.user.id
    by_action = {e.action: e for e in rows}
    assert all(e.user_id == user_id for e in rows if e.email == "ada@example.com")
    failed = [e for e in rows if e.action == "sign_in_failed"]
    assert failed[0].user_id == user_id and failed[0].detail == "wrong password"
    assert failed[1].user_id is None and failed[1].email == "nobody@example.com"
    assert by_action["session_revoked"].detail == f"session {cafe.session.id}"
    assert by_action["sessions_revoked"].detail == "1 other sessions ended"
    assert by_action["password_reset"].detail == "1 sessions ended"
    # Time comes from the injected clock.
    assert [e.created_at - started for e in rows] == [
        timedelta(minutes=m) for m in [0, 0] + [1] * 2 + [2] * 6 + [3] * 4
    ]
    # Nothing secret is logged.
    blob = repr([(e.detail, e.email, e.user_agent) for e in rows])
    for secret in (PASSWORD, "wrong passphrase", "third passphrase here", home_token, cafe_token, link_token(reset)):
        assert secret not in blob
    assert sessions.resolve(db, home_token, clock) is None


def test_unverified_sign_in_failure_says_why_in_the_log_only(db, clock):
    accounts.sign_up(db, name="Ada", email="ada@example.com", password=PASSWORD, meta=HOME, clock=clock)
    db.commit()
    try:
        accounts.sign_in(db, email="ada@example.com", password=PASSWORD, meta=HOME, clock=clock)
    except InvalidCredentials as exc:
        assert "not verified yet" in exc.message  # the shared message, same for every failure
        db.commit()
    [failed] = [e for e in _events(db) if e.action == "sign_in_failed"]
    assert failed.detail == "email not verified"


def test_events_for_lists_a_users_newest_events_first(db, clock, signed_up, sign_in):
    user = signed_up()
    signed_up("bob@example.com", name="Bob")
    sign_in()
    actions = [e.action for e in audit.events_for(db, user.id)]
    assert actions == ["sign_in", "email_verified", "sign_up"]
