"""Speed as a person feels it: FluxKit against a bare Reflex 0.10.1 app, in Chromium, same run.

    python -m bench.browser [--samples 30] [--warmup 2] [--json] [--write BENCHMARKS.md]
    python -m bench.browser --clicks-only [--samples 30]   # the clicks alone (no page loads)
                            [--pages "dashboard;tasks (10,000)"] [--no-clicks]

Starts both production servers (`reflex run --env prod`, one port each): FluxKit through
tests/support/live_server.py, and the bare reference app (bench/bare: a counter, and a page
whose 50-row table is filled by its on_load event) from a private copy. Debian's Chromium
(Playwright) then measures, interleaved sample by sample (FluxKit page, bare page, next page
...), after a warm-up:

- navigation -> data visible: a fresh tab with the HTTP cache off (every visit loads as a
  first one), `performance.now()` in the page when the page's own data is on screen (an
  element the bench knows for each page), from the navigation's start;
- JS the browser transferred for that visit (compressed bytes, as sent) and the requests made;
- click -> visible change: timed inside the page (`performance.now()` before `element.click()`
  until the change is in the DOM), so the test driver's own latency is not counted.

Ratios are to the bare app in the same run (page data and JS: its /table page; clicks: its
"next page", an event whose delta is one page of 50 rows). `--write` replaces the browser
section of BENCHMARKS.md (between its markers) with the tables and the Targets verdicts.
Exits 1 when something does not work (a page whose data never shows), never for a timing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import tasks_roundtrip
from bench.support import progress
from tests.support.live_server import ROOT, free_port, live_app

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
BARE = Path(__file__).resolve().parent / "bare"
PASSWORD = tasks_roundtrip.PASSWORD
MARK_START = "<!-- bench.browser: start -->"
MARK_END = "<!-- bench.browser: end -->"

# Page -> (path, user, JS: the page's own data is on screen). Users: "small" (10 tasks),
# "large" (10,000 tasks), None (signed out). Both users are admins, so /users shows its list.
PAGES: dict[str, tuple[str, str | None, str]] = {
    "sign-in": ("/sign-in", None, "!!document.querySelector('#sign-in-submit:not([disabled])')"),
    "dashboard": ("/dashboard", "small", "(document.querySelector('#stat-tasks-total')?.innerText || '') !== ''"),
    "tasks (10)": ("/tasks", "small", "document.querySelectorAll('#task-table tbody tr').length > 0"),
    "tasks (10,000)": ("/tasks", "large", "document.querySelectorAll('#task-table tbody tr').length > 0"),
    "mail": ("/mail", "small", "!!document.querySelector('#mail-list, #mail-empty')"),
    "chat": ("/chat", "small", "!!document.querySelector('#chat-list, #chat-empty')"),
    "calendar": ("/calendar", "small", "!!document.querySelector('#calendar-view')"),
    "notifications": (
        "/notifications",
        "small",
        "!!document.querySelector('#notification-list, #notifications-empty')",
    ),
    "organizations": ("/organizations", "small", "!!document.querySelector('#org-detail, #orgs-empty')"),
    "users": ("/users", "small", "!!document.querySelector('#users-tabs')"),
    "faqs": ("/faqs", "small", "!!document.querySelector('#faq-list, #faq-empty')"),
    "pricing": ("/pricing", "small", "!!document.querySelector('#plan-comparison')"),
    "settings": ("/settings", "small", "document.querySelectorAll('#session-list > *').length > 0"),
}
# With the trailing slash: Reflex's static server answers /table with a 307 to /table/ (FluxKit
# serves its pages in place, fluxkit/serving.py); the reference is bare Reflex at its best.
BARE_PAGE = ("/table/", "document.querySelectorAll('#bare-table tbody tr').length === 50")

READY = """
(() => {
  const check = () => {
    if (window.__ready === undefined && window.__readyWhen && document.body && eval(window.__readyWhen)) {
      window.__ready = performance.now();
      return;
    }
    if (window.__ready === undefined) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();
"""

# In the page: click `selector`, resolve with the milliseconds until `changed(before)` is true,
# where `before` is `snapshot()` taken just before the click.
CLICK = """
([selector, snapshot, changed]) => new Promise((resolve, reject) => {
  const snap = eval(snapshot), test = eval(changed);
  const before = snap();
  const target = document.querySelector(selector);
  if (!target) { reject(new Error("nothing to click: " + selector)); return; }
  const t0 = performance.now();
  const deadline = t0 + 20000;
  const done = () => {
    if (test(before)) { observer.disconnect(); resolve(performance.now() - t0); return true; }
    if (performance.now() > deadline) {
      observer.disconnect(); reject(new Error("no change after " + selector)); return true;
    }
    return false;
  };
  const observer = new MutationObserver(done);
  observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  target.click();
  const poll = () => { if (!done()) setTimeout(poll, 5); };
  setTimeout(poll, 5);
})
"""

FIRST_ROW = "() => document.querySelector('#task-table tbody tr')?.innerText || ''"
ROW_CHANGED = "(before) => (document.querySelector('#task-table tbody tr')?.innerText || '') !== before"


class BenchError(RuntimeError):
    """Something did not work (as opposed to being slow)."""


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Series:
    values: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.values)

    @property
    def p95(self) -> float:
        return _percentile(self.values, 0.95)


@dataclass
class PageLoad:
    ms: Series = field(default_factory=Series)
    js_bytes: Series = field(default_factory=Series)
    js_files: Series = field(default_factory=Series)
    requests: Series = field(default_factory=Series)


@dataclass
class Results:
    samples: int
    loads: dict[str, PageLoad] = field(default_factory=dict)
    clicks: dict[str, Series] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)  # what did not work, by measure

    def failed(self, name: str, exc: Exception) -> None:
        self.failures.setdefault(name, []).append(str(exc).splitlines()[0][:200] if str(exc) else repr(exc))

    def load(self, name: str) -> PageLoad:
        return self.loads.setdefault(name, PageLoad())

    def click(self, name: str) -> Series:
        return self.clicks.setdefault(name, Series())


# ---- the bare app ---------------------------------------------------------------------------------


@contextlib.contextmanager
def bare_app() -> Iterator[str]:
    """The bare reference app, production build, on a free port: its base URL."""
    folder = Path(tempfile.mkdtemp(prefix="bench-bare-"))
    shutil.copytree(BARE, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".web", "__pycache__", ".states"))
    if (ROOT / ".web" / "node_modules").is_dir():  # saves the npm install; the build is its own
        shutil.copytree(
            ROOT / ".web",
            folder / ".web",
            symlinks=True,
            ignore=lambda d, names: ["build"] if d == str(ROOT / ".web") else [],
        )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "REFLEX_USE_NPM": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for key in ("REDIS_URL", "GRANIAN_WORKERS", "DATABASE_URL"):
        env.pop(key, None)
    log = open(folder / "server.log", "ab")  # closed below
    args = ["--single-port", "--frontend-port", str(port), "--backend-port", str(port), "--backend-host", "127.0.0.1"]
    server = subprocess.Popen(
        [sys.executable, "-m", "reflex", "run", "--env", "prod", *args],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 900
        while True:
            if server.poll() is not None:
                raise BenchError(f"the bare app exited:\n{(folder / 'server.log').read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/table/", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise BenchError("the bare app did not start")
            time.sleep(1)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


# ---- measuring ------------------------------------------------------------------------------------


def load_page(context, url: str, ready_when: str) -> dict:
    """One cold visit in a new tab: ms until `ready_when`, JS bytes/files, requests."""
    page = context.new_page()
    try:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        page.add_init_script(f"window.__readyWhen = {json.dumps(ready_when)};")
        page.goto(url, wait_until="commit")
        try:
            page.wait_for_function("window.__ready !== undefined", timeout=30_000)
        except Exception as exc:
            raise BenchError(f"{url}: the page's data did not show ({ready_when})") from exc
        with contextlib.suppress(Exception):
            page.wait_for_load_state("networkidle", timeout=5_000)
        return page.evaluate(
            """() => {
              const entries = performance.getEntriesByType("resource");
              const js = entries.filter((e) => new URL(e.name).pathname.endsWith(".js"));
              return {
                ms: window.__ready,
                js_bytes: js.reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0),
                js_files: js.length,
                requests: entries.length + 1,
              };
            }"""
        )
    finally:
        page.close()


def timed_click(page, selector: str, snapshot: str, changed: str) -> float:
    return page.evaluate(CLICK, [selector, snapshot, changed])


def _record(results: Results, name: str, sample: dict, counted: bool) -> None:
    if not counted:
        return
    load = results.load(name)
    for key in ("ms", "js_bytes", "js_files", "requests"):
        getattr(load, key).values.append(sample[key])


# ---- the clicks -----------------------------------------------------------------------------------


def _open_tasks(context, base: str) -> object:
    page = context.new_page()
    page.goto(f"{base}/tasks")
    page.wait_for_selector("#task-table tbody tr")
    return page


def click_create_task(page, n: int) -> float:
    title = f"Browser bench task {n} {time.time_ns()}"
    page.click("#task-add")
    page.fill("#task-dialog-title", title)
    changed = f"() => (document.querySelector('#task-table')?.innerText || '').includes({json.dumps(title)})"
    return timed_click(page, "#task-save", "() => null", changed)


def click_status(page, n: int) -> float:
    row = page.locator("#task-table tbody tr").first
    actions = row.locator("[id^=task-actions-]")
    task_id = (actions.get_attribute("id") or "").rsplit("-", 1)[1]
    actions.click()
    page.hover(f"#task-status-menu-{task_id}")
    item = page.locator(f"[id^=task-status-{task_id}-]").first
    item.wait_for()
    target = item.get_attribute("id")
    return timed_click(page, f"#{target}", FIRST_ROW, ROW_CHANGED)


def click_next_page(page, n: int) -> float:
    ms = timed_click(page, "#page-next", FIRST_ROW, ROW_CHANGED)
    page.click("#page-prev")  # back, untimed, for the next sample
    page.wait_for_function("document.querySelector('#page-prev')?.disabled !== false")
    return ms


def type_search(page, n: int) -> float:
    """Typing a search term until the filtered rows show (includes the box's 300 ms debounce)."""
    term = f"seeded task {2000 + 7 * n}"  # one row; never the unfiltered first row
    changed = (
        "() => { const r = document.querySelector('#task-table tbody tr');"
        f" return !!r && r.innerText.toLowerCase().includes({json.dumps(term)}); }}"
    )
    setter = (
        "(() => { const box = document.querySelector('#task-search');"
        " const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;"
        f" set.call(box, {json.dumps(term)}); box.dispatchEvent(new Event('input', {{ bubbles: true }})); }})"
    )
    ms = page.evaluate(
        """([setter, changed]) => new Promise((resolve) => {
          const test = eval(changed); const t0 = performance.now(); eval(setter)();
          const poll = () => test() ? resolve(performance.now() - t0) : setTimeout(poll, 5); poll();
        })""",
        [setter, changed],
    )
    page.fill("#task-search", "")
    page.wait_for_timeout(400)
    return ms


def click_edit_save(page, n: int) -> float:
    """Edit the first row's title in the dialog; timed from "Save" until the row shows it."""
    row = page.locator("#task-table tbody tr").first
    actions = row.locator("[id^=task-actions-]")
    task_id = (actions.get_attribute("id") or "").rsplit("-", 1)[1]
    actions.click()
    page.click(f"#task-edit-{task_id}")
    title = f"Edited in the browser bench {n} {time.time_ns()}"
    page.fill("#task-dialog-title", title)
    changed = f"() => (document.querySelector('#task-table tbody tr')?.innerText || '').includes({json.dumps(title)})"
    return timed_click(page, "#task-save", "() => null", changed)


def _open_mail_sent(context, base: str) -> object:
    page = context.new_page()
    page.goto(f"{base}/mail?folder=sent")
    page.wait_for_selector("#mail-list, #mail-empty")
    page.wait_for_selector("#mail-compose:not([disabled])")
    return page


def click_send_mail(page, n: int) -> float:
    """Compose to the other bench user; timed from "Send" until the message shows in Sent."""
    subject = f"Browser bench mail {n} {time.time_ns()}"
    page.click("#mail-compose")
    page.fill("#mail-to", page.evaluate("window.__benchMailTo"))
    page.fill("#mail-subject", subject)
    page.fill("#mail-body", "Sent by the browser bench.")
    page.wait_for_timeout(800)  # the fields' debounced edits (up to 600 ms) reach the server first
    changed = f"() => (document.querySelector('#mail-list')?.innerText || '').includes({json.dumps(subject)})"
    return timed_click(page, "#mail-send", "() => null", changed)


_CONVERSATION: dict[str, int] = {}  # the bench users' direct conversation (set by _measure)


def _open_chat(context, base: str) -> object:
    page = context.new_page()
    page.goto(f"{base}/chat?c={_CONVERSATION['id']}")
    page.wait_for_selector("#chat-input")
    return page


def click_send_chat(page, n: int) -> float:
    """Type a message; timed from the send button until it shows in the conversation."""
    text = f"Browser bench message {n} {time.time_ns()}"
    page.fill("#chat-input", text)
    changed = f"() => (document.querySelector('#chat-messages')?.innerText || '').includes({json.dumps(text)})"
    return timed_click(page, "#chat-send", "() => null", changed)


# name -> (user, the click, how to open its tab). Clicks with the same user and opener share a tab.
FLUXKIT_CLICKS: dict[str, tuple[str, Callable, Callable]] = {
    "create task": ("small", click_create_task, _open_tasks),
    "change status": ("large", click_status, _open_tasks),
    "edit save": ("small", click_edit_save, _open_tasks),
    "next page": ("large", click_next_page, _open_tasks),
    "search": ("large", type_search, _open_tasks),
    "send mail": ("small", click_send_mail, _open_mail_sent),
    "chat message": ("small", click_send_chat, _open_chat),
}


# ---- the run --------------------------------------------------------------------------------------


def _start_conversation(app, emails: dict[str, str]) -> int:
    """A direct conversation between the two bench users (in the server's database): its id."""
    from sqlmodel import Session, select

    from fluxkit.db import engine_for
    from fluxkit.models import User
    from fluxkit.services import chat

    with Session(engine_for(app.env["DATABASE_URL"])) as db:
        ids = {name: db.exec(select(User.id).where(User.email == email)).one() for name, email in emails.items()}
        row, _ = chat.start_direct(db, ids["small"], ids["large"])
        db.commit()
        return row.id


def run(samples: int, warmup: int, app=None, pages: dict | None = None, clicks: dict | None = None) -> Results:
    """Start both apps (or use `app`, a running FluxKit server trusting one proxy hop) and measure.

    `pages` / `clicks`: a subset of PAGES / FLUXKIT_CLICKS (the smoke test's tiny run).
    """
    with contextlib.ExitStack() as stack:
        if app is None:
            app = stack.enter_context(live_app(FLUXKIT_TRUSTED_PROXY_HOPS="1"))
        bare = stack.enter_context(bare_app())
        progress("servers up; seeding")
        return _measure(
            app, bare, samples, warmup, PAGES if pages is None else pages, FLUXKIT_CLICKS if clicks is None else clicks
        )


def _measure(app, bare: str, samples: int, warmup: int, pages: dict, clicks: dict) -> Results:
    from playwright.sync_api import sync_playwright

    results = Results(samples=samples)
    users = {}
    for name, count in (("small", 10), ("large", 10_000)):
        email = f"browser-{name}-{time.time_ns()}@example.com"
        user_id = tasks_roundtrip.create_user(app, email)
        tasks_roundtrip.seed_tasks(app.env["DATABASE_URL"], user_id, count)
        app.cli("make-admin", email)
        users[name] = email
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = {}
        for n, (name, email) in enumerate(users.items()):
            context = browser.new_context(
                viewport={"width": 1280, "height": 800},
                extra_http_headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
            )
            context.add_init_script(READY)
            response = context.request.post(
                f"{app.url}/api/auth/sign-in/email",
                data={"email": email, "password": PASSWORD},
                headers={"Origin": app.url},
            )
            if response.status != 200:
                raise BenchError(f"sign-in failed: {response.status} {response.text()}")
            contexts[name] = context
        anonymous = browser.new_context(viewport={"width": 1280, "height": 800})
        anonymous.add_init_script(READY)
        contexts[None] = anonymous

        for round_ in range(warmup + samples):
            counted = round_ >= warmup
            progress(f"page loads: round {round_ + 1} of {warmup + samples}")
            for name, (path, user, ready) in pages.items():
                try:
                    _record(results, name, load_page(contexts[user], f"{app.url}{path}", ready), counted)
                except BenchError as exc:
                    results.failed(name, exc)
                bare_load = load_page(anonymous, f"{bare}{BARE_PAGE[0]}", BARE_PAGE[1])
                _record(results, "bare /table", bare_load, counted)

        if not clicks:
            browser.close()
            return results
        bare_page = anonymous.new_page()
        bare_page.goto(f"{bare}{BARE_PAGE[0]}")
        bare_page.wait_for_function(BARE_PAGE[1])
        counter = anonymous.new_page()
        counter.goto(f"{bare}/")
        counter.wait_for_selector("#count")
        counter.wait_for_timeout(500)
        _CONVERSATION["id"] = _start_conversation(app, users)
        contexts["small"].add_init_script(f"window.__benchMailTo = {json.dumps(users['large'])};")
        opened: dict = {}
        tabs = {}
        for name, (user, _, opener) in clicks.items():
            if (user, opener) not in opened:
                opened[(user, opener)] = opener(contexts[user], app.url)
            tabs[name] = opened[(user, opener)]
        bare_rows = "() => document.querySelector('#bare-table tbody tr')?.innerText || ''"
        bare_changed = "(before) => (document.querySelector('#bare-table tbody tr')?.innerText || '') !== before"
        count_now = "() => document.querySelector('#count')?.innerText"
        count_changed = "(before) => document.querySelector('#count')?.innerText !== before"
        for round_ in range(warmup + samples):
            counted = round_ >= warmup
            progress(f"clicks: round {round_ + 1} of {warmup + samples}")
            for name, (user, action, opener) in clicks.items():
                try:
                    ms = action(tabs[name], round_)
                except Exception as exc:  # a click whose change never showed: reported, not fatal
                    results.failed(f"click {name}", exc)
                    tabs[name].close()
                    tabs[name] = opener(contexts[user], app.url)
                    for other, (u, _, o) in clicks.items():
                        if (u, o) == (user, opener):
                            tabs[other] = tabs[name]
                    continue
                bare_ms = timed_click(bare_page, "#table-next", bare_rows, bare_changed)
                count_ms = timed_click(counter, "#count-inc", count_now, count_changed)
                if counted:
                    results.click(name).values.append(ms)
                    results.click("bare next page (50 rows)").values.append(bare_ms)
                    results.click("bare counter").values.append(count_ms)
        browser.close()
    return results


# ---- reporting ------------------------------------------------------------------------------------

PAGE_TARGET, JS_BYTES_TARGET, REQUESTS_TARGET, CLICK_TARGET = 1.5, 1.5, 3.0, 2.0


def _kb(value: float) -> str:
    return f"{value / 1024:,.0f} KB"


def report(results: Results) -> str:
    bare = results.loads.get("bare /table")
    ref_click = results.clicks.get("bare next page (50 rows)")
    lines = [
        f"Chromium (headless, Debian), production builds of both apps, {results.samples} samples each after a "
        "warm-up, interleaved; every page visit cold (new tab, HTTP cache off).",
    ]
    if bare:
        lines += [
            "",
            "| Page | data visible p50 ms | p95 ms | × bare | JS transferred | JS files | requests |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
    for name, load in results.loads.items():
        lines.append(
            f"| {name} | {load.ms.p50:.0f} | {load.ms.p95:.0f} | {load.ms.p50 / bare.ms.p50:.2f} | "
            f"{_kb(load.js_bytes.p50)} | {load.js_files.p50:.0f} | {load.requests.p50:.0f} |"
        )
    if ref_click is not None:
        lines += [
            "",
            "| Click → visible change (timed in the page) | p50 ms | p95 ms | × bare next page |",
            "|---|---:|---:|---:|",
        ]
        for name, series in results.clicks.items():
            lines.append(f"| {name} | {series.p50:.0f} | {series.p95:.0f} | {series.p50 / ref_click.p50:.2f} |")
    for name, problems in results.failures.items():
        lines += ["", f"**{name}: {len(problems)} sample(s) failed** ({problems[0]})"]
    lines += [
        "",
        "### Targets (ratios to the bare app, same run, p50)",
        "",
        "| Target | Result | Ratio |",
        "|---|---|---:|",
    ]

    def verdict(label: str, ratio: float, limit: float, why: str = "") -> None:
        met = ratio <= limit
        state = "met" if met else f"MISSED ({ratio / limit:.2f}× over{': ' + why if why else ''})"
        lines.append(f"| {label} ≤ {limit:g}× | {state} | {ratio:.2f} |")

    for name, load in results.loads.items():
        if name == "bare /table" or not load.ms.values:
            continue
        verdict(f"{name}: data visible", load.ms.p50 / bare.ms.p50, PAGE_TARGET)
        verdict(f"{name}: JS bytes", load.js_bytes.p50 / bare.js_bytes.p50, JS_BYTES_TARGET)
        verdict(f"{name}: requests", load.requests.p50 / bare.requests.p50, REQUESTS_TARGET)
    for name, series in results.clicks.items():
        if name.startswith("bare") or not series.values:
            continue
        verdict(f"click {name}", series.p50 / ref_click.p50, CLICK_TARGET)
    return "\n".join(lines)


def as_json(results: Results) -> dict:
    return {
        "samples": results.samples,
        "loads": {
            name: {
                key: {"p50": getattr(load, key).p50, "p95": getattr(load, key).p95}
                for key in ("ms", "js_bytes", "js_files", "requests")
            }
            for name, load in results.loads.items()
        },
        "clicks": {name: {"p50": s.p50, "p95": s.p95, "samples": s.values} for name, s in results.clicks.items()},
        "failures": results.failures,
    }


def write_section(path: Path, text: str) -> None:
    body = path.read_text() if path.exists() else ""
    section = f"{MARK_START}\n{text}\n{MARK_END}"
    if MARK_START in body and MARK_END in body:
        before, rest = body.split(MARK_START, 1)
        after = rest.split(MARK_END, 1)[1]
        body = before + section + after
    else:
        body = body.rstrip() + "\n\n## In the browser (`python -m bench.browser`)\n\n" + section + "\n"
    path.write_text(body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--clicks-only", action="store_true", help="measure the clicks alone (no page loads)")
    parser.add_argument("--json", action="store_true", help="print every sample as JSON instead of the tables")
    parser.add_argument("--json-out", type=Path, default=None, help="also save the JSON to this file")
    parser.add_argument("--write", type=Path, default=None, help="update this file's browser section (BENCHMARKS.md)")
    parser.add_argument("--pages", default=None, help="only these pages, separated by ';' (names as in PAGES)")
    parser.add_argument("--no-clicks", action="store_true", help="page loads only")
    args = parser.parse_args(argv)
    pages = None
    if args.pages:
        unknown = [name for name in args.pages.split(";") if name not in PAGES]
        if unknown:
            parser.error(f"unknown page(s) {unknown}; known: {list(PAGES)}")
        pages = {name: PAGES[name] for name in args.pages.split(";")}
    try:
        results = run(
            args.samples, args.warmup, pages={} if args.clicks_only else pages, clicks={} if args.no_clicks else None
        )
    except BenchError as exc:
        print(f"bench.browser: {exc}", file=sys.stderr)
        return 1
    text = report(results)
    if args.write:
        write_section(args.write, text)
    if args.json_out:
        args.json_out.write_text(json.dumps(as_json(results), indent=2))
    print(json.dumps(as_json(results), indent=2) if args.json else text)
    return 1 if results.failures else 0


if __name__ == "__main__":
    sys.exit(main())
