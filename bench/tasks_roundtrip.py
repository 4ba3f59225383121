"""Tasks page: per-event cost and delta size stay flat as a user's task count grows.

    python -m bench.tasks_roundtrip                      # 10 / 1,000 / 10,000 tasks, 20 samples each
    python -m bench.tasks_roundtrip --samples 50 --json  # machine-readable
    python -m bench.tasks_roundtrip --workers 2 --redis-url redis://127.0.0.1:6379/5

Starts the real production app (tests/support/live_server.py: `reflex run --env prod`, its
own temp SQLite database), and for each size: creates a user with `fluxkit create-user`,
bulk-inserts that many tasks straight into the server's database, signs in over HTTP for
the real session cookie, opens /tasks over Reflex's websocket like a browser tab
(bench/reflex_client.py) and times three events, interleaved, in the same run:

- add-task      `TasksState.save` with a new task (the dialog's submit)
- complete-task `TasksState.change_status(<that task>, "completed")` (the row menu)
- trivial       Reflex's `set_is_hydrated(True)`: one var, no FluxKit handler, no database (the reference)

Round-trip is from sending the event to receiving the update that shows its effect; delta
bytes are the websocket frames of the updates carrying state deltas up to that point. The
tab's own live refresh that follows a change is left to settle between samples and is not
counted. Timing is printed, not asserted; the run fails only when something does not work
(an event without the expected effect, a server that does not start).
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import statistics
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import httpx

from bench.reflex_client import ReflexTab, Reply, var
from fluxkit.services.tasks import CATEGORIES

SIZES = (10, 1_000, 10_000)
# Reflex's own "is hydrated" flip (it sends it after every page's on_load chain): one var.
TRIVIAL_EVENT = "reflex___state____state.reflex___state____on_load_internal_state.set_is_hydrated"
SAMPLES = 20
KINDS = ("trivial", "add-task", "complete-task")
PASSWORD = "bench-passphrase-2026"
_STATUSES = ("pending", "pending", "in progress", "completed", "cancelled")
_PRIORITIES = ("low", "medium", "high")
_CATEGORIES = tuple(CATEGORIES)  # the product's own: every seeded row is one it accepts


class BenchError(RuntimeError):
    """Something did not work (as opposed to being slow)."""


@dataclass
class Series:
    size: int
    kind: str
    seconds: list[float] = field(default_factory=list)
    delta_bytes: list[int] = field(default_factory=list)

    def add(self, reply: Reply) -> None:
        self.seconds.append(reply.seconds)
        self.delta_bytes.append(reply.delta_bytes)

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        return self._percentile_ms(0.95)

    @property
    def p99_ms(self) -> float:
        return self._percentile_ms(0.99)

    def _percentile_ms(self, q: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    @property
    def bytes_p50(self) -> int:
        return int(statistics.median(self.delta_bytes))


@dataclass
class SizeResult:
    size: int
    series: dict[str, Series]
    # What the events did, for the smoke test to check: the titles of added tasks as the
    # first row of their reply, and the stat cards before / after each completion.
    added_first_rows: list[str] = field(default_factory=list)
    added_titles: list[str] = field(default_factory=list)
    stats_around_complete: list[tuple[dict, dict]] = field(default_factory=list)

    def ratio(self, kind: str) -> tuple[float, float]:
        """(time, bytes) of `kind` at p50 over the trivial event's."""
        ref, this = self.series["trivial"], self.series[kind]
        return this.p50_ms / ref.p50_ms, this.bytes_p50 / ref.bytes_p50


@dataclass
class Report:
    samples: int
    workers: int | None  # None: Reflex's default (1 without Redis, 2 x cores + 1 with)
    redis: bool
    results: list[SizeResult] = field(default_factory=list)

    def by_size(self, size: int) -> SizeResult:
        return next(result for result in self.results if result.size == size)

    def as_json(self) -> dict:
        rows = []
        for result in self.results:
            for kind in KINDS:
                series = result.series[kind]
                time_ratio, bytes_ratio = result.ratio(kind)
                rows.append(
                    {
                        "tasks": result.size,
                        "event": kind,
                        "p50_ms": round(series.p50_ms, 2),
                        "p95_ms": round(series.p95_ms, 2),
                        "p99_ms": round(series.p99_ms, 2),
                        "delta_bytes_p50": series.bytes_p50,
                        "delta_bytes_max": max(series.delta_bytes),
                        "time_vs_trivial": round(time_ratio, 2),
                        "bytes_vs_trivial": round(bytes_ratio, 2),
                        "samples_ms": [round(s * 1000, 3) for s in series.seconds],
                    }
                )
        return {"samples": self.samples, "workers": self.workers, "redis": self.redis, "rows": rows}

    def table(self) -> str:
        lines = [
            f"tasks page round trip: {self.samples} samples per event, "
            f"{f'{self.workers} worker(s)' if self.workers else 'default workers'}, "
            f"state in {'Redis' if self.redis else 'memory'}",
            "",
            f"{'tasks':>7}  {'event':<14} {'p50 ms':>8} {'p95 ms':>8} {'delta B':>8} {'x trivial ms':>13} "
            f"{'x trivial B':>12}",
        ]
        for result in self.results:
            for kind in KINDS:
                series = result.series[kind]
                time_ratio, bytes_ratio = result.ratio(kind)
                lines.append(
                    f"{result.size:>7,}  {kind:<14} {series.p50_ms:>8.1f} {series.p95_ms:>8.1f} "
                    f"{series.bytes_p50:>8,} {time_ratio:>13.2f} {bytes_ratio:>12.2f}"
                )
        if len(self.results) > 1:
            small, large = self.results[0], self.results[-1]
            lines += ["", f"{large.size:,} tasks against {small.size:,} (p50):"]
            for kind in KINDS:
                a, b = small.series[kind], large.series[kind]
                lines.append(
                    f"  {kind:<14} time x{b.p50_ms / a.p50_ms:.2f}   delta bytes x{b.bytes_p50 / a.bytes_p50:.2f}"
                )
        return "\n".join(lines)


