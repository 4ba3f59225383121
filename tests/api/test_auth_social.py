"""Social sign-in through /api/auth against a real OpenID Connect provider on loopback
(tests/support/oidc_provider.py): redirects followed by httpx, the token exchange and the
ID token's signature, nonce and audience checked for real. Nothing of the protocol is mocked.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest
from sqlmodel import select

from fluxkit.models import AuditEvent, SocialAccount, User
from fluxkit.services import social_providers
from tests.support.factories import PASSWORD, make_user
from tests.support.http import BASE_URL, cookie_name, emails, session_of, sign_in, signed_in_client, token_in
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, OIDCProvider, Person, running_provider
from tests.support.settings_env import settings_env


@pytest.fixture(scope="module")
def provider_server():
    with running_provider() as provider:
        yield provider


@pytest.fixture
def provider(provider_server: OIDCProvider):
    provider_server.reset()
    social_providers.forget_cached()
    with settings_env(**provider_server.env()):
        yield provider_server
    social_providers.forget_cached()


def browse(client) -> httpx.Client:
    """A browser that follows redirects between the app (in process) and the provider
    (loopback), with the app's cookie jar."""
    browser = httpx.Client(mounts={BASE_URL: client._transport}, follow_redirects=True, timeout=20)
    browser._cookies = client._cookies  # one cookie jar: what the redirects set, the client has
    return browser


def start(client, provider_id: str = "oidc", callback: str = "/dashboard", route: str = "/api/auth/sign-in/social"):
    response = client.post(route, json={"provider": provider_id, "callbackURL": callback})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["redirect"] is True
    return body["url"]


