"""Calendar between two accounts in two browsers: an invitation and its answer arrive live."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in

# The first journey of a run also waits for the production build.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

PASSWORD = "calendar-journey-passphrase"


def _signed_in(new_page, live_app, email: str, path: str):
    page = sign_in(new_page(), live_app, email, PASSWORD, path)
    expect(page.locator("#calendar-heading")).not_to_be_empty()
    return page


def test_an_invitation_and_its_answer_arrive_live(live_app, new_page):
    for email, name in (("ada.cal@example.com", "Ada Lovelace"), ("bob.cal@example.com", "Bob Builder")):
        live_app.create_user(email, name, PASSWORD)
    ada = _signed_in(new_page, live_app, "ada.cal@example.com", "/calendar?view=day")
    bob = _signed_in(new_page, live_app, "bob.cal@example.com", "/calendar")
    expect(bob.locator("#calendar-month")).to_be_visible()
    expect(bob.locator("#bell-count")).to_have_text("1")  # the welcome notification

    # Ada clicks the 10:00 slot of today: the dialog opens prefilled with that hour.
    expect(ada.locator("#calendar-day")).to_be_visible()
    slot = ada.locator("[id^=slot-][id$='-10']").first
    day = (slot.get_attribute("id") or "").removeprefix("slot-")[:10]
    slot.click()
    expect(ada.locator("#event-dialog")).to_be_visible()
    expect(ada.locator("#event-start")).to_have_value(f"{day}T10:00")
    expect(ada.locator("#event-end")).to_have_value(f"{day}T11:00")
    ada.fill("#event-title", "Roadmap sync")
    ada.fill("#event-location", "Room 3")
    ada.locator("#event-attendee-search").press_sequentially("bob", delay=40)
    ada.locator("[id^=event-attendee-option-]").filter(has_text="Bob Builder").click()
    expect(ada.locator("[id^=event-attendee-]").filter(has_text="Bob Builder").first).to_be_visible()
    ada.click("#event-save")
    expect(ada.locator("#event-dialog")).to_be_hidden()
    event = ada.locator("#calendar-day [id^=cal-event-]").filter(has_text="Roadmap sync")
    expect(event).to_contain_text("10:00–11:00")

    # Bob's open month shows it without a reload, and his bell count rises.
    bob_event = bob.locator(f"#month-day-{day} [id^=cal-event-]").filter(has_text="Roadmap sync")
    expect(bob_event).to_be_visible()
    expect(bob.locator("#bell-count")).to_have_text("2")

    # Ada opens the event: Bob has not answered yet.
    event.click()
    expect(ada.locator("#event-details-title")).to_have_text("Roadmap sync")
    bob_row = ada.locator("[id^=event-details-attendee-]").filter(has_text="Bob Builder")
    expect(bob_row).to_contain_text("No answer yet")

    # Bob accepts from his calendar; Ada's open dialog shows it live.
    bob_event.click()
    expect(bob.locator("#event-details-title")).to_have_text("Roadmap sync")
    expect(bob.locator("#event-details-when")).to_contain_text("10:00–11:00")
    bob.click("#event-accept")
    expect(bob.locator("#event-details-my-status")).to_have_text("You accepted.")
    expect(bob_row).to_contain_text("Accepted")

    # The invitation in Bob's bell leads to the event.
    bob.click("#event-details-close")
    bob.click("#bell")
    bob.locator("[id^=bell-item-]").filter(has_text="Invitation: Roadmap sync").first.click()
    bob.wait_for_url(re.compile(r"/calendar\?.*event=\d+"))
    expect(bob.locator("#event-details-title")).to_have_text("Roadmap sync")