# ---- set-up: user, tasks, session -----------------------------------------------------------


def create_user(app, email: str) -> int:
    """`fluxkit create-user` against the server's database; returns the new user's id."""
    from sqlmodel import Session, select

    from fluxkit.db import engine_for
    from fluxkit.models import User

    app.cli("create-user", "--email", email, "--name", "Bench", "--password-stdin", stdin=PASSWORD + "\n")
    with Session(engine_for(app.env["DATABASE_URL"])) as db:
        return db.exec(select(User.id).where(User.email == email)).one()


def seed_tasks(database_url: str, user_id: int, count: int) -> None:
    """`count` tasks of every status, priority and category, created over the past months.

    One bulk INSERT per table straight into the server's database (10,000 tasks take well
    under a second); each task also gets its creation event, as the service would write.
    """
    from sqlalchemy import insert, select

    from fluxkit.db import engine_for
    from fluxkit.models import Task, TaskEvent

    now = datetime.now(UTC)
    today = date.today()
    tasks = []
    for n in range(count):
        created = now - timedelta(minutes=10 * (count - n) + 5)
        status = _STATUSES[n % len(_STATUSES)]
        tasks.append(
            {
                "user_id": user_id,
                "title": f"Seeded task {n + 1}",
                "description": "Seeded for the benchmark." if n % 3 == 0 else "",
                "status": status,
                "priority": _PRIORITIES[n % len(_PRIORITIES)],
                "category": _CATEGORIES[n % len(_CATEGORIES)],
                "due_date": today + timedelta(days=(n % 60) - 20) if n % 2 else None,
                "created_at": created,
                "updated_at": created,
                "completed_at": created if status == "completed" else None,
            }
        )
    engine = engine_for(database_url)
    with engine.begin() as connection:
        connection.execute(insert(Task), tasks)
        rows = connection.execute(select(Task.id, Task.status, Task.created_at).where(Task.user_id == user_id)).all()
        connection.execute(
            insert(TaskEvent),
            [{"task_id": i, "actor_id": user_id, "from_status": None, "to_status": s, "at": at} for i, s, at in rows],
        )


def sign_in(base_url: str, email: str, password: str = PASSWORD, forwarded_for: str | None = None) -> str:
    """The Cookie header a browser would send after signing in.

    `forwarded_for`: the X-Forwarded-For address to sign in from; a server started with
    FLUXKIT_TRUSTED_PROXY_HOPS=1 counts sign-ins per that address (5 per 15 minutes).
    """
    headers = {"Origin": base_url}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    response = httpx.post(
        f"{base_url}/api/auth/sign-in/email", json={"email": email, "password": password}, headers=headers, timeout=30
    )
    if response.status_code != 200 or not response.cookies:
        raise BenchError(f"sign-in failed: {response.status_code} {response.text[:200]}")
    return "; ".join(f"{name}={value}" for name, value in response.cookies.items())


# ---- the measurements -----------------------------------------------------------------------


def tasks_state() -> str:
    """TasksState's full name (event names and delta keys start with it).

    Import Reflex states in the main thread, before `run_async`: Reflex registers state
    classes in a context variable, which a thread started later does not see.
    """
    from fluxkit.state.tasks.page import TasksState

    return TasksState.get_full_name()


