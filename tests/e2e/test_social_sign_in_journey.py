"""Social sign-in in a real browser: the whole redirect dance through the loopback OpenID
Connect provider the session's server is configured with (tests/conftest.py), then the
connected account in settings, which cannot be removed while it is the only way in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import expect_path, sign_in
from tests.support.oidc_provider import Person

# The first journey of a run also waits for the production build.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

PASSWORD = "journey-passphrase-42"


def test_sign_in_with_the_provider_lands_on_the_dashboard_and_settings_shows_it(live_app, new_page):
    provider = live_app.oidc_provider
    provider.person = Person(sub="journey-sub", email="social.journey@example.com", name="Sol Journey")
    page = new_page()

    page.goto(f"{live_app.url}/sign-in?redirect=/dashboard")
    button = page.locator("#social-oidc")
    expect(button).to_have_text("Sign in with Test IdP")
    button.click()
    # Off to the provider (it consents at once) and back, signed in.
    expect_path(page, "/dashboard")
    expect(page.locator("#welcome")).to_contain_text("Welcome, Sol")
    assert "session_token" not in page.evaluate("document.cookie")  # HttpOnly

    page.goto(f"{live_app.url}/settings/account")
    row = page.locator("#connected-oidc")
    expect(row).to_contain_text("Test IdP")
    expect(row).to_contain_text("social.journey@example.com")
    expect(page.locator("#no-password")).to_contain_text("have no password")
    # The only way in stays.
    page.click("#disconnect-oidc")
    expect(page.get_by_text("This is your only way to sign in")).to_be_visible()
    expect(page.locator("#connected-oidc")).to_be_visible()


def test_an_unverified_address_of_an_existing_account_is_sent_to_sign_in(live_app, new_page):
    live_app.create_user("owner.journey@example.com", "Owner", PASSWORD)
    live_app.oidc_provider.person = Person(sub="not-the-owner", email="owner.journey@example.com", email_verified=False)
    page = new_page()
    page.goto(f"{live_app.url}/sign-in")
    page.click("#social-oidc")
    expect(page.locator("#social-error")).to_contain_text("An account with this email already exists")
    expect_path(page, "/sign-in")

    # The owner signs in with the password and connects the provider account from settings.
    live_app.oidc_provider.person = Person(sub="owner-at-idp", email="owner.work@example.org")
    sign_in(page, live_app, "owner.journey@example.com", PASSWORD, "/settings/account")
    expect(page.locator("#connected-none")).to_be_visible()
    page.click("#connect-oidc")
    expect_path(page, "/settings/account")
    expect(page.locator("#connected-oidc")).to_contain_text("owner.work@example.org")
    expect(page.get_by_text("Test IdP is now connected")).to_be_visible()
    page.click("#disconnect-oidc")  # the password still signs in: it may go
    expect(page.locator("#connected-none")).to_be_visible()
