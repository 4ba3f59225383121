"""Event round trips beside the bare Reflex app, interleaved in the same run (bench.roundtrip).

The issue's targets are ratios to bare Reflex 0.10.1 (bench/bare), not to another FluxKit event:

- a FluxKit event that touches no database (ticking a task's checkbox, `TasksState.toggle_select`:
  a real handler of ours behind the session gate) against the bare counter's `increment`;
- add-task (`TasksState.save`) against the bare app's `fill(count)`, an event whose delta is
  sized to add-task's own (`count` rows chosen from the bytes measured in the warm-up).

Both backends are production (`reflex run --env prod --backend-only`, one Granian worker) on
this machine, driven by the same websocket client (bench/reflex_client.py) from one asyncio
loop, sample by sample: FluxKit, bare, FluxKit, bare. Each tab's follow-up events (FluxKit's
own live refresh after add-task) are left to settle between samples and are not counted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import tasks_roundtrip
from bench.reflex_client import ReflexTab, Reply, var
from bench.support import Latency
from tests.support.live_server import free_port

BARE = Path(__file__).resolve().parent / "bare"
NODB, COUNTER, ADD, SAME_DELTA = "no-database event", "bare counter", "add-task", "bare, same-sized delta"
WARMUP = 5


@dataclass
class Side:
    latency: Latency = field(default_factory=Latency)
    delta_bytes: list[int] = field(default_factory=list)

    def add(self, reply: Reply) -> None:
        self.latency.seconds.append(reply.seconds)
        self.delta_bytes.append(reply.delta_bytes)

    @property
    def bytes_p50(self) -> int:
        ordered = sorted(self.delta_bytes)
        return ordered[len(ordered) // 2] if ordered else 0


@dataclass
class Comparison:
    size: int
    samples: int
    bare_rows: int = 0  # rows in the bare reference event sized to add-task's delta
    sides: dict[str, Side] = field(default_factory=lambda: {k: Side() for k in (NODB, COUNTER, ADD, SAME_DELTA)})

    def ratio(self, ours: str, reference: str) -> float:
        return self.sides[ours].latency.p50 / self.sides[reference].latency.p50

    def as_json(self) -> dict:
        return {
            "tasks": self.size,
            "samples": self.samples,
            "bare_rows": self.bare_rows,
            **{
                name: {**side.latency.as_json(), "delta_bytes_p50": side.bytes_p50} for name, side in self.sides.items()
            },
            "no_db_vs_counter": round(self.ratio(NODB, COUNTER), 2),
            "add_task_vs_same_delta": round(self.ratio(ADD, SAME_DELTA), 2),
        }


@contextlib.contextmanager
def bare_backend() -> Iterator[str]:
    """The bare reference app's production backend (one worker) on a free port: its URL."""
    folder = Path(tempfile.mkdtemp(prefix="bench-bare-backend-"))
    shutil.copytree(BARE, folder, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".web", "__pycache__", ".states"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "REFLEX_TELEMETRY_ENABLED": "false",
        "GRANIAN_WORKERS": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for key in ("REDIS_URL", "DATABASE_URL"):
        env.pop(key, None)
    log = open(folder / "server.log", "ab")  # closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-only"]
        + ["--backend-port", str(port), "--backend-host", "127.0.0.1"],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            if server.poll() is not None:
                raise tasks_roundtrip.BenchError(
                    f"the bare backend exited:\n{(folder / 'server.log').read_text()[-3000:]}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/ping", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise tasks_roundtrip.BenchError("the bare backend did not start")
            time.sleep(0.5)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _state_named(delta: dict, suffix: str) -> str:
    for name in delta:
        if name.endswith(suffix):
            return name
    raise tasks_roundtrip.BenchError(f"no state ending in {suffix!r} in the bare app's delta: {sorted(delta)}")


async def measure(fluxkit_url: str, cookie: str, bare_url: str, size: int, samples: int, state: str) -> Comparison:
    result = Comparison(size=size, samples=samples)
    ours = ReflexTab(fluxkit_url, cookie, "/tasks")
    counter = ReflexTab(bare_url, None, "/")
    table = ReflexTab(bare_url, None, "/table")
    tabs = (ours, counter, table)
    step = "connect"
    for tab in tabs:
        await tab.connect()
    try:
        step = "open pages"
        opened = await ours.open_page(until=lambda d: var(d, state, "loaded", False) is True)
        on_top = [var(opened.delta(), state, "rows")[0]["id"]]  # a task on the page (added ones go on top)
        counter_state = _state_named((await counter.open_page()).delta(), "counter_state")
        table_state = _state_named((await table.open_page()).delta(), "table_state")
        increment, fill = f"{counter_state}.increment", f"{table_state}.fill"

        async def no_db() -> Reply:
            nonlocal step
            step = "toggle_select"
            return await ours.call(
                f"{state}.toggle_select",
                {"task_id": on_top[0]},
                until=lambda d: "selected" in (d.get(state) or {}) or "selected_rx_state_" in (d.get(state) or {}),
            )

        n = 0

        async def add_task() -> Reply:
            nonlocal n, step
            n += 1
            step = "add-task"
            title = f"Bare-compared task {size}-{n}"
            reply = await ours.call(
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
                until=lambda d: any(row["title"] == title for row in var(d, state, "rows", [])),
            )
            on_top[0] = next(row["id"] for row in var(reply.delta(), state, "rows") if row["title"] == title)
            await ours.settle()
            return reply

        async def bare_fill(count: int) -> Reply:
            nonlocal step
            step = "bare fill"
            reply = await table.call(fill, {"count": count}, until=lambda d: table_state in d)
            await table.settle(0.05)
            return reply

        # Warm-up, and the size of add-task's delta, to size the bare reference event to it.
        added = [await add_task() for _ in range(WARMUP)]
        target = sorted(r.delta_bytes for r in added)[len(added) // 2]
        empty, full = (await bare_fill(0)).delta_bytes, (await bare_fill(50)).delta_bytes
        per_row = max(1.0, (full - empty) / 50)
        result.bare_rows = max(0, min(50, round((target - empty) / per_row)))
        for _ in range(WARMUP):
            await no_db()
            step = "counter"
            await counter.call(increment, {})
            await bare_fill(result.bare_rows)

        for _ in range(samples):
            result.sides[NODB].add(await no_db())
            step = "counter"
            result.sides[COUNTER].add(await counter.call(increment, {}))
            result.sides[ADD].add(await add_task())
            result.sides[SAME_DELTA].add(await bare_fill(result.bare_rows))
    except TimeoutError as exc:
        raise tasks_roundtrip.BenchError(f"beside the bare app, {step}: {exc!r}") from exc
    finally:
        for tab in tabs:
            await tab.close()
    return result


def run(app, bare_url: str, size: int, samples: int) -> Comparison:
    """A user with `size` tasks on `app` (a running FluxKit backend), beside `bare_url`."""
    email = f"bare-compared-{size}-{time.time_ns()}@example.com"
    user_id = tasks_roundtrip.create_user(app, email)
    tasks_roundtrip.seed_tasks(app.env["DATABASE_URL"], user_id, size)
    cookie = tasks_roundtrip.sign_in(app.url, email, forwarded_for="198.51.100.200")
    return tasks_roundtrip.run_async(measure(app.url, cookie, bare_url, size, samples, tasks_roundtrip.tasks_state()))


def table(result: Comparison) -> str:
    lines = [
        f"{'event':<26} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'delta B':>8}",
    ]
    for name, side in result.sides.items():
        lat = side.latency
        lines.append(f"{name:<26} {lat.p50:>7.2f} {lat.p95:>7.2f} {lat.p99:>7.2f} {side.bytes_p50:>8,}")
    lines.append(
        f"no-database event / bare counter: {result.ratio(NODB, COUNTER):.2f} (target 1.3); "
        f"add-task / bare same-sized delta ({result.bare_rows} rows): {result.ratio(ADD, SAME_DELTA):.2f} (target 2.5)"
    )
    return "\n".join(lines)
