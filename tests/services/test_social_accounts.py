"""Social sign-in's rules (services/social_accounts.py) on a real database: who a finished
sign-in is, linking, unlinking, and round trips that are used once within minutes.

The provider's side is a `Profile` here (what it vouched for); the protocol itself runs
against a loopback provider in tests/api/test_auth_social.py.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from fluxkit.models import OAuthFlow, SocialAccount, User
from fluxkit.services import social_accounts, social_providers
from fluxkit.services.errors import Conflict, InvalidCredentials, InvalidInput, InvalidToken, NotFound
from fluxkit.services.social_providers import Profile
from tests.support.factories import META, make_user
from tests.support.settings_env import settings_env

GITHUB = {"FLUXKIT_OAUTH_GITHUB_CLIENT_ID": "gh-id", "FLUXKIT_OAUTH_GITHUB_CLIENT_SECRET": "gh-secret"}


@pytest.fixture
def github():
    with settings_env(**GITHUB):
        yield social_providers.get("github")


def finished(provider, sub="42", email="octo@example.com", verified=True, name="Octo Cat", link_user_id=None):
    return social_accounts.Finished(
        provider=provider,
        profile=Profile(provider=provider.id, account_id=sub, email=email, email_verified=verified, name=name),
        callback="/dashboard",
        link_user_id=link_user_id,
    )


def test_a_provider_is_offered_only_with_both_id_and_secret():
    with settings_env(FLUXKIT_OAUTH_GOOGLE_CLIENT_ID="only-the-id", FLUXKIT_OAUTH_GOOGLE_CLIENT_SECRET=None):
        assert social_providers.configured() == []
    with settings_env(FLUXKIT_OIDC_CLIENT_ID="id", FLUXKIT_OIDC_CLIENT_SECRET="secret", FLUXKIT_OIDC_ISSUER=None):
        assert social_providers.configured() == []  # no issuer, no discovery
    with settings_env(
        FLUXKIT_OIDC_CLIENT_ID="id", FLUXKIT_OIDC_CLIENT_SECRET="s", FLUXKIT_OIDC_ISSUER="https://sso.example/"
    ):
        [oidc] = social_providers.configured()
        assert (oidc.label, oidc.issuer) == ("single sign-on", "https://sso.example")


def test_a_round_trip_is_used_once_and_only_within_ten_minutes(db, github, clock):
    url, state = social_accounts.start(db, "github", callback="/tasks", clock=clock)
    db.commit()
    assert url.startswith("https://github.com/login/oauth/authorize?")
    assert f"state={state}" in url and "code_challenge_method=S256" in url
    row = db.exec(select(OAuthFlow)).one()
    assert row.state_hash != state and len(row.code_verifier) >= 43 and row.callback == "/tasks"

    clock.advance(minutes=11)
    with pytest.raises(InvalidToken, match="took too long"):
        social_accounts.finish(db, "github", state=state, cookie_state=state, code="c", clock=clock)
    # Used up even so: a second try finds nothing.
    with pytest.raises(InvalidToken, match="invalid or was already used"):
        social_accounts.finish(db, "github", state=state, cookie_state=state, code="c", clock=clock)


def test_a_state_that_is_not_the_browsers_is_refused(db, github, clock):
    _, state = social_accounts.start(db, "github", clock=clock)
    db.commit()
    for cookie in (None, "", "someone-elses-state"):
        with pytest.raises(InvalidToken):
            social_accounts.finish(db, "github", state=state, cookie_state=cookie, code="c", clock=clock)
    with pytest.raises(InvalidToken):  # right state, other provider's callback
        social_accounts.finish(db, "google", state=state, cookie_state=state, code="c", clock=clock)
    assert db.exec(select(OAuthFlow)).one()  # still waiting for its own browser


def test_only_a_relative_callback_is_kept(db, github, clock):
    for asked in ("https://evil.example", "//evil.example", "javascript:alert(1)", None):
        social_accounts.start(db, "github", callback=asked, clock=clock)
    social_accounts.start(db, "github", callback="/settings/account", link_user_id=None, clock=clock)
    assert [f.callback for f in db.exec(select(OAuthFlow).order_by(OAuthFlow.id))] == ["/dashboard"] * 4 + [
        "/settings/account"
    ]
    with pytest.raises(InvalidInput):
        social_accounts.start(db, "github", callback=["/x"], clock=clock)
    with pytest.raises(InvalidInput):
        social_accounts.start(db, "gitlab", clock=clock)


def test_a_new_person_without_an_email_gets_no_account(db, github):
    with pytest.raises(social_accounts.NoEmail):
        social_accounts.account_for(db, finished(github, email=""), META)
    assert db.exec(select(User)).all() == []


def test_a_suspended_account_is_not_signed_in(db, github, clock):
    user = make_user(db, "octo@example.com", "Octo")
    social_accounts.account_for(db, finished(github), META)
    db.get(User, user.id).suspended_at = clock.now()
    db.commit()
    with pytest.raises(InvalidCredentials, match="suspended"):
        social_accounts.account_for(db, finished(github), META)


def test_a_new_name_comes_from_the_provider_or_the_address(db, github):
    user, _ = social_accounts.account_for(db, finished(github, sub="1", email="a.b@example.com", name="  "), META)
    assert user.name == "a.b"
    user, _ = social_accounts.account_for(db, finished(github, sub="2", email="c@example.com", name="X" * 300), META)
    assert user.name == "X" * 100


def test_linking_rules(db, github):
    ada = make_user(db, "ada@example.com", "Ada")
    bob = make_user(db, "bob@example.com", "Bob")
    [message] = social_accounts.link_to(db, ada.id, finished(github, sub="7"), META)
    assert message["Subject"] == "GitHub linked to your FluxKit account"
    assert social_accounts.link_to(db, ada.id, finished(github, sub="7"), META) == []  # already hers: no-op
    with pytest.raises(Conflict) as taken:
        social_accounts.link_to(db, bob.id, finished(github, sub="7"), META)
    assert taken.value.fields == {"reason": "taken"}
    with pytest.raises(Conflict) as other:
        social_accounts.link_to(db, ada.id, finished(github, sub="8"), META)
    assert other.value.fields == {"reason": "other"}


def test_unlinking_keeps_a_way_in(db, github):
    ada = make_user(db, "ada@example.com", "Ada")
    social_accounts.link_to(db, ada.id, finished(github, sub="7"), META)
    db.add(SocialAccount(user_id=ada.id, provider="google", account_id="g-1"))
    db.get(User, ada.id).password_hash = ""
    db.commit()
    # Two providers, no password: one may go, the last may not.
    social_accounts.unlink(db, ada.id, provider="google", meta=META)
    with pytest.raises(Conflict, match="only way to sign in"):
        social_accounts.unlink(db, ada.id, provider="github", meta=META)
    with pytest.raises(NotFound):
        social_accounts.unlink(db, ada.id, provider="github", account_id="not-it", meta=META)
    with pytest.raises(InvalidInput):
        social_accounts.unlink(db, ada.id, provider=None, meta=META)
    assert [a.provider for a in social_accounts.list_accounts(db, ada.id)] == ["github"]
