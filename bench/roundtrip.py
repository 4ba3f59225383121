"""Event round trip p50/p95/p99 for add-task and complete-task at 10 / 1,000 / 10,000 tasks,
against a trivial Reflex event and a bare socket.io echo, and beside the bare Reflex app,
in the same run.

    python -m bench.roundtrip [--sizes 10,1000,10000] [--samples 100] [--bare-samples 100]
                              [--write BENCHMARKS.md]

The app events come from bench/tasks_roundtrip.py (one signed-in tab on /tasks per size)
against the production backend (one Granian worker, SQLite); the echo from bench/echo.py,
measured by the same client right after. The issue's targets are measured beside the bare
Reflex app (bench/roundtrip_bare.py, interleaved, at the largest size): a FluxKit event that
touches no database against the bare counter, add-task against a bare event with a delta of
the same size. `--write` replaces the section between BENCHMARKS.md's bench.roundtrip markers.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench import echo, roundtrip_bare, tasks_roundtrip
from bench.support import Latency, backend, progress

MARK_START = "<!-- bench.roundtrip: start -->"
MARK_END = "<!-- bench.roundtrip: end -->"
NODB_TARGET, ADD_TASK_TARGET = 1.3, 2.5


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


def run(sizes=tasks_roundtrip.SIZES, samples: int = 100, app=None, bare_samples: int | None = None) -> dict:
    """`bare_samples`: samples beside the bare app (default `samples`; 0 skips it)."""
    if app is None:
        with backend(workers=1) as started:
            return run(sizes, samples, started, bare_samples)
    bare_samples = samples if bare_samples is None else bare_samples
    bare = None
    if bare_samples:
        with roundtrip_bare.bare_backend() as bare_url:
            progress("beside the bare app...")
            bare = roundtrip_bare.run(app, bare_url, max(sizes), bare_samples)
    report = tasks_roundtrip.run(sizes, samples, app=app, progress=progress)
    floor = service_floor(app, max(sizes), min(samples, 50))
    echoed = echo.run(max(samples, 50))
    return {"report": report, "echo": echoed, "service": floor, "bare": bare}


def as_json(result: dict) -> dict:
    echo_latency = result["echo"]["latency"]
    service = result["service"]
    return {
        **result["report"].as_json(),
        "echo": {**echo_latency.as_json(), "mismatches": result["echo"]["mismatches"]},
        "service": {"tasks": service["size"], "write": service["write"].as_json(), "read": service["read"].as_json()},
        "bare": result["bare"].as_json() if result.get("bare") else None,
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
    if result.get("bare"):
        lines += [
            "",
            f"beside the bare Reflex app ({result['bare'].size:,} tasks):",
            roundtrip_bare.table(result["bare"]),
        ]
    return "\n".join(lines)


def section(result: dict, command: str) -> str:
    """The Markdown of BENCHMARKS.md's event round trip section."""
    report, echo_latency, service = result["report"], result["echo"]["latency"], result["service"]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} (`{command}`), load average at the end {load} "
        "(the shared 2-core machine).",
        "",
    ]
    bare = result.get("bare")
    if bare:
        b = bare.sides
        lines += [
            f"Beside the bare Reflex 0.10.1 app (bench/bare), production backends, one worker each, interleaved "
            f"sample by sample, {bare.samples} samples after a warm-up; a user with {bare.size:,} tasks. "
            "The no-database event is a real FluxKit click behind the session gate (ticking a task's checkbox, "
            "`TasksState.toggle_select`); the bare event with the same-sized delta fills "
            f"{bare.bare_rows} rows of the bare table.",
            "",
            "| Event | p50 ms | p95 ms | p99 ms | Delta bytes |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, side in b.items():
            lat = side.latency
            lines.append(f"| {name} | {lat.p50:.2f} | {lat.p95:.2f} | {lat.p99:.2f} | {side.bytes_p50:,} |")
        lines += ["", "| Target | Result | Ratio (p50) |", "|---|---|---:|"]
        for label, ratio, limit in (
            (
                "FluxKit event touching no database ≤ 1.3× the bare counter",
                bare.ratio(roundtrip_bare.NODB, roundtrip_bare.COUNTER),
                NODB_TARGET,
            ),
            (
                "add-task ≤ 2.5× the bare event with the same-sized delta",
                bare.ratio(roundtrip_bare.ADD, roundtrip_bare.SAME_DELTA),
                ADD_TASK_TARGET,
            ),
        ):
            verdict = "met" if ratio <= limit else f"MISSED ({ratio / limit:.2f}× over)"
            lines.append(f"| {label} | {verdict} | {ratio:.2f} |")
        lines.append("")
    lines += [
        f"One signed-in tab on /tasks per size, one worker, SQLite; {report.samples} samples per event, interleaved. "
        "Round trip: from sending the event to the update that shows its effect. "
        "Delta: websocket bytes of the updates carrying state. "
        "Trivial: Reflex's own `set_is_hydrated` (no FluxKit handler). "
        "Echo: a bare python-socketio app on Granian, same client code.",
        "",
        "| Tasks | Event | p50 ms | p95 ms | p99 ms | Delta bytes | × trivial (p50) | × echo (p50) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size_result in report.results:
        for kind in tasks_roundtrip.KINDS:
            s = size_result.series[kind]
            lines.append(
                f"| {size_result.size:,} | {kind} | {s.p50_ms:.1f} | {s.p95_ms:.1f} | {s.p99_ms:.1f} "
                f"| {s.bytes_p50:,} | {size_result.ratio(kind)[0]:.2f} | {s.p50_ms / echo_latency.p50:.0f} |"
            )
    lines.append(
        f"| – | socket.io echo | {echo_latency.p50:.2f} | {echo_latency.p95:.2f} | {echo_latency.p99:.2f} | – | – | 1 |"
    )
    lines += [
        "",
        f"Below Reflex, for a user with {service['size']:,} tasks (the tasks service called directly on the server's "
        f"database): creating a task and committing p50 {service['write'].p50:.1f} ms, re-reading the page of rows and "
        f"the stat cards p50 {service['read'].p50:.1f} ms.",
    ]
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    body = path.read_text()
    if MARK_START not in body or MARK_END not in body:
        raise SystemExit(f"{path} has no {MARK_START} … {MARK_END} markers")
    before, rest = body.split(MARK_START, 1)
    path.write_text(f"{before}{MARK_START}\n{text}\n{MARK_END}{rest.split(MARK_END, 1)[1]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.roundtrip", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,1000,10000")
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--bare-samples", type=int, default=None, help="samples beside the bare app (0: skip)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--write", type=Path, default=None, help="update this file's bench.roundtrip section")
    args = parser.parse_args(argv)
    result = run([int(s) for s in args.sizes.split(",")], args.samples, bare_samples=args.bare_samples)
    if args.write:
        command = "python -m bench.roundtrip " + " ".join(argv if argv is not None else sys.argv[1:])
        write_section(args.write, section(result, command.strip()))
    print(json.dumps(as_json(result), indent=2) if args.json else table(result))
    return 1 if result["echo"]["mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
