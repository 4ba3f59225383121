"""Two-factor sign-in in a real browser: turn it on in settings with the key shown there, then sign
in with the password and a code from the app (pyotp), and with a backup code."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pyotp
import pytest
from playwright.sync_api import expect

from tests.support.browser import expect_path, sign_in, submit_sign_in

# The first test also waits for the production build.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

EMAIL = "twofactor@example.com"
PASSWORD = "two-factor-passphrase"


def _code(secret: str, ahead: int = 0) -> str:
    """The app's code; `ahead=30`: the next step's (the current one may be spent already)."""
    return pyotp.TOTP(secret).at(datetime.fromtimestamp(time.time() + ahead, UTC))


def test_turn_on_two_factor_then_sign_in_with_a_code_and_with_a_backup_code(live_app, new_page):
    live_app.create_user(EMAIL, "Tess", PASSWORD)
    page = sign_in(new_page(), live_app, EMAIL, PASSWORD, "/settings/account")

    # Off; setting it up needs the password.
    expect(page.locator("#two-factor-off")).to_be_visible()
    page.fill("#two-factor-password", "not my password")
    page.click("#two-factor-submit")
    expect(page.locator("#two-factor-password-error")).to_contain_text("Your password is not right")
    page.fill("#two-factor-password", PASSWORD)
    page.click("#two-factor-submit")

    # The QR code, the key to type and ten backup codes, shown once.
    expect(page.locator("#two-factor-qr")).to_be_visible()
    assert page.locator("#two-factor-qr").get_attribute("src").startswith("data:image/svg+xml")
    secret = page.locator("#two-factor-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    expect(page.locator("#two-factor-backup-codes .backup-code")).to_have_count(10)
    backup_codes = page.locator("#two-factor-backup-codes .backup-code").all_inner_texts()

    # A wrong code does not turn it on; the app's code does.
    page.fill("#two-factor-confirm-code", "000000" if _code(secret) != "000000" else "111111")
    page.click("#two-factor-confirm")
    expect(page.locator("#two-factor-confirm-code-error")).to_be_visible()
    page.fill("#two-factor-confirm-code", _code(secret))
    page.click("#two-factor-confirm")
    expect(page.locator("#two-factor-on")).to_be_visible()
    expect(page.locator("#two-factor-secret")).to_have_count(0)  # never shown again
    page.click("#two-factor-codes-done")
    expect(page.locator("#two-factor-backup-codes")).to_have_count(0)

    # Sign out, then in: the password alone opens no session.
    page.click("#user-menu")
    page.click("#sign-out")
    expect_path(page, "/sign-in")
    submit_sign_in(page, EMAIL, PASSWORD)
    expect_path(page, "/two-factor")
    expect(page.locator("#auth-title")).to_have_text("Two-factor sign-in")
    page.goto(f"{live_app.url}/dashboard")  # no session yet: the gate sends it back to sign-in
    expect_path(page, "/sign-in")

    submit_sign_in(page, EMAIL, PASSWORD)
    expect_path(page, "/two-factor")
    page.fill("#two-factor-code", "123")
    page.click("#two-factor-submit")
    expect(page.locator("#error-code")).to_contain_text("6 digits")
    page.fill("#two-factor-code", _code(secret, ahead=30))
    page.click("#two-factor-submit")
    expect_path(page, "/dashboard")
    expect(page.locator("#welcome")).to_contain_text("Tess")

    # Another browser, with a backup code instead of the app.
    other = new_page()
    other.goto(f"{live_app.url}/sign-in")
    submit_sign_in(other, EMAIL, PASSWORD)
    expect_path(other, "/two-factor")
    other.click("#two-factor-switch")
    expect(other.locator("#two-factor-code")).to_have_attribute("placeholder", "xxxxx-xxxxx")
    other.fill("#two-factor-code", backup_codes[0])
    other.click("#two-factor-submit")
    expect_path(other, "/dashboard")
    expect(other.locator("#welcome")).to_contain_text("Tess")

    # The same backup code does not work twice.
    third = new_page()
    third.goto(f"{live_app.url}/sign-in")
    submit_sign_in(third, EMAIL, PASSWORD)
    expect_path(third, "/two-factor")
    third.click("#two-factor-switch")
    third.fill("#two-factor-code", backup_codes[0])
    third.click("#two-factor-submit")
    expect(third.locator("#error-code")).to_contain_text("already used")

    # Settings counts what is left.
    other.goto(f"{live_app.url}/settings/account")
    expect(other.locator("#two-factor-panel")).to_contain_text("9 backup codes left")
