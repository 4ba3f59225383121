"""Passkeys in Chromium, with the DevTools virtual authenticator standing in for a phone or a
laptop's fingerprint reader (CDP `WebAuthn.addVirtualAuthenticator`: CTAP2, built in, resident
keys, user verification that succeeds): add one in Settings, sign out, sign in with the
passkey button, rename it, remove it; then the same device can no longer sign in.

WebAuthn needs a secure context and a domain for the RP id (an IP address is refused), so
this journey has a server of its own whose configured address is http://localhost:<port>.
"""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, expect_path, sign_in
from tests.support.live_server import free_port, project_copy
from tests.support.live_server import live_app as start_live_app

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1500)]

EMAIL = "passkey@example.com"
PASSWORD = "passkey-journey-passphrase"

# As tests/e2e/conftest.py: any Content-Security-Policy refusal fails the journey.
_REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (e) =>
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'}`));
"""


@pytest.fixture(scope="module")
def localhost_app(playwright_driver):
    root = project_copy("fluxkit-passkeys-e2e-")
    port = free_port()
    try:
        with start_live_app(
            root, port=port, FLUXKIT_BASE_URL=f"http://localhost:{port}", FLUXKIT_TRUSTED_PROXY_HOPS="1"
        ) as app:
            app.url = f"http://localhost:{port}"  # the browser uses the configured address
            yield app
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def page(localhost_app, playwright_driver, request):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    context = browser.new_context(extra_http_headers={"X-Forwarded-For": "198.51.100.201"})
    context.set_default_timeout(30_000)
    context.add_init_script(_REPORT_VIOLATIONS)
    violations: list[str] = []
    context.on(
        "console",
        lambda m: (
            violations.append(m.text)
            if m.type == "error" and ("Content Security Policy" in m.text or m.text.startswith("CSP violation"))
            else None
        ),
    )
    page = context.new_page()
    yield page
    if getattr(request.node, "failed_call", False):
        shot = localhost_app.data_dir / f"{request.node.name}.png"
        page.screenshot(path=str(shot))
        print(f"screenshot: {shot} ({page.url})")
    context.close()
    browser.close()
    assert not violations, f"Content-Security-Policy refusals: {violations}"


def _virtual_authenticator(page) -> tuple[object, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_add_a_passkey_sign_in_with_it_rename_and_remove_it(localhost_app, page):
    app = localhost_app
    app.create_user(EMAIL, "Pat Passkey", PASSWORD)
    cdp, authenticator = _virtual_authenticator(page)

    # Signed in with the password, add a passkey in Settings › Account.
    sign_in(page, app, EMAIL, PASSWORD, "/settings/account")
    expect(page.locator("#passkeys-empty")).to_be_visible()
    page.fill("#passkey-name", "Journey laptop")
    page.click("#passkey-add")
    row = page.locator(".passkey-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Journey laptop")
    expect(row).to_contain_text("never used")
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert credential["isResidentCredential"] and credential["rpId"] == "localhost"
    # The account's owner is told by email.
    assert any("new passkey" in m["Subject"].lower() for m in app.emails_to(EMAIL))

    # Sign out; the sign-in page's passkey button signs in with no email or password typed.
    page.click("#user-menu")
    page.click("#sign-out")
    expect_path(page, "/sign-in")
    page.click("#passkey-sign-in")
    expect_path(page, "/dashboard")
    expect(page.locator("#welcome")).to_contain_text("Pat")
    assert cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"][0]["signCount"] >= 1

    # Back in Settings: it was used just now; rename it.
    page.goto(f"{app.url}/settings/account")
    row = page.locator(".passkey-row")
    expect(row).to_contain_text(re.compile(r"last used .*(seconds?|minute) ago"))
    row.get_by_role("button", name="Rename").click()
    page.fill("#passkey-rename-input", "Pat's laptop")
    page.click("#passkey-rename-save")
    expect(row).to_contain_text("Pat's laptop")
    expect(page.locator("#passkey-rename-dialog")).to_have_count(0)

    # Remove it (the password still works, so it may go).
    row.get_by_role("button", name="Remove").click()
    expect(page.locator("#passkey-delete-dialog")).to_contain_text("Pat's laptop")
    page.click("#passkey-delete-confirm")
    expect(page.locator("#passkeys-empty")).to_be_visible()
    subjects = [m["Subject"] for m in app.emails_to(EMAIL)]
    assert any("renamed" in s for s in subjects) and any("removed" in s for s in subjects)

    # The device still holds the key, but FluxKit no longer knows it: no way in with it.
    page.click("#user-menu")
    page.click("#sign-out")
    expect_path(page, "/sign-in")
    page.click("#passkey-sign-in")
    expect(page.locator("#passkey-error")).to_contain_text("not registered with FluxKit")
    assert "/sign-in" in page.url
