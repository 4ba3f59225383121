"""The users admin in two browsers: suspending a signed-in user sends their open tab to sign-in
without a reload; their sign-in then says the account is suspended; reactivated, they get in."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in, submit_sign_in
from tests.support.live_server import live_app as start_live_app
from tests.support.live_server import project_copy

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

ADMIN = "boss@example.com"
MEMBER = "member@example.com"
PASSWORD = "users-journey-passphrase"


@pytest.fixture(scope="module")
def users_app(browser):
    """An app of its own: the journey counts every account and needs to be the only admin."""
    root = project_copy("fluxkit-users-e2e-")
    try:
        with start_live_app(root, FLUXKIT_TRUSTED_PROXY_HOPS="1") as app:
            yield app
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def new_page(browser):
    contexts = []

    def make():
        context = browser.new_context(extra_http_headers={"X-Forwarded-For": f"198.51.100.{240 + len(contexts)}"})
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_suspend_a_signed_in_user_then_reactivate(users_app, new_page):
    live_app = users_app
    live_app.create_user(ADMIN, "Boss", PASSWORD, admin=True)
    live_app.create_user(MEMBER, "Member", PASSWORD)

    # The member: no Users in the sidebar, and /users says it is not theirs to see (403).
    member = new_page()
    sign_in(member, live_app, MEMBER, PASSWORD)
    expect(member.locator("#nav-dashboard")).to_be_visible()
    expect(member.locator("#nav-users")).to_have_count(0)
    member.goto(f"{live_app.url}/users")
    expect(member.locator("#users-forbidden")).to_contain_text("You do not have access to this page")
    expect(member.locator("#users-table")).to_have_count(0)
    member.goto(f"{live_app.url}/dashboard")
    member.wait_for_selector("#welcome")

    # The admin opens Users from the sidebar and finds the member.
    boss = new_page()
    sign_in(boss, live_app, ADMIN, PASSWORD)
    boss.click("#nav-users")
    boss.wait_for_url(re.compile(r"/users"))
    expect(boss.locator("#users-stat-total")).to_have_text("2")
    boss.fill("#users-search", "member@")
    row = boss.locator("[id^=user-row-]").filter(has_text=MEMBER)
    expect(boss.locator("[id^=user-row-]")).to_have_count(1)
    member_id = (row.get_attribute("id") or "").removeprefix("user-row-")

    # Suspend: the member's open tab lands on sign-in by itself.
    boss.click(f"#user-actions-{member_id}")
    boss.click(f"#user-suspend-{member_id}")
    expect(boss.locator(f"#user-status-{member_id}")).to_contain_text("Suspended")
    member.wait_for_url(re.compile(r"/sign-in"), timeout=15_000)

    # Their sign-in attempt says why.
    submit_sign_in(member, MEMBER, PASSWORD)
    expect(member.locator("#form-error")).to_contain_text("suspended")

    # The audit log shows it, with the admin as actor.
    boss.click("#users-tab-audit")
    expect(boss.locator("#audit-table")).to_contain_text("admin_user_suspended")
    suspended = boss.locator(".audit-row").filter(has_text="admin_user_suspended")
    expect(suspended).to_contain_text(ADMIN)
    expect(suspended).to_contain_text(MEMBER)
    boss.click("#users-tab-users")

    # Reactivate: they can sign in again.
    boss.click(f"#user-actions-{member_id}")
    boss.click(f"#user-reactivate-{member_id}")
    expect(boss.locator(f"#user-status-{member_id}")).to_contain_text("Active")
    sign_in(member, live_app, MEMBER, PASSWORD)
    member.wait_for_selector("#welcome")

    # The only admin cannot step down: a clear message, and the role stays.
    boss_row = boss.locator("[id^=user-row-]").filter(has_text=ADMIN)
    boss.fill("#users-search", "boss@")
    expect(boss.locator("[id^=user-row-]")).to_have_count(1)
    boss_id = (boss_row.get_attribute("id") or "").removeprefix("user-row-")
    boss.click(f"#user-actions-{boss_id}")
    boss.click(f"#user-role-user-{boss_id}")
    expect(boss.get_by_text("You are the only admin")).to_be_visible()
