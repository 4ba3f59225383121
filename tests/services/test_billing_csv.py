"""CSV and plans: export is a paid feature in the service itself; import stops at the cap row by row."""

from __future__ import annotations

import pytest

from fluxkit.services import billing, tasks
from fluxkit.services.tasks import csv as task_csv
from tests.support.factories import make_subscription, make_tasks, make_user


def test_export_is_refused_on_free_by_the_service(db, billing_on):
    user = make_user(db)
    make_tasks(db, user.id, 2)
    with pytest.raises(billing.PlanLimitReached, match="CSV export is not part of the Free plan"):
        task_csv.export_csv(db, user.id, tasks.TaskQuery())
    make_subscription(db, billing_on.double, user.id)
    assert "Task 1" in task_csv.export_csv(db, user.id, tasks.TaskQuery())


def test_export_without_billing_is_allowed(db, billing_off):
    user = make_user(db)
    make_tasks(db, user.id, 1)
    assert "Task 0" in task_csv.export_csv(db, user.id, tasks.TaskQuery())


def test_import_creates_up_to_the_cap_and_reports_the_rest(db, billing_on):
    user = make_user(db)
    make_tasks(db, user.id, 8)
    rows = "".join(f"Imported {n},,pending,low,bug,\n" for n in range(4))
    report = task_csv.import_csv(db, user.id, "title,description,status,priority,category,due_date\n" + rows)
    db.commit()
    assert report.created == 2
    assert [r.item for r in report.refused] == ["4", "5"]
    assert all("Free plan allows 10 active tasks" in r.reason for r in report.refused)
    assert tasks.stats(db, user.id).total == 10
