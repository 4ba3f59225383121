"""Settings in a real browser: appearance follows the account to a second device, signing
out everywhere else reaches the other device live, a picture is checked and shows in the
header, the data export downloads my data (and nobody else's), and deleting the account
signs me out everywhere for good."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import expect_path, sign_in, submit_sign_in

# The first test also waits for the production build.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

PASSWORD = "settings-journey-passphrase"


def _add_task(page, live_app, title: str) -> None:
    answer = page.request.post(f"{live_app.url}/api/v1/tasks", data={"title": title}, headers={"Origin": live_app.url})
    assert answer.status == 201, answer.text()


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 90), (200, 40, 60)).save(out, format="PNG")
    return out.getvalue()


def test_appearance_export_and_delete(live_app, new_page):
    live_app.create_user("settings-ada@example.com", "Ada", PASSWORD)
    live_app.create_user("settings-bob@example.com", "Bob", PASSWORD)
    bob = new_page()
    sign_in(bob, live_app, "settings-bob@example.com", PASSWORD, "/dashboard")
    _add_task(bob, live_app, "Bob's private plan")

    laptop = new_page(color_scheme="light")
    sign_in(laptop, live_app, "settings-ada@example.com", PASSWORD, "/settings/appearance")
    _add_task(laptop, live_app, "Ada's export task")

    # Appearance on the laptop: dark theme and a crimson accent, applied at once.
    expect(laptop.locator("#settings-nav-appearance")).to_have_attribute("aria-current", "page")
    laptop.click("#appearance-theme-dark")
    expect(laptop.locator("html")).to_have_class(re.compile(r"\bdark\b"))
    laptop.click("#accent-crimson")
    expect(laptop.locator('[data-accent-color="crimson"]').first).to_be_attached()

    # A second device (its own browser, light by default) shows them after signing in.
    phone = new_page(color_scheme="light", viewport={"width": 390, "height": 844})
    sign_in(phone, live_app, "settings-ada@example.com", PASSWORD, "/dashboard")
    expect(phone.locator("html")).to_have_class(re.compile(r"\bdark\b"))
    expect(phone.locator('[data-accent-color="crimson"]').first).to_be_attached()

    # Sign out everywhere else (Account and security): the phone lands on sign-in without a reload.
    laptop.click("#settings-nav-account")
    expect_path(laptop, "/settings/account")
    laptop.click("#revoke-others")
    phone.wait_for_url(re.compile(r"^[^?]*/sign-in"))
    expect(laptop.locator(".session-row")).to_have_count(1)

    # A picture: something that only calls itself a PNG is refused with a reason; a real
    # one shows in the header's user menu.
    laptop.click("#settings-nav-profile")
    expect_path(laptop, "/settings/profile")
    upload = laptop.locator("#avatar-file input[type=file]")
    upload.set_input_files(files=[{"name": "me.png", "mimeType": "image/png", "buffer": b"<html>not a picture</html>"}])
    expect(laptop.locator("#avatar-error")).to_contain_text("not a picture FluxKit accepts")
    upload.set_input_files(files=[{"name": "me.png", "mimeType": "image/png", "buffer": _png()}])
    expect(laptop.locator("#user-menu img")).to_have_attribute("src", re.compile(r"/api/avatars/[0-9a-f]{32}\.webp$"))
    expect(laptop.locator("#avatar-error")).to_have_count(0)

    # Export (Your data): a JSON download with my task, not Bob's.
    laptop.click("#settings-nav-data")
    expect_path(laptop, "/settings/data")
    with laptop.expect_download() as info:
        laptop.click("#export-data")
    download = info.value
    assert re.fullmatch(r"fluxkit-export-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    data = json.loads(open(download.path(), encoding="utf-8").read())
    titles = [task["title"] for task in data["tasks"]]
    assert titles == ["Ada's export task"]
    assert data["profile"]["email"] == "settings-ada@example.com"
    assert "Bob's private plan" not in json.dumps(data)

    # Delete: another device is signed in again; the wrong password is refused first.
    tablet = new_page()
    sign_in(tablet, live_app, "settings-ada@example.com", PASSWORD, "/tasks")
    laptop.click("#settings-nav-account")
    expect_path(laptop, "/settings/account")
    laptop.click("#delete-account")
    laptop.fill("#delete-confirm", "settings-ada@example.com")
    laptop.fill("#delete-password", "not the password")
    laptop.click("#delete-confirm-button")
    expect(laptop.locator("#delete-password-error")).to_contain_text("not right")
    laptop.fill("#delete-password", PASSWORD)
    laptop.click("#delete-confirm-button")
    laptop.wait_for_url(re.compile(r"^[^?]*/sign-in"))
    # The other device lands on sign-in without a reload.
    tablet.wait_for_url(re.compile(r"^[^?]*/sign-in"))

    # The account is gone: signing in again fails.
    submit_sign_in(laptop, "settings-ada@example.com", PASSWORD)
    expect(laptop.locator("#form-error")).to_contain_text("Invalid email or password")
    # Bob is untouched.
    bob.goto(f"{live_app.url}/tasks")
    expect(bob.get_by_text("Bob's private plan").first).to_be_visible()
