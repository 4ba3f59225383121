"""The shell's load: the header's user, and the sliding refresh reaching the cookie."""

from __future__ import annotations

from datetime import timedelta

from fluxkit.clock import FrozenClock, system_clock
from fluxkit.services import accounts, sessions
from fluxkit.state.shell import ShellState
from tests.support.factories import META, PASSWORD, make_signed_in
from tests.support.states import call, make_root, scripts, substate


async def test_load_fills_the_header_from_the_session(db, alice):
    _, token, _ = alice
    shell = substate(make_root(token), ShellState)
    await call(shell, "load")
    assert (shell.user_name, shell.user_email, shell.is_admin) == ("Alice", "alice@example.com", False)


async def test_a_session_used_after_a_day_slides_and_renews_the_cookie(db):
    make_signed_in(db, "dan@example.com", "Dan")
    two_days_ago = FrozenClock(system_clock.now() - timedelta(days=2))
    token, identity = accounts.sign_in(db, email="dan@example.com", password=PASSWORD, meta=META, clock=two_days_ago)
    db.commit()
    old_expiry = identity.session.expires_at

    out = await call(substate(make_root(token), ShellState), "load")
    assert any("/api/auth/get-session" in script for script in scripts(out))
    db.expire_all()
    assert sessions.resolve(db, token).session.expires_at > old_expiry + timedelta(days=1)


async def test_sign_out_posts_to_the_api_and_leaves_for_sign_in(db, alice):
    _, token, _ = alice
    out = await call(substate(make_root(token), ShellState), "sign_out")
    [script] = scripts(out)
    assert "/api/auth/sign-out" in script and "/sign-in" in script
