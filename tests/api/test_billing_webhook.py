"""POST /api/billing/webhook: signatures, at-most-once, ordering, the six event types.

Events come from the Stripe double (the objects Stripe would send for each change) and
are signed with `stripe.WebhookSignature`, exactly as Stripe signs them.
"""

from __future__ import annotations

import copy
import json
import threading
import time

import pytest
from sqlmodel import Session, select

from fluxkit.db import session_scope
from fluxkit.models import BillingEvent, Notification, Subscription
from fluxkit.services import billing, plans
from fluxkit.services.billing import webhooks as billing_webhooks
from tests.support.factories import make_user
from tests.support.http import signed_in_client
from tests.support.stripe_double import WEBHOOK_SECRET, sign

URL = "/api/billing/webhook"


def post(client, env, event, timestamp=None, secret=None, headers=None):
    body, header = sign(event, secret or env.webhook_secret, timestamp)
    all_headers = {"Stripe-Signature": header, "Content-Type": "application/json; charset=utf-8"}
    all_headers.update(headers or {})
    return client.post(URL, content=body, headers=all_headers)


def deliver(client, env, events):
    for event in events:
        response = post(client, env, event)
        assert response.status_code == 200, response.text


def start_checkout(user_id, plan=plans.BASIC, interval=plans.MONTHLY) -> str:
    with session_scope() as db:
        url = billing.start_checkout(db, user_id, plan, interval)
    return url.rsplit("/", 1)[1]


def account(user_id) -> Subscription | None:
    with session_scope() as db:
        return db.exec(select(Subscription).where(Subscription.user_id == user_id)).first()


def notes(user_id) -> list[str]:
    with session_scope() as db:
        rows = db.exec(select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)).all()
        return [n.title for n in rows]


def event_rows() -> list[BillingEvent]:
    with session_scope() as db:
        return db.exec(select(BillingEvent)).all()


@pytest.fixture
def ada(db, engine):
    return make_user(db)


@pytest.fixture
def subscribed(client, billing_on, ada):
    """Ada paid for Basic monthly; returns her subscription id."""
    events = billing_on.double.complete_checkout(start_checkout(ada.id))
    deliver(client, billing_on, events)
    return events[0]["data"]["object"]["id"]


# ---- signatures ---------------------------------------------------------------------------------


def test_a_signed_checkout_makes_the_plan_paid(client, billing_on, ada):
    events = billing_on.double.complete_checkout(start_checkout(ada.id, plans.PROFESSIONAL, plans.YEARLY))
    checkout = events[-1]
    assert checkout["type"] == "checkout.session.completed"
    response = post(client, billing_on, checkout)
    assert response.status_code == 200
    assert response.json()["received"] is True
    record = account(ada.id)
    assert (record.plan, record.interval, record.status) == ("professional", "yearly", "active")
    assert record.current_period_end is not None
    assert notes(ada.id) == ["Plan upgraded"]


