"""Several FluxKit hosts behind Debian's nginx on this machine (tests/e2e/test_two_hosts_live.py).

Each host is a separate `fluxkit serve` process on its own loopback address (127.0.0.2,
127.0.0.3, ...) with its own data folder; all share one PostgreSQL database and one Redis
database. nginx runs as a private process (its own prefix, logs and pid file) with the site
from deploy/nginx/fluxkit.conf, the very file the README tells operators to install: only the
upstream addresses, the listen ports and the certificate paths are replaced.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.live_server import ROOT

NGINX = "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx" / "fluxkit.conf"

_UPSTREAM_SERVER = re.compile(r"^(\s*server\s+)(\d+\.\d+\.\d+\.\d+:\d+)(\b.*;)", re.MULTILINE)


def fail_timeout() -> float:
    """Seconds nginx skips a host after a failed connection (the site's `fail_timeout`): in a
    rolling restart, how long to wait after a host is back before stopping the next one."""
    found = set(re.findall(r"\bfail_timeout=(\d+)s\b", SITE.read_text()))
    if len(found) != 1:
        raise AssertionError(f"{SITE}: expected one fail_timeout for every upstream server, found {found}")
    return float(found.pop())


def port_free_on(*addresses: str) -> int:
    """A port free on every one of `addresses`."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((addresses[0], 0))
            port = probe.getsockname()[1]
        try:
            for address in addresses[1:]:
                with socket.socket() as other:
                    other.bind((address, port))
        except OSError:
            continue
        return port
    raise RuntimeError(f"no port free on all of {addresses}")


def self_signed_certificate(folder: Path, address: str) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={address}"]
        + ["-addext", f"subjectAltName=IP:{address}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_site(upstreams: list[str], address: str, http_port: int, https_port: int, cert: Path, key: Path) -> str:
    """deploy/nginx/fluxkit.conf with these upstream servers, listen ports and certificate."""
    text = SITE.read_text()
    found = _UPSTREAM_SERVER.findall(text)
    if len(found) != len(upstreams):
        raise AssertionError(f"{SITE} names {len(found)} upstream servers, the test runs {len(upstreams)} hosts")
    chosen = iter(upstreams)
    text = _UPSTREAM_SERVER.sub(lambda m: f"{m.group(1)}{next(chosen)}{m.group(3)}", text)
    ports = {"80": http_port, "443": https_port}
    text, listens = re.subn(
        r"^(\s*)listen (80|443)\b", lambda m: f"{m.group(1)}listen {address}:{ports[m.group(2)]}", text, flags=re.M
    )
    assert listens == 2, f"{SITE}: expected one listen 80 and one listen 443"
    text, certs = re.subn(r"^(\s*ssl_certificate\s+)\S+;", rf"\g<1>{cert};", text, flags=re.M)
    text, keys = re.subn(r"^(\s*ssl_certificate_key\s+)\S+;", rf"\g<1>{key};", text, flags=re.M)
    assert certs == keys == 1, f"{SITE}: expected one ssl_certificate and one ssl_certificate_key"
    return text


class Nginx:
    """A private nginx (master + one worker) serving `site` from `prefix`."""

    def __init__(self, prefix: Path, site: str):
        self.prefix = prefix
        (prefix / "temp").mkdir(parents=True, exist_ok=True)
        os.chmod(prefix / "temp", 0o777)
        (prefix / "fluxkit.conf").write_text(site)
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp = prefix / "temp"
        (prefix / "nginx.conf").write_text(
            f"{user}worker_processes 1;\ndaemon off;\npid {prefix / 'nginx.pid'};\n"
            f"error_log {prefix / 'error.log'} info;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            "    log_format upstream '$remote_addr \"$request\" $status upstream=$upstream_addr $upstream_status';\n"
            f"    access_log {prefix / 'access.log'} upstream;\n"
            f"    client_body_temp_path {temp}/body;\n    proxy_temp_path {temp}/proxy;\n"
            f"    fastcgi_temp_path {temp}/fastcgi;\n    uwsgi_temp_path {temp}/uwsgi;\n"
            f"    scgi_temp_path {temp}/scgi;\n"
            f"    include {prefix / 'fluxkit.conf'};\n"
            "}\n"
        )
        self.process: subprocess.Popen | None = None

    def _command(self) -> list[str]:
        prefix = self.prefix
        return [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")]

    def start(self) -> None:
        checked = subprocess.run([*self._command(), "-t"], capture_output=True, text=True)
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t refused the configuration:\n{checked.stderr}")
        with open(self.prefix / "nginx.out", "ab") as log:
            self.process = subprocess.Popen(
                self._command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Host:
    """One FluxKit host: `fluxkit serve` on `address:port` from `root`, data in `data_dir`."""

    def __init__(self, name: str, address: str, port: int, root: Path, data_dir: Path, env: dict[str, str]):
        self.name, self.address, self.port, self.root = name, address, port, root
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.env = {**env, "FLUXKIT_DATA_DIR": str(data_dir)}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}"

    def start(self) -> None:
        with open(self.data_dir / "server.log", "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "fluxkit.cli", "serve", "--host", self.address, "--port", str(self.port)]
                + ["--workers", "1"],
                cwd=self.root,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_up(self, timeout: float = 120) -> float:
        """Seconds until /api/health answers 200 on this host's own address."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200:
                    return time.monotonic() - started
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not come up in {timeout} s:\n{self.log()[-3000:]}")

    def log(self) -> str:
        path = self.data_dir / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self) -> None:
        """SIGKILL to the whole host (the Granian supervisor and its worker)."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM, as systemd stops the unit; waits for the exit."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
