"""Plan limits through the REST API: the same service rule answers 402 with the upgrade message."""

from __future__ import annotations

from fluxkit.db import session_scope
from fluxkit.services import billing, tasks
from fluxkit.services.billing import webhooks as billing_webhooks
from tests.support.http import V1, add_task


def _pay(env, user_id):
    with session_scope() as db:
        url = billing.start_checkout(db, user_id, "basic", "monthly")
    for event in env.double.complete_checkout(url.rsplit("/", 1)[1]):
        with session_scope() as db:
            billing_webhooks.handle_event(db, event, client=billing.stripe_client())


def _count(user_id) -> int:
    with session_scope() as db:
        return tasks.stats(db, user_id).total


def test_creating_over_the_free_cap_is_402_then_allowed_after_paying(ada, api, billing_on):
    for n in range(10):
        add_task(ada, title=f"Task {n}")
    client = api(ada)
    refused = client.post(f"{V1}/tasks", json={"title": "One too many"})
    assert refused.status_code == 402
    assert refused.json()["error"] == "plan_limit"
    assert "Free plan allows 10 active tasks" in refused.json()["message"]
    assert _count(ada.user.id) == 10

    _pay(billing_on, ada.user.id)
    assert client.post(f"{V1}/tasks", json={"title": "Fits now"}).status_code == 201
    assert _count(ada.user.id) == 11


def test_no_cap_without_billing(ada, api, billing_off):
    for n in range(10):
        add_task(ada, title=f"Task {n}")
    assert api(ada).post(f"{V1}/tasks", json={"title": "Eleventh"}).status_code == 201
