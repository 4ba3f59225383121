"""Chat in two browsers: Ada starts a conversation with Bob and sends with Enter; Bob sees it
arrive with an unread badge without reloading, opens it (Ada sees "Seen"), types (Ada sees
"typing…") and answers (Ada sees it live)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in

# The first test also waits for the production build.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

PASSWORD = "chat-journey-passphrase"


def test_ada_and_bob_chat_live(live_app, new_page):
    for email, name in (("ada.chat@example.com", "Ada Lovelace"), ("bob.chat@example.com", "Bob Babbage")):
        live_app.create_user(email, name, PASSWORD)
    ada = sign_in(new_page(), live_app, "ada.chat@example.com", PASSWORD, "/chat")
    bob = sign_in(new_page(), live_app, "bob.chat@example.com", PASSWORD, "/chat")
    expect(bob.locator("#chat-empty")).to_be_visible()
    expect(bob.locator("#chat-nav-badge")).to_have_count(0)

    # Ada picks Bob from the people of this instance and starts a direct conversation.
    expect(ada.locator("#chat-empty")).to_be_visible()
    ada.click("#chat-new")
    # Other journeys' users share this server: search until Bob is the only match (the list
    # re-renders as results arrive; a click must not land on a row that is being replaced).
    ada.fill("#chat-people-search", "bob.chat@")
    expect(ada.locator("[id^=chat-person-]")).to_have_count(1)
    ada.locator("[id^=chat-person-]").filter(has_text="Bob Babbage").click()
    ada.click("#chat-start")
    expect(ada.locator("#chat-title")).to_have_text("Bob Babbage")
    expect(ada).to_have_url(re.compile(r"/chat\?c=\d+$"))

    # Shift+Enter is a new line; Enter sends and empties the box.
    box = ada.locator("#chat-input")
    box.click()
    box.type("Hello Bob,")
    box.press("Shift+Enter")
    box.type("the engine runs: https://fluxkit.dev")
    box.press("Enter")
    mine = ada.locator(".chat-message").last
    expect(mine).to_contain_text("the engine runs:")
    assert "Hello Bob,\nthe engine runs:" in mine.inner_text()  # two lines, one message
    expect(mine.locator("a")).to_have_attribute("href", "https://fluxkit.dev")
    expect(box).to_have_value("")

    # Bob, without reloading: the conversation arrives with its unread count and the nav badge.
    conversation = bob.locator("[id^=chat-conversation-]").filter(has_text="Ada Lovelace")
    expect(conversation).to_be_visible()
    expect(conversation.locator("[id^=chat-unread-]")).to_have_text("1")
    expect(bob.locator("#chat-nav-badge")).to_have_text("1")
    expect(ada.locator("#chat-seen")).to_have_count(0)

    # Bob opens it: the badge goes, and Ada's message shows "Seen".
    conversation.click()
    expect(bob.locator(".chat-message").last).to_contain_text("the engine runs")
    expect(bob.locator("#chat-nav-badge")).to_have_count(0)
    expect(ada.locator("#chat-seen")).to_have_text(re.compile(r"Seen"))

    # Bob types: Ada sees it; Bob sends with Enter: Ada sees the answer live.
    answer = bob.locator("#chat-input")
    answer.click()
    answer.type("Splendid")
    expect(ada.locator("#chat-typing")).to_have_text("Bob Babbage is typing…")
    answer.type(", see you at noon!")
    answer.press("Enter")
    expect(ada.locator(".chat-message").last).to_contain_text("Splendid, see you at noon!")
    expect(ada.locator("#chat-typing")).to_have_count(0)
    # Ada has it open on the chat page: it is seen at once, so no badge for her.
    expect(ada.locator("#chat-nav-badge")).to_have_count(0)
    expect(bob.locator("#chat-seen")).to_have_text(re.compile(r"Seen"))


def test_the_presence_heartbeat_keeps_the_page_where_it_is(live_app, new_page):
    """Every signed-in tab presses the hidden chat heartbeat once a minute (assets/fluxkit.js):
    the press must not follow the sidebar's Chat link (every open page went to /chat)."""
    live_app.create_user("beat@example.com", "Beat", PASSWORD)
    page = sign_in(new_page(), live_app, "beat@example.com", PASSWORD, "/tasks")
    expect(page.locator("#task-empty, #task-table").first).to_be_visible()
    page.evaluate("document.getElementById('chat-heartbeat').click()")
    page.wait_for_timeout(1500)
    assert re.search(r"/tasks/?$", page.url), page.url
    expect(page.locator("#page-title")).to_contain_text("Tasks")
