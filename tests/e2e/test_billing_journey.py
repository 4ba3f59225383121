"""Billing in a real browser: pricing -> checkout -> webhook -> paid everywhere, live -> portal.

The app runs with billing on, pointed at the loopback Stripe double, whose hosted checkout
and portal pages deliver signed webhooks to the app as Stripe would. This server needs other
settings than the shared one, and a production build bakes its port into the frontend, so
it runs from a private copy of the project (with its own .web) and never disturbs the
shared server.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

from tests.support.browser import expect_path, need_a_browser, submit_sign_in
from tests.support.live_server import live_app as start_live_app
from tests.support.live_server import project_copy
from tests.support.stripe_double import WEBHOOK_SECRET, billing_environment, running_double

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1800)]

EMAIL = "payer@example.com"
PASSWORD = "journey-passphrase-42"


@pytest.fixture(scope="module")
def billing_app():
    need_a_browser()
    with running_double() as double:
        env = billing_environment(double)
        root = project_copy("fluxkit-billing-e2e-")
        try:
            with start_live_app(root, **env) as app:
                double.webhook_url = f"{app.url}/api/billing/webhook"
                double.webhook_secret = WEBHOOK_SECRET
                app.create_user(EMAIL, "Payer", PASSWORD)
                yield app, double
        finally:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def context(billing_app, browser):
    # The session's one browser (tests/e2e/conftest.py): a second Playwright would clash with it.
    ctx = browser.new_context()
    ctx.set_default_timeout(20_000)
    yield ctx
    if os.environ.get("FLUXKIT_KEEP_SHOTS"):
        for number, page in enumerate(ctx.pages):
            page.screenshot(path=str(billing_app[0].data_dir / f"billing-{number}.png"))
    ctx.close()


def test_pricing_checkout_webhook_paid_everywhere_then_portal(billing_app, context):
    from playwright.sync_api import expect

    app, double = billing_app

    # Sign in and land on pricing: Free is the current plan.
    pricing = context.new_page()
    pricing.goto(f"{app.url}/pricing")
    expect_path(pricing, "/sign-in")
    submit_sign_in(pricing, EMAIL, PASSWORD)
    expect_path(pricing, "/pricing")
    expect(pricing.locator("#current-free")).to_be_visible()
    expect(pricing.locator("#plan-professional")).to_contain_text("Most popular")
    expect(pricing.locator("#price-professional")).to_have_text("$79")
    pricing.click("#interval-yearly")
    expect(pricing.locator("#price-professional")).to_have_text("$790")
    expect(pricing.locator("#plan-comparison")).to_contain_text("CSV export of tasks")
    expect(pricing.locator("#billing-faq")).to_contain_text("What if a payment fails?")

    # A second tab of the same user, on settings: Free, no billing account yet.
    settings = context.new_page()
    settings.goto(f"{app.url}/settings/billing")
    expect(settings.locator("#billing-plan")).to_have_text("Free")
    expect(settings.locator("#billing-manage")).to_be_disabled()

    # Upgrade -> Stripe Checkout (the double's hosted page) -> pay.
    pricing.click("#choose-professional")
    pricing.wait_for_url(re.compile(re.escape(double.url) + r"/checkout/cs_test_"))
    expect(pricing.locator("#checkout-product")).to_have_text("FluxKit Professional")
    expect(pricing.locator("#checkout-amount")).to_contain_text("$790.00 per year")
    pricing.click("#checkout-pay")

    # Back on the success page: the webhook made the plan paid.
    expect_path(pricing, "/pricing/success")
    expect(pricing.locator("#checkout-success-plan")).to_contain_text("Professional")
    assert [status for _, status in double.delivered] == [200, 200, 200]

    # The other tab shows it without a reload.
    expect(settings.locator("#billing-plan")).to_have_text("Professional")
    expect(settings.locator("#billing-status")).to_have_text("Active")
    expect(settings.locator("#billing-interval")).to_have_text("yearly")
    expect(settings.locator("#billing-period-end")).to_contain_text("Renews on")
    expect(settings.locator(".invoice-row")).to_have_count(1)
    expect(settings.locator("#invoice-list")).to_contain_text("$790.00")

    # Pricing marks the new current plan; switching now goes through the portal.
    pricing.goto(f"{app.url}/pricing")
    expect(pricing.locator("#current-professional")).to_be_visible()
    expect(pricing.locator("#choose-enterprise")).to_contain_text("Switch to Enterprise")

    # Manage -> the customer portal. A failed renewal shows the past-due banner live.
    portal = context.new_page()
    portal.goto(f"{app.url}/settings/billing")
    portal.click("#billing-manage")
    portal.wait_for_url(re.compile(re.escape(double.url) + r"/portal/"))
    expect(portal.locator("#portal-plan")).to_contain_text("FluxKit Professional")
    portal.click("#portal-fail")
    expect(portal.locator("#portal-status")).to_contain_text("past_due")
    expect(settings.locator("#past-due-banner")).to_be_visible()
    expect(settings.locator("#billing-status")).to_have_text("Past due")
    expect(pricing.locator("#past-due-banner")).to_be_visible()

    # Paying again clears it; cancelling at period end keeps the plan until then.
    portal.click("#portal-pay")
    expect(settings.locator("#past-due-banner")).to_have_count(0)
    portal.click("#portal-cancel")
    expect(settings.locator("#billing-cancel-notice")).to_be_visible()
    expect(settings.locator("#billing-period-end")).to_contain_text("Ends on")
    expect(settings.locator("#billing-plan")).to_have_text("Professional")

    # Ending it now drops the account to Free everywhere, and a notification says so.
    portal.click("#portal-cancel-now")
    expect(settings.locator("#billing-plan")).to_have_text("Free")
    expect(pricing.locator("#current-free")).to_be_visible()
    portal.click("#portal-return")
    expect_path(portal, "/settings/billing")
    assert all(status == 200 for _, status in double.delivered)
