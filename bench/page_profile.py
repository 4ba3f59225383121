"""Where a page's load goes, in Chromium: from navigation to the page's data on screen.

    python -m bench.page_profile [--samples 5] [--pages "dashboard;tasks (10,000)] [--trace DIR]

Starts both production servers as bench.browser does (FluxKit and the bare reference app) and,
for each page, cold visits (new tab, cache off) with instruments in the page:

- the navigation's own timings (HTML answered, DOMContentLoaded, load);
- the last JS file's arrival and the JS transferred;
- the websocket: when Reflex created it, when it opened, each frame sent and received (time and
  size), so the hydrate and on_load round trips and their deltas show;
- main-thread work: long tasks, and a CPU profile (CDP Profiler) summed by script;
- when the page's data showed (the same marker as bench.browser).

Prints p50 of each mark per page, FluxKit beside bare. `--trace DIR` also saves one Chromium
performance trace per page (open in chrome://tracing or Perfetto).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from bench import browser, tasks_roundtrip
from bench.support import progress
from tests.support.live_server import ROOT, live_app

INSTRUMENT = """
(() => {
  const ws = { frames: [] };
  window.__fkWs = ws;
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const sock = new Native(...args);
    ws.created = ws.created ?? performance.now();
    sock.addEventListener("open", () => { ws.open = ws.open ?? performance.now(); });
    sock.addEventListener("message", (e) => {
      const size = typeof e.data === "string" ? e.data.length : (e.data.byteLength || 0);
      ws.frames.push({ t: performance.now(), dir: "in", size, head: String(e.data).slice(0, 60) });
    });
    const send = sock.send.bind(sock);
    sock.send = (data) => {
      ws.frames.push({ t: performance.now(), dir: "out", size: String(data).length, head: String(data).slice(0, 80) });
      return send(data);
    };
    return sock;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  window.__fkLong = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__fkLong.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: "longtask", buffered: true });
  } catch (e) {}
})();
"""

COLLECT = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const res = performance.getEntriesByType("resource");
  const js = res.filter((e) => new URL(e.name).pathname.endsWith(".js"));
  const ws = window.__fkWs;
  const events = ws.frames.filter((f) => f.dir === "out" && f.head.startsWith("42"));
  const deltas = ws.frames.filter((f) => f.dir === "in" && f.head.startsWith("42"));
  return {
    html: nav.responseEnd,
    dcl: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd || null,
    js_last: Math.max(0, ...js.map((e) => e.responseEnd)),
    js_files: js.length,
    js_bytes: js.reduce((s, e) => s + (e.transferSize || 0), 0),
    ws_created: ws.created ?? null,
    ws_open: ws.open ?? null,
    events: events.map((f) => [Math.round(f.t), f.size, f.head.slice(0, 70)]),
    deltas: deltas.map((f) => [Math.round(f.t), f.size, f.head.slice(0, 50)]),
    long: window.__fkLong.map((l) => [Math.round(l.start), Math.round(l.ms)]),
    long_ms: window.__fkLong.reduce((s, l) => s + l.ms, 0),
    ready: window.__ready,
  };
}"""


def profile_visit(context, url: str, ready_when: str, trace: Path | None = None) -> dict:
    page = context.new_page()
    try:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 200})
        page.add_init_script(f"window.__readyWhen = {json.dumps(ready_when)};")
        page.add_init_script(INSTRUMENT)
        if trace is not None:
            page.context.browser.start_tracing(page=page, path=str(trace), screenshots=False)
        cdp.send("Profiler.start")
        page.goto(url, wait_until="commit")
        page.wait_for_function("window.__ready !== undefined", timeout=30_000)
        cpu = cdp.send("Profiler.stop")["profile"]
        if trace is not None:
            page.context.browser.stop_tracing()
        marks = page.evaluate(COLLECT)
        marks["cpu"] = _cpu_by_script(cpu)
        return marks
    finally:
        page.close()


def _cpu_by_script(profile: dict) -> dict[str, float]:
    """Self time (ms) per script file (or Chromium's own categories) in a CPU profile."""
    nodes = {n["id"]: n for n in profile["nodes"]}
    deltas = profile.get("timeDeltas", [])
    by: dict[str, float] = defaultdict(float)
    for node_id, dt in zip(profile.get("samples", []), deltas, strict=False):
        frame = nodes[node_id]["callFrame"]
        url = frame.get("url") or f"({frame.get('functionName') or 'program'})"
        by[url.rsplit("/", 1)[-1][:60]] += dt / 1000
    by.pop("(idle)", None)
    return dict(by)


