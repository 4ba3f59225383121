"""Two-factor sign-in (services/two_factor.py) with real TOTP codes, moved through time by the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from sqlmodel import select

from fluxkit.clock import FrozenClock
from fluxkit.models import AuditEvent, BackupCode, TwoFactor, UserSession
from fluxkit.services import accounts, ratelimit
from fluxkit.services import two_factor as tf
from fluxkit.services.errors import Conflict, InvalidInput, InvalidToken
from tests.support.factories import META, PASSWORD, make_session, make_user

# 12:00:00 exactly is the start of a 30-second step (43200 is a multiple of 30).
NOON = datetime(2026, 12, 3, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return FrozenClock(NOON)


@pytest.fixture
def ada(db, clock):
    make_user(db, "ada@example.com", "Ada", clock=clock)
    return make_session(db, "ada@example.com", clock=clock)[1]


def _secret(setup: tf.Setup) -> str:
    return parse_qs(urlsplit(setup.totp_uri).query)["secret"][0]


def _code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def _enabled(db, ada, clock) -> tuple[str, list[str]]:
    setup = tf.begin_enable(db, ada, PASSWORD, META, clock)
    secret = _secret(setup)
    tf.confirm(db, ada, _code_at(secret, clock.now()), META, clock)
    db.commit()
    clock.advance(seconds=30)  # the next step: the confirming code is spent
    return secret, setup.backup_codes


def _user(db, identity):
    return accounts.user_by_email(db, identity.user.email)


def _challenge(db, ada, clock) -> str:
    challenge = tf.start_challenge(db, _user(db, ada), method="password", callback="/tasks", meta=META, clock=clock)
    db.commit()
    return challenge.token


def _sessions(db, user_id) -> int:
    return len(db.exec(select(UserSession).where(UserSession.user_id == user_id)).all())


# ---- setting it up -------------------------------------------------------------------------------


def test_enable_needs_the_password_and_shows_the_secret_once(db, ada, clock):
    with pytest.raises(InvalidInput) as refused:
        tf.begin_enable(db, ada, "not my password", META, clock)
    assert refused.value.fields == {"password": tf.WRONG_PASSWORD}
    setup = tf.begin_enable(db, ada, PASSWORD, META, clock)
    assert setup.totp_uri.startswith("otpauth://totp/FluxKit:ada%40example.com?")
    assert "issuer=FluxKit" in setup.totp_uri
    assert setup.qr_svg_data_uri.startswith("data:image/svg+xml")
    assert len(setup.backup_codes) == 10 and len(set(setup.backup_codes)) == 10
    # Stored encrypted and hashed: neither the secret nor a code is in the database as typed.
    row = db.get(TwoFactor, ada.user.id)
    assert _secret(setup) not in row.secret_encrypted and row.secret_encrypted.startswith("v1:")
    hashes = [c.code_hash for c in db.exec(select(BackupCode).where(BackupCode.user_id == ada.user.id))]
    assert len(hashes) == 10 and not {c.replace("-", "") for c in setup.backup_codes} & set(hashes)


def test_it_counts_only_after_a_first_code_confirms_it(db, ada, clock, outbox):
    setup = tf.begin_enable(db, ada, PASSWORD, META, clock)
    db.commit()
    assert tf.status(db, ada.user.id, clock) == tf.Status(
        enabled=False, pending=True, backup_codes_left=10, trusted_devices=0
    )
    assert not tf.needs_second_step(db, _user(db, ada), None, clock)  # not yet: an unconfirmed app
    with pytest.raises(InvalidInput):
        tf.confirm(db, ada, "000000" if _code_at(_secret(setup), NOON) != "000000" else "111111", META, clock)
    [message] = tf.confirm(db, ada, _code_at(_secret(setup), NOON), META, clock)
    assert message["Subject"] == "Two-factor sign-in turned on"
    assert tf.status(db, ada.user.id, clock).enabled
    assert tf.needs_second_step(db, _user(db, ada), None, clock)
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.user_id == ada.user.id))]
    assert {"two_factor_setup_started", "two_factor_confirm_failed", "two_factor_enabled"} <= set(actions)
    with pytest.raises(Conflict):
        tf.begin_enable(db, ada, PASSWORD, META, clock)


def test_setting_up_again_before_confirming_replaces_the_secret(db, ada, clock):
    first = tf.begin_enable(db, ada, PASSWORD, META, clock)
    second = tf.begin_enable(db, ada, PASSWORD, META, clock)
    assert _secret(first) != _secret(second)
    with pytest.raises(InvalidInput):
        tf.confirm(db, ada, _code_at(_secret(first), NOON), META, clock)
    tf.confirm(db, ada, _code_at(_secret(second), NOON), META, clock)


# ---- codes at the window's edges -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code_time_offset", "accepted"),
    [
        (0, True),  # this step
        (-30, True),  # the previous step (phone a little slow)
        (+30, True),  # the next step (phone a little fast)
        (-31, False),  # two steps back
        (+60, False),  # two steps ahead
    ],
)
def test_codes_one_step_either_side_are_accepted_and_no_further(db, ada, clock, code_time_offset, accepted):
    secret, _ = _enabled(db, ada, clock)
    clock.advance(minutes=5)  # now = 12:05:30, the start of a step
    now = clock.now()
    code = _code_at(secret, datetime.fromtimestamp(now.timestamp() + code_time_offset, UTC))
    assert tf.check_code(db, ada, code, clock) is accepted


def test_at_the_last_second_of_a_step_the_window_is_still_one_step_either_side(db, ada, clock):
    secret, _ = _enabled(db, ada, clock)
    clock.advance(minutes=5, seconds=29)  # 12:05:59, the last second of the 12:05:30 step
    now = clock.now().timestamp()

    def code(offset: int) -> str:
        return _code_at(secret, datetime.fromtimestamp(now + offset, UTC))

    assert not tf.check_code(db, ada, code(-60), clock)  # 12:04:59: two steps back
    assert not tf.check_code(db, ada, code(+31), clock)  # 12:06:30: two steps ahead
    assert tf.check_code(db, ada, code(-59), clock)  # 12:05:00: the previous step's first second
    assert tf.check_code(db, ada, code(+30), clock)  # 12:06:29: the next step's last second


def test_a_code_cannot_be_used_twice_nor_an_older_one_after_it(db, ada, clock):
    secret, _ = _enabled(db, ada, clock)
    now = clock.now()
    previous = _code_at(secret, datetime.fromtimestamp(now.timestamp() - 30, UTC))
    current = _code_at(secret, now)
    assert tf.check_code(db, ada, current, clock)
    assert not tf.check_code(db, ada, current, clock)  # replayed within its window
    assert not tf.check_code(db, ada, previous, clock)  # an older step is spent with it
    clock.advance(seconds=30)
    assert tf.check_code(db, ada, _code_at(secret, clock.now()), clock)


def test_malformed_codes_are_refused(db, ada, clock):
    _enabled(db, ada, clock)
    for code in (None, "", "12345", "1234567", "abcdef", 123456, "12 34 5x"):
        assert not tf.check_code(db, ada, code, clock)


# ---- the second step of sign-in -------------------------------------------------------------------


def test_the_challenge_opens_no_session_until_the_code(db, ada, clock):
    secret, _ = _enabled(db, ada, clock)
    before = _sessions(db, ada.user.id)
    token = _challenge(db, ada, clock)
    assert _sessions(db, ada.user.id) == before
    wrong = tf.complete_with_totp(db, token, "000000", trust_device=False, meta=META, clock=clock)
    assert isinstance(wrong, tf.Failure) and wrong.error.fields == {"code": tf.WRONG_CODE}
    db.commit()
    assert _sessions(db, ada.user.id) == before
    done = tf.complete_with_totp(db, token, _code_at(secret, clock.now()), trust_device=False, meta=META, clock=clock)
    assert isinstance(done, tf.SignedIn)
    assert done.callback == "/tasks" and done.trusted_token is None
    assert done.identity.user.id == ada.user.id
    db.commit()
    assert _sessions(db, ada.user.id) == before + 1
    # The challenge is spent: it cannot open a second session.
    clock.advance(seconds=30)
    with pytest.raises(InvalidToken):
        tf.complete_with_totp(db, token, _code_at(secret, clock.now()), trust_device=False, meta=META, clock=clock)


def test_a_challenge_expires_after_ten_minutes(db, ada, clock):
    secret, _ = _enabled(db, ada, clock)
    token = _challenge(db, ada, clock)
    clock.advance(minutes=10)
    with pytest.raises(InvalidToken, match="expired"):
        tf.complete_with_totp(db, token, _code_at(secret, clock.now()), trust_device=False, meta=META, clock=clock)


def test_forged_challenge_tokens_are_refused(db, ada, clock):
    _enabled(db, ada, clock)
    for token in (None, "", "x" * 500, "not-a-real-challenge"):
        with pytest.raises(InvalidToken):
            tf.complete_with_totp(db, token, "123456", trust_device=False, meta=META, clock=clock)


def test_five_wrong_codes_end_the_challenge(db, ada, clock):
    secret, _ = _enabled(db, ada, clock)
    token = _challenge(db, ada, clock)
    for _ in range(tf.CHALLENGE_FAILURES):
        assert isinstance(
            tf.complete_with_totp(db, token, "000000", trust_device=False, meta=META, clock=clock), tf.Failure
        )
        db.commit()
    with pytest.raises(InvalidToken, match="Too many wrong codes"):
        tf.complete_with_totp(db, token, _code_at(secret, clock.now()), trust_device=False, meta=META, clock=clock)


def test_wrong_codes_count_per_account_over_fresh_challenges(db, ada, clock):
    secret, _ = _enabled(db, ada, clock)
    limit = ratelimit.TWO_FACTOR_PER_ACCOUNT.amount
    token = ""
    for n in range(limit):
        if n % 4 == 0:
            token = _challenge(db, ada, clock)
        tf.complete_with_totp(db, token, "000000", trust_device=False, meta=META, clock=clock)
        db.commit()
    token = _challenge(db, ada, clock)
    with pytest.raises(tf.SecondStepLimited) as limited:
        tf.complete_with_totp(db, token, _code_at(secret, clock.now()), trust_device=False, meta=META, clock=clock)
    assert limited.value.verdict.retry_after > 0
    assert "Too many wrong codes" in limited.value.message


def test_a_backup_code_works_once(db, ada, clock):
    _enabled(db, ada, clock)
    setup_codes = tf.regenerate_backup_codes(db, ada, PASSWORD, META, clock)[0]
    db.commit()
    code = setup_codes[3]
    token = _challenge(db, ada, clock)
    done = tf.complete_with_backup_code(
        db, token, code.upper().replace("-", " "), trust_device=False, meta=META, clock=clock
    )
    assert isinstance(done, tf.SignedIn)
    db.commit()
    assert tf.status(db, ada.user.id, clock).backup_codes_left == 9
    again = tf.complete_with_backup_code(
        db, _challenge(db, ada, clock), code, trust_device=False, meta=META, clock=clock
    )
    assert isinstance(again, tf.Failure) and again.error.message == tf.WRONG_BACKUP_CODE


def test_regenerating_backup_codes_needs_the_password_and_retires_the_old_ones(db, ada, clock):
    _, old_codes = _enabled(db, ada, clock)
    with pytest.raises(InvalidInput):
        tf.regenerate_backup_codes(db, ada, "wrong", META, clock)
    new_codes, [message] = tf.regenerate_backup_codes(db, ada, PASSWORD, META, clock)
    db.commit()
    assert message["Subject"] == "New backup codes for FluxKit"
    assert not set(new_codes) & set(old_codes)
    old = tf.complete_with_backup_code(
        db, _challenge(db, ada, clock), old_codes[0], trust_device=False, meta=META, clock=clock
    )
    assert isinstance(old, tf.Failure)
    db.commit()
    new = tf.complete_with_backup_code(
        db, _challenge(db, ada, clock), new_codes[0], trust_device=False, meta=META, clock=clock
    )
    assert isinstance(new, tf.SignedIn)


def test_a_trusted_device_skips_the_step_for_thirty_days(db, ada, clock):
    secret, _ = _enabled(db, ada, clock)
    done = tf.complete_with_totp(
        db, _challenge(db, ada, clock), _code_at(secret, clock.now()), trust_device=True, meta=META, clock=clock
    )
    db.commit()
    user = _user(db, ada)
    assert done.trusted_token
    assert not tf.needs_second_step(db, user, done.trusted_token, clock)
    assert tf.needs_second_step(db, user, "someone-elses-cookie", clock)
    assert tf.needs_second_step(db, user, None, clock)
    # Another account cannot use Ada's trusted cookie.
    make_user(db, "bob@example.com", "Bob", clock=clock)
    bob = make_session(db, "bob@example.com", clock=clock)[1]
    _enabled(db, bob, clock)
    assert tf.needs_second_step(db, _user(db, bob), done.trusted_token, clock)
    clock.advance(days=29, hours=23)
    assert not tf.needs_second_step(db, user, done.trusted_token, clock)
    clock.advance(hours=1)
    assert tf.needs_second_step(db, user, done.trusted_token, clock)


def test_trusted_devices_can_be_forgotten(db, ada, clock):
    secret, _ = _enabled(db, ada, clock)
    done = tf.complete_with_totp(
        db, _challenge(db, ada, clock), _code_at(secret, clock.now()), trust_device=True, meta=META, clock=clock
    )
    db.commit()
    assert tf.status(db, ada.user.id, clock).trusted_devices == 1
    assert tf.forget_trusted_devices(db, ada, META, clock) == 1
    assert tf.needs_second_step(db, _user(db, ada), done.trusted_token, clock)


def test_disable_needs_the_password_and_forgets_everything(db, ada, clock):
    secret, _ = _enabled(db, ada, clock)
    done = tf.complete_with_totp(
        db, _challenge(db, ada, clock), _code_at(secret, clock.now()), trust_device=True, meta=META, clock=clock
    )
    db.commit()
    with pytest.raises(InvalidInput):
        tf.disable(db, ada, "wrong", META, clock)
    assert tf.status(db, ada.user.id, clock).enabled
    [message] = tf.disable(db, ada, PASSWORD, META, clock)
    db.commit()
    assert message["Subject"] == "Two-factor sign-in turned off"
    assert tf.status(db, ada.user.id, clock) == tf.Status(False, False, 0, 0)
    assert not tf.needs_second_step(db, _user(db, ada), done.trusted_token, clock)
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.user_id == ada.user.id))]
    assert "two_factor_disable_failed" in actions and "two_factor_disabled" in actions


def test_users_admin_sees_who_has_two_factor(db, ada, clock):
    make_user(db, "bob@example.com", "Bob", clock=clock)
    bob = make_session(db, "bob@example.com", clock=clock)[1]
    _enabled(db, ada, clock)
    tf.begin_enable(db, bob, PASSWORD, META, clock)  # set up, never confirmed
    assert tf.enabled_user_ids(db, [ada.user.id, bob.user.id]) == {ada.user.id}


# ---- organizations that require it ------------------------------------------------------------------


def test_an_organization_can_require_two_factor_of_its_members(db, ada, clock):
    from fluxkit.services import organizations as orgs
    from tests.support.factories import make_organization

    make_user(db, "bob@example.com", "Bob", clock=clock)
    bob = make_session(db, "bob@example.com", clock=clock)[1]
    org = make_organization(db, ada.user.id, "Acme", members={bob.user.id: "member"})
    orgs.switch(db, bob.user.id, org.id)
    with pytest.raises(Conflict, match="your own account first"):
        orgs.set_two_factor_requirement(db, ada.user.id, org.id, True)
    _enabled(db, ada, clock)
    with pytest.raises(orgs.NotAllowed):
        orgs.set_two_factor_requirement(db, bob.user.id, org.id, True)  # a member may not
    assert orgs.set_two_factor_requirement(db, ada.user.id, org.id, True).require_two_factor is True
    db.commit()
    # Bob has no two-factor: the organization's data is refused with a reason, and the shell knows.
    for read in (orgs.members, orgs.detail, orgs.switch):
        with pytest.raises(orgs.TwoFactorRequired, match="Acme requires two-factor sign-in"):
            read(db, bob.user.id, org.id)
    assert orgs.two_factor_block(db, bob.user.id) == "Acme"
    assert [o.name for o in orgs.list_mine(db, bob.user.id)] == ["Acme"]  # still listed
    assert orgs.active_org(db, bob.user.id).name == "Acme"  # its name, for the sidebar
    # Once Bob turns it on, everything opens.
    _enabled(db, bob, clock)
    assert len(orgs.members(db, bob.user.id, org.id)) == 2
    assert orgs.two_factor_block(db, bob.user.id) == ""
    # A member without it can still leave.
    tf.disable(db, bob, PASSWORD, META, clock)
    orgs.leave(db, bob.user.id, org.id)
    assert orgs.list_mine(db, bob.user.id) == []


def test_the_users_admin_list_and_detail_show_who_has_two_factor(db, ada, clock):
    from fluxkit.services import users_admin

    make_user(db, "root@example.com", "Root", admin=True, clock=clock)
    admin_id = accounts.user_by_email(db, "root@example.com").id
    make_user(db, "bob@example.com", "Bob", clock=clock)
    _enabled(db, ada, clock)
    rows = {r.email: r.two_factor for r in users_admin.list_users(db, admin_id, users_admin.UserQuery.parse({})).rows}
    assert rows == {"ada@example.com": True, "bob@example.com": False, "root@example.com": False}
    assert users_admin.get_user(db, admin_id, ada.user.id).two_factor is True


def test_wrong_codes_are_counted_in_redis_when_configured(db, ada, clock, redis_env):
    """With REDIS_URL, every worker sees the same count of an account's wrong codes."""
    _enabled(db, ada, clock)
    token = _challenge(db, ada, clock)
    tf.complete_with_totp(db, token, "000000", trust_device=False, meta=META, clock=clock)
    keys = [key.decode() for key in redis_env.keys("*two-factor*")]
    assert any(f"two-factor/account/{ada.user.id}" in key for key in keys), keys
