"""Plan limits reached through the tasks page's own handlers (the rule lives in the services)."""

from __future__ import annotations

import pytest

from fluxkit.services import tasks
from fluxkit.state.tasks.page import TasksState
from tests.support.factories import apply_webhooks, make_subscription
from tests.support.states import call, make_root, substate

FORM = {"title": "One more", "description": "", "priority": "medium", "category": "feature", "due_date": ""}


def fill(db, user_id, count):
    for n in range(count):
        tasks.create_task(db, user_id, {"title": f"Task {n}"})
    db.commit()


async def test_free_cap_refuses_a_new_task_in_the_form_with_an_upgrade_message(db, alice, billing_on):
    user, token, _ = alice
    fill(db, user.id, 10)
    state = substate(make_root(token, "/tasks"), TasksState)
    await call(state, "save", dict(FORM))
    assert "Free plan allows 10 active tasks" in state.form_errors.get("form", "")
    assert "Upgrade to Basic" in state.form_errors["form"]
    assert tasks.stats(db, user.id).total == 10

    # After paying, the same form goes through.
    make_subscription(db, billing_on.double, user.id)
    await call(state, "save", dict(FORM))
    assert state.form_errors == {}
    assert tasks.stats(db, user.id).total == 11


async def test_after_a_downgrade_the_data_stays_and_new_tasks_wait(db, alice, billing_on):
    user, token, _ = alice
    sub_id = make_subscription(db, billing_on.double, user.id, "basic", "monthly")
    fill(db, user.id, 12)
    apply_webhooks(db, billing_on.double.cancel(sub_id))
    state = substate(make_root(token, "/tasks"), TasksState)
    await call(state, "load")
    await call(state, "save", dict(FORM))
    assert "you have 12" in state.form_errors.get("form", "")
    assert tasks.stats(db, user.id).total == 12


async def test_without_billing_the_form_is_not_capped(db, alice, billing_off):
    user, token, _ = alice
    fill(db, user.id, 10)
    state = substate(make_root(token, "/tasks"), TasksState)
    await call(state, "save", dict(FORM))
    assert state.form_errors == {}
    assert tasks.stats(db, user.id).total == 11


def _sent(events) -> str:
    out = []
    for event in events:
        for item in event if isinstance(event, list) else [event]:
            for _key, value in getattr(item, "args", ()):
                out.append(str(getattr(value, "_var_value", None) or value))
    return "\n".join(out)


async def test_csv_export_needs_a_paid_plan(db, alice, billing_on):
    pytest.importorskip("fluxkit.services.tasks.csv", reason="the CSV service is not in this tree yet")
    user, token, _ = alice
    fill(db, user.id, 2)
    state = substate(make_root(token, "/tasks"), TasksState)
    await call(state, "load")
    refused = _sent(await call(state, "export_csv"))
    assert "CSV export is not part of the Free plan" in refused
    assert "data:text/csv" not in refused

    make_subscription(db, billing_on.double, user.id)
    assert "data:text/csv" in _sent(await call(state, "export_csv"))
