"""First load in production: time to HTML, to websocket open, to a hydrated page; JS size.

    python -m bench.first_load [--loads 10]

Builds and runs the production app (`reflex run --env prod`, frontend and backend on one
port) from a private copy of the project (tests/support/live_server.py `project_copy`), so
the shared .web build is never touched. Debian's Chromium (Playwright) opens /sign-in in a
fresh browser context each time (empty cache, no cookies), and the page itself records, in
milliseconds since navigation start (performance.now()):
- html:      the document's responseEnd (Navigation Timing);
- websocket: the `open` event of the first WebSocket (Reflex's /_event connection);
- hydrated:  the moment the sign-in button exists and is enabled (the auth form only shows
             once the page is hydrated and its state has arrived).
JS size: every .js file the browser may fetch (.web/build/client: lazy chunks included), raw and
gzip-compressed (level 6, what a typical server sends); plus the JS /sign-in actually fetches
(uncompressed).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
from pathlib import Path

from bench.support import progress
from tests.support.live_server import live_app, project_copy

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

RECORDER = """
(() => {
  const marks = (window.__bench = {});
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      marks.wsCreated ??= performance.now();
      this.addEventListener("open", () => { marks.ws ??= performance.now(); });
    }
  };
  const check = () => {
    const button = document.getElementById("sign-in-submit");
    if (button && !button.disabled && marks.hydrated === undefined) marks.hydrated = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
})();
"""


def js_sizes(root: Path) -> dict:
    files = [p for p in (root / ".web" / "build" / "client").rglob("*.js") if p.is_file()]
    raw = sum(p.stat().st_size for p in files)
    zipped = sum(len(gzip.compress(p.read_bytes(), compresslevel=6)) for p in files)
    return {"files": len(files), "raw": raw, "gzip": zipped}


def measure(url: str, loads: int) -> dict:
    from playwright.sync_api import sync_playwright

    samples = {"html": [], "websocket": [], "hydrated": []}
    downloaded = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(loads):
                context = browser.new_context()
                context.add_init_script(RECORDER)
                page = context.new_page()
                sockets = []
                page.on("websocket", lambda ws, sockets=sockets: sockets.append(ws))  # Playwright cannot wrap a builtin
                scripts = []
                page.on("response", lambda r, scripts=scripts: scripts.append(r) if r.url.endswith(".js") else None)
                page.goto(f"{url}/sign-in", wait_until="domcontentloaded")
                page.wait_for_function(
                    "window.__bench && window.__bench.hydrated !== undefined && window.__bench.ws !== undefined",
                    timeout=60_000,
                )
                marks = page.evaluate(
                    "({...window.__bench, html: performance.getEntriesByType('navigation')[0].responseEnd})"
                )
                if not sockets or "/_event" not in sockets[0].url:
                    raise RuntimeError("the page opened no /_event websocket")
                samples["html"].append(marks["html"])
                samples["websocket"].append(marks["ws"])
                samples["hydrated"].append(marks["hydrated"])
                downloaded.append(sum(len(r.body()) for r in scripts if r.ok))
                context.close()
        finally:
            browser.close()
    return {
        "ms": {name: {"p50": statistics.median(v), "max": max(v), "samples": v} for name, v in samples.items()},
        "sign_in_js_bytes": statistics.median(downloaded),
    }


def run(loads: int = 10, app=None) -> dict:
    """Against `app` (a running full production LiveApp) or one built in a private copy."""
    if app is not None:
        return {**measure(app.url, loads), "js": js_sizes(app.root)}
    root = project_copy("fluxkit-firstload-")
    try:
        progress("building the production frontend in a private copy (a few minutes)...")
        with live_app(root, PYTHONPATH=str(root)) as app:
            result = measure(app.url, loads)
        result["js"] = js_sizes(root)
        return result
    finally:
        shutil.rmtree(root, ignore_errors=True)


def as_json(result: dict) -> dict:
    return {
        **{name: {"p50_ms": round(v["p50"], 1), "max_ms": round(v["max"], 1)} for name, v in result["ms"].items()},
        "js_files": result["js"]["files"],
        "js_raw_kib": round(result["js"]["raw"] / 1024, 1),
        "js_gzip_kib": round(result["js"]["gzip"] / 1024, 1),
        "sign_in_js_kib": round(result["sign_in_js_bytes"] / 1024, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.first_load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=10)
    args = parser.parse_args(argv)
    print(json.dumps(as_json(run(args.loads)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
