"""Every benchmark section runs end to end at tiny sizes and measures what it says.

The session's production server (tests/conftest.py `live_server`: full build, so first load
can be measured too) serves the round trip, memory, sign-in and first-load sections; fan-out
(two workers + Redis) and throughput (PostgreSQL in a database of its own + Redis) start their
own backends. Run under
`flock /tmp/fluxkit-e2e.lock` (the full build uses the shared .web). Counts, equalities and
shapes are asserted, never times.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from bench import commit_floor, fanout, first_load, memory, roundtrip, run_all, signin, support, throughput
from tests.support.environment import need

pytestmark = [pytest.mark.live, pytest.mark.timeout(1200)]


def _redis_answers() -> bool:
    try:
        return bool(support.redis_client(f"{support.REDIS_SERVER}/0").ping())
    except Exception:
        return False


def _postgres_answers() -> bool:
    try:
        support.pg_admin("SELECT 1")
    except Exception:
        return False
    return True


def _positive(latency: support.Latency, n: int | None = None) -> None:
    assert latency.seconds, "no samples"
    if n is not None:
        assert len(latency.seconds) == n
    assert all(s > 0 for s in latency.seconds)
    assert 0 < latency.p50 <= latency.p95 <= latency.p99 < math.inf


@pytest.fixture(scope="module")
def results(live_server):
    """Every section's result, shaped as run_all.measure returns them."""
    out = {"started": "now", "finished": "later", "load_before": (1.0, 1.0, 1.0), "load_after": (1.0, 1.0, 1.0)}
    app = live_server
    out["roundtrip"] = roundtrip.run((10, 1_000), samples=2, app=app)
    out["memory"] = memory.run((memory.WARM_UP + 4, memory.WARM_UP + 8), app=app)
    out["signin"] = signin.run(clients=2, seconds=1.5, app=app)
    out["first_load"] = first_load.run(loads=1, app=app)
    out["commit_floor"] = commit_floor.run(samples=20)
    return out


def test_echo_reply_equals_what_was_sent(results):
    echoed = results["roundtrip"]["echo"]
    assert echoed["mismatches"] == 0
    assert echoed["last_echo"] == echoed["last_sent"]
    assert echoed["last_sent"]["payload"]["column"] == "updated"
    _positive(echoed["latency"], 50)


def test_round_trip_has_p99_beside_trivial_and_echo(results):
    report = results["roundtrip"]["report"]
    assert [r.size for r in report.results] == [10, 1_000]
    for size_result in report.results:
        for kind in ("trivial", "add-task", "complete-task"):
            series = size_result.series[kind]
            assert len(series.seconds) == 2
            assert 0 < series.p50_ms <= series.p95_ms <= series.p99_ms
    # The service floor below Reflex: the same write and re-read, on the 1,000-task user.
    service = results["roundtrip"]["service"]
    assert service["size"] == 1_000
    _positive(service["write"], 2)
    _positive(service["read"], 2)
    table = roundtrip.table(results["roundtrip"])
    assert "socket.io echo" in table and "p99 ms" in table
    assert roundtrip.as_json(results["roundtrip"])["echo"]["mismatches"] == 0


def test_memory_grows_with_connected_tabs(results):
    m = results["memory"]
    assert m["workers"] == 1
    assert m["idle_rss"] > 20 * 2**20  # a Python worker with the app loaded
    assert [row["tabs"] for row in m["rows"]] == [memory.WARM_UP + 4, memory.WARM_UP + 8]
    assert all(row["rss"] > 0 for row in m["rows"])
    # The bare socket.io echo, measured with the same numbers of connections in the same run.
    echo = m["echo"]
    assert [row["tabs"] for row in echo["rows"]] == [memory.WARM_UP + 4, memory.WARM_UP + 8]
    assert 0 < echo["idle_rss"] < m["idle_rss"] and all(row["rss"] > 0 for row in echo["rows"])
    as_json = memory.as_json(m)
    assert [r["echo_per_connection_kib"] for r in as_json["rows"]] == [
        r["per_connection_kib"] for r in as_json["echo"]["rows"]
    ]