def at_provider(url: str) -> str:
    """The provider consents; the callback URL it sends the browser back to."""
    answer = httpx.get(url, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def come_back(client, callback_url: str):
    parts = urlsplit(callback_url)
    return client.get(f"{parts.path}?{parts.query}")


def audit_actions(db, **where) -> list[tuple[str, str]]:
    db.expire_all()
    rows = db.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    return [(r.action, r.detail) for r in rows if all(getattr(r, k) == v for k, v in where.items())]


def user_by_email(db, address: str) -> User | None:
    db.expire_all()
    return db.exec(select(User).where(User.email == address)).first()


# ---- the whole round trip -----------------------------------------------------------------------------


def test_a_new_person_gets_an_account_and_lands_signed_in(provider, client, db, outbox):
    url = start(client, callback="/tasks")
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{provider.issuer}/authorize?")
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    assert query["redirect_uri"] == [f"{BASE_URL}/api/auth/callback/oidc"]

    with browse(client) as browser:
        landed = browser.get(url)
    assert landed.status_code == 200
    assert landed.text == "page /tasks"  # the edge gate let the new session through
    session = session_of(client)
    assert session["user"]["email"] == "oidc.person@example.com"
    assert session["user"]["name"] == "Olive Idc"
    assert session["user"]["emailVerified"] is True
    assert client.cookies.get("fluxkit.oauth_state") is None  # used up

    user = user_by_email(db, "oidc.person@example.com")
    assert user.password_hash == ""  # no password until the person sets one
    links = db.exec(select(SocialAccount).where(SocialAccount.user_id == user.id)).all()
    assert [(link.provider, link.account_id) for link in links] == [("oidc", "person-1")]
    assert ("sign_up", "Test IdP") in audit_actions(db, user_id=user.id)
    assert ("sign_in", "Test IdP") in audit_actions(db, user_id=user.id)
    # A verified address and a new account: nothing to verify, nobody else to warn.
    assert emails(outbox, to="oidc.person@example.com") == []


def test_the_same_person_signs_in_again_into_the_same_account(provider, new_client, db):
    for _ in range(2):
        client = new_client()
        with browse(client) as browser:
            assert browser.get(start(client)).text == "page /dashboard"
        assert session_of(client)["user"]["email"] == "oidc.person@example.com"
    db.expire_all()
    assert len(db.exec(select(User)).all()) == 1
    assert len(db.exec(select(SocialAccount)).all()) == 1


def test_the_account_follows_the_provider_id_not_the_email(provider, new_client, db):
    first = new_client()
    with browse(first) as browser:
        browser.get(start(first))
    provider.person = Person(sub="person-1", email="renamed@example.com")  # same person, new address
    second = new_client()
    with browse(second) as browser:
        browser.get(start(second))
    assert session_of(second)["user"]["email"] == "oidc.person@example.com"


# ---- what is refused --------------------------------------------------------------------------------


def test_a_forged_state_is_refused_before_the_code_is_spent(provider, client, db):
    callback = at_provider(start(client))
    forged = callback.replace("state=", "state=forged")
    answer = come_back(client, forged)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?error=social&provider=oidc"
    assert session_of(client) is None
    assert provider.token_requests == []  # the code was never even tried
    assert user_by_email(db, "oidc.person@example.com") is None


def test_a_callback_in_another_browser_is_refused(provider, client, new_client):
    """Login CSRF: someone else's callback URL (their code, their state) signs nobody in here."""
    callback = at_provider(start(client))
    victim = new_client("198.51.100.77")
    answer = come_back(victim, callback)
    assert answer.headers["location"].startswith("/sign-in?error=social")
    assert session_of(victim) is None


def test_a_replayed_callback_and_a_replayed_code_are_refused(provider, client, new_client, db):
    callback = at_provider(start(client))
    assert come_back(client, callback).headers["location"] == "/dashboard"
    # The very same URL again, with the state cookie put back: the flow is used up.
    client.cookies.set("fluxkit.oauth_state", parse_qs(urlsplit(callback).query)["state"][0], path="/api/auth/callback")
    assert come_back(client, callback).headers["location"].startswith("/sign-in?error=social")

    # The old code with a fresh flow's state: FluxKit tries it, the provider refuses it.
    other = new_client("198.51.100.78")
    fresh = parse_qs(urlsplit(at_provider(start(other))).query)["state"][0]
    old_code = parse_qs(urlsplit(callback).query)["code"][0]
    answer = other.get("/api/auth/callback/oidc", params={"code": old_code, "state": fresh})
    assert answer.headers["location"].startswith("/sign-in?error=social")
    assert session_of(other) is None
    assert [r["code"] for r in provider.token_requests].count(old_code) == 2


def test_an_id_token_with_the_wrong_nonce_is_refused(provider, client, db):
    provider.id_token_nonce = "a nonce this browser never sent"
    with browse(client) as browser:
        landed = browser.get(start(client))
    assert landed.text == "page /sign-in"
    assert parse_qs(urlsplit(str(landed.url)).query)["error"] == ["social"]
    assert session_of(client) is None
    assert user_by_email(db, "oidc.person@example.com") is None
    assert ("sign_in_failed", "oidc: state, code or ID token refused") in audit_actions(db)


def test_an_id_token_signed_by_another_key_is_refused(provider, client, db):
    """Signed with a key the provider's JWKS does not publish (under the published key's id)."""
    from authlib.jose import JsonWebKey

    provider.rogue_key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": provider.key_id})
    answer = come_back(client, at_provider(start(client)))
    assert answer.headers["location"].startswith("/sign-in?error=social")
    assert session_of(client) is None
    assert user_by_email(db, "oidc.person@example.com") is None


def test_the_provider_saying_no_signs_nobody_in(provider, client):
    url = start(client)
    state = parse_qs(urlsplit(url).query)["state"][0]
    answer = client.get("/api/auth/callback/oidc", params={"error": "access_denied", "state": state})
    assert answer.headers["location"].startswith("/sign-in?error=social")
    assert session_of(client) is None


def test_an_unverified_address_of_a_new_person_makes_an_unverified_account(provider, client, db, outbox):
    provider.person = Person(sub="unverified-1", email="unsure@example.com", email_verified=False)
    with browse(client) as browser:
        assert browser.get(start(client)).text == "page /dashboard"
    assert session_of(client)["user"]["emailVerified"] is False
    [message] = emails(outbox, to="unsure@example.com")
    assert "Verify your email" in message["Subject"]


def test_an_unverified_address_of_an_existing_account_is_not_linked(provider, client, db):
    owner = make_user(db, "owner@example.com", "Owner")
    provider.person = Person(sub="intruder", email="owner@example.com", email_verified=False)
    with browse(client) as browser:
        landed = browser.get(start(client))
    assert landed.text == "page /sign-in"
    assert parse_qs(urlsplit(str(landed.url)).query) == {"error": ["social-link-needed"], "provider": ["oidc"]}
    assert session_of(client) is None
    assert db.exec(select(SocialAccount)).all() == []
    assert ("sign_in_failed", "Test IdP: email not verified by the provider") in audit_actions(db, user_id=owner.id)


def test_a_verified_address_of_an_existing_account_links_it(provider, client, db, outbox):
    owner = make_user(db, "owner@example.com", "Owner")
    provider.person = Person(sub="owner-at-idp", email="Owner@Example.com", email_verified=True)
    with browse(client) as browser:
        assert browser.get(start(client)).text == "page /dashboard"
    assert session_of(client)["user"]["id"] == owner.id
    assert ("social_linked", "Test IdP (verified email)") in audit_actions(db, user_id=owner.id)
    [message] = emails(outbox, to="owner@example.com")
    assert message["Subject"] == "Test IdP linked to your FluxKit account"
    # The password still works too.
    sign_in(signed_out := client.__class__(client.app, base_url=BASE_URL), "owner@example.com", PASSWORD)
    assert session_of(signed_out)["user"]["id"] == owner.id


def test_an_account_nobody_verified_loses_its_password_to_the_verified_owner(provider, client, new_client, db):
    """Pre-hijacking: someone registers the address first (never verifying it); the real
    owner signs in with a provider that verified it, and the squatter's password stops working."""
    squatter = new_client("198.51.100.90")
    squatter.post("/api/auth/sign-up/email", json={"name": "Sq", "email": "real@example.com", "password": PASSWORD})
    provider.person = Person(sub="real-owner", email="real@example.com", email_verified=True)
    with browse(client) as browser:
        assert browser.get(start(client)).text == "page /dashboard"
    user = user_by_email(db, "real@example.com")
    assert user.email_verified is True and user.password_hash == ""
    refused = squatter.post("/api/auth/sign-in/email", json={"email": "real@example.com", "password": PASSWORD})
    assert refused.status_code == 401


def test_only_relative_callback_urls_are_followed(provider, new_client):
    for asked, expected in [
        ("https://evil.example/steal", "/dashboard"),
        ("//evil.example/steal", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("/tasks?view=board", "/tasks?view=board"),
    ]:
        client = new_client()
        answer = come_back(client, at_provider(start(client, callback=asked)))
        assert answer.headers["location"] == expected, asked


def test_an_unconfigured_provider_is_refused(provider, client):
    answer = client.post("/api/auth/sign-in/social", json={"provider": "google", "callbackURL": "/dashboard"})
    assert answer.status_code == 422
    assert answer.json()["fields"]["provider"]
    assert client.get("/api/auth/social-providers").json() == [{"id": "oidc", "name": "Test IdP"}]


def test_nothing_is_offered_when_nothing_is_configured(client):
    assert client.get("/api/auth/social-providers").json() == []
    assert client.post("/api/auth/sign-in/social", json={"provider": "oidc"}).status_code == 422


def test_starting_round_trips_is_rate_limited(provider, client):
    for _ in range(60):
        assert client.post("/api/auth/sign-in/social", json={"provider": "oidc"}).status_code == 200
    answer = client.post("/api/auth/sign-in/social", json={"provider": "oidc"})
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) > 0


# ---- GitHub: plain OAuth 2.0 and its emails API -------------------------------------------------------


def test_github_uses_the_primary_verified_email(provider, client, db, monkeypatch):
    monkeypatch.setattr(
        social_providers,
        "GITHUB",
        social_providers.GitHubEndpoints(
            authorize=f"{provider.issuer}/authorize", token=f"{provider.issuer}/token", api=f"{provider.issuer}/github"
        ),
    )
    provider.person = Person(sub="octo", email="octo@example.com", email_verified=True, github_id=99)
    env = {"FLUXKIT_OAUTH_GITHUB_CLIENT_ID": CLIENT_ID, "FLUXKIT_OAUTH_GITHUB_CLIENT_SECRET": CLIENT_SECRET}
    with settings_env(**env):
        assert [p["id"] for p in client.get("/api/auth/social-providers").json()] == ["github", "oidc"]
        url = start(client, "github")
        assert "nonce" not in parse_qs(urlsplit(url).query)  # not OpenID Connect
        with browse(client) as browser:
            assert browser.get(url).text == "page /dashboard"
    assert session_of(client)["user"]["email"] == "octo@example.com"
    link = db.exec(select(SocialAccount)).one()
    assert (link.provider, link.account_id) == ("github", "99")


def test_github_without_a_verified_primary_email_makes_no_verified_account(provider, client, db, monkeypatch):
    monkeypatch.setattr(
        social_providers,
        "GITHUB",
        social_providers.GitHubEndpoints(
            authorize=f"{provider.issuer}/authorize", token=f"{provider.issuer}/token", api=f"{provider.issuer}/github"
        ),
    )
    make_user(db, "octo@example.com", "Octo")
    provider.person = Person(sub="octo", email="octo@example.com", email_verified=False, github_id=100)
    env = {"FLUXKIT_OAUTH_GITHUB_CLIENT_ID": CLIENT_ID, "FLUXKIT_OAUTH_GITHUB_CLIENT_SECRET": CLIENT_SECRET}
    with settings_env(**env):
        answer = come_back(client, at_provider(start(client, "github")))
    assert answer.headers["location"] == "/sign-in?error=social-link-needed&provider=github"


# ---- settings: link, list, unlink ----------------------------------------------------------------------


def test_link_list_and_unlink_from_settings(provider, new_client, db, outbox):
    user = make_user(db, "ada@example.com", "Ada")
    client = signed_in_client(new_client)
    provider.person = Person(sub="ada-at-idp", email="ada.work@example.org", email_verified=False)
    url = start(client, route="/api/auth/link-social", callback="/settings/account")
    with browse(client) as browser:
        landed = browser.get(url)
    assert landed.text == "page /settings/account"
    assert parse_qs(urlsplit(str(landed.url)).query) == {"social": ["linked"], "provider": ["oidc"]}

    listed = client.get("/api/auth/list-accounts").json()
    assert [(a["providerId"], a["accountId"]) for a in listed] == [("credential", str(user.id)), ("oidc", "ada-at-idp")]
    assert ("social_linked", "Test IdP (from settings)") in audit_actions(db, user_id=user.id)
    assert [m["Subject"] for m in emails(outbox, to="ada@example.com")] == ["Test IdP linked to your FluxKit account"]

    # The linked account now signs Ada in, though its address is not hers.
    other = new_client("198.51.100.40")
    with browse(other) as browser:
        assert browser.get(start(other)).text == "page /dashboard"
    assert session_of(other)["user"]["id"] == user.id

    answer = client.post("/api/auth/unlink-account", json={"providerId": "oidc"})
    assert answer.status_code == 200 and answer.json() == {"status": True}
    assert [a["providerId"] for a in client.get("/api/auth/list-accounts").json()] == ["credential"]
    assert ("social_unlinked", "Test IdP") in audit_actions(db, user_id=user.id)
    assert emails(outbox, to="ada@example.com")[-1]["Subject"] == "Test IdP unlinked from your FluxKit account"
    again = client.post("/api/auth/unlink-account", json={"providerId": "oidc"})
    assert again.status_code == 404


def test_linking_someone_elses_provider_account_is_refused(provider, new_client, db):
    # The provider account first signs up on its own...
    first = new_client("198.51.100.41")
    with browse(first) as browser:
        browser.get(start(first))
    # ...then Ada tries to link the same one.
    make_user(db, "ada@example.com", "Ada")
    client = signed_in_client(new_client)
    answer = come_back(client, at_provider(start(client, route="/api/auth/link-social")))
    assert answer.headers["location"] == "/settings/account?social=taken&provider=oidc"
    assert [a["providerId"] for a in client.get("/api/auth/list-accounts").json()] == ["credential"]


def test_a_link_comes_back_only_to_the_user_who_started_it(provider, new_client, db):
    make_user(db, "ada@example.com", "Ada")
    client = signed_in_client(new_client)
    callback = at_provider(start(client, route="/api/auth/link-social"))
    client.post("/api/auth/sign-out")
    answer = come_back(client, callback)
    assert answer.headers["location"].startswith("/sign-in?error=social")
    assert db.exec(select(SocialAccount)).all() == []


def test_linking_and_listing_need_a_session(provider, client):
    assert client.post("/api/auth/link-social", json={"provider": "oidc"}).status_code == 401
    assert client.get("/api/auth/list-accounts").status_code == 401
    assert client.post("/api/auth/unlink-account", json={"providerId": "oidc"}).status_code == 401


def test_the_last_way_to_sign_in_cannot_be_removed_until_a_password_is_set(provider, client, new_client, db, outbox):
    with browse(client) as browser:
        browser.get(start(client))
    address = "oidc.person@example.com"
    refused = client.post("/api/auth/unlink-account", json={"providerId": "oidc"})
    assert refused.status_code == 409
    assert "only way to sign in" in refused.json()["message"]
    assert [a["providerId"] for a in client.get("/api/auth/list-accounts").json()] == ["oidc"]

    # No password: password sign-in refuses like any wrong password.
    stranger = new_client("198.51.100.50")
    answer = stranger.post("/api/auth/sign-in/email", json={"email": address, "password": PASSWORD})
    assert answer.status_code == 401
    assert answer.json()["message"] == "Invalid email or password, or the email is not verified yet."

    # The reset flow sets one; then the provider may go.
    stranger.post("/api/auth/forget-password", json={"email": address, "redirectTo": "/reset-password"})
    token = token_in(emails(outbox, to=address, subject="Reset")[-1])
    assert stranger.post("/api/auth/reset-password", json={"token": token, "newPassword": PASSWORD}).status_code == 200
    sign_in(stranger, address, PASSWORD)
    assert [a["providerId"] for a in stranger.get("/api/auth/list-accounts").json()] == ["credential", "oidc"]
    assert stranger.post("/api/auth/unlink-account", json={"providerId": "oidc"}).status_code == 200
    assert stranger.cookies.get(cookie_name())


# ---- two-factor accounts -------------------------------------------------------------------------


def test_a_two_factor_account_signing_in_with_a_provider_gets_the_second_step_first(provider, client, new_client, db):
    """Social sign-in passes through the same gate as the password: no session until the code."""
    owner = make_user(db, "owner@example.com", "Owner")
    owners = signed_in_client(new_client, "owner@example.com")
    enabled = owners.post("/api/auth/two-factor/enable", json={"password": PASSWORD})
    secret = parse_qs(urlsplit(enabled.json()["totpURI"]).query)["secret"][0]
    totp = pyotp.TOTP(secret)
    assert owners.post("/api/auth/two-factor/verify-totp", json={"code": totp.now()}).status_code == 200
    db.add(SocialAccount(user_id=owner.id, provider="oidc", account_id="owner-at-idp"))
    db.commit()
    provider.person = Person(sub="owner-at-idp", email="owner@example.com", email_verified=True)

    with browse(client) as browser:
        landed = browser.get(start(client, callback="/tasks"))
    assert landed.url.path == "/two-factor" and landed.url.params["redirect"] == "/tasks"
    assert client.get("/api/auth/get-session").json() is None  # no session before the code
    assert ("sign_in", "Test IdP") not in audit_actions(db, user_id=owner.id)

    # The next step's code (the confirming one is spent) finishes the sign-in.
    code = totp.at(time.time() + 30)
    verified = client.post("/api/auth/two-factor/verify-totp", json={"code": code})
    assert verified.status_code == 200, verified.text
    assert session_of(client)["user"]["id"] == owner.id
