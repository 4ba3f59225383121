"""Memory per connected tab and per idle worker.

    python -m bench.memory [--tabs 100,500]

One production backend worker (state in memory, as without Redis; SQLite). Its resident set
(psutil RSS of the Granian worker process) is read idle, then with each number of connected
/tasks tabs open (signed in as a handful of users, each tab hydrated and its on_load chain
run, like a browser tab left open). Per tab = (RSS with N tabs - idle RSS) / N.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from bench.fanout import open_tasks_tab
from bench.support import backend, progress, rss_bytes, signed_in_users, worker_pids
from bench.tasks_roundtrip import run_async, tasks_state

USERS = 5
WARM_UP = 10


def _settled_rss(pids: list[int], seconds: float = 1.5) -> int:
    """RSS after the worker has had a moment to finish what the tabs asked for."""
    time.sleep(seconds)
    return rss_bytes(pids)


def run(tab_counts=(100, 500), app=None) -> dict:
    """Against `app` (a running one-worker LiveApp) or a backend started for the run."""
    if app is None:
        with backend(workers=1) as started:
            return run(tab_counts, started)
    state = tasks_state()
    pids = worker_pids(app)
    idle = _settled_rss(pids)
    cookies = signed_in_users(app, "memory", USERS)
    tabs: list = []
    rows = []
    warm: list[int] = []

    async def open_more(count: int) -> None:
        gate = asyncio.Semaphore(16)

        async def one(n: int):
            async with gate:
                return await open_tasks_tab(app.url, cookies[n % len(cookies)], state)

        tabs.extend(await asyncio.gather(*(one(len(tabs) + n) for n in range(count))))

    async def scenario() -> None:
        try:
            await open_more(WARM_UP)
            warm.append(await asyncio.to_thread(_settled_rss, pids))
            for count in sorted(tab_counts):
                await open_more(count - len(tabs))
                rss = await asyncio.to_thread(_settled_rss, pids)
                rows.append({
                    "tabs": len(tabs), "rss": rss,
                    "per_tab": (rss - warm[0]) / (len(tabs) - WARM_UP), "all_in": (rss - idle) / len(tabs),
                })
                progress(f"{len(tabs)} tabs: {rss / 2**20:.1f} MiB")
        finally:
            for tab in tabs:
                await tab.close()

    run_async(scenario())
    return {"workers": len(pids), "idle_rss": idle, "warm_rss": warm[0], "rows": rows}


def as_json(result: dict) -> dict:
    return {
        "idle_worker_mib": round(result["idle_rss"] / 2**20, 1),
        "warm_worker_mib": round(result["warm_rss"] / 2**20, 1),
        "rows": [
            {"tabs": r["tabs"], "rss_mib": round(r["rss"] / 2**20, 1), "per_tab_kib": round(r["per_tab"] / 1024, 1),
             "all_in_per_tab_kib": round(r["all_in"] / 1024, 1)}
            for r in result["rows"]
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tabs", default="100,500")
    args = parser.parse_args(argv)
    print(json.dumps(as_json(run([int(t) for t in args.tabs.split(",")])), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