@pytest.mark.parametrize(
    "tamper",
    [
        "wrong secret",
        "no header",
        "empty header",
        "garbage header",
        "body changed",
        "stale",
        "from the future",
        "signed with v0 only",
    ],
)
def test_forged_missing_or_stale_signatures_are_refused_and_change_nothing(client, billing_on, ada, tamper):
    [_, _, checkout] = billing_on.double.complete_checkout(start_checkout(ada.id))
    body, header = sign(checkout, WEBHOOK_SECRET)
    headers = {"Content-Type": "application/json"}
    if tamper == "wrong secret":
        body, header = sign(checkout, "whsec_someone_else")
    elif tamper == "empty header":
        header = ""
    elif tamper == "garbage header":
        header = "t=abc,v1=zzz"
    elif tamper == "body changed":
        forged = copy.deepcopy(checkout)
        forged["data"]["object"]["client_reference_id"] = "999"
        body = json.dumps(forged).encode()
    elif tamper == "stale":
        body, header = sign(checkout, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    elif tamper == "from the future":  # correctly signed, a day ahead
        body, header = sign(checkout, WEBHOOK_SECRET, timestamp=int(time.time()) + 86_400)
    elif tamper == "signed with v0 only":
        header = header.replace("v1=", "v0=")
    if tamper != "no header":
        headers["Stripe-Signature"] = header
    response = client.post(URL, content=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"] in ("invalid_signature", "invalid_event")
    assert event_rows() == []
    assert account(ada.id).status == ""
    assert notes(ada.id) == []


def test_a_signature_within_the_tolerance_is_accepted(client, billing_on, ada):
    [_, _, checkout] = billing_on.double.complete_checkout(start_checkout(ada.id))
    response = post(client, billing_on, checkout, timestamp=int(time.time()) - 290)
    assert response.status_code == 200
    assert account(ada.id).status == "active"


def test_a_signed_body_that_is_not_an_event_is_refused(client, billing_on):
    body = b"[1, 2, 3]"
    header = sign({}, WEBHOOK_SECRET)[1]  # a signature of another body
    assert client.post(URL, content=body, headers={"Stripe-Signature": header}).status_code == 400
    import stripe

    good = stripe.WebhookSignature.generate_signature_header(body.decode(), WEBHOOK_SECRET)
    response = client.post(URL, content=body, headers={"Stripe-Signature": good})
    assert response.status_code == 400 and response.json()["error"] == "invalid_event"
    assert event_rows() == []


def test_without_a_webhook_secret_nothing_is_accepted(client, engine):
    from tests.support.settings_env import settings_env

    event = {"id": "evt_1", "type": "invoice.paid", "created": 1, "data": {"object": {}}}
    body, header = sign(event, "whsec_anything")
    with settings_env(STRIPE_WEBHOOK_SECRET=None):
        response = client.post(URL, content=body, headers={"Stripe-Signature": header})
    assert response.status_code == 400
    assert event_rows() == []


# ---- at most once ------------------------------------------------------------------------------------


def test_a_replayed_event_answers_2xx_and_does_nothing(client, billing_on, ada):
    events = billing_on.double.complete_checkout(start_checkout(ada.id))
    deliver(client, billing_on, events)
    assert notes(ada.id) == ["Plan upgraded"]
    before = account(ada.id)

    for event in events:
        again = post(client, billing_on, event)  # Stripe retries, with a fresh signature
        assert again.status_code == 200
        assert again.json() == {"received": True, "duplicate": True}
    assert notes(ada.id) == ["Plan upgraded"]
    assert len(event_rows()) == 3
    assert account(ada.id).updated_at == before.updated_at


def test_a_replay_after_later_changes_does_not_roll_them_back(client, billing_on, ada):
    events = billing_on.double.complete_checkout(start_checkout(ada.id))
    deliver(client, billing_on, events)
    deliver(client, billing_on, billing_on.double.cancel(events[0]["data"]["object"]["id"]))
    assert account(ada.id).status == "canceled"
    for event in events:  # Stripe re-sends the old ones
        assert post(client, billing_on, event).json()["duplicate"] is True
    assert account(ada.id).status == "canceled"
    assert notes(ada.id) == ["Plan upgraded", "Plan ended"]


def test_two_concurrent_deliveries_of_one_event_have_exactly_one_effect(client, billing_on, ada, app):
    from starlette.testclient import TestClient

    events = billing_on.double.complete_checkout(start_checkout(ada.id))
    checkout = events[-1]
    body, header = sign(checkout, WEBHOOK_SECRET)
    barrier = threading.Barrier(4)
    statuses = []

    def deliver_once():
        with TestClient(app) as own:
            barrier.wait()
            response = own.post(URL, content=body, headers={"Stripe-Signature": header})
            statuses.append(response.status_code)

    threads = [threading.Thread(target=deliver_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200, 200, 200]
    assert notes(ada.id) == ["Plan upgraded"]
    assert [row.stripe_event_id for row in event_rows()] == [checkout["id"]]


def test_concurrent_processing_in_the_service_is_serialised_by_the_unique_key(engine, billing_on, ada):
    events = billing_on.double.complete_checkout(start_checkout(ada.id))
    checkout = events[-1]
    barrier = threading.Barrier(2)
    outcomes = []

    def process():
        try:
            with Session(engine, expire_on_commit=False) as db:
                barrier.wait()
                outcomes.append(billing_webhooks.handle_event(db, checkout, client=billing.stripe_client()))
                time.sleep(0.2)  # hold the transaction open: the other one must wait, then lose
                db.commit()
        except billing_webhooks.DuplicateEvent:
            outcomes.append("duplicate")

    threads = [threading.Thread(target=process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["applied: basic active", "duplicate"]
    assert notes(ada.id) == ["Plan upgraded"]


# ---- order ---------------------------------------------------------------------------------------------


def test_events_arriving_out_of_order_leave_the_newest_state(client, billing_on, ada, subscribed):
    double = billing_on.double
    upgrade = double.change_price(subscribed, billing_on.prices[("professional", "monthly")])
    cancel_later = double.set_cancel_at_period_end(subscribed, True)
    ended = double.cancel(subscribed)
    # Delivered newest first: the older ones must not undo the end of the subscription.
    deliver(client, billing_on, ended + cancel_later + upgrade)
    record = account(ada.id)
    assert record.status == "canceled"
    assert billing_summary(ada.id).plan_id == "free"
    rows = {row.stripe_event_id: row.outcome for row in event_rows()}
    assert rows[upgrade[0]["id"]].startswith("stale")
    assert rows[cancel_later[0]["id"]].startswith("stale")


def test_an_older_update_after_a_newer_one_is_ignored(client, billing_on, ada, subscribed):
    double = billing_on.double
    to_pro = double.change_price(subscribed, billing_on.prices[("professional", "monthly")])
    to_enterprise = double.change_price(subscribed, billing_on.prices[("enterprise", "yearly")])
    deliver(client, billing_on, to_enterprise + to_pro)
    record = account(ada.id)
    assert (record.plan, record.interval) == ("enterprise", "yearly")
    assert notes(ada.id) == ["Plan upgraded", "Plan changed"]


def test_events_from_the_same_second_are_settled_by_refetching(client, billing_on, ada, subscribed):
    double = billing_on.double
    now = double.now
    first = double.set_status(subscribed, "past_due")
    second = double.set_status(subscribed, "active")
    for event in first + second:
        event["created"] = now + 5  # same second: order unknowable from timestamps
    before = len(double.calls("GET", "/subscriptions/"))
    deliver(client, billing_on, second + first)  # the older (past_due) one arrives last
    assert account(ada.id).status == "active"  # Stripe's current state, re-fetched
    assert len(double.calls("GET", "/subscriptions/")) > before


def test_an_old_subscription_ending_does_not_cancel_the_new_one(client, billing_on, ada, subscribed):
    double = billing_on.double
    deliver(client, billing_on, double.cancel(subscribed))
    second = double.complete_checkout(start_checkout(ada.id, plans.ENTERPRISE, plans.MONTHLY))
    deliver(client, billing_on, second)
    assert account(ada.id).plan == "enterprise"
    # A late "deleted" for the first subscription (a fresh event id, newer timestamp).
    late = double.event("customer.subscription.deleted", double.subscriptions[subscribed], created=double.tick())
    deliver(client, billing_on, [late])
    record = account(ada.id)
    assert (record.plan, record.status) == ("enterprise", "active")


# ---- the six event types -----------------------------------------------------------------------------------


def billing_summary(user_id):
    with session_scope() as db:
        return billing.summary(db, user_id)


def test_subscription_created_alone_is_enough(client, billing_on, ada):
    [created, _, _] = billing_on.double.complete_checkout(start_checkout(ada.id, plans.ENTERPRISE, plans.YEARLY))
    deliver(client, billing_on, [created])
    assert billing_summary(ada.id).plan_id == "enterprise"


def test_cancel_at_period_end_is_shown_and_the_plan_kept_until_then(client, billing_on, ada, subscribed):
    deliver(client, billing_on, billing_on.double.set_cancel_at_period_end(subscribed, True))
    summary = billing_summary(ada.id)
    assert summary.cancel_at_period_end and summary.plan_id == "basic" and summary.current_period_end
    deliver(client, billing_on, billing_on.double.set_cancel_at_period_end(subscribed, False))
    assert not billing_summary(ada.id).cancel_at_period_end


def test_payment_failure_marks_past_due_and_notifies_then_payment_clears_it(client, billing_on, ada, subscribed):
    failed, updated = billing_on.double.fail_payment(subscribed)
    assert failed["type"] == "invoice.payment_failed"
    deliver(client, billing_on, [failed])  # the subscription's own update is late
    summary = billing_summary(ada.id)
    assert summary.past_due and summary.status == "past_due" and summary.plan_id == "basic"
    assert notes(ada.id) == ["Plan upgraded", "Payment failed"]
    with session_scope() as db:
        failed_note = db.exec(select(Notification).where(Notification.title == "Payment failed")).one()
        assert failed_note.link == "/settings/billing"  # its "Open billing" goes there
    deliver(client, billing_on, [updated])
    paid, reactivated = billing_on.double.pay(subscribed)
    deliver(client, billing_on, [paid])
    assert billing_summary(ada.id).status == "active"
    deliver(client, billing_on, [reactivated])
    assert not billing_summary(ada.id).past_due


def test_unpaid_or_deleted_drops_to_free(client, billing_on, ada, subscribed):
    deliver(client, billing_on, billing_on.double.set_status(subscribed, "unpaid"))
    summary = billing_summary(ada.id)
    assert summary.plan_id == "free" and summary.past_due
    deliver(client, billing_on, billing_on.double.cancel(subscribed))
    summary = billing_summary(ada.id)
    assert summary.plan_id == "free" and summary.status == "canceled" and not summary.past_due
    assert notes(ada.id) == ["Plan upgraded", "Plan ended"]


def test_unknown_customer_is_acknowledged_and_recorded(client, billing_on, ada):
    double = billing_on.double
    stranger = double._new_customer({"email": "someone@elsewhere.example"})
    double.customers[stranger["id"]] = stranger
    sub = {
        "id": "sub_unknown",
        "object": "subscription",
        "customer": stranger["id"],
        "status": "active",
        "items": {
            "data": [{"price": {"id": billing_on.prices[("basic", "monthly")]}, "current_period_end": double.now + 99}]
        },
    }
    for type_ in ("customer.subscription.created", "invoice.payment_failed"):
        obj = sub if type_.startswith("customer") else {"id": "in_x", "customer": stranger["id"], "amount_due": 1900}
        response = post(client, billing_on, double.event(type_, obj))
        assert response.status_code == 200
        assert response.json()["outcome"] == "ignored: unknown customer"
    assert len(event_rows()) == 2
    with session_scope() as db:
        assert db.exec(select(Subscription).where(Subscription.stripe_customer_id == stranger["id"])).first() is None
        assert db.exec(select(Notification)).all() == []


def test_checkout_reference_must_match_the_customer(db, client, billing_on, ada):
    mallory = make_user(db, "mallory@example.com", name="Mallory")
    [_, _, checkout] = billing_on.double.complete_checkout(start_checkout(ada.id))
    start_checkout(mallory.id)
    forged = copy.deepcopy(checkout)
    forged["id"] = "evt_other"
    forged["data"]["object"]["client_reference_id"] = str(mallory.id)
    response = post(client, billing_on, forged)
    assert response.status_code == 200
    assert response.json()["outcome"].startswith("ignored")
    assert account(mallory.id).status == "" and account(ada.id).status == ""


def test_other_event_types_are_acknowledged(client, billing_on):
    event = billing_on.double.event("customer.created", {"id": "cus_x", "object": "customer"})
    response = post(client, billing_on, event)
    assert response.status_code == 200 and response.json()["outcome"].startswith("ignored")


def test_stripe_unreachable_during_a_refetch_answers_503_so_stripe_retries(client, billing_on, ada):
    events = billing_on.double.complete_checkout(start_checkout(ada.id))
    checkout = events[-1]
    billing_on.double.fail_next(1, status=500)
    response = post(client, billing_on, checkout)
    assert response.status_code == 503
    assert event_rows() == []  # not recorded: the retry will be processed
    assert post(client, billing_on, checkout).status_code == 200
    assert account(ada.id).status == "active"


def test_the_webhook_needs_no_cookie_and_ignores_one(client, billing_on, ada, new_client):

    browser = signed_in_client(new_client)
    [_, _, checkout] = billing_on.double.complete_checkout(start_checkout(ada.id))
    body, header = sign(checkout, WEBHOOK_SECRET)
    response = browser.post(URL, content=body, headers={"Stripe-Signature": header})
    assert response.status_code == 200
