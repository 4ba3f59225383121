"""bench/browser.py runs end to end with one sample: FluxKit and the bare Reflex app, in Chromium.

Against the session's production server (tests/conftest.py `live_server`); the bare app is built
by the bench itself. Shapes and what the clicks did are asserted, never times.
"""

from __future__ import annotations

import pytest

from bench import browser
from tests.support.browser import need_a_browser

pytestmark = [pytest.mark.live, pytest.mark.timeout(1500)]

PAGES = {name: browser.PAGES[name] for name in ("sign-in", "dashboard", "tasks (10,000)")}


@pytest.fixture(scope="module")
def results(live_server):
    need_a_browser()
    return browser.run(samples=1, warmup=0, app=live_server, pages=PAGES)


def test_every_page_is_measured_beside_the_bare_app(results):
    assert results.failures == {}
    assert set(results.loads) == {*PAGES, "bare /table"}
    for name, load in results.loads.items():
        # The bare page is loaded beside each FluxKit page (interleaved), so once per page.
        assert len(load.ms.values) == (len(PAGES) if name == "bare /table" else 1), name
        assert load.ms.p50 > 0, name
        assert load.js_files.p50 > 0 and load.js_bytes.p50 > 0, name  # scripts were fetched and counted
        assert load.requests.p50 > load.js_files.p50, name  # the document and styles besides


def test_every_click_is_timed_in_the_page_beside_the_bare_app(results):
    assert set(results.clicks) == {*browser.FLUXKIT_CLICKS, "bare next page (50 rows)", "bare counter"}
    for name, series in results.clicks.items():
        assert len(series.values) == (len(browser.FLUXKIT_CLICKS) if name.startswith("bare") else 1), name
        assert all(ms > 0 for ms in series.values), name


def test_the_report_has_a_verdict_for_every_target(results, tmp_path):
    text = browser.report(results)
    assert "### Targets" in text
    verdicts = [line for line in text.splitlines() if line.startswith("| ") and ("| met |" in line or "MISSED" in line)]
    assert len(verdicts) == 3 * len(PAGES) + len(browser.FLUXKIT_CLICKS)
    target = tmp_path / "BENCHMARKS.md"
    target.write_text("# Benchmarks\n\nbefore\n")
    browser.write_section(target, text)
    browser.write_section(target, text)  # replaced in place, not appended twice
    body = target.read_text()
    assert body.count(browser.MARK_START) == 1 and "before" in body and "### Targets" in body