def test_sign_ins_all_succeed_while_others_keep_working(results):
    s = results["signin"]
    load = s["sign_ins"]
    assert load["ok"] > 0 and load["refused"] == 0  # distinct addresses and accounts: never rate-limited
    assert load["per_second"] > 0
    _positive(s["alone"])
    _positive(s["during"])
    assert s["ratio_p95"] > 0


def test_first_load_reaches_a_hydrated_sign_in_page(results):
    fl = results["first_load"]
    html, ws, hydrated = (fl["ms"][k]["samples"][0] for k in ("html", "websocket", "hydrated"))
    assert 0 < html < hydrated
    assert 0 < ws
    assert fl["js"]["files"] > 0 and 0 < fl["js"]["gzip"] < fl["js"]["raw"]
    assert fl["sign_in_js_bytes"] > 0


def test_commit_floor_measures_both_databases(results):
    for name in ("sqlite", "postgresql"):
        _positive(results["commit_floor"][name], 20)


def test_fan_out_reaches_tabs_on_both_workers(results):
    need("Redis", _redis_answers(), f"no Redis at {support.REDIS_SERVER}")
    result = fanout.run(samples=2)
    assert list(result["tabs"].values()) == [2, 2]  # two tabs on each of two workers
    for key in ("actor", "same-worker", "cross-worker"):
        _positive(result[key], 2)
    # Each watcher's update carried the completed task.
    assert [(same, other) for _, same, other in result["seen"]] == [(True, True), (True, True)]
    results["fanout"] = result


def test_throughput_with_one_and_two_workers(results):
    need("Redis", _redis_answers(), f"no Redis at {support.REDIS_SERVER}")
    need("PostgreSQL", _postgres_answers(), f"no PostgreSQL at {support.PG_SERVER}")
    rows = throughput.run((1, 2), users=2, seconds=1.5)
    assert [(row["workers"], row["again"]) for row in rows] == [(1, False), (2, False), (1, True)]
    # One worker, measured first and last, is the reference.
    assert rows[0]["vs_one"] + rows[-1]["vs_one"] == pytest.approx(2)
    for row in rows:
        assert row["events_per_s"] > 0 and row["idle_rss_per_worker"] > 0
        # The workers did the work, and the whole machine was at least as busy as they were.
        assert 0 < row["cores"]["workers"] <= row["cores"]["machine"] + 0.2
        _positive(row["latency"])
    results["throughput"] = rows
    # The databases it created are dropped again.
    import psycopg

    with psycopg.connect(support.PG_SERVER.replace("postgresql+psycopg", "postgresql") + "/postgres") as conn:
        left = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"fluxkit_bench_{os.getpid()}_%",)
        ).fetchall()
    assert left == []


def test_report_names_every_figure_and_target(results, tmp_path: Path):
    need(
        "every section",
        "fanout" in results and "throughput" in results,
        "fan-out and throughput need Redis and PostgreSQL",
    )
    text = run_all.render(results, run_all.QUICK, quick=True)
    for heading in (
        "## Machine",
        "## How to reproduce",
        "## Targets",
        "## Event round trip",
        "## Live fan-out",
        "## Events per second",
        "## Memory",
        "## First load",
        "## Sign-in throughput",
        "## Commit latency floor",
    ):
        assert heading in text
    assert "socket.io echo" in text and "Reflex | 0.10" in text
    assert "| Bare socket.io connection KB | FluxKit's own KB per tab |" in text
    targets = run_all.targets(results)
    assert len(targets) == 6
    for name, met, _ in targets:
        assert (
            (f"| {name} | **met**" in text)
            if met
            else (f"| {name} | **MISSED**" in text and name in text.split("Why the missed")[1])
        )
