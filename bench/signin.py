"""Sign-in throughput, and other users' event latency while sign-ins run.

    python -m bench.signin [--clients 4] [--seconds 15]

One production backend worker (SQLite), started with FLUXKIT_TRUSTED_PROXY_HOPS=1 so each
attempt can come from its own X-Forwarded-For address (the per-address limit stays
untouched) and with each account used fewer times than its own limit. Signed-in observer
users keep one /tasks tab each and send a trivial event (`TasksState.toggle_column`) in a
closed loop:
1. alone for `--seconds` (the reference);
2. for `--seconds` while `--clients` concurrent clients sign in over the real HTTP route
   (POST /api/auth/sign-in/email: argon2id verification, a new session row, the cookie).
Reported: successful sign-ins per second, and the observers' p50/p95/p99 in both phases.
If argon2 ran on the event loop, every observer would wait behind each hash.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time

import httpx

from bench.fanout import open_tasks_tab
from bench.reflex_client import var
from bench.support import Latency, backend, create_users, next_address, progress, signed_in_users
from bench.tasks_roundtrip import PASSWORD, BenchError, run_async, tasks_state

OBSERVERS = 4
PER_ACCOUNT = 9  # under the 10 sign-ins per account per 15 minutes
EXPECTED_PER_SECOND = 40  # sizes the account pool; more sign-ins than that reuse nothing


async def observe(tabs, state: str, seconds: float) -> Latency:
    latency = Latency()
    stop_at = time.perf_counter() + seconds

    async def loop(tab) -> None:
        hidden = None
        while time.perf_counter() < stop_at:
            before = hidden
            reply = await tab.call(
                f"{state}.toggle_column",
                {"column": "updated"},
                until=lambda d, before=before: var(d, state, "hidden_columns", before) != before,
            )
            hidden = var(reply.delta(), state, "hidden_columns")
            latency.seconds.append(reply.seconds)

    await asyncio.gather(*(loop(tab) for tab in tabs))
    return latency


async def sign_in_load(url: str, emails: list[str], clients: int, seconds: float) -> dict:
    attempts = itertools.chain.from_iterable(itertools.repeat(email, PER_ACCOUNT) for email in emails)
    stop_at = time.perf_counter() + seconds
    counts = {"ok": 0, "refused": 0}
    latency = Latency()

    async def client(http: httpx.AsyncClient) -> None:
        while time.perf_counter() < stop_at:
            email = next(attempts, None)
            if email is None:
                raise BenchError("the sign-in account pool ran out; raise EXPECTED_PER_SECOND")
            started = time.perf_counter()
            response = await http.post(
                f"{url}/api/auth/sign-in/email",
                json={"email": email, "password": PASSWORD},
                headers={"Origin": url, "X-Forwarded-For": next_address()},
            )
            latency.seconds.append(time.perf_counter() - started)
            counts["ok" if response.status_code == 200 and response.cookies else "refused"] += 1

    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=60) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return {**counts, "per_second": counts["ok"] / (time.perf_counter() - started), "latency": latency}


def run(clients: int = 4, seconds: float = 15, app=None) -> dict:
    """Against `app` (a running LiveApp trusting one proxy hop) or a backend started for the run."""
    if app is None:
        with backend(workers=1) as started:
            return run(clients, seconds, started)
    state = tasks_state()
    observers = signed_in_users(app, "observer", OBSERVERS)
    accounts = create_users(
        app.env["DATABASE_URL"], "signin", int(EXPECTED_PER_SECOND * seconds / PER_ACCOUNT) + clients
    )

    async def scenario() -> dict:
        tabs = [await open_tasks_tab(app.url, cookie, state) for cookie in observers]
        try:
            alone = await observe(tabs, state, seconds)
            during, load = await asyncio.gather(
                observe(tabs, state, seconds), sign_in_load(app.url, accounts, clients, seconds)
            )
        finally:
            for tab in tabs:
                await tab.close()
        return {"alone": alone, "during": during, "sign_ins": load}

    result = run_async(scenario())
    result["clients"] = clients
    result["ratio_p95"] = result["during"].p95 / result["alone"].p95
    return result


def as_json(result: dict) -> dict:
    load = result["sign_ins"]
    return {
        "clients": result["clients"],
        "sign_ins_per_s": round(load["per_second"], 1),
        "ok": load["ok"],
        "refused": load["refused"],
        "sign_in_latency": load["latency"].as_json(),
        "others_alone": result["alone"].as_json(),
        "others_during": result["during"].as_json(),
        "others_p95_ratio": round(result["ratio_p95"], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.signin", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args(argv)
    progress("starting the backend...")
    result = run(args.clients, args.seconds)
    print(json.dumps(as_json(result), indent=2))
    return 1 if result["sign_ins"]["refused"] else 0


if __name__ == "__main__":
    sys.exit(main())
