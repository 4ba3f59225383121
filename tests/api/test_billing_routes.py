"""Checkout, portal and subscription routes: signed-in only, customer always from the session."""

from __future__ import annotations

from sqlmodel import select

from fluxkit.db import session_scope
from fluxkit.models import Subscription
from tests.support.factories import make_user
from tests.support.http import signed_in_client


def test_plans_are_listed(client):
    plans = client.get("/api/billing/plans").json()
    assert [p["id"] for p in plans] == ["free", "basic", "professional", "enterprise"]
    assert plans[2]["popular"] is True and plans[2]["prices"]["monthly"] == 7900


def test_signed_out_callers_get_401(client, engine, billing_on):
    assert client.get("/api/billing/subscription").status_code == 401
    assert client.post("/api/billing/checkout", json={"plan": "basic", "interval": "monthly"}).status_code == 401
    assert client.post("/api/billing/portal", json={}).status_code == 401
    assert billing_on.double.requests == []


def test_subscription_of_a_new_user_is_free(db, new_client, engine, billing_off):
    make_user(db)
    browser = signed_in_client(new_client)
    body = browser.get("/api/billing/subscription").json()
    assert body["plan"] == "free" and body["status"] is None and body["billingEnabled"] is False
    # Nobody can upgrade while billing is off, so Free's limits are not enforced.
    assert body["limitsEnforced"] is False
    assert body["limits"] == {"activeTasks": None, "csvExport": True}


def test_with_billing_on_free_has_its_limits(db, new_client, engine, billing_on):
    make_user(db)
    browser = signed_in_client(new_client)
    body = browser.get("/api/billing/subscription").json()
    assert body["limitsEnforced"] is True
    assert body["limits"] == {"activeTasks": 10, "csvExport": False}
    assert body["usage"] == {"activeTasks": 0}


def test_without_keys_checkout_says_billing_is_not_configured(db, new_client, engine, billing_off):
    make_user(db)
    browser = signed_in_client(new_client)
    response = browser.post("/api/billing/checkout", json={"plan": "basic", "interval": "monthly"})
    assert response.status_code == 503
    assert response.json()["error"] == "billing_not_configured"
    assert "not configured" in response.json()["message"]


def test_checkout_uses_the_signed_in_users_customer_whatever_the_body_says(db, new_client, engine, billing_on):
    ada = make_user(db)
    make_user(db, "bob@example.com", name="Bob")
    bob_browser = signed_in_client(new_client, "bob@example.com")
    bob_browser.post("/api/billing/checkout", json={"plan": "basic", "interval": "monthly"})
    with session_scope() as db:
        bob_customer = db.exec(select(Subscription.stripe_customer_id).where(Subscription.user_id != ada.id)).one()

    browser = signed_in_client(new_client)
    response = browser.post(
        "/api/billing/checkout",
        json={
            "plan": "professional",
            "interval": "yearly",
            "customer": bob_customer,
            "client_reference_id": "2",
            "userId": 2,
        },
    )
    assert response.status_code == 200
    assert response.json()["url"].startswith(billing_on.double.url + "/checkout/")
    call = billing_on.double.calls("POST", "/checkout/sessions")[-1]
    assert call["params"]["customer"] != bob_customer
    assert call["params"]["client_reference_id"] == str(ada.id)

    portal = browser.post("/api/billing/portal")
    assert portal.status_code == 200
    assert (
        billing_on.double.calls("POST", "/billing_portal/sessions")[-1]["params"]["customer"]
        == call["params"]["customer"]
    )


def test_bad_plan_is_422_and_portal_without_account_is_404(db, new_client, engine, billing_on):
    make_user(db)
    browser = signed_in_client(new_client)
    assert browser.post("/api/billing/checkout", json={"plan": "free", "interval": "monthly"}).status_code == 422
    assert browser.post("/api/billing/checkout", json={"plan": "basic", "interval": "daily"}).status_code == 422
    response = browser.post("/api/billing/portal")
    assert response.status_code == 404 and response.json()["error"] == "no_billing_account"


def test_checkout_from_another_site_is_refused(db, new_client, engine, billing_on):
    make_user(db)
    browser = signed_in_client(new_client)
    response = browser.post(
        "/api/billing/checkout",
        json={"plan": "basic", "interval": "monthly"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert billing_on.double.calls("POST", "/checkout") == []
