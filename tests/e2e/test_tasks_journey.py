"""Tasks and notifications in two tabs: a change in one shows in the other without reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in

# The first test also waits for the production build.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

EMAIL = "tabs@example.com"
PASSWORD = "two-tabs-passphrase"


def test_create_filter_complete_in_one_tab_shows_in_the_other(live_app, browser):
    live_app.create_user(EMAIL, "Tabs", PASSWORD)
    context = browser.new_context(extra_http_headers={"X-Forwarded-For": "198.51.100.200"})
    context.set_default_timeout(20_000)
    try:
        one = sign_in(context.new_page(), live_app, EMAIL, PASSWORD, "/tasks")
        two = context.new_page()
        two.goto(f"{live_app.url}/tasks")
        expect(two.locator("#task-empty")).to_be_visible()

        # Tab one: create a task.
        one.click("#task-empty-create")
        one.fill("#task-dialog-title", "Ship the release")
        one.click("#task-save")
        expect(one.locator("#task-table")).to_contain_text("Ship the release")

        # Tab two: the row and the stat cards arrive without reload.
        expect(two.locator("#task-table")).to_contain_text("Ship the release")
        expect(two.locator("#stat-total")).to_contain_text("1")
        expect(two.locator("#stat-pending")).to_contain_text("1")

        # Tab one: filter to pending, then complete the task from its menu.
        one.click("#filter-status")
        one.click("#filter-status-pending")
        expect(one).to_have_url(re.compile(r"status=pending"))
        row = one.locator("[id^=task-row-]").first
        task_id = (row.get_attribute("id") or "").removeprefix("task-row-")
        one.click(f"#task-actions-{task_id}")
        one.click(f"#task-status-menu-{task_id}")
        one.click(f"#task-status-{task_id}-completed")

        # Tab two: stat cards and the bell change without reload.
        expect(two.locator("#stat-completed")).to_contain_text("1")
        expect(two.locator("#stat-pending")).to_contain_text("0")
        # The welcome notification from the first sign-in, and now the completion.
        expect(two.locator("#bell-count")).to_have_text("2")

        # Open the bell, read the notification: it leads to the task.
        two.click("#bell")
        expect(two.locator("#bell-list")).to_contain_text("You completed the task: Ship the release")
        two.locator("[id^=bell-item-]").filter(has_text="Ship the release").first.click()
        two.wait_for_url(re.compile(rf"task={task_id}"))
        expect(two.locator("#task-details-title")).to_contain_text("Ship the release")
    finally:
        context.close()


def test_hidden_columns_survive_a_reload(live_app, new_page):
    email = "columns@example.com"
    live_app.create_user(email, "Columns", PASSWORD)
    page = sign_in(new_page(), live_app, email, PASSWORD, "/tasks")
    page.click("#task-empty-create")
    page.fill("#task-dialog-title", "Pick the columns")
    page.click("#task-save")
    expect(page.locator("#task-table")).to_contain_text("Pick the columns")
    expect(page.locator("#sort-priority")).to_be_visible()
    expect(page.locator("#sort-updated")).to_have_count(0)  # hidden by default

    # Hide Priority, show Updated.
    page.click("#column-menu")
    page.click("#column-toggle-priority")
    page.click("#column-toggle-updated")
    page.keyboard.press("Escape")
    expect(page.locator("#sort-priority")).to_have_count(0)
    expect(page.locator("#sort-updated")).to_be_visible()

    # A reload keeps the choice.
    page.reload()
    expect(page.locator("#task-table")).to_contain_text("Pick the columns")
    expect(page.locator("#sort-updated")).to_be_visible()
    expect(page.locator("#sort-priority")).to_have_count(0)
    expect(page.locator("#sort-status")).to_be_visible()
