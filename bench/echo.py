"""The floor under every Reflex event: a bare socket.io echo on the same server stack.

    python -m bench.echo --samples 200

A tiny python-socketio ASGI app (this module's `app`) served by Granian, as Reflex's backend
is, answering an `event` on Reflex's `/_event` namespace with the same payload. It is
measured with the same client code path as the app's events (bench/reflex_client.py), so
"Reflex event / echo" is what Reflex, the state and the app add on top of the transport.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import socketio

from bench.reflex_client import NAMESPACE, ReflexTab
from bench.support import Latency, progress, stop_process
from bench.tasks_roundtrip import BenchError, run_async
from tests.support.live_server import ROOT, free_port

sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*")
app = socketio.ASGIApp(sio, socketio_path="_event")


@sio.on("event", namespace=NAMESPACE)
async def _echo(sid, data):
    await sio.emit("event", {"delta": {}, "events": [], "final": True, "echo": data}, to=sid, namespace=NAMESPACE)


@contextlib.contextmanager
def echo_server() -> Iterator[str]:
    """Granian (ASGI, one worker) serving `app` on a free loopback port; yields its URL."""
    with echo_process() as (url, _):
        yield url


@contextlib.contextmanager
def echo_process() -> Iterator[tuple[str, subprocess.Popen]]:
    """As echo_server, yielding (URL, the Granian process); worker_pid(process) is its one worker."""
    port = free_port()
    log_path = Path(tempfile.mkstemp(prefix="fluxkit-echo-", suffix=".log")[1])
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "granian",
                "--interface",
                "asgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                "--log-level",
                "warning",
                "bench.echo:app",
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(f"the echo server did not start:\n{log_path.read_text()[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/_event/?EIO=4&transport=polling", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        yield url, process
    finally:
        stop_process(process)
        log_path.unlink(missing_ok=True)


def worker_pid(process: subprocess.Popen) -> int:
    """The Granian worker serving the echo (the one leaf under the server's process tree)."""
    import psutil

    leaves = [p.pid for p in psutil.Process(process.pid).children(recursive=True) if not p.children()]
    if len(leaves) != 1:
        raise BenchError(f"expected one echo worker under the Granian process, found {len(leaves)}")
    return leaves[0]


async def measure(url: str, samples: int) -> dict:
    """`samples` echoes of an event shaped like the app's; every reply must equal what was sent."""
    tab = ReflexTab(url, None, "/tasks")
    await tab.connect()
    latency = Latency()
    mismatches = 0
    last_echo = None
    try:
        for n in range(samples):
            payload = {"column": "updated", "n": n}
            sent = json.loads(tab._event("bench.echo", payload)[len(f"42{NAMESPACE},") :])[1]
            reply = await tab.call("bench.echo", payload, done=lambda r: "echo" in r.updates[-1])
            last_echo = reply.updates[-1]["echo"]
            mismatches += last_echo != sent
            latency.seconds.append(reply.seconds)
    finally:
        await tab.close()
    return {"latency": latency, "mismatches": mismatches, "last_echo": last_echo, "last_sent": sent}


def run(samples: int) -> dict:
    with echo_server() as url:
        return run_async(measure(url, samples))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.echo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args(argv)
    progress("starting the echo server...")
    result = run(args.samples)
    print(json.dumps({**result["latency"].as_json(), "mismatches": result["mismatches"]}, indent=2))
    return 1 if result["mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
