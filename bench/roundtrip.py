"""Event round trip p50/p95/p99 for add-task and complete-task at 10 / 1,000 / 10,000 tasks,
against a trivial Reflex event and a bare socket.io echo, in the same run.

    python -m bench.roundtrip [--sizes 10,1000,10000] [--samples 100]

The app events come from bench/tasks_roundtrip.py (one signed-in tab on /tasks per size)
against the production backend (one Granian worker, SQLite); the echo from bench/echo.py,
measured by the same client right after.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from bench import echo, tasks_roundtrip
from bench.support import Latency, backend, progress


def service_floor(app, size: int, samples: int) -> dict:
    """What add-task costs below Reflex: the tasks service on the server's database, in this process.

    For a user with `size` tasks: `create_task` + COMMIT (the write), then `list_tasks` +
    `stats` (what the page re-reads after it), each timed `samples` times.
    """
    from sqlmodel import Session

    from fluxkit.db import engine_for
    from fluxkit.services import tasks

    email = f"floor-{size}-{time.time_ns()}@example.com"
    user_id = tasks_roundtrip.create_user(app, email)
    tasks_roundtrip.seed_tasks(app.env["DATABASE_URL"], user_id, size)
    engine = engine_for(app.env["DATABASE_URL"])
    write, read = Latency(), Latency()
    try:
        for n in range(samples):
            with Session(engine) as db:
                started = time.perf_counter()
                tasks.create_task(db, user_id, {"title": f"Floor {n}", "priority": "high", "category": "feature"})
                db.commit()
                middle = time.perf_counter()
                page = tasks.list_tasks(db, user_id, tasks.TaskQuery())
                tasks.stats(db, user_id)
                write.seconds.append(middle - started)
                read.seconds.append(time.perf_counter() - middle)
            if page.rows[0].title != f"Floor {n}":
                raise tasks_roundtrip.BenchError("the service floor's new task is not on top of the page")
    finally:
        engine.dispose()
    return {"size": size, "write": write, "read": read}


def run(sizes=tasks_roundtrip.SIZES, samples: int = 100, app=None) -> dict:
    if app is None:
        with backend(workers=1) as started:
            return run(sizes, samples, started)
    report = tasks_roundtrip.run(sizes, samples, app=app, progress=progress)
    floor = service_floor(app, max(sizes), min(samples, 50))
    echoed = echo.run(max(samples, 50))
    return {"report": report, "echo": echoed, "service": floor}


def as_json(result: dict) -> dict:
    echo_latency = result["echo"]["latency"]
    service = result["service"]
    return {
        **result["report"].as_json(),
        "echo": {**echo_latency.as_json(), "mismatches": result["echo"]["mismatches"]},
        "service": {"tasks": service["size"], "write": service["write"].as_json(), "read": service["read"].as_json()},
    }


def table(result: dict) -> str:
    report, echo_latency = result["report"], result["echo"]["latency"]
    lines = [
        f"{'tasks':>7}  {'event':<14} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'delta B':>8} {'x trivial':>10} "
        f"{'x echo':>8}",
    ]
    for size_result in report.results:
        for kind in tasks_roundtrip.KINDS:
            s = size_result.series[kind]
            lines.append(
                f"{size_result.size:>7,}  {kind:<14} {s.p50_ms:>7.1f} {s.p95_ms:>7.1f} {s.p99_ms:>7.1f} "
                f"{s.bytes_p50:>8,} "
                f"{size_result.ratio(kind)[0]:>10.2f} {s.p50_ms / echo_latency.p50:>8.1f}"
            )
    lines.append(
        f"{'':>7}  {'socket.io echo':<14} {echo_latency.p50:>7.2f} {echo_latency.p95:>7.2f} {echo_latency.p99:>7.2f} "
        f"{'':>8} {'':>10} {1:>8.1f}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.roundtrip", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,1000,10000")
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run([int(s) for s in args.sizes.split(",")], args.samples)
    print(json.dumps(as_json(result), indent=2) if args.json else table(result))
    return 1 if result["echo"]["mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
