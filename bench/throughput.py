"""Events per second with 1, 2 and 4 workers on PostgreSQL + Redis, against one worker.

    python -m bench.throughput [--workers 1,2,4] [--users 16] [--seconds 20]

For each worker count: a fresh PostgreSQL database (CREATE, migrate, DROP afterwards), an
empty Redis database (flushed afterwards) and the production backend with that many Granian
workers. `--users` distinct users sign in over HTTP (real sessions), each opens /tasks in one
tab, and every tab adds tasks in a closed loop (send `TasksState.save`, wait until the new
row shows, send the next) for `--seconds`. Each add also makes the tab refresh once through
the live-update relay, as a browser tab does; that follow-up event is load too but is not
counted. Reported: completed add-task events per second, their p50/p95, and the ratio
against the first worker count (one), measured before and again after the others.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from bench.fanout import open_tasks_tab
from bench.reflex_client import var
from bench.support import (
    Latency,
    backend,
    empty_redis,
    fresh_postgres,
    progress,
    rss_bytes,
    signed_in_users,
    worker_pids,
)
from bench.tasks_roundtrip import BenchError, run_async, tasks_state


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) so far of each process still running."""
    import psutil

    out = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.NoSuchProcess:  # a PostgreSQL backend that ended meanwhile
            continue
        out[pid] = times.user + times.system
    return out


def _used(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(after[pid] - before[pid] for pid in before if pid in after)


def service_pids() -> list[int]:
    """PostgreSQL's and Redis's processes on this machine."""
    import psutil

    return [
        p.pid for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith(("postgres", "redis-server"))
    ]


def machine_busy_seconds() -> float:
    import psutil

    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


async def closed_loop(
    url: str, cookies: list[str], seconds: float, state: str, pids: list[int]
) -> tuple[float, Latency, dict]:
    tabs = [await open_tasks_tab(url, cookie, state) for cookie in cookies]
    latency = Latency()
    stop_at = 0.0

    async def loop(tab, n_tab: int) -> None:
        n = 0
        while time.perf_counter() < stop_at:
            n += 1
            title = f"Load {n_tab}-{n}"
            reply = await tab.call(
                f"{state}.save",
                {"form": {"title": title, "description": "", "priority": "medium", "category": "bug", "due_date": ""}},
                until=lambda d, title=title: any(row["title"] == title for row in var(d, state, "rows", [])),
                timeout=30,
            )
            latency.seconds.append(reply.seconds)

    import os

    me = [os.getpid()]
    services = service_pids()
    try:
        cpu_before = (cpu_seconds(pids), cpu_seconds(me), cpu_seconds(services), {0: machine_busy_seconds()})
        started = time.perf_counter()
        stop_at = started + seconds
        await asyncio.gather(*(loop(tab, i) for i, tab in enumerate(tabs)))
        elapsed = time.perf_counter() - started
        cpu_after = (cpu_seconds(pids), cpu_seconds(me), cpu_seconds(services), {0: machine_busy_seconds()})
    except TimeoutError as exc:
        raise BenchError(f"throughput: {exc}") from exc
    finally:
        for tab in tabs:
            await tab.close()
    # Cores kept busy on average: by the app's workers, this load client, PostgreSQL + Redis, the whole machine.
    busy = [_used(before, after) / elapsed for before, after in zip(cpu_before, cpu_after, strict=True)]
    return (
        len(latency.seconds) / elapsed,
        latency,
        dict(zip(("workers", "client", "databases", "machine"), busy, strict=True)),
    )


def run_one(workers: int, users: int, seconds: float, state: str) -> dict:
    with fresh_postgres() as database_url, empty_redis() as redis_url:
        with backend(workers=workers, DATABASE_URL=database_url, REDIS_URL=redis_url) as app:
            pids = worker_pids(app)
            idle = rss_bytes(pids) / len(pids)
            cookies = signed_in_users(app, f"load{workers}", users)
            rate, latency, cores = run_async(closed_loop(app.url, cookies, seconds, state, pids))
    return {"workers": workers, "events_per_s": rate, "latency": latency, "idle_rss_per_worker": idle, "cores": cores}


def run(worker_counts=(1, 2, 4), users: int = 16, seconds: float = 20) -> list[dict]:
    """One row per worker count, then the first count again (`again`: True).

    The reference is the mean of the first and the repeated run, so a machine that got
    busier or quieter during the run (it is shared) skews the ratios less.
    """
    state = tasks_state()
    rows = []
    for n, workers in enumerate((*worker_counts, worker_counts[0])):
        rows.append({**run_one(workers, users, seconds, state), "again": n == len(worker_counts)})
        progress(f"{workers} worker(s): {rows[-1]['events_per_s']:.1f} add-task/s")
    base = (rows[0]["events_per_s"] + rows[-1]["events_per_s"]) / 2
    for row in rows:
        row["vs_one"] = row["events_per_s"] / base
    return rows


def as_json(rows: list[dict]) -> list[dict]:
    return [
        {
            "workers": r["workers"],
            "again": r["again"],
            "events_per_s": round(r["events_per_s"], 1),
            "vs_one": round(r["vs_one"], 2),
            "idle_rss_per_worker_mib": round(r["idle_rss_per_worker"] / 2**20, 1),
            "cores_busy": {k: round(v, 2) for k, v in r["cores"].items()},
            **r["latency"].as_json(),
        }
        for r in rows
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args(argv)
    rows = run([int(w) for w in args.workers.split(",")], args.users, args.seconds)
    print(json.dumps(as_json(rows), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
