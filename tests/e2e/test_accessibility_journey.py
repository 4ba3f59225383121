"""axe-core on every page, light and dark and at phone width, signed out and signed in: no critical or serious
violation (axe is injected by the test, tests/support/accessibility.py)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from fluxkit.navigation import SETTINGS_PAGES
from tests.support.accessibility import violations
from tests.support.browser import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

PASSWORD = "axe-journey-passphrase"
PUBLIC = ["/", "/sign-in", "/sign-up", "/forgot-password", "/no-such-page"]
SIGNED_IN = [
    "/dashboard",
    "/tasks",
    "/mail",
    "/chat",
    "/calendar",
    "/notifications",
    "/organizations",
    "/pricing",
    "/faqs",
    "/users",
    *[f"/settings/{slug}" for _label, slug, _icon in SETTINGS_PAGES],
]


def _check(page, url: str, scheme: str) -> list[str]:
    page.emulate_media(color_scheme=scheme)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    return violations(page)


# Desktop in both colour schemes, and a 390 x 844 phone (the layout that hides the sidebar in a
# menu drawer, stacks toolbars and turns tables into cards).
LAYOUTS = {
    "light": {},
    "dark": {},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def _scheme(layout: str) -> str:
    return "dark" if layout == "dark" else "light"


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_public_pages_have_no_serious_violations(live_app, new_page, layout):
    scheme = _scheme(layout)
    page = new_page(color_scheme=scheme, **LAYOUTS[layout])
    found = {path: v for path in PUBLIC if (v := _check(page, f"{live_app.url}{path}", scheme))}
    assert found == {}, json.dumps(found, indent=1)


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_signed_in_pages_have_no_serious_violations(live_app, new_page, layout):
    scheme = _scheme(layout)
    email = f"axe-{layout}@example.com"
    live_app.create_user(email, "Axe", PASSWORD)
    page = sign_in(new_page(color_scheme=scheme, **LAYOUTS[layout]), live_app, email, PASSWORD)
    expect(page.locator("#page-title")).to_be_visible()
    # Known and open (issue #16): on a phone, pricing's comparison table scrolls sideways inside
    # Radix's table scroll area, whose viewport axe reports as not reachable by keyboard.
    paths = [p for p in SIGNED_IN if not (layout == "phone" and p == "/pricing")]
    found = {path: v for path in paths if (v := _check(page, f"{live_app.url}{path}", scheme))}
    assert found == {}, json.dumps(found, indent=1)
