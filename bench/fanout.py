"""Live fan-out latency: tab A completes a task, how soon does tab B (same user) show it?

    python -m bench.fanout [--samples 50]

Two Granian workers share an empty Redis database (state, live updates). One user opens
/tasks tabs until both workers hold at least two (the worker of a tab is read from Reflex's
own socket record in Redis, as tests/e2e/test_multiworker_live.py does), and closes the
surplus, so every run has the same four tabs: two on each worker. Each sample: the
actor tab adds a task, everything settles, then the actor completes it and we time, from
sending the event, until
- the actor's own reply shows it (the reference: a plain round trip),
- another tab on the same worker shows it,
- a tab on the other worker shows it (through Redis pub/sub).
A watcher "shows it" when its rows carry the task as completed, i.e. after the live push,
the tab's refresh event and its delta, as in a browser.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pickle
import sys

from bench.reflex_client import ReflexTab, var
from bench.support import Latency, backend, empty_redis, progress, redis_client, signed_in_users
from bench.tasks_roundtrip import BenchError, run_async, tasks_state

WORKERS = 2
TABS_PER_WORKER = 2  # the actor and one watcher on its worker; two watchers on the other
MAX_TABS = 24


def worker_of(redis_url: str, tab: ReflexTab) -> str:
    record = redis_client(redis_url).get(f"token_manager_socket_record_{tab.token}")
    if not record:
        raise BenchError("a tab has no socket record in Redis")
    return pickle.loads(record).instance_id


async def open_tasks_tab(url: str, cookie: str, state: str) -> ReflexTab:
    tab = ReflexTab(url, cookie, "/tasks")
    await tab.connect()
    await tab.open_page(until=lambda d: var(d, state, "loaded", False) is True)
    return tab


def _completed(state: str, task_id: int):
    return lambda d: any(row["id"] == task_id and row["status"] == "completed" for row in var(d, state, "rows", []))


async def measure(url: str, redis_url: str, cookie: str, samples: int, state: str) -> dict:
    by_worker: dict[str, list[ReflexTab]] = {}
    opened: list[ReflexTab] = []
    try:
        while len(by_worker) < WORKERS or min(len(t) for t in by_worker.values()) < TABS_PER_WORKER:
            if len(opened) >= MAX_TABS:
                raise BenchError(f"{len(opened)} tabs all landed on {len(by_worker)} worker(s)")
            tab = await open_tasks_tab(url, cookie, state)
            opened.append(tab)
            by_worker.setdefault(worker_of(redis_url, tab), []).append(tab)
        # The same tabs every run: which worker a new tab lands on is chance, and every extra
        # tab of the user on a worker is one more re-read queued before the one we time.
        for worker, tabs in by_worker.items():
            for surplus in tabs[TABS_PER_WORKER:]:
                await surplus.close()
                opened.remove(surplus)
            by_worker[worker] = tabs[:TABS_PER_WORKER]
        home, away = list(by_worker.values())[:2]
        actor, same, other = home[0], home[1], away[0]
        result = {"actor": Latency(), "same-worker": Latency(), "cross-worker": Latency(), "seen": []}
        for n in range(samples):
            title = f"Fan-out {n + 1}"
            reply = await actor.call(
                f"{state}.save",
                {"form": {"title": title, "description": "", "priority": "low", "category": "feature", "due_date": ""}},
                until=lambda d, title=title: any(row["title"] == title for row in var(d, state, "rows", [])),
            )
            task_id = next(row["id"] for row in var(reply.delta(), state, "rows") if row["title"] == title)
            await asyncio.gather(*(tab.settle(quiet=0.2) for tab in opened))
            done = _completed(state, task_id)
            watchers = [asyncio.create_task(tab.wait_update(done, timeout=10)) for tab in (same, other)]
            await asyncio.sleep(0)  # both watchers wait before the event leaves
            mine = await actor.call(f"{state}.change_status", {"task_id": task_id, "status": "completed"}, until=done)
            same_reply, other_reply = await asyncio.gather(*watchers)
            result["actor"].seconds.append(mine.seconds)
            result["same-worker"].seconds.append(same_reply.seconds)
            result["cross-worker"].seconds.append(other_reply.seconds)
            result["seen"].append((task_id, done(same_reply.delta()), done(other_reply.delta())))
            await asyncio.gather(*(tab.settle(quiet=0.2) for tab in opened))
        result["tabs"] = {worker: len(tabs) for worker, tabs in by_worker.items()}
        return result
    except TimeoutError as exc:
        raise BenchError(f"fan-out: {exc}") from exc
    finally:
        for tab in opened:
            await tab.close()


def run(samples: int = 50) -> dict:
    state = tasks_state()
    with empty_redis() as redis_url, backend(workers=WORKERS, REDIS_URL=redis_url) as app:
        (cookie,) = signed_in_users(app, "fanout", 1)
        return run_async(measure(app.url, redis_url, cookie, samples, state))


def as_json(result: dict) -> dict:
    return {key: result[key].as_json() for key in ("actor", "same-worker", "cross-worker")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args(argv)
    progress("starting 2 workers with Redis...")
    print(json.dumps(as_json(run(args.samples)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
