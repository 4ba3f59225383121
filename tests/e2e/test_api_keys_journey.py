"""Settings › API keys in a real browser: create a key, call the REST API with it, revoke it."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in

# The first test also waits for the production build.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

EMAIL = "keys@example.com"
PASSWORD = "api-keys-passphrase"


def _tasks_with(live_app, key: str) -> httpx.Response:
    return httpx.get(f"{live_app.url}/api/v1/tasks", headers={"Authorization": f"Bearer {key}"}, timeout=20)


def test_create_use_and_revoke_a_key(live_app, new_page):
    live_app.create_user(EMAIL, "Keys", PASSWORD)
    page = sign_in(new_page(), live_app, EMAIL, PASSWORD, "/settings/api-keys")
    expect(page.locator("#api-keys-empty")).to_be_visible()

    # A name is required; the error says so and nothing is created.
    page.click("#api-key-create")
    expect(page.locator("#error-api-key-name")).to_have_text("Enter a name.")

    # Create: the key is shown once, with the warning and a copy button.
    page.fill("#api-key-name", "Deploy script")
    page.click("#api-key-create")
    expect(page.locator("#api-key-new")).to_be_visible()
    expect(page.locator("#api-key-new-warning")).to_contain_text("you won't see it again")
    expect(page.locator("#api-key-new-value")).to_have_value(re.compile(r"^fk_\S{30,}$"))
    key = page.locator("#api-key-new-value").input_value()
    expect(page.locator("#api-key-copy")).to_be_visible()
    expect(page.locator("#error-api-key-name")).to_have_count(0)

    # The key works against the REST API.
    assert _tasks_with(live_app, key).status_code == 200

    # Closed, the key is gone from the page; the list shows its name and prefix only.
    page.click("#api-key-new-done")
    expect(page.locator("#api-key-new")).to_have_count(0)
    row = page.locator(".api-key-row").filter(has_text="Deploy script")
    expect(row).to_contain_text(key[:11])
    expect(row).to_contain_text("last used")
    assert key not in page.content()

    # Revoke asks first; Cancel keeps the key working.
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator("#api-key-revoke-dialog")).to_contain_text("Deploy script")
    page.click("#api-key-revoke-cancel")
    expect(page.locator("#api-key-revoke-dialog")).to_have_count(0)
    assert _tasks_with(live_app, key).status_code == 200

    row.get_by_role("button", name="Revoke").click()
    page.click("#api-key-revoke-confirm")
    expect(page.locator(".api-key-row")).to_have_count(0)
    expect(page.locator("#api-keys-empty")).to_be_visible()
    assert _tasks_with(live_app, key).status_code == 401
