"""Auth pages: inline validation, safe redirects, no credential ever kept in state."""

from __future__ import annotations

from fluxkit.state.auth import AuthState
from tests.support.factories import make_signed_in
from tests.support.states import call, make_root, redirect_targets, scripts, substate


async def test_sign_in_validates_inline_and_never_keeps_the_password(db):
    auth = substate(make_root(None, "/sign-in"), AuthState)
    await call(auth, "sign_in", {"email": "", "password": ""})
    assert auth.field_errors == {"email": "Enter your email address.", "password": "Enter your password."}
    out = await call(auth, "sign_in", {"email": "a@example.com", "password": "secret-passphrase"})
    assert auth.pending is True
    [script] = scripts(out)
    assert "/api/auth/sign-in/email" in script and "secret-passphrase" not in script
    assert "secret-passphrase" not in repr(auth.dict())


async def test_sign_in_answer_redirects_only_to_relative_paths(db):
    auth = substate(make_root(None, "/sign-in"), AuthState)
    for target, expected in (
        ("/tasks?x=1", "/tasks?x=1"),
        ("https://evil.example/", "/dashboard"),
        ("//evil.example", "/dashboard"),
    ):
        out = await call(auth, "signed_in", {"status": 200, "body": {"redirect": target}})
        assert scripts(out) == [f'window.location.assign("{expected}")']


async def test_sign_in_failure_shows_the_servers_message(db):
    auth = substate(make_root(None, "/sign-in"), AuthState)
    await call(
        auth,
        "signed_in",
        {"status": 401, "body": {"message": "Invalid email or password, or the email is not verified yet."}},
    )
    assert auth.error.startswith("Invalid email or password")
    await call(auth, "signed_in", {"status": 0, "body": None})
    assert "could not reach" in auth.error
    await call(auth, "signed_in", "garbage")
    assert auth.pending is False


async def test_sign_up_checks_every_field_before_calling_the_api(db):
    auth = substate(make_root(None, "/sign-up"), AuthState)
    out = await call(auth, "sign_up", {"name": "", "email": "not-an-email", "password": "short"})
    assert set(auth.field_errors) == {"name", "email", "password"}
    assert scripts(out) == []
    out = await call(auth, "sign_up", {"name": "Ada", "email": "Ada@Example.com", "password": "123456789"})
    assert "too common" in auth.field_errors["password"]
    out = await call(auth, "sign_up", {"name": "Ada", "email": "Ada@Example.com", "password": "analytical engine"})
    assert auth.sent_to == "ada@example.com"
    assert "/api/auth/sign-up/email" in scripts(out)[0]


async def test_signed_in_visitor_is_sent_on_from_auth_pages(db):

    _, token, _ = make_signed_in(db, "carol@example.com", "Carol")
    root = make_root(token, "/sign-in")
    auth = substate(root, AuthState)
    out = await call(auth, "open_page")
    assert redirect_targets(out) == ["/dashboard"]
    anonymous = substate(make_root(None, "/sign-in"), AuthState)
    assert redirect_targets(await call(anonymous, "open_page")) == []


async def test_the_emailed_sign_in_link_is_asked_for_without_the_password(db):
    auth = substate(make_root(None, "/sign-in?redirect=/tasks"), AuthState)
    out = await call(auth, "email_link")
    [script] = scripts(out)
    assert "/api/auth/sign-in/magic-link" in script
    assert '"password": ""' in script and '"callbackURL": "/tasks"' in script
    await call(auth, "link_sent", {"status": 200, "body": {"message": "If an account exists, we sent a link."}})
    assert auth.link_notice == "If an account exists, we sent a link." and auth.pending is False
    await call(auth, "link_sent", {"status": 422, "body": {"message": "Enter your email address.", "fields": {}}})
    assert auth.error == "Enter your email address."


async def test_a_used_or_expired_sign_in_link_is_explained(db):
    auth = substate(make_root(None, "/sign-in?error=link"), AuthState)
    await call(auth, "open_page")
    assert "sign-in link is invalid, has expired or was already used" in auth.error