def summarize(name: str, visits: list[dict]) -> list[str]:
    def p50(key):
        vals = [v[key] for v in visits if v.get(key) is not None]
        return statistics.median(vals) if vals else float("nan")

    lines = [f"== {name} ({len(visits)} visits, p50 ms from navigation start)"]
    for key in ("html", "js_last", "dcl", "ws_created", "ws_open", "ready", "load", "long_ms", "js_files", "js_bytes"):
        lines.append(f"  {key:12} {p50(key):10.0f}")
    # Round trips: each sent event (first few) and the deltas received.
    v = visits[len(visits) // 2]
    lines.append(f"  events out (t, bytes, head) of one visit: {v['events'][:6]}")
    lines.append(f"  deltas in  (t, bytes, head) of one visit: {v['deltas'][:8]}")
    lines.append(f"  long tasks (start, ms): {v['long'][:12]}")
    cpu: dict[str, list[float]] = defaultdict(list)
    for visit in visits:
        for script, ms in visit["cpu"].items():
            cpu[script].append(ms)
    total = sum(statistics.median(vals + [0] * (len(visits) - len(vals))) for vals in cpu.values())
    lines.append(f"  main-thread CPU until data visible, p50 by script (total ~{total:.0f} ms):")
    ranked = sorted(cpu.items(), key=lambda kv: -statistics.median(kv[1] + [0] * (len(visits) - len(kv[1]))))
    for script, vals in ranked[:14]:
        lines.append(f"    {statistics.median(vals + [0] * (len(visits) - len(vals))):7.1f}  {script}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--pages", default="dashboard;tasks (10,000)")
    parser.add_argument("--trace", type=Path, default=None)
    parser.add_argument("--bench", type=int, default=0, help="then this many page-load samples (bench.browser)")
    parser.add_argument("--before", type=Path, default=None, help="a checkout of the code before: measured too")
    parser.add_argument("--write", type=Path, default=None, help="update BENCHMARKS.md's browser section")
    args = parser.parse_args(argv)
    wanted = {name: browser.PAGES[name] for name in args.pages.split(";")}
    from playwright.sync_api import sync_playwright

    with contextlib.ExitStack() as stack:
        app = stack.enter_context(live_app(FLUXKIT_TRUSTED_PROXY_HOPS="1"))
        bare = stack.enter_context(browser.bare_app())
        before = None
        if args.before:
            if not (args.before / ".web").exists() and (ROOT / ".web").is_dir():  # the npm install, not the build
                web = ROOT / ".web"
                skip_build = lambda d, names: ["build"] if Path(d) == web else []  # noqa: E731
                shutil.copytree(web, args.before / ".web", symlinks=True, ignore=skip_build)
            before = stack.enter_context(live_app(args.before, FLUXKIT_TRUSTED_PROXY_HOPS="1"))
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=browser.CHROMIUM, args=browser.CHROMIUM_ARGS)
            contexts = _signed_in(chromium, app, wanted)
            before_contexts = _signed_in(chromium, before, wanted) if before else {}
            anonymous = chromium.new_context(viewport={"width": 1280, "height": 800})
            anonymous.add_init_script(browser.READY)
            contexts[None] = anonymous
            visits: dict[str, list[dict]] = defaultdict(list)
            for round_ in range(args.samples + 1):
                progress(f"profile: round {round_ + 1} of {args.samples + 1}")
                last = round_ == args.samples
                for name, (path, user, ready) in wanted.items():
                    trace = args.trace / f"{name.replace(' ', '_')}.json" if (args.trace and last) else None
                    visit = profile_visit(contexts[user], f"{app.url}{path}", ready, trace)
                    if round_:
                        visits[name].append(visit)
                    if before:
                        visit = profile_visit(before_contexts.get(user) or anonymous, f"{before.url}{path}", ready)
                        if round_:
                            visits[f"{name} (before)"].append(visit)
                    trace = args.trace / "bare_table.json" if (args.trace and last) else None
                    visit = profile_visit(anonymous, f"{bare}{browser.BARE_PAGE[0]}", browser.BARE_PAGE[1], trace)
                    if round_:
                        visits["bare /table"].append(visit)
            for name, vs in visits.items():
                print("\n".join(summarize(name, vs)), flush=True)
            if args.bench:
                results = _bench(args.bench, app, before, bare, wanted, contexts, before_contexts, anonymous)
                text = browser.report(results)
                print(text, flush=True)
                if args.write:
                    browser.write_section(args.write, text)
            chromium.close()
    return 0


def _signed_in(chromium, app, wanted: dict) -> dict:
    contexts = {}
    for n, (name, count) in enumerate((("small", 10), ("large", 10_000))):
        if not any(user == name for _p, user, _r in wanted.values()):
            continue
        email = f"profile-{name}-{time.time_ns()}@example.com"
        user_id = tasks_roundtrip.create_user(app, email)
        tasks_roundtrip.seed_tasks(app.env["DATABASE_URL"], user_id, count)
        app.cli("make-admin", email)
        context = chromium.new_context(
            viewport={"width": 1280, "height": 800},
            extra_http_headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
        )
        context.add_init_script(browser.READY)
        response = context.request.post(
            f"{app.url}/api/auth/sign-in/email",
            data={"email": email, "password": browser.PASSWORD},
            headers={"Origin": app.url},
        )
        if response.status != 200:
            raise browser.BenchError(f"sign-in failed: {response.status}")
        contexts[name] = context
    return contexts


def _bench(samples, app, before, bare, wanted, contexts, before_contexts, anonymous) -> browser.Results:
    """bench.browser's page loads, interleaved: FluxKit now, bare, FluxKit before (if given), bare."""
    results = browser.Results(samples=samples)
    contexts = {**contexts, None: anonymous}
    before_contexts = {**before_contexts, None: anonymous}
    for round_ in range(samples + 2):
        counted = round_ >= 2
        progress(f"page loads: round {round_ + 1} of {samples + 2}")
        for name, (path, user, ready) in wanted.items():
            runs = [(name, app, contexts)] + ([(f"{name} (before)", before, before_contexts)] if before else [])
            for label, which, ctxs in runs:
                try:
                    sample = browser.load_page(ctxs[user], f"{which.url}{path}", ready)
                    browser._record(results, label, sample, counted)
                except browser.BenchError as exc:
                    results.failed(label, exc)
                bare_load = browser.load_page(anonymous, f"{bare}{browser.BARE_PAGE[0]}", browser.BARE_PAGE[1])
                browser._record(results, "bare /table", bare_load, counted)
    return results


if __name__ == "__main__":
    sys.exit(main())
