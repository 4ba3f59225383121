"""The front door in a real browser: the public landing page at `/`, the 404 page, the
reconnecting banner, and no signed-in UI for a signed-out visitor at any moment.

A signed-out visitor reads what FluxKit is, its features, the plans (from services/plans.py),
FAQs from the database and the footer, in light and dark and on a phone, and signs up from it;
a signed-in visitor gets "Open dashboard". A script samples the page every 50 ms (and on every
DOM change) for the signed-in shell while a signed-out visitor opens `/` and protected pages.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from fluxkit.services import plans
from fluxkit.services.faq_seed import default_rows
from tests.support.browser import expect_path, sign_in
from tests.support.live_server import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

PASSWORD = "front-door-passphrase"

# What only the signed-in shell or a protected page draws.
SHELL_SELECTORS = "#user-menu, #page-title, #nav-dashboard, #phone-menu, #welcome, #stat-cards, #sign-out, #bell"
SHELL_TEXTS = ["Welcome,", "No tasks yet", "Unread notifications"]

SAMPLER = """
(() => {
  const selectors = SELECTORS;
  const texts = TEXTS;
  const look = () => {
    const seen = [];
    if (document.querySelector(selectors)) seen.push(document.querySelector(selectors).id);
    const body = document.body ? document.body.innerText : "";
    for (const text of texts) if (body.includes(text)) seen.push(text);
    const samples = Number(localStorage.getItem("samples") || 0) + 1;
    localStorage.setItem("samples", String(samples));
    if (seen.length) {
      const found = JSON.parse(localStorage.getItem("shell-seen") || "[]");
      found.push(location.pathname + ": " + seen.join(", "));
      localStorage.setItem("shell-seen", JSON.stringify(found));
    }
  };
  setInterval(look, 50);
  new MutationObserver(look).observe(document, {subtree: true, childList: true});
})();
""".replace("SELECTORS", json.dumps(SHELL_SELECTORS)).replace("TEXTS", json.dumps(SHELL_TEXTS))


def _no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def test_a_signed_out_visitor_reads_the_landing_page_and_signs_up_from_it(live_app, new_page):
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_app.url}/")
    expect(page.locator("#landing-title")).to_contain_text("SaaS")
    expect(page.locator("main")).to_have_count(1)

    # The features, each a page of the app.
    for name in ("Tasks", "Mail", "Chat", "Calendar", "Notifications", "Organizations", "Billing"):
        expect(page.locator("#landing-features")).to_contain_text(name)

    # The plans, as services/plans.py defines them.
    for plan in plans.PLANS:
        card = page.locator(f"#landing-plan-{plan.id}")
        expect(card).to_contain_text(plan.name)
        expect(card).to_contain_text(plan.tagline)
        expect(card).to_contain_text(plans.dollars(plan.monthly_cents) if plan.paid else "$0")
    expect(page.locator("#landing-plan-professional")).to_contain_text("Most popular")

    # FAQs from the database (installed by the migrations), answers open on a click.
    questions = {row["question"]: row["answer"] for row in default_rows()}
    items = page.locator(".landing-faq")
    expect(items).to_have_count(4)
    first = items.first
    question = first.locator("button").inner_text().strip()
    assert question in questions
    first.locator("button").click()
    expect(first).to_contain_text(re.sub(r"[*_`\[\]]", "", questions[question].split("\n")[0])[:30])

    expect(page.locator("#landing-footer")).to_contain_text("FluxKit")

    # Light and dark.
    page.click("#theme-menu")
    page.click("#theme-dark")
    expect(page.locator("html")).to_have_class(re.compile(r"\bdark\b"))
    dark_bg = page.evaluate("getComputedStyle(document.querySelector('#landing-footer')).backgroundColor")
    expect(page.locator("#theme-light")).to_be_hidden()  # the menu has closed before it is opened again
    page.click("#theme-menu")
    page.click("#theme-light")
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bdark\b"))
    assert page.evaluate("getComputedStyle(document.querySelector('#landing-footer')).backgroundColor") != dark_bg

    # The call to action leads to sign-up.
    page.click("#landing-sign-up-hero")
    expect_path(page, "/sign-up")
    expect(page.locator("#auth-title")).to_have_text("Create your account")


def test_the_landing_page_fits_a_phone(live_app, new_page):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(f"{live_app.url}/")
    expect(page.locator("#landing-plan-enterprise")).to_be_visible()
    expect(page.locator(".landing-faq")).to_have_count(4)
    _no_horizontal_overflow(page)
    expect(page.locator("#landing-sign-up")).to_be_visible()


def test_no_signed_in_ui_ever_shows_to_a_signed_out_visitor(live_app, new_page):
    page = new_page()
    page.add_init_script(SAMPLER)
    page.goto(f"{live_app.url}/")
    expect(page.locator("#landing-title")).to_be_visible()
    expect(page.locator(".landing-faq")).to_have_count(4)
    page.wait_for_timeout(1500)
    for path in ("/dashboard", "/tasks", "/settings", "/"):
        page.goto(f"{live_app.url}{path}")
        if path != "/":
            page.wait_for_url(re.compile(r"/sign-in/?\?redirect="))
            expect(page.locator("#sign-in-email")).to_be_visible()
        page.wait_for_timeout(1000)
    assert int(page.evaluate("localStorage.getItem('samples')")) > 50
    assert page.evaluate("JSON.parse(localStorage.getItem('shell-seen') || '[]')") == []


# What a person would see: the sampled shell elements that are on screen (not hidden).
VISIBLE_SAMPLER = SAMPLER.replace(
    "if (document.querySelector(selectors)) seen.push(document.querySelector(selectors).id);",
    "for (const el of document.querySelectorAll(selectors))"
    " if (el.checkVisibility({visibilityProperty: true})) seen.push(el.id);",
)


def test_a_page_served_without_the_edge_gate_shows_no_shell_to_a_signed_out_visitor(live_app, new_page):
    """Development mode (`reflex run`) serves every page's HTML with no edge gate, as does any
    static host: the page itself must not draw the signed-in shell while it finds out that the
    visitor is signed out and sends them to sign in. The page's prerendered HTML is handed to the
    browser as such a server would (no redirect), and what is on screen is sampled."""
    html = (ROOT / ".web" / "build" / "client" / "dashboard" / "index.html").read_text()
    page = new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("websocket", lambda ws: console.append(f"websocket: {ws.url}"))
    page.add_init_script(VISIBLE_SAMPLER)
    page.route(
        re.compile(r"/dashboard/?$"), lambda route: route.fulfill(status=200, content_type="text/html", body=html)
    )
    page.goto(f"{live_app.url}/dashboard")
    try:
        page.wait_for_url(re.compile(r"/sign-in/?\?redirect="))
    except Exception as exc:
        raise AssertionError(f"not sent to sign-in; the page said: {console}") from exc
    expect(page.locator("#sign-in-email")).to_be_visible()
    page.wait_for_timeout(500)
    assert int(page.evaluate("localStorage.getItem('samples')")) > 5
    assert page.evaluate("JSON.parse(localStorage.getItem('shell-seen') || '[]')") == []


def test_a_signed_in_visitor_gets_open_dashboard(live_app, new_page):
    live_app.create_user("front-door@example.com", "Door", PASSWORD)
    page = sign_in(new_page(), live_app, "front-door@example.com", PASSWORD)
    page.goto(f"{live_app.url}/")
    expect(page.locator("#landing-open-dashboard")).to_be_visible()
    expect(page.locator("#landing-sign-up")).to_have_count(0)
    page.click("#landing-open-dashboard")
    expect_path(page, "/dashboard")
    expect(page.locator("#welcome")).to_be_visible()

    # An unknown address: the product's 404, with the way back to the dashboard.
    page.goto(f"{live_app.url}/no-such-page")
    expect(page.locator("#not-found")).to_contain_text("Page not found")
    page.click("#error-dashboard")
    expect_path(page, "/dashboard")


def test_an_unknown_address_shows_a_styled_404_with_ways_back(live_app, new_page):
    page = new_page()
    page.goto(f"{live_app.url}/no/such/page")
    expect(page.locator("#not-found")).to_contain_text("Page not found")
    expect(page.locator("main")).to_have_count(1)
    expect(page.locator("#error-sign-in")).to_be_visible()
    expect(page.locator("#user-menu")).to_have_count(0)
    page.click("#error-home")
    expect_path(page, "/")
    expect(page.locator("#landing-title")).to_be_visible()


# The page's websockets, and a switch that sends new ones to a closed port (a dead network).
NETWORK_SWITCH = """
(() => {
  const Real = window.WebSocket;
  window.__sockets = [];
  window.__down = false;
  function Switched(url, protocols) {
    const ws = new Real(window.__down ? "ws://127.0.0.1:9/" : url, protocols);
    window.__sockets.push(ws);
    return ws;
  }
  Switched.prototype = Real.prototype;
  Object.assign(Switched, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Switched;
})();
"""


def test_a_dropped_connection_shows_reconnecting_until_it_is_back(live_app, new_page):
    page = new_page()
    page.add_init_script(NETWORK_SWITCH)
    page.goto(f"{live_app.url}/sign-in")
    expect(page.locator("#sign-in-email")).to_be_visible()
    page.wait_for_timeout(500)
    expect(page.locator("#reconnecting-banner")).to_have_count(0)

    # The network goes away: the open socket drops and every reconnect attempt fails.
    page.evaluate("window.__down = true; window.__sockets.forEach(ws => ws.close())")
    expect(page.locator("#reconnecting-banner")).to_be_visible()
    expect(page.locator("#reconnecting-banner")).to_contain_text("Reconnecting")

    # Back: the banner goes, and the page works again.
    page.evaluate("window.__down = false")
    expect(page.locator("#reconnecting-banner")).to_have_count(0, timeout=30_000)
    page.click("#sign-in-submit")
    expect(page.locator("#error-email")).to_have_text("Enter your email address.")
