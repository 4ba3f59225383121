"""FAQs and the command palette in a real browser.

A user searches the FAQs and reads an answer; an admin adds and deletes a FAQ in another
browser and the user's page follows without reload; Ctrl+K opens the palette, where the
arrows move, a page name then Enter goes there, and "New task" opens the new-task dialog
on /tasks.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in

# The first journey of a run also waits for the production build.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

PASSWORD = "faq-journey-passphrase"


def _item(page, question: str):
    return page.locator(".faq-item").filter(has_text=question)


def test_search_and_read_an_answer_admin_changes_arrive_live_and_the_palette_jumps(live_app, new_page):
    live_app.create_user("reader@example.com", "Reader", PASSWORD)
    live_app.create_user("editor@example.com", "Editor", PASSWORD, admin=True)
    reader = sign_in(new_page(), live_app, "reader@example.com", PASSWORD, "/faqs")

    # Every category of the installed FAQs, and no admin controls for a reader.
    for category in ("accounts", "security", "billing", "data", "tasks", "collaboration"):
        expect(reader.locator(f"#faq-group-{category}")).to_be_visible()
    expect(reader.locator("#faq-new")).to_have_count(0)
    expect(reader.locator("[id^=faq-edit-]")).to_have_count(0)

    # Search as you type: only matching answers stay; the URL keeps the search.
    reader.fill("#faq-search", "forgot")
    expect(reader.locator("#faq-summary")).to_contain_text("1 answer")
    expect(reader.locator(".faq-item")).to_have_count(1)
    expect(reader).to_have_url(re.compile(r"/faqs\?q=forgot"))

    # Open it and read the answer, rendered from markdown.
    question = "I forgot my password. How do I get back in?"
    _item(reader, question).locator("[id^=faq-trigger-]").click()
    answer = _item(reader, question).locator("[id^=faq-answer-]")
    expect(answer).to_be_visible()
    expect(answer).to_contain_text("We email a reset link that works once")
    expect(answer.locator("strong").first).to_have_text("Forgot password?")
    reader.click("#faq-search-clear")
    expect(reader.locator("#faq-group-billing")).to_be_visible()
    expect(reader.locator("#faq-search")).to_have_value("")
    expect(reader).to_have_url(re.compile(r"/faqs/?$"))

    # An admin adds a FAQ in another browser: the reader's page shows it without reload.
    editor = sign_in(new_page(), live_app, "editor@example.com", PASSWORD, "/faqs")
    editor.click("#faq-new")
    editor.click("#faq-dialog-category")
    editor.click("#faq-category-tasks")
    editor.fill("#faq-dialog-question", "Why")
    editor.fill("#faq-dialog-answer", "Because **everyone** asks.")
    editor.click("#faq-save")
    expect(editor.locator("#faq-error-question")).to_contain_text("at least 5 characters")
    expect(editor.locator("#faq-dialog-answer")).to_have_value("Because **everyone** asks.")  # nothing typed is lost
    editor.fill("#faq-dialog-question", "Can I invite my whole team?")
    editor.click("#faq-save")
    expect(editor.locator("#faq-dialog")).to_have_count(0)
    expect(_item(reader, "Can I invite my whole team?")).to_be_visible()
    expect(reader.locator("#faq-group-tasks")).to_contain_text("Can I invite my whole team?")

    # ...and deletes it, after confirming: gone for the reader too.
    _item(editor, "Can I invite my whole team?").locator("[id^=faq-delete-]").click()
    expect(editor.locator("#faq-delete-dialog")).to_contain_text("Can I invite my whole team?")
    editor.click("#faq-delete-confirm")
    expect(_item(reader, "Can I invite my whole team?")).to_have_count(0)

    # Ctrl+K opens the palette; arrows move the highlight; Esc closes it.
    reader.keyboard.press("Control+k")
    expect(reader.locator("#palette")).to_be_visible()
    expect(reader.locator("#palette-item-0")).to_have_attribute("aria-selected", "true")
    reader.keyboard.press("ArrowDown")
    expect(reader.locator("#palette-item-1")).to_have_attribute("aria-selected", "true")
    reader.keyboard.press("Escape")
    expect(reader.locator("#palette")).to_have_count(0)

    # Typing a page name and Enter goes there.
    reader.keyboard.press("Control+k")
    reader.fill("#palette-input", "notifications")
    expect(reader.locator("#palette-item-0")).to_contain_text("Notifications")
    reader.press("#palette-input", "Enter")
    reader.wait_for_url(re.compile(r"/notifications/?$"))
    expect(reader.locator("#page-title")).to_have_text("Notifications")
    expect(reader.locator("#palette")).to_have_count(0)

    # "New task" from another page: /tasks opens with the new-task dialog ready.
    reader.keyboard.press("Control+k")
    reader.fill("#palette-input", "new task")
    expect(reader.locator("#palette-item-0")).to_contain_text("New task")
    reader.press("#palette-input", "Enter")
    reader.wait_for_url(re.compile(r"/tasks/?$"))
    expect(reader.locator("#task-dialog")).to_be_visible()
    expect(reader.locator("#task-dialog-heading")).to_have_text("New task")
