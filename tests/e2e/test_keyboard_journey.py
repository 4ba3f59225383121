"""A person who uses only the keyboard: signs in, creates a task, changes its status, finds a page
through the command palette and reaches the main content by the skip order — no mouse.

Every step is a key press (Tab, Shift+Tab, Enter, Space, Escape, arrows, typing); the test fails
if a control cannot be reached, if focus is lost to <body> while a dialog or menu is open, or if a
focused control shows no visible focus indicator.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import expect_path

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

EMAIL = "keyboard-only@example.com"
PASSWORD = "keyboard-only-passphrase"

# The focused element's id, and whether it draws a focus indicator (outline or box-shadow ring).
_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {id: null, ring: false, tag: el ? el.tagName : null};
  // The ring is on the control or (Radix text fields) on the wrapper that has focus within.
  let ring = false;
  for (let node = el, up = 0; node && up < 3 && !ring; node = node.parentElement, up++) {
    const style = getComputedStyle(node);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow && style.boxShadow !== 'none';
    ring = outline || !!shadow;
  }
  return {id: el.id || null, ring, tag: el.tagName};
}"""


def _focused(page) -> dict:
    return page.evaluate(_FOCUSED)


def _tab_to(page, element_id: str, *, limit: int = 60, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until `element_id` has focus; fail if it never does."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = _focused(page)
        seen.append(now.get("id") or now.get("tag"))
        if now.get("id") == element_id:
            assert now["ring"], f"#{element_id} has focus but shows no focus indicator"
            return now
    raise AssertionError(f"#{element_id} never took focus by keyboard; focus went through {seen}")


def test_keyboard_only_sign_in_create_and_navigate(live_app, new_page):
    live_app.create_user(EMAIL, "Keys", PASSWORD)
    page = new_page()
    page.goto(f"{live_app.url}/sign-in")
    expect(page.locator("#sign-in-form")).to_be_visible()

    # Sign in: Tab into the email field, type, Tab to the password, Enter submits.
    _tab_to(page, "sign-in-email")
    page.keyboard.type(EMAIL)
    _tab_to(page, "sign-in-password", limit=3)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect_path(page, "/dashboard")
    expect(page.locator("#page-title")).to_be_visible()

    # The command palette: Ctrl+K, type, arrow/Enter goes to the page; focus stays in the dialog.
    page.keyboard.press("Control+k")
    palette = page.get_by_role("dialog")
    expect(palette).to_be_visible()
    page.keyboard.type("Tasks")
    expect(palette).to_contain_text("Tasks")
    page.wait_for_timeout(700)  # the search box's debounce: Enter opens what is highlighted then
    assert palette.evaluate("(d, el) => d.contains(document.activeElement)", None), "focus left the open palette"
    page.keyboard.press("Enter")
    expect_path(page, "/tasks")
    expect(palette).to_have_count(0)

    # Create a task: reach the create button by Tab, open the dialog with Enter, type, save with Enter.
    expect(page.locator("#task-empty-create")).to_be_visible()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    _tab_to(page, "task-empty-create", limit=80)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#task-dialog-title")).to_be_focused()
    page.keyboard.type("Typed without a mouse")
    page.keyboard.press("Enter")
    expect(page.locator("#task-table")).to_contain_text("Typed without a mouse")
    expect(dialog).to_have_count(0)

    # Change its status from the row's actions menu: Tab to it, Enter opens, arrows move, Enter picks.
    row = page.locator("[id^=task-row-]").first
    task_id = (row.get_attribute("id") or "").removeprefix("task-row-")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    _tab_to(page, f"task-actions-{task_id}", limit=80)
    page.keyboard.press("Enter")
    menu = page.get_by_role("menu").first
    expect(menu).to_be_visible()
    status_item = page.locator(f"#task-status-menu-{task_id}")
    for _ in range(10):
        if status_item.evaluate("el => el === document.activeElement || el.contains(document.activeElement)"):
            break
        page.keyboard.press("ArrowDown")
    else:
        raise AssertionError("the status submenu could not be reached with the arrow keys")
    page.keyboard.press("ArrowRight")
    completed = page.locator(f"#task-status-{task_id}-completed")
    expect(completed).to_be_visible()
    for _ in range(6):
        if completed.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("ArrowDown")
    else:
        raise AssertionError("'Completed' could not be reached with the arrow keys")
    page.keyboard.press("Enter")
    expect(page.locator("#stat-completed")).to_contain_text("1")

    # Escape closes what is open and gives focus back (no focus lost to <body> with a dialog open).
    page.keyboard.press("Control+k")
    expect(palette).to_be_visible()
    page.keyboard.press("Escape")
    expect(palette).to_have_count(0)
    assert re.match(r"^[^?#]*/tasks", page.url)
