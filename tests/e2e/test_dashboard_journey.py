"""Dashboard journey: a new user's checklist, and a task made in another tab arriving live."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

PASSWORD = "dashboard-journey-passphrase"


def test_new_user_sees_the_checklist_and_a_task_from_another_tab_arrives_live(live_app, new_page):
    email = "dash@example.com"
    live_app.create_user(email, "Dana", PASSWORD)
    dash = sign_in(new_page(), live_app, email, PASSWORD)

    # A new user: the checklist instead of an empty chart; figures are real zeros.
    expect(dash.locator("#welcome")).to_contain_text("Dana")
    expect(dash.locator("#onboarding-checklist")).to_be_visible()
    expect(dash.locator("#step-verify_email")).to_have_attribute("data-done", "true")
    expect(dash.locator("#step-first_task")).to_have_attribute("data-done", "false")
    expect(dash.locator("#checklist-progress")).to_have_text("1 of 4 done")
    expect(dash.locator("#stat-tasks-total")).to_have_text("0")
    expect(dash.locator("#activity-chart")).to_have_count(0)
    expect(dash.locator("#recent-tasks-empty")).to_be_visible()

    # Another tab of the same user creates a task.
    tasks = dash.context.new_page()
    tasks.goto(f"{live_app.url}/tasks")
    tasks.click("#task-empty-create")
    tasks.fill("#task-dialog-title", "Draft the launch plan")
    tasks.click("#task-save")
    expect(tasks.locator("#task-table")).to_contain_text("Draft the launch plan")

    # The open dashboard follows without reload: stat card, recent tasks, chart, checklist.
    expect(dash.locator("#stat-tasks-total")).to_have_text("1")
    expect(dash.locator("#stat-tasks-pending")).to_have_text("1")
    expect(dash.locator("#recent-tasks")).to_contain_text("Draft the launch plan")
    expect(dash.locator("#step-first_task")).to_have_attribute("data-done", "true")
    expect(dash.locator("#checklist-progress")).to_have_text("2 of 4 done")
    expect(dash.locator("#activity-chart .recharts-surface").first).to_be_visible()
    expect(dash.locator("#chart-totals")).to_have_text("Last 7 days: 1 created, 0 completed (days in UTC)")

    # The range switch: 30 days.
    dash.click("#chart-range-30")
    expect(dash.locator("#chart-totals")).to_have_text("Last 30 days: 1 created, 0 completed (days in UTC)")
    today = datetime.now(UTC).date()  # the user's timezone is UTC
    expect(dash.locator("#activity-chart")).to_contain_text(f"{today:%b} {today.day}")  # the last day is on the axis
    expect(dash.locator("#chart-range-30")).to_have_attribute("aria-checked", "true")

    # The recent task opens on /tasks.
    link = dash.locator("[id^=recent-task-]").first
    task_id = (link.get_attribute("id") or "").removeprefix("recent-task-")
    assert link.get_attribute("href") == f"/tasks?task={task_id}"

    # Skip the plan step, then hide the checklist: it stays hidden after a reload.
    dash.click("#skip-plan-step")
    expect(dash.locator("#step-choose_plan")).to_have_attribute("data-done", "true")
    expect(dash.locator("#checklist-progress")).to_have_text("3 of 4 done")
    dash.click("#dismiss-checklist")
    expect(dash.locator("#onboarding-checklist")).to_have_count(0)
    dash.reload()
    expect(dash.locator("#stat-tasks-total")).to_have_text("1")
    expect(dash.locator("#onboarding-checklist")).to_have_count(0)


def test_on_a_phone_the_cards_stack_and_the_chart_is_full_width(live_app, new_page):
    email = "dash-phone@example.com"
    live_app.create_user(email, "Phil", PASSWORD)
    page = sign_in(
        new_page(viewport={"width": 390, "height": 844}, color_scheme="dark"), live_app, email, PASSWORD, "/tasks"
    )
    page.click("#task-empty-create")
    page.fill("#task-dialog-title", "Pocket task")
    page.click("#task-save")
    expect(page.locator("#task-table")).to_contain_text("Pocket task")
    page.goto(f"{live_app.url}/dashboard")
    expect(page.locator("#stat-tasks-total")).to_have_text("1")
    expect(page.locator("#activity-chart .recharts-surface").first).to_be_visible()

    cards = page.locator("#stat-cards > a")
    first, second = cards.nth(0).bounding_box(), cards.nth(1).bounding_box()
    assert first and second and abs(first["x"] - second["x"]) < 2 and second["y"] > first["y"]  # stacked
    chart = page.locator("#activity-chart").bounding_box()
    grid = page.locator("#stat-cards").bounding_box()
    assert chart and grid and chart["width"] >= grid["width"] - 60  # the card's padding aside
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
