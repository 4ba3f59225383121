"""Memory per connected tab and per idle worker.

    python -m bench.memory [--tabs 100,500]

One production backend worker (state in memory, as without Redis; SQLite). Its resident set
(psutil RSS of the Granian worker process) is read idle, then with each number of connected
/tasks tabs open (signed in as a handful of users with 60 tasks each, so every tab holds a
full page of rows, each tab hydrated and its on_load chain run, like a browser tab left open).
Per tab = (RSS with N tabs - RSS after the warm-up tabs) /
(N - warm-up); "all-in" = (RSS with N tabs - idle RSS) / N.

Reference, in the same run: the bare python-socketio echo of bench/echo.py on the same server
(Granian, one worker) with the same numbers of connected clients, each connected and answered
once. Its per-connection RSS is the transport's floor under every tab; per tab minus that floor
is what FluxKit (Reflex's state, the page's data, the session records) adds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from bench.echo import echo_process, worker_pid
from bench.fanout import open_tasks_tab
from bench.reflex_client import ReflexTab
from bench.support import backend, progress, rss_bytes, signed_in_users, worker_pids
from bench.tasks_roundtrip import run_async, tasks_state

USERS = 5
TASKS_PER_USER = 60  # more than a page: every tab holds a real page of rows and its stat cards
WARM_UP = 10


def _settled_rss(pids: list[int], seconds: float = 1.5) -> int:
    """RSS after the worker has had a moment to finish what the tabs asked for."""
    time.sleep(seconds)
    return rss_bytes(pids)


def run(tab_counts=(100, 500), app=None) -> dict:
    """Against `app` (a running one-worker LiveApp) or a backend started for the run; then the echo floor."""
    if app is None:
        with backend(workers=1) as started:
            return run(tab_counts, started)
    result = _app_tabs(tab_counts, app)
    result["echo"] = echo_floor(tab_counts)
    return result


async def _grow(opened: list, open_more, pids: list[int], idle: int, tab_counts, label: str) -> tuple[int, list[dict]]:
    """Open WARM_UP connections, note the RSS, then open up to each count and note it again.

    Per tab = (RSS now - RSS after warm-up) / (connections opened since the warm-up).
    """
    rows = []
    await open_more(WARM_UP)
    warm = await asyncio.to_thread(_settled_rss, pids)
    for count in sorted(tab_counts):
        await open_more(count - len(opened))
        rss = await asyncio.to_thread(_settled_rss, pids)
        rows.append(
            {
                "tabs": len(opened),
                "rss": rss,
                "per_tab": (rss - warm) / (len(opened) - WARM_UP),
                "all_in": (rss - idle) / len(opened),
            }
        )
        progress(f"{label}, {len(opened)}: {rss / 2**20:.1f} MiB")
    return warm, rows


async def _opened_in_parallel(opened: list, count: int, open_one) -> None:
    gate = asyncio.Semaphore(16)

    async def one(n: int):
        async with gate:
            return await open_one(n)

    opened.extend(await asyncio.gather(*(one(len(opened) + n) for n in range(count))))


async def _close_all(opened: list) -> None:
    for connection in opened:
        await connection.close()


def _app_tabs(tab_counts, app) -> dict:
    state = tasks_state()
    pids = worker_pids(app)
    idle = _settled_rss(pids)
    cookies = signed_in_users(app, "memory", USERS, tasks=TASKS_PER_USER)
    tabs: list = []

    async def open_more(count: int) -> None:
        await _opened_in_parallel(tabs, count, lambda n: open_tasks_tab(app.url, cookies[n % len(cookies)], state))

    async def scenario() -> tuple[int, list[dict]]:
        try:
            return await _grow(tabs, open_more, pids, idle, tab_counts, "tabs")
        finally:
            await _close_all(tabs)

    warm, rows = run_async(scenario())
    return {"workers": len(pids), "idle_rss": idle, "warm_rss": warm, "rows": rows}


def echo_floor(tab_counts=(100, 500)) -> dict:
    """RSS per connected client of the bare socket.io echo (Granian, one worker), measured as the tabs are."""
    with echo_process() as (url, process):
        pids = [worker_pid(process)]
        idle = _settled_rss(pids)
        clients: list[ReflexTab] = []

        async def connect(_n: int) -> ReflexTab:
            client = ReflexTab(url, None, "/tasks")
            await client.connect()
            try:
                await client.call("bench.echo", {"x": 1}, done=lambda r: "echo" in r.updates[-1])
            except BaseException:
                await client.close()
                raise
            return client

        async def scenario() -> tuple[int, list[dict]]:
            try:
                return await _grow(
                    clients,
                    lambda count: _opened_in_parallel(clients, count, connect),
                    pids,
                    idle,
                    tab_counts,
                    "echo clients",
                )
            finally:
                await _close_all(clients)

        warm, rows = run_async(scenario())
    return {"idle_rss": idle, "warm_rss": warm, "rows": rows}


def compared(result: dict) -> list[dict]:
    """Per tab count: FluxKit's per tab, the bare connection's, and FluxKit's own share (the difference)."""
    floor = {row["tabs"]: row["per_tab"] for row in result["echo"]["rows"]}
    return [
        {
            "tabs": row["tabs"],
            "per_tab": row["per_tab"],
            "echo": floor[row["tabs"]],
            "own": row["per_tab"] - floor[row["tabs"]],
        }
        for row in result["rows"]
    ]


def as_json(result: dict) -> dict:
    floor = {c["tabs"]: c for c in compared(result)}
    echo = result["echo"]
    return {
        "idle_worker_mib": round(result["idle_rss"] / 2**20, 1),
        "warm_worker_mib": round(result["warm_rss"] / 2**20, 1),
        "rows": [
            {
                "tabs": r["tabs"],
                "rss_mib": round(r["rss"] / 2**20, 1),
                "per_tab_kib": round(r["per_tab"] / 1024, 1),
                "all_in_per_tab_kib": round(r["all_in"] / 1024, 1),
                "echo_per_connection_kib": round(floor[r["tabs"]]["echo"] / 1024, 1),
                "fluxkit_own_per_tab_kib": round(floor[r["tabs"]]["own"] / 1024, 1),
            }
            for r in result["rows"]
        ],
        "echo": {
            "idle_worker_mib": round(echo["idle_rss"] / 2**20, 1),
            "warm_worker_mib": round(echo["warm_rss"] / 2**20, 1),
            "rows": [
                {
                    "clients": r["tabs"],
                    "rss_mib": round(r["rss"] / 2**20, 1),
                    "per_connection_kib": round(r["per_tab"] / 1024, 1),
                }
                for r in echo["rows"]
            ],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tabs", default="100,500")
    args = parser.parse_args(argv)
    print(json.dumps(as_json(run([int(t) for t in args.tabs.split(",")])), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
