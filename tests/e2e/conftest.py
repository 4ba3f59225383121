"""Browser journeys: the real app (`reflex run --env prod`) driven by Debian's Chromium.

One production server per test session on a free loopback port, with its own SQLite
database and email outbox. Without Chromium these tests skip (fail under CI=true).
"""

from __future__ import annotations

import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, need_a_browser


@pytest.fixture(scope="session")
def live_app(live_server):
    """The session's production server (tests/conftest.py), once a browser can drive it. Each
    browser context sends its own X-Forwarded-For, so journeys do not share a rate-limit budget."""
    need_a_browser()
    return live_server


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright for the whole session: a second `sync_playwright()` while the first is
    open fails ("Sync API inside the asyncio loop"), so every browser is launched from this."""
    from playwright.sync_api import sync_playwright

    need_a_browser()
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(live_app, playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


_addresses: list[str] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.failed_call = report.failed


# Chromium logs each Content-Security-Policy refusal as a console error ("Refused to ...
# because it violates the following Content Security Policy directive"); the page also gets a
# `securitypolicyviolation` event, reported here in case a message is worded otherwise.
_REPORT_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (e) =>
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'}`));
"""


def _is_csp_error(message) -> bool:
    text = message.text
    return message.type == "error" and ("Content Security Policy" in text or text.startswith("CSP violation"))


@pytest.fixture
def new_page(browser, live_app, request):
    """Fresh browser contexts (separate cookie jars); screenshots kept when a test fails.

    A journey fails when the browser refused anything under the app's Content-Security-Policy:
    the production build must run as served, headers included."""
    contexts = []
    violations: list[str] = []

    def make(**options):
        address = f"198.51.100.{len(_addresses) + 1}"
        _addresses.append(address)
        options.setdefault("extra_http_headers", {"X-Forwarded-For": address})
        context = browser.new_context(**options)
        context.set_default_timeout(20_000)
        context.add_init_script(_REPORT_VIOLATIONS)
        context.on("console", lambda message: violations.append(message.text) if _is_csp_error(message) else None)
        contexts.append(context)
        return context.new_page()

    yield make
    for index, context in enumerate(contexts):
        if getattr(request.node, "failed_call", False):
            for number, page in enumerate(context.pages):
                shot = live_app.data_dir / f"{request.node.name}-{index}-{number}.png"
                page.screenshot(path=str(shot))
                print(f"screenshot: {shot} ({page.url})")
        context.close()
    if violations:
        pytest.fail("Content-Security-Policy refusals in the browser:\n" + "\n".join(dict.fromkeys(violations)))
