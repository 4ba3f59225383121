"""Billing services: plans, checkout and portal against the Stripe double, and plan limits."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from fluxkit.models import BillingEvent, Notification, Subscription
from fluxkit.services import billing, notifications, plans, tasks
from fluxkit.services.billing import webhooks as billing_webhooks
from fluxkit.services.errors import InvalidInput
from tests.support.factories import make_subscription, make_tasks, make_user


def session_id_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def apply(db, event) -> str:
    outcome = billing_webhooks.handle_event(db, event, client=billing.stripe_client())
    db.commit()
    return outcome


# ---- plans ---------------------------------------------------------------------------------


def test_plans_live_in_one_place():
    assert [p.id for p in plans.PLANS] == ["free", "basic", "professional", "enterprise"]
    assert [p.monthly_cents for p in plans.PLANS] == [0, 19_00, 79_00, 199_00]
    assert [p.name for p in plans.PLANS if p.popular] == ["Professional"]
    for plan in plans.PAID_PLANS:
        assert plan.yearly_cents < plan.monthly_cents * 12
        assert plans.yearly_saving_months(plan) == 2
    free = plans.get("free")
    assert free.limits.active_tasks == 10 and not free.limits.csv_export
    assert plans.get("no-such-plan") is free
    rows = dict(plans.comparison())
    assert rows["CSV export of tasks"] == ["No", "Yes", "Yes", "Yes"]
    assert rows["Active tasks"] == ["10", "100", "1,000", "Unlimited"]


def test_everyone_starts_on_free(db, billing_off):
    user = make_user(db)
    summary = billing.summary(db, user.id)
    assert summary.plan_id == "free" and summary.status == "" and not summary.subscribed
    assert not summary.billing_enabled and not summary.has_customer
    # Nobody could upgrade, so the Free limits are not enforced while billing is off.
    assert not summary.limits_enforced and summary.active_task_limit == 0 and summary.csv_export


def test_without_billing_no_limits_apply(db, billing_off):
    user = make_user(db)
    make_tasks(db, user.id, 12)
    billing.check_feature(db, user.id, plans.CSV_EXPORT)
    assert billing.has_feature(db, user.id, plans.CSV_EXPORT)
    assert tasks.stats(db, user.id).total == 12


def test_with_billing_on_free_has_its_limits(db, billing_on):
    user = make_user(db)
    summary = billing.summary(db, user.id)
    assert summary.limits_enforced and summary.active_task_limit == 10 and not summary.csv_export


# ---- billing off ------------------------------------------------------------------------------


def test_without_keys_checkout_explains_billing_is_not_configured(db, billing_off):
    user = make_user(db)
    with pytest.raises(billing.BillingNotConfigured, match="not configured"):
        billing.start_checkout(db, user.id, "basic", "monthly")
    with pytest.raises(billing.BillingNotConfigured):
        billing.open_portal(db, user.id)
    assert billing.list_invoices(db, user.id) == []
    assert db.exec(select(Subscription)).all() == []


# ---- checkout --------------------------------------------------------------------------------


def test_checkout_creates_one_customer_per_user_and_a_subscription_session(db, billing_on):
    user = make_user(db)
    url = billing.start_checkout(db, user.id, "professional", "yearly")
    db.commit()
    assert url.startswith(billing_on.double.url + "/checkout/cs_test_")

    [customer_call] = billing_on.double.calls("POST", "/customers")
    assert customer_call["params"]["email"] == "ada@example.com"
    assert customer_call["params"]["metadata"] == {"fluxkit_user_id": str(user.id)}
    assert customer_call["idempotency_key"].startswith(f"fluxkit-customer-{user.id}-")
    [customer_id] = billing_on.double.customers
    account = db.exec(select(Subscription).where(Subscription.user_id == user.id)).one()
    assert account.stripe_customer_id == customer_id

    [session_call] = billing_on.double.calls("POST", "/checkout/sessions")
    params = session_call["params"]
    assert params["mode"] == "subscription"
    assert params["customer"] == customer_id
    assert params["client_reference_id"] == str(user.id)
    assert params["line_items"] == [{"price": billing_on.prices[("professional", "yearly")], "quantity": "1"}]
    assert params["success_url"] == "http://localhost:3000/pricing/success?session_id={CHECKOUT_SESSION_ID}"
    assert params["cancel_url"] == "http://localhost:3000/pricing/cancel"
    assert session_call["idempotency_key"].startswith(f"fluxkit-checkout-{customer_id}-")

    # A second checkout (another plan) reuses the stored customer.
    billing.start_checkout(db, user.id, "basic", "monthly")
    db.commit()
    assert len(billing_on.double.calls("POST", "/customers")) == 1
    assert len(billing_on.double.customers) == 1


def test_a_double_click_opens_the_same_checkout(db, billing_on, clock):
    user = make_user(db)
    first = billing.start_checkout(db, user.id, "basic", "monthly", clock=clock)
    db.commit()
    second = billing.start_checkout(db, user.id, "basic", "monthly", clock=clock)
    db.commit()
    assert first == second
    assert len(billing_on.double.checkout_sessions) == 1


def test_concurrent_first_checkouts_store_one_customer(engine, db, billing_on):
    user = make_user(db)
    barrier = threading.Barrier(2)
    urls, errors = [], []

    def click():
        try:
            with Session(engine, expire_on_commit=False) as own:
                barrier.wait()
                urls.append(billing.start_checkout(own, user.id, "basic", "monthly"))
                own.commit()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(billing_on.double.customers) == 1
    [account] = db.exec(select(Subscription)).all()
    assert account.stripe_customer_id in billing_on.double.customers


def test_checkout_refuses_unknown_plans_and_free(db, billing_on):
    user = make_user(db)
    for plan, interval in (
        ("free", "monthly"),
        ("gold", "monthly"),
        ("basic", "weekly"),
        (None, None),
        (["basic"], "monthly"),
    ):
        with pytest.raises(InvalidInput):
            billing.start_checkout(db, user.id, plan, interval)
    assert billing_on.double.calls("POST", "/checkout") == []


def test_a_subscriber_is_sent_to_the_portal_instead_of_a_second_checkout(db, billing_on):
    user = make_user(db)
    make_subscription(db, billing_on.double, user.id)
    with pytest.raises(billing.AlreadySubscribed, match="billing portal"):
        billing.start_checkout(db, user.id, "professional", "monthly")


def test_stripe_down_is_a_clear_error_and_nothing_is_stored(db, billing_on):
    user = make_user(db)
    billing_on.double.fail_next(1, status=500)
    with pytest.raises(billing.StripeUnavailable, match="Nothing was charged"):
        billing.start_checkout(db, user.id, "basic", "monthly")
    db.rollback()
    assert db.exec(select(Subscription)).all() == []


# ---- checkout to paid -----------------------------------------------------------------------------


def test_paying_makes_the_plan_paid(db, billing_on):
    user = make_user(db)
    sub_id = make_subscription(db, billing_on.double, user.id, "professional", "yearly")
    summary = billing.summary(db, user.id)
    assert summary.plan_id == "professional" and summary.interval == "yearly"
    assert summary.status == "active" and summary.subscribed and not summary.past_due
    assert summary.current_period_end
    assert summary.active_task_limit == 1000 and summary.csv_export
    account = db.exec(select(Subscription)).one()
    assert account.stripe_subscription_id == sub_id
    notes = db.exec(select(Notification).where(Notification.user_id == user.id)).all()
    assert [n.title for n in notes] == ["Plan upgraded"]
    assert all(n.type in notifications.TYPES for n in notes)  # the bell and REST API know it
    assert len(db.exec(select(BillingEvent)).all()) == 3


# ---- portal and invoices ---------------------------------------------------------------------------


def test_portal_uses_the_users_own_customer(db, billing_on):
    ada = make_user(db)
    bob = make_user(db, "bob@example.com", "Bob")
    with pytest.raises(billing.NoBillingAccount, match="Pricing"):
        billing.open_portal(db, ada.id)
    make_subscription(db, billing_on.double, ada.id)
    make_subscription(db, billing_on.double, bob.id)
    url = billing.open_portal(db, ada.id)
    assert url.startswith(billing_on.double.url + "/portal/")
    [call] = billing_on.double.calls("POST", "/billing_portal/sessions")
    ada_account = db.exec(select(Subscription).where(Subscription.user_id == ada.id)).one()
    assert call["params"]["customer"] == ada_account.stripe_customer_id
    assert call["params"]["return_url"] == "http://localhost:3000/settings/billing"
    assert call["params"]["configuration"] == billing_on.env["STRIPE_PORTAL_CONFIGURATION"]


def test_invoice_history_is_the_users_own(db, billing_on):
    ada = make_user(db)
    bob = make_user(db, "bob@example.com", "Bob")
    assert billing.list_invoices(db, ada.id) == []
    make_subscription(db, billing_on.double, ada.id, "basic", "monthly")
    make_subscription(db, billing_on.double, bob.id, "enterprise", "yearly")
    [row] = billing.list_invoices(db, ada.id)
    assert row.amount == "$19.00" and row.status == "paid" and row.number.startswith("DBL-")
    assert row.url.startswith(billing_on.double.url)
    [bobs] = billing.list_invoices(db, bob.id)
    assert bobs.amount == "$1,990.00"


# ---- plan limits -------------------------------------------------------------------------------------


def test_free_caps_active_tasks_with_an_upgrade_message(db, billing_on):
    user = make_user(db)
    make_tasks(db, user.id, 10)
    with pytest.raises(billing.PlanLimitReached) as refused:
        tasks.create_task(db, user.id, {"title": "One too many"})
    db.rollback()
    assert "Free plan allows 10 active tasks" in refused.value.message
    assert "Upgrade to Basic" in refused.value.message
    assert refused.value.code == "plan_limit"
    assert tasks.stats(db, user.id).total == 10

    # Completing one frees a slot: only active tasks count.
    first = tasks.list_tasks(db, user.id, tasks.TaskQuery()).rows[0]
    tasks.change_status(db, user.id, first.id, "completed")
    db.commit()
    tasks.create_task(db, user.id, {"title": "Fits again"})
    db.commit()
    assert tasks.stats(db, user.id).total == 11


def test_a_paid_plan_lifts_the_cap_and_a_downgrade_keeps_data_but_blocks_new_tasks(db, billing_on):
    user = make_user(db)
    sub_id = make_subscription(db, billing_on.double, user.id, "basic", "monthly")
    make_tasks(db, user.id, 15)
    assert billing.has_feature(db, user.id, plans.CSV_EXPORT)
    billing.check_feature(db, user.id, plans.CSV_EXPORT)

    for event in billing_on.double.cancel(sub_id):
        apply(db, event)
    assert billing.summary(db, user.id).plan_id == "free"
    assert tasks.stats(db, user.id).total == 15  # nothing was deleted
    with pytest.raises(billing.PlanLimitReached, match="you have 15"):
        tasks.create_task(db, user.id, {"title": "Over the Free cap"})
    db.rollback()
    with pytest.raises(billing.PlanLimitReached, match="CSV export is not part of the Free plan"):
        billing.check_feature(db, user.id, plans.CSV_EXPORT)
    # Existing tasks can still be edited and completed.
    row = tasks.list_tasks(db, user.id, tasks.TaskQuery()).rows[0]
    tasks.update_task(db, user.id, row.id, {"title": "Still editable", "status": "completed"})
    db.commit()
    notes = [n.title for n in db.exec(select(Notification).where(Notification.user_id == user.id)).all()]
    assert "Plan ended" in notes


def test_reopening_or_restoring_over_the_cap_is_refused(db, billing_on):
    user = make_user(db)
    make_tasks(db, user.id, 10)
    rows = tasks.list_tasks(db, user.id, tasks.TaskQuery()).rows
    tasks.change_status(db, user.id, rows[0].id, "completed")
    tasks.delete_task(db, user.id, rows[1].id)
    db.commit()
    make_tasks(db, user.id, 2)
    with pytest.raises(billing.PlanLimitReached):
        tasks.change_status(db, user.id, rows[0].id, "in progress")
    db.rollback()
    with pytest.raises(billing.PlanLimitReached):
        tasks.restore_task(db, user.id, rows[1].id)
    db.rollback()
