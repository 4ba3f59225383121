"""Crowds on one worker: an active tab beside 0 -> 100 -> 500 -> 1,000 idle tabs.

    python -m bench.crowds [--tabs 100,500,1000] [--samples 30] [--db sqlite,postgres] [--profile DIR]

One production backend worker (Granian, state in memory; SQLite, or a fresh PostgreSQL
database). Idle users (60 tasks each) and one active user sign in over HTTP. The active user
opens /tasks in one tab; then idle /tasks tabs are opened (each hydrated and its on_load run,
so it holds a real page of rows and the stat cards, like a browser tab left open) up to each
count, and at each count the active tab sends, interleaved, `--samples` times each:
- trivial: Reflex's own `set_is_hydrated(True)` (only the session gate of FluxKit's);
- add-task: `TasksState.save`, as the dialog's submit does (the reply shows the new row).

Reported per count: the active tab's p50 / p95 / p99 and p95 against the same tab with no
idle tab (the target: within 2x at 1,000), the worker's RSS and the RSS per idle tab
(marginal: from the first count to the last), against the bare python-socketio connection of
bench/echo.py measured in the same run (bench.memory.echo_floor); how long opening each batch
took; and finally the reconnect storm: every idle tab closed, then all of them connecting and
hydrating again at once (64 in flight), timed until the last one shows its rows.

`--profile DIR`: py-spy records the worker during each count's measurement (DIR/<db>-<n>.txt,
collapsed stacks) -- how the waits behind idle tabs were found.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.fanout import open_tasks_tab
from bench.memory import echo_floor
from bench.reflex_client import var
from bench.support import Latency, backend, fresh_postgres, progress, rss_bytes, signed_in_users, worker_pids
from bench.tasks_roundtrip import TRIVIAL_EVENT, BenchError, run_async, tasks_state

IDLE_USERS = 10
TASKS_PER_USER = 60  # more than a page of 50: every tab holds a full page of rows
IN_FLIGHT = 64  # tabs connecting at once (a reconnect storm is bounded by the clients, not by us)


def _settled_rss(pids: list[int], seconds: float = 1.5) -> int:
    time.sleep(seconds)
    return rss_bytes(pids)


async def _open_many(url: str, cookies: list[str], state: str, count: int, start: int) -> list:
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(n: int):
        async with gate:
            return await open_tasks_tab(url, cookies[n % len(cookies)], state)

    return list(await asyncio.gather(*(one(start + n) for n in range(count))))


async def _active_samples(tab, state: str, samples: int, label: str) -> dict[str, Latency]:
    out = {"trivial": Latency(), "add-task": Latency()}
    for n in range(samples):
        reply = await tab.call(TRIVIAL_EVENT, {"value": True}, timeout=60)
        out["trivial"].seconds.append(reply.seconds)
        await tab.settle(quiet=0.05)
        title = f"Crowd {label}-{n + 1}"
        reply = await tab.call(
            f"{state}.save",
            {"form": {"title": title, "description": "", "priority": "high", "category": "feature", "due_date": ""}},
            until=lambda d, title=title: any(row["title"] == title for row in var(d, state, "rows", [])),
            timeout=60,
        )
        out["add-task"].seconds.append(reply.seconds)
        await tab.settle(quiet=0.05)
    return out


@contextlib.contextmanager
def profiled(pid: int, out: Path | None):
    """py-spy records process `pid` (raw collapsed stacks into `out`) while the block runs; nothing if `out` is None."""
    if out is None:
        yield
        return
    spy = Path(sys.executable).parent / "py-spy"
    process = subprocess.Popen(
        [
            str(spy),
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--rate",
            "50",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)  # py-spy attaches
        yield
    finally:
        process.send_signal(2)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)


def run_one(db: str, tab_counts: list[int], samples: int, profile: Path | None) -> dict:
    overrides = {}
    with contextlib.ExitStack() as stack:
        if db == "postgres":
            overrides["DATABASE_URL"] = stack.enter_context(fresh_postgres())
        app = stack.enter_context(backend(workers=1, **overrides))
        state = tasks_state()
        pids = worker_pids(app)
        idle_rss = _settled_rss(pids)
        cookies = signed_in_users(app, f"crowd-{db}", IDLE_USERS + 1, tasks=TASKS_PER_USER)
        active_cookie, idle_cookies = cookies[0], cookies[1:]
        load = os.getloadavg()[0]

        async def scenario() -> dict:
            active = await open_tasks_tab(app.url, active_cookie, state)
            tabs: list = []
            rows = []
            try:
                for count in [0, *tab_counts]:
                    started = time.perf_counter()
                    tabs += await _open_many(app.url, idle_cookies, state, count - len(tabs), len(tabs))
                    opened_s = time.perf_counter() - started
                    rss = await asyncio.to_thread(_settled_rss, pids)
                    with profiled(pids[0], profile / f"{db}-{count}.txt" if profile else None):
                        latency = await _active_samples(active, state, samples, f"{db}-{count}")
                    rows.append({"tabs": count, "rss": rss, "opened_s": opened_s, "latency": latency})
                    progress(
                        f"{db}: {count} idle tabs (opened in {opened_s:.1f} s), RSS {rss / 2**20:.0f} MiB, "
                        f"add-task p95 {latency['add-task'].p95:.0f} ms, trivial p95 {latency['trivial'].p95:.0f} ms"
                    )
                # The reconnect storm: all idle tabs gone (a restart), then all back at once.
                for tab in tabs:
                    await tab.close()
                count = len(tabs)
                tabs = []
                await asyncio.sleep(2)
                with profiled(pids[0], profile / f"{db}-reconnect.txt" if profile else None):
                    started = time.perf_counter()
                    tabs = await _open_many(app.url, idle_cookies, state, count, 0)
                    reconnect_s = time.perf_counter() - started
                progress(f"{db}: {count} tabs reconnected in {reconnect_s:.1f} s")
                return {"rows": rows, "reconnect": {"tabs": count, "seconds": reconnect_s}}
            except TimeoutError as exc:
                raise BenchError(f"crowds: {exc}") from exc
            finally:
                for tab in [active, *tabs]:
                    await tab.close()

        result = run_async(scenario())
        result.update(db=db, idle_rss=idle_rss, load_before=load, load_after=os.getloadavg()[0])
        return result


def summarise(result: dict, echo: dict | None) -> dict:
    rows = result["rows"]
    base = rows[0]["latency"]
    first, last = rows[1], rows[-1]
    per_tab = (last["rss"] - first["rss"]) / (last["tabs"] - first["tabs"]) if len(rows) > 2 else float("nan")
    out = {
        "db": result["db"],
        "load_average": [round(result["load_before"], 1), round(result["load_after"], 1)],
        "idle_worker_mib": round(result["idle_rss"] / 2**20, 1),
        "rows": [
            {
                "idle_tabs": r["tabs"],
                "opened_in_s": round(r["opened_s"], 1),
                "rss_mib": round(r["rss"] / 2**20, 1),
                **{
                    f"{kind}_{key}": value
                    for kind, lat in r["latency"].items()
                    for key, value in lat.as_json().items()
                    if key != "n"
                },
                "add_task_p95_x_none": round(r["latency"]["add-task"].p95 / base["add-task"].p95, 2),
                "trivial_p95_x_none": round(r["latency"]["trivial"].p95 / base["trivial"].p95, 2),
            }
            for r in rows
        ],
        "per_idle_tab_kb": round(per_tab / 1000, 1),
        "reconnect": {"tabs": result["reconnect"]["tabs"], "seconds": round(result["reconnect"]["seconds"], 1)},
    }
    if echo:
        erows = {r["tabs"]: r for r in echo["rows"]}
        counts = sorted(erows)
        if len(counts) >= 2:
            a, b = erows[counts[0]], erows[counts[-1]]
            out["echo_per_connection_kb"] = round((b["rss"] - a["rss"]) / (b["tabs"] - a["tabs"]) / 1000, 1)
    return out


def run(tab_counts=(100, 500, 1000), samples: int = 30, dbs=("sqlite", "postgres"), profile: Path | None = None):
    if profile:
        profile.mkdir(parents=True, exist_ok=True)
    results = [run_one(db, list(tab_counts), samples, profile) for db in dbs]
    progress("echo floor...")
    echo = echo_floor(tuple(tab_counts))
    return [summarise(r, echo) for r in results]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crowds", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tabs", default="100,500,1000")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args(argv)
    out = run([int(t) for t in args.tabs.split(",")], args.samples, args.db.split(","), args.profile)
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
