"""The shell's load: the header's user, and the sliding refresh reaching the cookie."""

from __future__ import annotations

from datetime import timedelta

import fluxkit.fluxkit  # noqa: F401 - registers the shell's and the pages' loads (ShellState.open_page)
from fluxkit.clock import FrozenClock, system_clock
from fluxkit.services import accounts, chat, organizations, preferences, sessions
from fluxkit.state.chat import ChatBadgeState
from fluxkit.state.dashboard import DashboardState
from fluxkit.state.organizations import OrgSwitcherState
from fluxkit.state.settings import APPLY_THEME_ID, AppearanceState
from fluxkit.state.shell import ShellState
from tests.support.factories import META, PASSWORD, make_organization, make_signed_in, make_task
from tests.support.states import call, make_root, redirect_targets, scripts, substate


async def test_load_fills_the_header_from_the_session(db, alice):
    _, token, _ = alice
    shell = substate(make_root(token), ShellState)
    await call(shell, "load")
    assert (shell.user_name, shell.user_email, shell.is_admin) == ("Alice", "alice@example.com", False)


async def test_a_session_used_after_a_day_slides_and_renews_the_cookie(db):
    make_signed_in(db, "dan@example.com", "Dan")
    two_days_ago = FrozenClock(system_clock.now() - timedelta(days=2))
    token, identity = accounts.sign_in(db, email="dan@example.com", password=PASSWORD, meta=META, clock=two_days_ago)
    db.commit()
    old_expiry = identity.session.expires_at

    out = await call(substate(make_root(token), ShellState), "load")
    assert any("/api/auth/get-session" in script for script in scripts(out))
    db.expire_all()
    assert sessions.resolve(db, token).session.expires_at > old_expiry + timedelta(days=1)


async def test_sign_out_posts_to_the_api_and_leaves_for_sign_in(db, alice):
    _, token, _ = alice
    out = await call(substate(make_root(token), ShellState), "sign_out")
    [script] = scripts(out)
    assert "/api/auth/sign-out" in script and "/sign-in" in script


async def test_opening_a_page_reads_the_shell_and_the_page_in_one_event(db, alice):
    """One on_load event per signed-in page (fluxkit.py): the header, the appearance, the sidebar's
    organization and badges, and the page's own data all arrive from it, with no second event."""

    user, token, _ = alice
    preferences.update(db, user.id, {"theme": "dark", "accent": "blue"})
    org = make_organization(db, user.id, "Acme Inc")
    organizations.switch(db, user.id, org.id)
    make_task(db, user.id, "Ship it")
    db.commit()
    root = make_root(token, "/dashboard")
    out = await call(substate(root, ShellState), "open_page", "/dashboard")

    assert substate(root, ShellState).loaded and substate(root, ShellState).user_name == "Alice"
    appearance = substate(root, AppearanceState)
    assert (appearance.theme, appearance.accent) == ("dark", "blue")
    switcher = substate(root, OrgSwitcherState)
    assert switcher.loaded and switcher.active_name == "Acme Inc"
    dashboard = substate(root, DashboardState)
    assert dashboard.loaded and dashboard.tasks_total == 1
    # What comes back is only what the browser must do itself (apply the theme), no more events.
    [events] = out
    assert len(scripts(events)) == len(events)
    assert any(f"{APPLY_THEME_ID}-dark" in script for script in scripts(events))


async def test_opening_a_page_marks_the_user_online_and_counts_unread_chat_in_the_same_event(db, alice, bob):
    """The tab's first presence heartbeat rides in the page's on_load event: nothing else is
    sent while the page loads (the badge's timer only sends the later ones)."""

    user, token, _ = alice
    other = bob[0]
    conversation, _ = chat.start_direct(db, other.id, user.id)
    chat.send(db, other.id, conversation.id, "Hello Alice")
    db.commit()
    assert not chat.is_online(db, user.id)
    root = make_root(token, "/tasks")
    await call(substate(root, ShellState), "open_page", "/tasks")
    assert chat.is_online(db, user.id)
    assert substate(root, ChatBadgeState).badge == "1"


async def test_opening_a_page_signed_out_goes_to_sign_in_and_reads_nothing(db):

    root = make_root(None, "/dashboard")
    out = await call(substate(root, ShellState), "open_page", "/dashboard")
    assert redirect_targets(out) == ["/sign-in?redirect=/dashboard"]
    assert not substate(root, DashboardState).loaded
