"""/api/health and another user's events while a 5,000-row CSV import runs on the same worker.

    python -m bench.import_health                 # 5,000 rows, one worker (SQLite)
    python -m bench.import_health --rows 1000 --json

Starts the production backend (one worker, `bench/support.py`), signs in an importer and an
observer over HTTP, opens /tasks for each over Reflex's websocket (`bench/reflex_client.py`)
and measures, first alone for `--seconds`, then from the upload until the import's result
reaches the importer's tab:

- health    GET /api/health (database check included), one request every 20 ms;
- others    the observer's trivial event `TasksState.toggle_column` in a closed loop.

The file goes to `POST /_upload` exactly as the import dialog sends it (the tab's token and
`TasksState.import_file` in the headers, the file as multipart). Reported: p50 / p95 / max of
both, alone and during, and how long the import took. Issue #15 measured 11,051 ms for
/api/health during such an import when it ran on the event loop; the goal is p95 < 100 ms.
Times are printed, not asserted; the run fails if the import does not create every row.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import httpx

from bench.fanout import open_tasks_tab
from bench.reflex_client import var
from bench.signin import observe
from bench.support import Latency, backend, progress, signed_in_users
from bench.tasks_roundtrip import BenchError, run_async, tasks_state

ROWS = 5_000
HEALTH_EVERY = 0.02


def csv_file(rows: int) -> bytes:
    lines = ["title,description,status,priority,category,due_date"]
    lines += [f"Imported task {n},from the bench,pending,medium,feature,2027-01-{n % 28 + 1:02d}" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


async def health(url: str, stop: asyncio.Event) -> Latency:
    latency = Latency()
    async with httpx.AsyncClient(timeout=60) as http:
        while not stop.is_set():
            started = time.perf_counter()
            response = await http.get(f"{url}/api/health")
            latency.seconds.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise BenchError(f"/api/health answered {response.status_code}: {response.text[:200]}")
            await asyncio.sleep(HEALTH_EVERY)
    return latency


async def until_stopped(coroutine_factory, stop: asyncio.Event) -> Latency:
    """Run `observe` in short rounds until `stop` is set; all samples together."""
    latency = Latency()
    while not stop.is_set():
        latency.seconds += (await coroutine_factory()).seconds
    return latency


async def upload(url: str, cookie: str, token: str, handler: str, data: bytes) -> int:
    async with httpx.AsyncClient(timeout=300) as http:
        response = await http.post(
            f"{url}/_upload",
            headers={"Reflex-Client-Token": token, "Reflex-Event-Handler": handler, "Cookie": cookie, "Origin": url},
            files={"files": ("tasks.csv", data, "text/csv")},
        )
    return response.status_code


def run(rows: int = ROWS, seconds: float = 5, app=None) -> dict:
    if app is None:
        with backend(workers=1) as started:
            return run(rows, seconds, started)
    state = tasks_state()
    importer_cookie, observer_cookie = signed_in_users(app, "import", 2)
    data = csv_file(rows)

    async def scenario() -> dict:
        importer = await open_tasks_tab(app.url, importer_cookie, state)
        observer = await open_tasks_tab(app.url, observer_cookie, state)
        try:
            stop = asyncio.Event()
            probes = asyncio.gather(health(app.url, stop), until_stopped(lambda: observe([observer], state, 1.0), stop))
            await asyncio.sleep(seconds)
            stop.set()
            health_alone, others_alone = await probes

            stop = asyncio.Event()
            probes = asyncio.gather(health(app.url, stop), until_stopped(lambda: observe([observer], state, 0.5), stop))
            started = time.perf_counter()
            status = await upload(app.url, importer_cookie, importer.token, f"{state}.import_file", data)
            reply = await importer.wait_update(
                until=lambda d: var(d, state, "import_done", False) or var(d, state, "import_error", ""),
                timeout=600,
            )
            took = time.perf_counter() - started
            stop.set()
            health_during, others_during = await probes
            delta = reply.delta()
            created = var(delta, state, "import_created", 0)
            if created != rows:
                raise BenchError(
                    f"the import created {created} of {rows} rows (upload {status}): "
                    f"{var(delta, state, 'import_error', '')}"
                )
        finally:
            await importer.close()
            await observer.close()
        return {
            "rows": rows,
            "import_seconds": took,
            "health_alone": health_alone,
            "health_during": health_during,
            "others_alone": others_alone,
            "others_during": others_during,
        }

    return run_async(scenario())


def _figures(latency: Latency) -> dict:
    return {**latency.as_json(), "max_ms": round(max(latency.seconds) * 1000, 2) if latency.seconds else None}


def as_json(result: dict) -> dict:
    return {
        "rows": result["rows"],
        "import_seconds": round(result["import_seconds"], 2),
        **{key: _figures(result[key]) for key in ("health_alone", "health_during", "others_alone", "others_during")},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.import_health", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--seconds", type=float, default=5, help="length of the reference phase")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    progress("starting the backend...")
    result = as_json(run(args.rows, args.seconds))
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"CSV import of {result['rows']:,} rows on one worker: {result['import_seconds']} s\n")
    print(f"  {'':22}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for key, label in (
        ("health_alone", "/api/health alone"),
        ("health_during", "/api/health during"),
        ("others_alone", "other user alone"),
        ("others_during", "other user during"),
    ):
        row = result[key]
        print(f"  {label:22}{row['n']:>6}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['max_ms']:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
