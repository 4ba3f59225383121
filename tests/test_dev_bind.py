"""Development mode (`reflex run`, what `make run` starts) listens on this machine only.

Reflex's default backend host is 0.0.0.0, which makes the development backend (no TLS, debug
behaviour) reachable from the whole network. The backend is started for real (`reflex run
--backend-only`, development mode, no frontend build) and the address its listening socket is
bound to is read from the kernel (/proc/net/tcp).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import ROOT, free_port

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc/net/tcp")


def _listening_addresses(port: int) -> set[str]:
    """The local IPv4 addresses with a socket listening on `port` (state 0A = LISTEN)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state = fields[1], fields[3]
        address, port_hex = local.split(":")
        if state == "0A" and int(port_hex, 16) == port:
            found.add(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
    return found


def _dev_backend_binds(tmp_path: Path, **extra_env: str) -> set[str]:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "REFLEX_BACKEND_HOST"},
        "FLUXKIT_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        **extra_env,
    }
    log = tmp_path / "dev.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "reflex", "run", "--backend-only", "--backend-port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert server.poll() is None, f"the development backend exited:\n{log.read_text()[-3000:]}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/ping", timeout=2).status_code == 200:
                    return _listening_addresses(port)
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"the development backend did not answer:\n{log.read_text()[-3000:]}")
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)


def test_the_development_backend_listens_on_loopback_only(tmp_path):
    assert _dev_backend_binds(tmp_path) == {"127.0.0.1"}


def test_the_network_can_be_opted_into(tmp_path):
    assert _dev_backend_binds(tmp_path, REFLEX_BACKEND_HOST="0.0.0.0") == {"0.0.0.0"}
