"""Mail between two people in two browsers: it arrives live, rings the bell, and the reply comes back live."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in

# The first test of a run also waits for the production build.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

ADA, BOB = "ada.mail@example.com", "bob.mail@example.com"
PASSWORD = "mail-journey-passphrase"


def _signed_in(new_page, live_app, email: str):
    page = sign_in(new_page(), live_app, email, PASSWORD, "/mail")
    expect(page.locator("#mail-folder-inbox")).to_be_visible()
    return page


def test_mail_arrives_live_and_the_reply_comes_back(live_app, new_page):
    live_app.create_user(ADA, "Ada Mail", PASSWORD)
    live_app.create_user(BOB, "Bob Mail", PASSWORD)
    bob = _signed_in(new_page, live_app, BOB)
    ada = _signed_in(new_page, live_app, ADA)
    expect(bob.locator("#mail-empty")).to_be_visible()
    expect(bob.locator("#bell-count")).to_have_text("1")  # the welcome notification

    # Ada writes to Bob, picking him from the suggestions; the body is markdown with some HTML.
    ada.click("#mail-compose")
    ada.locator("#mail-to").press_sequentially("bob.m", delay=30)
    suggestion = ada.locator('[id="mail-suggestion-bob.mail@example.com"]')
    expect(suggestion).to_contain_text("Bob Mail")
    suggestion.click()
    expect(ada.locator("#mail-to")).to_have_value(re.compile(r"^bob\.mail@example\.com,"))
    ada.fill("#mail-subject", "Launch plan")
    ada.fill("#mail-body", "Hi **Bob**, the plan is ready.\n\n<b id='raw-html'>not bold</b>")
    expect(ada.locator("#mail-saved-note")).to_have_text("Draft saved")
    ada.click("#mail-send")
    expect(ada.locator("#mail-compose-dialog")).to_be_hidden()

    # Bob's open inbox shows it without a reload, unread, and his bell count rises.
    row = bob.locator(".mail-row").filter(has_text="Launch plan")
    expect(row).to_be_visible()
    expect(row).to_have_class(re.compile("mail-unread"))
    expect(bob.locator("#mail-count-inbox")).to_have_text("1")
    expect(bob.locator("#mail-nav-badge").first).to_have_text("1")
    expect(bob.locator("#bell-count")).to_have_text("2")

    # He opens it: markdown is rendered, the HTML is shown as text and never made an element.
    row.click()
    expect(bob.locator("#mail-open-subject")).to_have_text("Launch plan")
    thread = bob.locator("#mail-thread")
    expect(thread.locator("strong")).to_have_text("Bob")
    expect(thread).to_contain_text("<b id='raw-html'>not bold</b>")
    expect(bob.locator("#raw-html")).to_have_count(0)
    expect(bob.locator("#mail-count-inbox")).to_have_count(0)  # read now: no unread badge
    expect(bob.locator("#mail-nav-badge")).to_have_count(0)

    # Bob replies; it arrives in Ada's open inbox live, in the same conversation.
    bob.click("#mail-reply")
    expect(bob.locator("#mail-to")).to_have_value(ADA)
    expect(bob.locator("#mail-subject")).to_have_value("Re: Launch plan")
    bob.locator("#mail-body").press("Control+Home")
    bob.locator("#mail-body").press_sequentially("Looks great, ship it.", delay=10)
    bob.click("#mail-send")
    expect(bob.locator("#mail-compose-dialog")).to_be_hidden()

    reply = ada.locator(".mail-row").filter(has_text="Re: Launch plan")
    expect(reply).to_be_visible()
    expect(ada.locator("#mail-count-inbox")).to_have_text("1")
    reply.click()
    expect(ada.locator("#mail-thread .mail-message")).to_have_count(2)
    expect(ada.locator("#mail-thread")).to_contain_text("Looks great, ship it.")

    # An unknown recipient: a clear error, and the draft waits in Drafts.
    ada.click("#mail-compose")
    ada.fill("#mail-to", "nobody@example.com")
    ada.click("#mail-add-cc")
    expect(ada.locator("#mail-cc")).to_be_visible()
    ada.fill("#mail-subject", "Lost letter")
    expect(ada.locator("#mail-saved-note")).to_have_text("Draft saved")
    ada.click("#mail-send")
    expect(ada.locator("#mail-error-to")).to_have_text("No account on this FluxKit uses nobody@example.com.")
    ada.click("#mail-compose-close")
    expect(ada.locator("#mail-count-drafts")).to_have_text("1")
    ada.click("#mail-folder-drafts")
    expect(ada.locator(".mail-row").filter(has_text="Lost letter")).to_be_visible()
