"""Start time: from starting the server to its first 200 on /ping, against a bare Reflex app.

    python -m bench.start_time [--runs 3] [--with-rebuild]

Measured in the same run, interleaved, each server on its own free loopback port with one
Granian worker:
- bare:    a one-page Reflex app (generated in a temp folder), `reflex run --env prod
           --backend-only`: Reflex's own floor for a production backend;
- serve:   FluxKit's `fluxkit serve` on the existing build (`fluxkit build` first if there is
           none): what `make prod` and every restart or deploy costs;
- backend: FluxKit's `reflex run --env prod --backend-only` (the same app without the mounted
           build): how much of `serve` is the app itself;
- rebuild: (--with-rebuild, once, in a private copy) `reflex run --env prod --single-port`,
           which compiles and rebuilds the frontend on every start: the old `make prod`.
Also `python -X importtime -c 'import fluxkit.fluxkit'`: the slowest imports, to show where
FluxKit's own start goes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.support import progress
from tests.support.live_server import ROOT, free_port, project_copy

BARE_RXCONFIG = 'import reflex as rx\n\nconfig = rx.Config(app_name="bare", telemetry_enabled=False)\n'
BARE_APP = 'import reflex as rx\n\napp = rx.App()\napp.add_page(lambda: rx.text("bare"), route="/")\n'
LIMIT = 300.0


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "FLUXKIT_DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{data / 'start.db'}",
        "FLUXKIT_SECRET_KEY": "bench-start-time",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_USE_NPM": "1",
        "GRANIAN_WORKERS": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for key in ("REDIS_URL", "SMTP_URL", "FLUXKIT_BASE_URL", "REFLEX_API_URL"):
        env.pop(key, None)
    env.update(extra)
    return env


def first_ping(command: list[str], cwd: Path, env: dict[str, str], port: int, log: Path) -> float:
    """Seconds from starting `command` until GET /ping answers 200; the server is then stopped."""
    with open(log, "wb") as out:
        started = time.monotonic()
        server = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        with httpx.Client(timeout=1) as client:
            while time.monotonic() - started < LIMIT:
                if server.poll() is not None:
                    raise RuntimeError(f"{command} exited:\n{log.read_text()[-3000:]}")
                try:
                    if client.get(f"http://127.0.0.1:{port}/ping").status_code == 200:
                        return time.monotonic() - started
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
        raise RuntimeError(f"{command} did not answer /ping within {LIMIT:.0f} s:\n{log.read_text()[-3000:]}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _backend_only(port: int) -> list[str]:
    return [sys.executable, "-m", "reflex", "run", "--env", "prod", "--backend-only"] + [
        "--backend-port",
        str(port),
        "--backend-host",
        "127.0.0.1",
    ]


def slowest_imports(count: int = 12) -> list[tuple[str, float, float]]:
    """(module, self ms, cumulative ms) of the slowest imports of fluxkit.fluxkit, by self time."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import fluxkit.fluxkit"],
        cwd=ROOT,
        env=_env(Path(tempfile.mkdtemp(prefix="fluxkit-importtime-"))),
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((name.strip(), int(own) / 1000, int(cumulative) / 1000))
    total = next((cum for name, _, cum in rows if name == "fluxkit.fluxkit"), float("nan"))
    return [("fluxkit.fluxkit (all)", float("nan"), total), *sorted(rows, key=lambda r: -r[1])[:count]]


def run(runs: int = 3, with_rebuild: bool = False) -> dict:
    work = Path(tempfile.mkdtemp(prefix="fluxkit-start-"))
    bare = work / "bare"
    (bare / "bare").mkdir(parents=True)
    (bare / "rxconfig.py").write_text(BARE_RXCONFIG)
    (bare / "bare" / "__init__.py").write_text("")
    (bare / "bare" / "bare.py").write_text(BARE_APP)
    data = work / "data"
    data.mkdir()
    env = _env(data)
    subprocess.run([sys.executable, "-m", "fluxkit.cli", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    if not (ROOT / ".web" / "build" / "fluxkit-build.json").is_file():
        progress("start_time: no build yet, running fluxkit build")
        subprocess.run([sys.executable, "-m", "fluxkit.cli", "build"], cwd=ROOT, env=env, check=True)

    times: dict[str, list[float]] = {"bare": [], "serve": [], "backend": []}
    try:
        for index in range(runs):
            for name in times:
                port = free_port()
                if name == "bare":
                    command, cwd = _backend_only(port), bare
                elif name == "serve":
                    command = [sys.executable, "-m", "fluxkit.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
                    cwd = ROOT
                else:
                    command, cwd = _backend_only(port), ROOT
                seconds = first_ping(command, cwd, env, port, work / f"{name}-{index}.log")
                times[name].append(seconds)
                progress(f"start_time: {name} run {index + 1}: {seconds:.2f} s")
        if with_rebuild:
            copy = project_copy("fluxkit-start-rebuild-")
            try:
                port = free_port()
                command = [sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port"]
                command += ["--frontend-port", str(port), "--backend-port", str(port), "--backend-host", "127.0.0.1"]
                # The copy holds no build yet: build once, then time a restart with the build there.
                first_ping(command, copy, env, port, work / "rebuild-first.log")
                times["rebuild"] = [first_ping(command, copy, env, port, work / "rebuild.log")]
                progress(f"start_time: rebuild: {times['rebuild'][0]:.2f} s")
            finally:
                shutil.rmtree(copy, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"runs": runs, "times": times, "imports": slowest_imports()}


def ratio(result: dict) -> float:
    return statistics.median(result["times"]["serve"]) / statistics.median(result["times"]["bare"])


def render(result: dict) -> str:
    labels = {
        "bare": "bare Reflex app, `reflex run --env prod --backend-only`",
        "serve": "FluxKit, `fluxkit serve` (existing build; `make prod`)",
        "backend": "FluxKit, `reflex run --env prod --backend-only` (no build mounted)",
        "rebuild": "FluxKit, `reflex run --env prod --single-port` (rebuilds; the old `make prod`)",
    }
    bare = statistics.median(result["times"]["bare"])
    lines = [
        "| Server | runs | median s | min s | max s | × bare (median) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, values in result["times"].items():
        median = statistics.median(values)
        spread = f"{min(values):.2f} | {max(values):.2f}"
        lines.append(f"| {labels[name]} | {len(values)} | {median:.2f} | {spread} | {median / bare:.2f} |")
    lines += ["", "Slowest imports of `fluxkit.fluxkit` (`python -X importtime`, self time):", ""]
    lines += ["| Module | self ms | cumulative ms |", "|---|---:|---:|"]
    for name, own, cumulative in result["imports"]:
        lines.append(f"| `{name}` | {'' if own != own else f'{own:.0f}'} | {cumulative:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--with-rebuild", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.runs, args.with_rebuild)
    print(render(result))
    print(f"\nfluxkit serve / bare Reflex (median): {ratio(result):.2f}× (target: at most 2×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
