"""Settings and dashboard handlers act only on the signed-in user's own data."""

from __future__ import annotations

from fluxkit.services import accounts, audit, sessions
from fluxkit.state.dashboard import DashboardState
from fluxkit.state.settings import SettingsState
from fluxkit.state.shell import ShellState
from tests.state.conftest import META, call, make_root, substate


async def test_dashboard_shows_the_users_own_account(db, alice, bob):
    _, token, _ = alice
    dashboard = substate(make_root(token), DashboardState)
    await call(dashboard, "load")
    assert dashboard.name == "Alice"
    assert dashboard.email == "alice@example.com"
    assert dashboard.email_verified is True
    assert dashboard.active_sessions == 1
    assert [a.label for a in dashboard.activity][:2] == ["Signed in", "Account created"]


async def test_settings_lists_own_sessions_and_cannot_revoke_someone_elses(db, alice, bob):
    alice_user, alice_token, alice_identity = alice
    _, bob_token, bob_identity = bob
    # A second device for Alice.
    second_token, _ = accounts.sign_in(db, email="alice@example.com", password="a-long-passphrase-1", meta=META)
    db.commit()
    settings = substate(make_root(alice_token, "/settings"), SettingsState)
    await call(settings, "load")
    assert len(settings.sessions) == 2
    assert settings.sessions[0].current is True

    # Bob's session id, sent from Alice's tab: refused, Bob stays signed in.
    await call(settings, "revoke_session", bob_identity.session.id)
    assert sessions.resolve(db, bob_token) is not None

    # Her own other session: signed out at once.
    other = next(row for row in settings.sessions if not row.current)
    await call(settings, "revoke_session", other.id)
    db.expire_all()
    assert sessions.resolve(db, second_token) is None
    assert len(settings.sessions) == 1

    # Her current session cannot be revoked from here (that is Sign out).
    await call(settings, "revoke_session", alice_identity.session.id)
    assert sessions.resolve(db, alice_token) is not None


async def test_rename_validates_and_updates_the_header(db, alice):
    _, token, _ = alice
    root = make_root(token, "/settings")
    settings = substate(root, SettingsState)
    await call(settings, "load")
    await call(settings, "save_name", {"name": "   "})
    assert settings.name_error == "Enter your name."
    assert settings.name == "Alice"
    await call(settings, "save_name", {"name": "Alice Liddell"})
    assert settings.name_error == ""
    assert substate(root, ShellState).user_name == "Alice Liddell"
    assert accounts.user_by_email(db, "alice@example.com").name == "Alice Liddell"


async def test_change_password_needs_the_current_one_and_ends_other_sessions(db, alice):
    _, token, _ = alice
    other_token, _ = accounts.sign_in(db, email="alice@example.com", password="a-long-passphrase-1", meta=META)
    db.commit()
    settings = substate(make_root(token, "/settings"), SettingsState)
    await call(settings, "load")

    await call(settings, "change_password", {"currentPassword": "wrong", "newPassword": "brand-new-passphrase", "confirmPassword": "brand-new-passphrase"})
    assert "not right" in settings.password_errors["currentPassword"]
    db.expire_all()
    assert [e.action for e in audit.events_for(db, alice[0].id)][0] == "password_change_failed"
    await call(settings, "change_password", {"currentPassword": "a-long-passphrase-1", "newPassword": "brand-new-passphrase", "confirmPassword": "different"})
    assert "not the same" in settings.password_errors["confirmPassword"]
    db.expire_all()
    assert sessions.resolve(db, other_token) is not None

    await call(settings, "change_password", {"currentPassword": "a-long-passphrase-1", "newPassword": "brand-new-passphrase", "confirmPassword": "brand-new-passphrase"})
    assert settings.password_errors == {}
    db.expire_all()
    assert sessions.resolve(db, other_token) is None
    assert sessions.resolve(db, token) is not None
    assert len(settings.sessions) == 1