async def measure_size(base_url: str, cookie: str, size: int, samples: int, state: str) -> SizeResult:
    result = SizeResult(size, {kind: Series(size, kind) for kind in KINDS})
    tab = ReflexTab(base_url, cookie, "/tasks")
    await tab.connect()
    try:
        opened = await tab.open_page(until=lambda d: var(d, state, "loaded", False) is True)
        total = var(opened.delta(), state, "total")
        if total != size:
            raise BenchError(f"/tasks shows {total} tasks, expected {size}")
        for n in range(samples):
            # The reference: an event that touches nothing of FluxKit's (no handler of ours, no
            # database in it): Reflex's own flip of one var, as a bare app's counter is. Only
            # the session gate, which runs before every event, still looks the session up.
            reply = await tab.call(TRIVIAL_EVENT, {"value": True})
            result.series["trivial"].add(reply)
            await tab.settle()

            # Add a task: the reply carries the page with the new task on top.
            title = f"Bench task {size}-{n + 1}"
            reply = await tab.call(
                f"{state}.save",
                {
                    "form": {
                        "title": title,
                        "description": "",
                        "priority": "high",
                        "category": "feature",
                        "due_date": "",
                    }
                },
                until=lambda d, title=title: any(row["title"] == title for row in var(d, state, "rows", [])),
            )
            rows = var(reply.delta(), state, "rows")
            result.series["add-task"].add(reply)
            result.added_titles.append(title)
            result.added_first_rows.append(rows[0]["title"])
            task_id = next(row["id"] for row in rows if row["title"] == title)
            await tab.settle()

            # Complete it: the reply carries the changed row and stat cards.
            before = var(reply.delta(), state, "stats", None)
            reply = await tab.call(
                f"{state}.change_status",
                {"task_id": task_id, "status": "completed"},
                until=lambda d, task_id=task_id: (
                    var(d, state, "stats", None) is not None
                    and any(row["id"] == task_id and row["status"] == "completed" for row in var(d, state, "rows", []))
                ),
            )
            result.series["complete-task"].add(reply)
            result.stats_around_complete.append((before, var(reply.delta(), state, "stats")))
            await tab.settle()
    except TimeoutError as exc:
        raise BenchError(f"{size} tasks: {exc}") from exc
    finally:
        await tab.close()
    return result


def run(
    sizes: Iterable[int] = SIZES,
    samples: int = SAMPLES,
    *,
    workers: int | None = None,
    redis_url: str | None = None,
    app=None,
    progress=None,
) -> Report:
    """Measure every size against `app` (a running LiveApp) or a server started for the run."""
    from tests.support.live_server import live_app

    if app is None:
        # As if behind one proxy, so each size's sign-in has its own rate-limit budget.
        overrides = {"FLUXKIT_TRUSTED_PROXY_HOPS": "1"}
        if redis_url:
            overrides["REDIS_URL"] = redis_url
        with live_app(workers=workers, **overrides) as started:
            return run(sizes, samples, workers=workers, redis_url=redis_url, app=started, progress=progress)
    report = Report(samples=samples, workers=workers, redis=bool(redis_url or app.env.get("REDIS_URL")))
    stamp = int(time.time() * 1000)
    for size in sizes:
        started = time.perf_counter()
        email = f"bench-{size}-{stamp}@example.com"
        user_id = create_user(app, email)
        seed_tasks(app.env["DATABASE_URL"], user_id, size)
        cookie = sign_in(app.url, email, forwarded_for=f"198.51.100.{len(report.results) + 1}")
        report.results.append(run_async(measure_size(app.url, cookie, size, samples, tasks_state())))
        if progress:
            progress(f"{size:,} tasks: done in {time.perf_counter() - started:.1f} s")
    return report


def run_async(coroutine):
    """asyncio.run in a thread of its own: works even when the caller has a running loop.

    The thread runs in a copy of the caller's context, where Reflex keeps its registry of
    state classes.
    """
    outcome: dict = {}
    context = contextvars.copy_context()

    def target() -> None:
        try:
            outcome["value"] = context.run(asyncio.run, coroutine)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="bench-websocket")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tasks_roundtrip", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="task counts, comma-separated (default %(default)s)"
    )
    parser.add_argument("--samples", type=int, default=SAMPLES, help="samples per event and size (default %(default)s)")
    parser.add_argument("--workers", type=int, default=None, help="backend workers (several need --redis-url)")
    parser.add_argument(
        "--redis-url", default=None, help="run with REDIS_URL set (Reflex state, live updates in Redis)"
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = parser.parse_args(argv)
    try:
        sizes = [int(part.replace("_", "")) for part in args.sizes.split(",") if part.strip()]
    except ValueError:
        parser.error("--sizes takes whole numbers, e.g. 10,1000,10000")
    if not sizes or min(sizes) < 1 or args.samples < 1:
        parser.error("sizes and --samples must be at least 1")
    if args.workers and args.workers > 1 and not args.redis_url:
        parser.error("several workers need --redis-url (each worker would keep its own state otherwise)")

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    progress("starting the production app (the frontend build takes a few minutes)...")
    try:
        report = run(sizes, args.samples, workers=args.workers, redis_url=args.redis_url, progress=progress)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report.as_json(), indent=2) if args.json else report.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
