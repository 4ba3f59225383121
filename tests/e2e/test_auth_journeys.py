"""Accounts in a real browser: sign-up to sign-out, and a reset that ends old sessions."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.browser import expect_path, submit_sign_in

# The first test also waits for the production build.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

PASSWORD = "journey-passphrase-42"


def _sign_up(page, live_app, name: str, email: str) -> None:
    page.goto(f"{live_app.url}/sign-up")
    page.fill("#sign-up-name", name)
    page.fill("#sign-up-email", email)
    page.fill("#sign-up-password", PASSWORD)
    page.click("#sign-up-submit")
    page.wait_for_selector("#email-sent")


def test_sign_up_verify_sign_in_reload_sign_out(live_app, new_page):
    page = new_page()
    address = "journey@example.com"

    # A weak password is refused inline, and nothing is lost from the form.
    page.goto(f"{live_app.url}/sign-up")
    page.fill("#sign-up-name", "Journey")
    page.fill("#sign-up-email", address)
    page.fill("#sign-up-password", "password")
    page.click("#sign-up-submit")
    expect(page.locator("#error-password")).to_contain_text("too common")
    expect(page.locator("#sign-up-email")).to_have_value(address)

    page.fill("#sign-up-password", PASSWORD)
    page.click("#sign-up-submit")
    expect(page.locator("#email-sent")).to_contain_text(address)

    # Not verified yet: sign-in is refused with the one generic message.
    page.goto(f"{live_app.url}/sign-in")
    submit_sign_in(page, address, PASSWORD)
    expect(page.locator("#form-error")).to_contain_text("Invalid email or password")

    # Follow the link from the email.
    page.goto(live_app.wait_for_link(address, "/verify-email"))
    page.wait_for_selector("#verified")
    page.click("#verified-sign-in")
    expect_path(page, "/sign-in")
    submit_sign_in(page, address, PASSWORD)
    expect_path(page, "/dashboard")
    expect(page.locator("#welcome")).to_contain_text("Welcome, Journey")

    # The session cookie is HttpOnly: page scripts never see it.
    assert "session_token" not in page.evaluate("document.cookie")
    cookies = page.context.cookies()
    session_cookie = next(c for c in cookies if c["name"].endswith("session_token"))
    assert session_cookie["httpOnly"] and session_cookie["sameSite"] == "Lax"

    page.reload()
    page.wait_for_selector("#welcome")
    expect(page.locator("#welcome")).to_contain_text("Journey")

    page.click("#user-menu")
    page.click("#sign-out")
    expect_path(page, "/sign-in")

    # A protected page now redirects to sign-in with the way back, and back after sign-in.
    page.goto(f"{live_app.url}/settings/account")
    expect_path(page, "/sign-in")
    assert "redirect=/settings/account" in page.url
    submit_sign_in(page, address, PASSWORD)
    expect_path(page, "/settings/account")
    page.wait_for_selector(".session-row")


def test_reset_password_sends_the_old_tab_to_sign_in(live_app, new_page):
    address = "reset@example.com"
    setup = new_page()
    _sign_up(setup, live_app, "Reset", address)
    setup.goto(live_app.wait_for_link(address, "/verify-email"))
    setup.wait_for_selector("#verified")

    # Tab one: signed in on the dashboard.
    old_tab = new_page()
    old_tab.goto(f"{live_app.url}/sign-in")
    submit_sign_in(old_tab, address, PASSWORD)
    expect_path(old_tab, "/dashboard")
    old_tab.wait_for_selector("#welcome")

    # Elsewhere: forgot password -> link -> new password.
    other = new_page()
    other.goto(f"{live_app.url}/forgot-password")
    other.fill("#forgot-email", address)
    other.click("#forgot-submit")
    expect(other.locator("#email-sent")).to_contain_text(address)
    other.goto(live_app.wait_for_link(address, "/reset-password"))
    other.fill("#reset-password", "a-brand-new-passphrase")
    other.fill("#reset-confirm", "a-brand-new-passphrase")
    other.click("#reset-submit")
    other.wait_for_selector("#reset-done")

    # The old tab's next event is refused and it lands on sign-in.
    old_tab.click("#nav-settings")
    expect_path(old_tab, "/sign-in")

    # The old password no longer works; the new one does.
    submit_sign_in(old_tab, address, PASSWORD)
    expect(old_tab.locator("#form-error")).to_contain_text("Invalid email or password")
    old_tab.fill("#sign-in-password", "a-brand-new-passphrase")
    old_tab.click("#sign-in-submit")
    expect_path(old_tab, "/settings/profile")


def test_an_account_under_attack_stays_open_to_its_owner(live_app, new_page):
    """10 wrong passwords from 3 addresses: the owner's usual browser still signs in, a new one
    is told how long to wait and gets in through the emailed sign-in link."""
    address = "besieged@example.com"
    live_app.create_user(address, "Besieged", PASSWORD)
    laptop = new_page()
    laptop.goto(f"{live_app.url}/sign-in")
    submit_sign_in(laptop, address, PASSWORD)
    expect_path(laptop, "/dashboard")
    laptop.context.clear_cookies(name="fluxkit.session_token")

    for n in range(10):
        answer = httpx.post(
            f"{live_app.url}/api/auth/sign-in/email",
            json={"email": address, "password": f"guess {n}"},
            headers={"X-Forwarded-For": f"192.0.2.{10 + n % 3}"},
        )
        assert answer.status_code == 401

    phone = new_page()
    phone.goto(f"{live_app.url}/sign-in")
    submit_sign_in(phone, address, PASSWORD)
    expect(phone.locator("#form-error")).to_contain_text("Try again in about 15 minutes")
    phone.click("#email-link")
    expect(phone.locator("#link-sent")).to_contain_text("we sent a link to sign in")
    phone.goto(live_app.wait_for_link(address, "/api/auth/magic-link/verify"))
    expect_path(phone, "/dashboard")

    laptop.goto(f"{live_app.url}/sign-in")
    submit_sign_in(laptop, address, PASSWORD)
    expect_path(laptop, "/dashboard")
