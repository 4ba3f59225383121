"""Organizations in the browser: Ada creates one and invites Bob by email; Bob, signed in
elsewhere, opens the emailed link (sign-in first, then back to it) and accepts; Ada assigns
him a task, which arrives live in Bob's open /tasks tab with a bell notification; Bob
completes it and Ada's tab shows it completed, live."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

PASSWORD = "organizations-passphrase"


def _invite_link(live_app, address: str) -> str:
    for message in reversed(live_app.emails_to(address)):
        if match := re.search(re.escape(live_app.url) + r"/invite/[\w-]+", message.get_content()):
            return match.group(0)
    return ""


def test_invite_accept_assign_and_complete_live(live_app, new_page):
    for email, name in (("ada.org@example.com", "Ada"), ("bob.org@example.com", "Bob")):
        live_app.create_user(email, name, PASSWORD)

    # Bob has /tasks open in one browser.
    bob_tasks = new_page()
    sign_in(bob_tasks, live_app, "bob.org@example.com", PASSWORD, "/tasks")
    expect(bob_tasks.locator("#task-empty")).to_be_visible()

    # Ada creates an organization and invites Bob.
    ada = new_page()
    sign_in(ada, live_app, "ada.org@example.com", PASSWORD, "/organizations")
    ada.click("#org-new-empty")
    ada.fill("#org-name", "Acme Robotics")
    ada.click("#org-create-submit")
    expect(ada.locator("#org-detail-name")).to_have_text("Acme Robotics")
    expect(ada.locator("#org-detail-slug")).to_contain_text("acme-robotics")
    expect(ada.locator("#org-switcher-active")).to_have_text("Acme Robotics")
    ada.fill("#invite-email", "bob.org@example.com")
    ada.click("#invite-send")
    expect(ada.locator("#org-invitations")).to_contain_text("bob.org@example.com")

    link = ""
    for _ in range(100):
        link = _invite_link(live_app, "bob.org@example.com")
        if link:
            break
        ada.wait_for_timeout(200)
    assert link, "no invitation email to Bob"

    # Bob opens the link in another browser: sign in first, then back to the invitation.
    bob = new_page()
    path = link.removeprefix(live_app.url)
    sign_in(bob, live_app, "bob.org@example.com", PASSWORD, path)
    expect(bob.locator("#invite-heading")).to_contain_text("Join Acme Robotics")
    bob.click("#invite-accept")
    bob.wait_for_url(re.compile(r"/organizations\?org=\d+"))
    expect(bob.locator("#org-members")).to_contain_text("Ada")
    expect(bob.locator("#org-members")).to_contain_text("Bob")
    expect(bob.locator("#org-switcher-active")).to_have_text("Acme Robotics")

    # Ada's page shows Bob as a member without reload; the invitation is no longer pending.
    expect(ada.locator("#org-members")).to_contain_text("bob.org@example.com")
    expect(ada.locator("#org-invitations-empty")).to_be_visible()

    # Ada renames it; Bob (a member: no Rename button) sees the new name without reload.
    expect(bob.locator("#org-rename")).to_have_count(0)
    ada.click("#org-rename")
    ada.fill("#org-rename-name", "Acme Robotics Labs")
    ada.click("#org-rename-save")
    expect(ada.locator("#org-detail-name")).to_have_text("Acme Robotics Labs")
    expect(bob.locator("#org-detail-name")).to_have_text("Acme Robotics Labs")
    expect(bob.locator("#org-switcher-active")).to_have_text("Acme Robotics Labs")

    # Ada assigns Bob a new task.
    ada.goto(f"{live_app.url}/tasks")
    ada.click("#task-empty-create")
    ada.fill("#task-dialog-title", "Calibrate the arm")
    ada.click("#task-dialog-assignee")
    ada.get_by_role("option", name=re.compile("Bob")).click()
    ada.click("#task-save")
    expect(ada.locator("#task-table")).to_contain_text("Assigned to Bob")

    # Bob's open /tasks tab: the task arrives, marked, and the bell rings.
    expect(bob_tasks.locator("#task-table")).to_contain_text("Calibrate the arm")
    expect(bob_tasks.locator("#task-table")).to_contain_text("Assigned to me · by Ada")
    expect(bob_tasks.locator("#bell-count")).to_have_text("2")  # welcome + the assignment
    bob_tasks.click("#bell")
    expect(bob_tasks.locator("#bell-list")).to_contain_text("Ada assigned you the task: Calibrate the arm")
    bob_tasks.keyboard.press("Escape")

    # Bob completes it (no Edit or Delete for him); Ada sees it completed live.
    row = bob_tasks.locator("[id^=task-row-]").filter(has_text="Calibrate the arm").first
    task_id = (row.get_attribute("id") or "").removeprefix("task-row-")
    bob_tasks.click(f"#task-actions-{task_id}")
    expect(bob_tasks.locator(f"#task-edit-{task_id}")).to_have_count(0)
    expect(bob_tasks.locator(f"#task-delete-{task_id}")).to_have_count(0)
    bob_tasks.click(f"#task-status-menu-{task_id}")
    bob_tasks.click(f"#task-status-{task_id}-completed")
    expect(bob_tasks.locator("#stat-completed")).to_contain_text("1")
    expect(ada.locator("#stat-completed")).to_contain_text("1")
    expect(ada.locator(f"#task-row-{task_id}")).to_contain_text(re.compile("completed", re.I))
    expect(ada.locator("#bell-count")).to_have_text("2")  # welcome + Bob's completion
    ada.click("#bell")
    expect(ada.locator("#bell-list")).to_contain_text("Bob completed the task: Calibrate the arm")
