"""Reads a user can trigger, at 10 -> 1,000 -> 10,000 -> 100,000 tasks of their own.

    python -m bench.data_scale                         # SQLite and PostgreSQL, full sizes
    python -m bench.data_scale --sizes 10,1000 --samples 5 --sqlite-only

Each read is the service call the page makes (tasks.list_tasks with the view's query,
dashboard pieces), timed in-process on a fresh database per size, after a warm-up, the sizes
interleaved sample by sample; the reference is the same read at the smallest size, same run,
so the ratio says how the read grows with the user's data (1.0 = flat). The seeding is a bulk
load like an import, followed by what FluxKit runs after one (`db.gather_statistics`); no
autovacuum is waited for.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

from bench.support import fresh_postgres


def _reads() -> dict[str, Callable]:
    from fluxkit.services import dashboard, tasks
    from fluxkit.services.tasks import TaskQuery

    def listing(**query):
        return lambda db, user, clock: tasks.list_tasks(db, user, TaskQuery(**query), clock)

    return {
        "tasks: default view": listing(),
        "tasks: page 20": listing(page=20),
        "tasks: search (word)": listing(search="needle"),
        "tasks: search (2 letters)": listing(search="ne"),
        "tasks: sort by title": listing(sort="title", descending=False),
        "tasks: sort by due date": listing(sort="due"),
        "tasks: sort by status": listing(sort="status"),
        "tasks: sort by priority": listing(sort="priority"),
        "tasks: filter status": listing(status="completed"),
        "tasks: filter priority": listing(priority="high"),
        "tasks: filter category": listing(category="bug"),
        "dashboard: stat cards": lambda db, user, clock: dashboard.stats(db, user, clock),
        "dashboard: latest tasks": lambda db, user, clock: dashboard.recent_tasks(db, user),
        "dashboard: chart 90 days": lambda db, user, clock: dashboard.chart(db, user, 90, clock),
    }


@contextlib.contextmanager
def _database(kind: str) -> Iterator[str]:
    if kind == "postgresql":
        with fresh_postgres() as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="fluxkit-scale-") as folder:
        yield f"sqlite:///{Path(folder) / 'scale.db'}"


def _seed(db, user_id: int, count: int, now) -> None:
    """`count` tasks over the last 80 days: every 997th has "needle" in its title, statuses,
    priorities and due dates vary as a real list's do. Triggers run (counts, search index)."""
    from sqlalchemy import insert

    from fluxkit.db import gather_statistics
    from fluxkit.models import Task

    start = now - timedelta(days=80)
    statuses = ("pending", "in progress", "completed", "cancelled")
    priorities = ("low", "medium", "high")
    step = timedelta(days=80) / max(count, 1)
    batch = []
    for n in range(count):
        status = statuses[n % 4]
        created = start + step * n
        batch.append(
            {
                "user_id": user_id,
                "title": f"Task {n} {'needle' if n % 997 == 0 else 'hay'} item",
                "description": "Some words about the task, as people write them.",
                "status": status,
                "priority": priorities[n % 3],
                "category": ("feature", "bug", "documentation", "other")[n % 4],
                "due_date": (created + timedelta(days=n % 30)).date() if n % 2 else None,
                "created_at": created,
                "updated_at": created,
                "completed_at": created + timedelta(hours=5) if status == "completed" else None,
            }
        )
        if len(batch) == 10_000:
            db.exec(insert(Task), params=batch)
            batch = []
    if batch:
        db.exec(insert(Task), params=batch)
    db.commit()
    gather_statistics(db)  # what FluxKit runs after its own bulk imports and migration 0014
    db.commit()


def measure(kind: str, sizes: list[int], samples: int) -> dict[str, dict[int, tuple[float, float]]]:
    """{read: {size: (p50 ms, p95 ms)}}: one fresh database per size, all seeded first, then
    each read timed on every size in turn, sample after sample (interleaved: a busy moment of
    this shared machine falls on all sizes alike, not on whichever ran then)."""
    from sqlmodel import Session, SQLModel

    import fluxkit.models  # noqa: F401
    from fluxkit.clock import FrozenClock
    from fluxkit.db import engine_for
    from tests.support.factories import make_user

    reads = _reads()
    clock = FrozenClock()
    times: dict[str, dict[int, list[float]]] = {name: {size: [] for size in sizes} for name in reads}
    with contextlib.ExitStack() as stack:
        users: dict[int, tuple[Session, int]] = {}
        for size in sizes:
            engine = engine_for(stack.enter_context(_database(kind)))
            stack.callback(engine.dispose)
            SQLModel.metadata.create_all(engine)
            db = stack.enter_context(Session(engine, expire_on_commit=False))
            user = make_user(db, f"scale{size}@example.com", "Scale").id
            started = time.perf_counter()
            _seed(db, user, size, clock.now())
            print(f"  {kind} {size:>7} tasks seeded in {time.perf_counter() - started:.1f}s", file=sys.stderr)
            users[size] = (db, user)
        for name, read in reads.items():
            for db, user in users.values():
                read(db, user, clock)  # warm-up: caches, the first plan
            for _ in range(samples):
                for size, (db, user) in users.items():
                    t = time.perf_counter()
                    read(db, user, clock)
                    times[name][size].append((time.perf_counter() - t) * 1000)
                    db.rollback()
    out: dict[str, dict[int, tuple[float, float]]] = {}
    for name, by_size in times.items():
        out[name] = {}
        for size, values in by_size.items():
            values.sort()
            out[name][size] = (statistics.median(values), values[min(len(values) - 1, int(0.95 * len(values)))])
    return out


def table(kind: str, results: dict[str, dict[int, tuple[float, float]]], sizes: list[int]) -> str:
    head = "| read | " + " | ".join(f"{s:,} p50 ms" for s in sizes) + f" | ×{sizes[-1]:,} vs {sizes[0]:,} |"
    lines = [f"**{kind}**", "", head, "|---" * (len(sizes) + 2) + "|"]
    for name, by_size in results.items():
        cells = [f"{by_size[s][0]:.2f}" for s in sizes]
        ratio = by_size[sizes[-1]][0] / by_size[sizes[0]][0]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | ×{ratio:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,1000,10000,100000")
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    os.environ.setdefault("FLUXKIT_DATA_DIR", tempfile.mkdtemp(prefix="fluxkit-scale-data-"))
    for kind in ("sqlite",) if args.sqlite_only else ("sqlite", "postgresql"):
        print(table(kind, measure(kind, sizes, args.samples), sizes))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
