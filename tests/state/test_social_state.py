"""Social sign-in's states: the sign-in page's provider buttons and Settings › Connected accounts."""

from __future__ import annotations

import pytest
from sqlmodel import select

from fluxkit.models import AuditEvent, SocialAccount, User
from fluxkit.services import ratelimit
from fluxkit.state.social import ProviderButton, SocialSignInState, SocialState
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET
from tests.support.settings_env import settings_env
from tests.support.states import call, make_root, redirect_targets, scripts, substate, texts

OIDC = {
    "FLUXKIT_OIDC_ISSUER": "http://127.0.0.1:9",
    "FLUXKIT_OIDC_CLIENT_ID": CLIENT_ID,
    "FLUXKIT_OIDC_CLIENT_SECRET": CLIENT_SECRET,
    "FLUXKIT_OIDC_NAME": "Acme SSO",
}


@pytest.fixture
def oidc_on():
    with settings_env(**OIDC):
        yield


def sign_in_page(path: str = "/sign-in") -> SocialSignInState:
    return substate(make_root(None, path), SocialSignInState)


async def test_no_button_when_no_provider_is_configured(db):
    state = sign_in_page()
    await call(state, "load")
    assert state.providers == []


async def test_a_configured_provider_gets_its_button(db, oidc_on):
    state = sign_in_page()
    await call(state, "load")
    assert state.providers == [ProviderButton("oidc", "Acme SSO")]
    with settings_env(FLUXKIT_OAUTH_GITHUB_CLIENT_ID="id", FLUXKIT_OAUTH_GITHUB_CLIENT_SECRET="secret"):
        await call(state, "load")
    assert [p.label for p in state.providers] == ["GitHub", "Acme SSO"]


async def test_start_has_the_browser_post_and_then_leave_for_the_provider(db, oidc_on):
    state = sign_in_page()
    out = await call(state, "start", "oidc")
    [script] = scripts(out)
    assert "/api/auth/sign-in/social" in script and '"provider": "oidc"' in script
    assert state.pending == "oidc"
    out = await call(state, "started", {"status": 200, "body": {"url": "http://127.0.0.1:9/authorize?x=1"}})
    assert scripts(out) == ['window.location.assign("http://127.0.0.1:9/authorize?x=1")']
    # A refusal is shown, and nothing else is followed.
    out = await call(state, "started", {"status": 429, "body": {"message": "Too many attempts."}})
    assert out == [] and state.error == "Too many attempts." and state.pending == ""
    out = await call(state, "started", {"status": 200, "body": {"url": "javascript:alert(1)"}})
    assert scripts(out) == []


async def test_an_unconfigured_provider_does_not_start(db):
    state = sign_in_page()
    assert await call(state, "start", "google") == []
    assert state.error == "That sign-in provider is not set up here."


async def test_the_sign_in_page_says_why_a_social_sign_in_did_not_happen(db, oidc_on):
    state = sign_in_page("/sign-in?error=social-link-needed&provider=oidc")
    await call(state, "load")
    assert state.error == (
        "An account with this email already exists. Sign in with your password, then connect "
        "Acme SSO in Settings › Account and security."
    )


# ---- settings ---------------------------------------------------------------------------------


def link(db, user_id: int, provider: str = "oidc", account_id: str = "sub-1") -> None:
    db.add(SocialAccount(user_id=user_id, provider=provider, account_id=account_id, email="work@example.org"))
    db.commit()


async def test_settings_lists_connected_and_connectable_providers(db, alice, oidc_on):
    user, token, _ = alice
    state = substate(make_root(token, "/settings/account"), SocialState)
    await call(state, "load")
    assert state.connected == [] and [p.id for p in state.available] == ["oidc"] and state.has_password
    link(db, user.id)
    await call(state, "load")
    assert [(r.label, r.email) for r in state.connected] == [("Acme SSO", "work@example.org")]
    assert state.available == []


async def test_connect_has_the_browser_post_to_link_social(db, alice, oidc_on):
    _, token, _ = alice
    state = substate(make_root(token, "/settings/account"), SocialState)
    [script] = scripts(await call(state, "connect", "oidc"))
    assert "/api/auth/link-social" in script
    out = await call(state, "connect_started", {"status": 200, "body": {"url": "http://127.0.0.1:9/authorize"}})
    assert scripts(out) == ['window.location.assign("http://127.0.0.1:9/authorize")']


async def test_disconnect_keeps_the_last_way_in(db, alice, oidc_on):
    user, token, _ = alice
    link(db, user.id)
    state = substate(make_root(token, "/settings/account"), SocialState)
    db.get(User, user.id).password_hash = ""
    db.commit()
    out = await call(state, "disconnect", "oidc")
    assert "only way to sign in" in texts(out)
    assert len(state.connected) == 1 and state.has_password is False

    out = await call(state, "email_password_link")
    assert "a link to set a password" in texts(out)


async def test_disconnect_with_a_password_removes_it_and_logs_it(db, alice, oidc_on):
    user, token, _ = alice
    link(db, user.id)
    state = substate(make_root(token, "/settings/account"), SocialState)
    out = await call(state, "disconnect", "oidc")
    assert "Acme SSO is disconnected." in texts(out)
    assert state.connected == []
    db.expire_all()
    assert db.exec(select(SocialAccount)).all() == []
    actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.user_id == user.id))]
    assert "social_unlinked" in actions


async def test_one_user_cannot_disconnect_anothers_account(db, alice, bob, oidc_on):
    bob_user, _, _ = bob
    link(db, bob_user.id)
    _, alice_token, _ = alice
    state = substate(make_root(alice_token, "/settings/account"), SocialState)
    out = await call(state, "disconnect", "oidc")
    assert "not connected" in texts(out)
    db.expire_all()
    assert len(db.exec(select(SocialAccount)).all()) == 1


async def test_settings_handlers_refuse_without_a_session(db, oidc_on):
    state = substate(make_root(None, "/settings/account"), SocialState)
    for name, args in [("load", ()), ("connect", ("oidc",)), ("disconnect", ("oidc",)), ("email_password_link", ())]:
        assert redirect_targets(await call(state, name, *args)) == ["/sign-in?redirect=/settings/account"]


async def test_the_password_link_is_limited_like_forgot_password(db, alice):
    user, token, _ = alice
    state = substate(make_root(token, "/settings/account"), SocialState)
    for _ in range(ratelimit.RESET_PER_ACCOUNT.amount):
        assert "a link to set a password" in texts(await call(state, "email_password_link"))
    assert "several links" in texts(await call(state, "email_password_link"))


def test_the_handler_gate_walk_covers_connected_accounts():
    """tests/state/test_handler_gate.py walks every handler of every SignedInState subclass."""
    from tests.support.states import signed_in_state_classes

    assert SocialState in signed_in_state_classes()
    own = set(SocialState.event_handlers) - {"setvar"}
    assert own == {"load", "connect", "connect_started", "disconnect", "email_password_link"}
