"""Pricing and Settings -> Billing while billing is off (the shared server has no Stripe keys):
said up front in plain words, every plan button disabled, the setup hint for admins only;
and the plan cards at 1280 px: the "Most popular" badge whole, the interval toggle on one line."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from fluxkit.services import billing
from tests.support.browser import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

PASSWORD = "pricing-off-passphrase"


def test_a_member_sees_billing_off_up_front_with_disabled_buttons(live_app, new_page):
    live_app.create_user("pricing-member@example.com", "Member", PASSWORD)
    page = sign_in(new_page(viewport={"width": 1280, "height": 900}), live_app, "pricing-member@example.com", PASSWORD)
    page.goto(f"{live_app.url}/pricing")

    notice = page.locator("#billing-off")
    expect(notice).to_contain_text(billing.BILLING_OFF)
    for plan in ("basic", "professional", "enterprise"):
        expect(page.locator(f"#choose-{plan}")).to_be_disabled()
        expect(page.locator(f"#choose-{plan}")).to_have_attribute("aria-describedby", "billing-off-text")
    text = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    assert "`" not in text
    assert "fluxkit billing setup" not in text
    expect(page.locator("#billing-off-admin")).to_have_count(0)

    # The badge is whole and the toggle's two labels sit on one line.
    badge = page.locator("#popular-professional")
    expect(badge).to_have_text("Most popular")
    assert badge.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    card = page.locator("#plan-professional").bounding_box()
    box = badge.bounding_box()
    assert box["x"] + box["width"] <= card["x"] + card["width"]
    monthly = page.locator("#interval-monthly").bounding_box()
    yearly = page.locator("#interval-yearly").bounding_box()
    assert abs(monthly["y"] - yearly["y"]) < 1 and abs(monthly["height"] - yearly["height"]) < 1

    # Settings -> Billing: the same.
    page.goto(f"{live_app.url}/settings/billing")
    expect(page.locator("#billing-upgrade")).to_be_disabled()
    expect(page.locator("#billing-disabled")).to_contain_text(billing.BILLING_OFF)
    expect(page.locator("#billing-disabled-admin")).to_have_count(0)


def test_an_admin_also_reads_how_to_turn_billing_on(live_app, new_page):
    live_app.create_user("pricing-admin@example.com", "Admin", PASSWORD, admin=True)
    page = sign_in(new_page(), live_app, "pricing-admin@example.com", PASSWORD, "/pricing")
    expect(page.locator("#billing-off-admin")).to_contain_text(billing.BILLING_SETUP_COMMAND)
    expect(page.locator("#choose-basic")).to_be_disabled()
