"""Pricing and billing states: the signed-in user's own plan, checkout and portal, banners, live."""

from __future__ import annotations

from sqlmodel import select

from fluxkit.models import Subscription
from fluxkit.state.billing import BillingBannerState, BillingState, PricingState
from fluxkit.state.shell import ShellState
from tests.support.factories import apply_webhooks, make_subscription
from tests.support.states import call, make_root, redirect_targets, substate


async def test_pricing_shows_free_and_explains_when_billing_is_off(db, alice, billing_off):
    _, token, _ = alice
    pricing = substate(make_root(token, "/pricing"), PricingState)
    await call(pricing, "load")
    assert pricing.plan_id == "free" and not pricing.billing_enabled and pricing.loaded
    out = await call(pricing, "choose", "professional")
    assert redirect_targets(out) == []
    assert "not configured" in pricing.notice
    assert db.exec(select(Subscription)).all() == []


async def test_toggle_and_nonsense_plans(db, alice, billing_on):
    _, token, _ = alice
    pricing = substate(make_root(token, "/pricing"), PricingState)
    await call(pricing, "set_yearly", True)
    assert pricing.yearly is True
    await call(pricing, "set_yearly", "yes please")
    assert pricing.yearly is False
    for nonsense in ("free", "platinum", "", "../etc"):
        assert await call(pricing, "choose", nonsense) == []
    assert billing_on.double.requests == []


async def test_upgrade_goes_to_checkout_for_the_signed_in_user(db, alice, bob, billing_on):
    alice_user, token, _ = alice
    pricing = substate(make_root(token, "/pricing"), PricingState)
    await call(pricing, "load")
    await call(pricing, "set_yearly", True)
    out = await call(pricing, "choose", "enterprise")
    [target] = redirect_targets(out)
    assert target.startswith(billing_on.double.url + "/checkout/")
    [session_call] = billing_on.double.calls("POST", "/checkout/sessions")
    assert session_call["params"]["client_reference_id"] == str(alice_user.id)
    assert session_call["params"]["line_items"][0]["price"] == billing_on.prices[("enterprise", "yearly")]
    assert pricing.pending_plan == ""


async def test_a_subscriber_switching_plans_is_sent_to_the_portal(db, alice, billing_on):
    alice_user, token, _ = alice
    make_subscription(db, billing_on.double, alice_user.id)
    pricing = substate(make_root(token, "/pricing"), PricingState)
    await call(pricing, "load")
    assert pricing.plan_id == "basic" and pricing.subscribed
    out = await call(pricing, "choose", "professional")
    [target] = redirect_targets(out)
    assert target.startswith(billing_on.double.url + "/portal/")
    assert len(billing_on.double.calls("POST", "/checkout/sessions")) == 1  # only the first purchase


async def test_billing_section_shows_plan_status_period_and_invoices(db, alice, billing_on):
    alice_user, token, _ = alice
    section = substate(make_root(token, "/settings"), BillingState)
    await call(section, "load")
    assert section.plan_name == "Free" and not section.has_customer and section.invoices == []

    sub_id = make_subscription(db, billing_on.double, alice_user.id, "professional", "monthly")
    apply_webhooks(db, billing_on.double.set_cancel_at_period_end(sub_id, True))
    await call(section, "load")
    assert (section.plan_name, section.interval, section.status_label) == ("Professional", "monthly", "Active")
    assert section.cancel_at_period_end and section.period_end
    [invoice] = section.invoices
    assert invoice.amount == "$79.00" and invoice.status == "paid"

    out = await call(section, "manage")
    [target] = redirect_targets(out)
    assert target.startswith(billing_on.double.url + "/portal/")


async def test_manage_without_a_billing_account_points_to_pricing(db, alice, billing_on):
    _, token, _ = alice
    section = substate(make_root(token, "/settings"), BillingState)
    out = await call(section, "manage")
    assert redirect_targets(out) == ["/pricing"]
    assert billing_on.double.calls("POST", "/billing_portal") == []


async def test_invoices_unavailable_is_a_message_not_a_crash(db, alice, billing_on):
    alice_user, token, _ = alice
    make_subscription(db, billing_on.double, alice_user.id)
    billing_on.double.fail_next(1, status=500)
    section = substate(make_root(token, "/settings"), BillingState)
    await call(section, "load")
    assert section.plan_name == "Basic"
    assert "unavailable" in section.invoices_error


async def test_past_due_banner_and_live_refresh(db, alice, billing_on):
    alice_user, token, _ = alice
    sub_id = make_subscription(db, billing_on.double, alice_user.id)
    root = make_root(token, "/dashboard")
    banner = substate(root, BillingBannerState)
    await call(banner, "load")
    assert banner.past_due is False

    apply_webhooks(db, billing_on.double.fail_payment(sub_id))
    # The webhook's commit announces the "billing" topic: the tab's live event reloads the
    # banner in place, and sends back the billing section's refresh (it waits on Stripe).
    shell = substate(root, ShellState)
    [handlers] = await call(shell, "live", ["billing"])
    assert banner.past_due is True
    assert {h.fn.__qualname__ for h in handlers} == {"BillingState.refresh"}


async def test_one_users_tab_never_shows_another_users_plan(db, alice, bob, billing_on):
    alice_user, alice_token, _ = alice
    _, bob_token, _ = bob
    make_subscription(db, billing_on.double, alice_user.id, "enterprise", "monthly")
    bob_pricing = substate(make_root(bob_token, "/pricing"), PricingState)
    await call(bob_pricing, "load")
    assert bob_pricing.plan_id == "free"
    bob_billing = substate(make_root(bob_token, "/settings"), BillingState)
    await call(bob_billing, "load")
    assert bob_billing.invoices == [] and not bob_billing.has_customer
