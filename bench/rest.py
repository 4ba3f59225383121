"""REST against a bare FastAPI endpoint answering the same JSON, same server stack, same run.

    python -m bench.rest [--db sqlite,postgres] [--seconds 8] [--rounds 2] [--clients 20] [--profile DIR]

FluxKit's production backend (Granian, one worker; SQLite, or a fresh PostgreSQL database)
and bench/rest_bare.py (Granian, one worker: a plain FastAPI route returning the same JSON,
nothing else) run side by side. One user with 60 tasks calls with an API key
(`Authorization: Bearer`, as a REST client does). `--clients` keep-alive connections (a
minimal HTTP/1.1 client, so the client's own cost stays small) send requests in a closed loop
for `--seconds`, for each of, interleaved and repeated `--rounds` times:
- `GET /api/v1/tasks?page_size=50` (a page of 50 tasks; the bare app answers that body);
- `POST /api/v1/tasks` with a new task (the bare app parses the body and answers the task).

Reported: requests/s, p50 / p95 / p99, and FluxKit's requests/s against the bare endpoint's
(targets: GET >= 0.6x, POST >= 0.7x). The rate limit is raised for the run
(FLUXKIT_API_RATE_LIMIT), as a deployment expecting this load sets it. `--profile DIR`:
py-spy records FluxKit's worker during its rounds (DIR/<db>-<get|post>.txt, collapsed stacks).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from bench.crowds import profiled as _profiled
from bench.support import Latency, backend, fresh_postgres, progress, signed_in_users, stop_process, worker_pids
from bench.tasks_roundtrip import BenchError, run_async
from tests.support.live_server import ROOT, free_port

TASKS = 60
PAGE = 50
NEW_TASK = {"title": "From the API", "description": "Load test.", "priority": "high", "category": "bug"}


def _request(method: str, host: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items())]
    if body or method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _client(url: str, request: bytes, expect: int, stop_at: float, latency: Latency) -> int:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    done = 0
    try:
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            if status != expect:
                raise BenchError(f"{url}: answered {status}, expected {expect}")
            latency.seconds.append(time.perf_counter() - started)
            done += 1
    finally:
        writer.close()
    return done


async def _load(url: str, request: bytes, expect: int, clients: int, seconds: float) -> tuple[float, Latency]:
    latency = Latency()
    started = time.perf_counter()
    counts = await asyncio.gather(*(_client(url, request, expect, started + seconds, latency) for _ in range(clients)))
    return sum(counts) / (time.perf_counter() - started), latency


@contextlib.contextmanager
def bare_app(page: dict, task: dict):
    """bench/rest_bare.py under Granian (one worker) on a free port; yields its URL."""
    folder = Path(tempfile.mkdtemp(prefix="fluxkit-rest-bare-"))
    (folder / "page.json").write_text(json.dumps(page))
    (folder / "task.json").write_text(json.dumps(task))
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FLUXKIT_BARE_LIST": str(folder / "page.json"),
        "FLUXKIT_BARE_TASK": str(folder / "task.json"),
    }
    log = open(folder / "log", "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--log-level", "warning", "bench.rest_bare:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"the bare app did not start:\n{(folder / 'log').read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/api/v1/tasks", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        yield url
    finally:
        stop_process(process)
        log.close()


def _api_key(app, prefix: str) -> str:
    """A user with TASKS tasks, signed in over HTTP, creates an API key through the API."""
    (cookie,) = signed_in_users(app, prefix, 1, tasks=TASKS)
    response = httpx.post(
        f"{app.url}/api/v1/api-keys",
        json={"name": "bench"},
        headers={"Cookie": cookie, "Origin": app.url},
        timeout=30,
    )
    if response.status_code != 201:
        raise BenchError(f"could not create an API key: {response.status_code} {response.text[:200]}")
    return response.json()["key"]


def run_one(db: str, seconds: float, rounds: int, clients: int, profile: Path | None) -> dict:
    overrides = {"FLUXKIT_API_RATE_LIMIT": "100000000/minute"}
    with contextlib.ExitStack() as stack:
        if db == "postgres":
            overrides["DATABASE_URL"] = stack.enter_context(fresh_postgres())
        app = stack.enter_context(backend(workers=1, **overrides))
        key = _api_key(app, f"rest-{db}")
        auth = {"Authorization": f"Bearer {key}"}
        listing = httpx.get(f"{app.url}/api/v1/tasks", params={"page_size": PAGE}, headers=auth, timeout=30)
        created = httpx.post(f"{app.url}/api/v1/tasks", json=NEW_TASK, headers=auth, timeout=30)
        if listing.status_code != 200 or len(listing.json()["items"]) != PAGE or created.status_code != 201:
            raise BenchError(f"the API did not answer as expected: {listing.status_code} {created.status_code}")
        bare = stack.enter_context(bare_app(listing.json(), created.json()))
        pid = worker_pids(app)[0]
        host = urlsplit(app.url).netloc
        body = json.dumps(NEW_TASK).encode()
        kinds = {
            "GET": (f"/api/v1/tasks?page_size={PAGE}", b"", 200),
            "POST": ("/api/v1/tasks", body, 201),
        }
        series: dict[tuple[str, str], list[tuple[float, Latency]]] = {}
        load = [os.getloadavg()[0]]
        for n in range(rounds):
            for method, (path, payload, expect) in kinds.items():
                for who, url, headers in (("bare", bare, {}), ("fluxkit", app.url, auth)):
                    request = _request(method, host, path, headers, payload)
                    out = profile / f"{db}-{method.lower()}.txt" if profile and who == "fluxkit" and n == 0 else None
                    with _profiled(pid, out):
                        rate, latency = run_async(_load(url, request, expect, clients, seconds))
                    series.setdefault((method, who), []).append((rate, latency))
                    progress(f"{db} {method} {who}: {rate:.0f} req/s, p95 {latency.p95:.0f} ms")
        load.append(os.getloadavg()[0])
    rows = []
    for method in kinds:
        both = {}
        for who in ("bare", "fluxkit"):
            runs = series[(method, who)]
            merged = Latency([s for _, lat in runs for s in lat.seconds])
            both[who] = {"req_per_s": sum(r for r, _ in runs) / len(runs), **merged.as_json()}
        rows.append(
            {
                "request": f"{method} /api/v1/tasks",
                "bare": both["bare"],
                "fluxkit": both["fluxkit"],
                "ratio": both["fluxkit"]["req_per_s"] / both["bare"]["req_per_s"],
            }
        )
    return {"db": db, "load_average": load, "rows": rows, "list_bytes": len(listing.content)}


def run(dbs=("sqlite", "postgres"), seconds: float = 8, rounds: int = 2, clients: int = 20, profile=None) -> list:
    if profile:
        profile.mkdir(parents=True, exist_ok=True)
    return [run_one(db, seconds, rounds, clients, profile) for db in dbs]


def as_json(results: list[dict]) -> list[dict]:
    def rounded(d: dict) -> dict:
        return {k: round(v, 2) if isinstance(v, float) else v for k, v in d.items()}

    return [
        {
            "db": r["db"],
            "load_average": [round(x, 1) for x in r["load_average"]],
            "list_bytes": r["list_bytes"],
            "rows": [
                {
                    "request": row["request"],
                    "bare": rounded(row["bare"]),
                    "fluxkit": rounded(row["fluxkit"]),
                    "ratio": round(row["ratio"], 2),
                }
                for row in r["rows"]
            ],  # fmt: skip
        }
        for r in results
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args(argv)
    print(json.dumps(as_json(run(args.db.split(","), args.seconds, args.rounds, args.clients, args.profile)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
