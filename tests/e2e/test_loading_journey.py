"""Loading journey: nothing wrong on screen while a signed-in page loads.

A dark-theme admin with tasks and an organization opens /dashboard and /tasks. From the moment
the browser starts the page until its data shows, the page is sampled every 50 ms: a zero task
count, an empty state, the light background, "Personal" instead of the organization, or a
sidebar without the admin's Users item must never show (skeletons, or nothing, are fine).
"""

from __future__ import annotations

import pytest
from sqlmodel import Session

from fluxkit.db import engine_for
from fluxkit.services import organizations, preferences
from tests.support.browser import sign_in
from tests.support.factories import make_organization, make_tasks, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

PASSWORD = "loading-journey-passphrase"
ORG = "Acme Inc"
TASKS = 3

# Runs in every new document before the page's own scripts: a sample every 50 ms.
SAMPLER = """
(() => {
  const samples = [];
  window.__fkSamples = samples;
  window.__fkReset = () => { samples.length = 0; };
  const text = (selector) => {
    const el = document.querySelector(selector);
    return el ? (el.innerText || "").trim() : null;
  };
  const shown = (selector) => {
    const el = document.querySelector(selector);
    return !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const background = () => {
    // What is behind the page title (or the middle of the window): the first painted background.
    const title = document.querySelector("#page-title");
    let el = title || document.elementFromPoint(innerWidth / 2, innerHeight / 2) || document.body;
    while (el) {
      const bg = getComputedStyle(el).backgroundColor;
      const m = bg.match(/rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?/);
      if (m && (m[4] === undefined || parseFloat(m[4]) > 0.5)) {
        return (0.2126 * m[1] + 0.7152 * m[2] + 0.0722 * m[3]) / 255;
      }
      el = el.parentElement;
    }
    // Nothing painted: the canvas, which follows the document's color-scheme.
    return getComputedStyle(document.documentElement).colorScheme.includes("dark") ? 0 : 1;
  };
  const orgShown = () => {
    const el = document.querySelector("#org-switcher-active");
    if (!el || el.getClientRects().length === 0) return null;
    const own = (el.innerText || "").trim();
    const after = getComputedStyle(el, "::after").content;
    const hinted = after && after !== "none" && after !== "normal" ? after.replace(/^"|"$/g, "") : "";
    return (own + hinted).trim();
  };
  const sample = () => {
    if (!document.body) return;
    samples.push({
      t: Math.round(performance.now()),
      path: location.pathname,
      luminance: background(),
      body: (document.body.innerText || "").slice(0, 20000),
      dashTotal: text("#stat-tasks-total"),
      tasksTotal: text("#stat-total"),
      taskRows: document.querySelectorAll("#task-table tbody tr").length,
      sidebar: shown("#nav-dashboard"),
      adminItem: shown("#nav-users"),
      org: orgShown(),
    });
  };
  setInterval(sample, 50);
  document.addEventListener("DOMContentLoaded", sample);
})();
"""

EMPTY_STATES = ("No tasks yet", "Plan your first piece of work", "No tasks match this view")


def _seed(live_app, email: str) -> None:
    engine = engine_for(live_app.env["DATABASE_URL"])
    try:
        with Session(engine, expire_on_commit=False) as db:
            user = make_user(db, email, "Nova", password=PASSWORD, admin=True)
            preferences.update(db, user.id, {"theme": "dark", "accent": "blue"})
            db.commit()
            make_tasks(db, user.id, TASKS)
            org = make_organization(db, user.id, ORG)
            organizations.switch(db, user.id, org.id)
            db.commit()
    finally:
        engine.dispose()


def _wrong(sample: dict, data_shown: bool) -> list[str]:
    """What a person would see that is not true for this user."""
    found = []
    if sample["luminance"] > 0.5:
        found.append(f"a light background (luminance {sample['luminance']:.2f})")
    for empty in EMPTY_STATES:
        if empty in sample["body"]:
            found.append(f"the empty state {empty!r}")
    for key in ("dashTotal", "tasksTotal"):
        if sample[key] == "0":
            found.append(f"a zero task count ({key})")
    if sample["sidebar"] and not sample["adminItem"]:
        found.append("a sidebar without the Users item")
    if sample["org"] not in (None, "", ORG):  # nothing is fine; another name is not
        found.append(f"the organization shown as {sample['org']!r}")
    if data_shown and not sample["sidebar"]:
        found.append("data without the sidebar")
    return found


def _journey(page, data_shown) -> list[dict]:
    """Samples from the start of the current document until `data_shown(sample)`."""
    page.wait_for_function(
        "(check) => (window.__fkSamples || []).some((s) => eval(check)(s))", arg=data_shown, timeout=20_000
    )
    samples = page.evaluate("window.__fkSamples")
    end = next(i for i, s in enumerate(samples) if page.evaluate(f"({data_shown})", s))
    return samples[: end + 1]


DASHBOARD_DATA = f"(s) => s.dashTotal === '{TASKS}'"
TASKS_DATA = f"(s) => s.taskRows === {TASKS}"


def _assert_right_all_along(samples: list[dict], where: str) -> None:
    assert samples, f"{where}: no sample taken"
    for sample in samples:
        wrong = _wrong(sample, data_shown=sample is samples[-1])
        assert not wrong, f"{where} at {sample['t']} ms showed {', '.join(wrong)}"


def test_a_dark_admin_sees_nothing_wrong_while_pages_load(live_app, new_page):
    email = "nova-loading@example.com"
    _seed(live_app, email)
    page = new_page(viewport={"width": 1280, "height": 800}, color_scheme="light")
    page.add_init_script(SAMPLER)
    sign_in(page, live_app, email, PASSWORD)
    page.wait_for_function(f"(window.__fkSamples || []).some({DASHBOARD_DATA})")

    # A fresh load of each page, as from a bookmark or a reload.
    for path, data in (("/dashboard", DASHBOARD_DATA), ("/tasks", TASKS_DATA)):
        page.goto(f"{live_app.url}{path}")
        _assert_right_all_along(_journey(page, data), path)

    # Moving inside the app: from the tasks page to the dashboard and back by the sidebar.
    for link, data in (("#nav-dashboard", DASHBOARD_DATA), ("#nav-tasks", TASKS_DATA)):
        page.evaluate("window.__fkReset()")
        page.click(link)
        _assert_right_all_along(_journey(page, data), link)


def test_the_apps_own_pages_answer_without_a_redirect(live_app, new_page):
    email = "nova-links@example.com"
    live_app.create_user(email, "Nova", PASSWORD)
    page = new_page()
    response = page.goto(f"{live_app.url}/sign-in")
    assert response is not None and response.request.redirected_from is None
    sign_in(page, live_app, email, PASSWORD)
    for path in ("/dashboard", "/tasks", "/settings"):
        response = page.goto(f"{live_app.url}{path}")
        assert response is not None and response.ok, path
        assert response.request.redirected_from is None, f"{path} was redirected to {response.url}"
        assert response.url == f"{live_app.url}{path}"
    hrefs = page.eval_on_selector_all("a[href^='/']", "links => links.map((a) => a.getAttribute('href'))")
    assert hrefs and not [href for href in hrefs if href.split("?")[0].endswith("/") and href != "/"]
