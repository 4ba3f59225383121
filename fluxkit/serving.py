"""How the production server treats its workers (imported by rxconfig.py, so by `reflex run`).

`reflex run --env prod` starts Granian itself and does not expose Granian's
`respawn_failed_workers`, which is off by default: one worker that dies (killed by the OOM
killer, a crash in a native library) then stops the whole server and every other worker's
tabs. FluxKit turns respawning on, so the others keep serving while a fresh worker replaces
the dead one. Granian still gives up on a crash loop (a worker dying again within seconds).
"""

from __future__ import annotations

import functools
from pathlib import Path


def respawn_failed_workers() -> bool:
    """Make Granian servers created from now on respawn a worker that dies. True if applied."""
    try:
        from granian.server.common import AbstractServer
    except ImportError:  # another server runs the backend: nothing to change
        return False
    original = AbstractServer.__init__
    if getattr(original, "_fluxkit_respawn", False):
        return True

    @functools.wraps(original)
    def init(self, *args, **kwargs):
        kwargs.setdefault("respawn_failed_workers", True)
        original(self, *args, **kwargs)

    init._fluxkit_respawn = True  # type: ignore[attr-defined]
    AbstractServer.__init__ = init
    return True


# ---- page addresses without the trailing slash ---------------------------------------------------

_SKIPPED_PREFIXES = ("/_event", "/_upload", "/api/", "/ping", "/_health", "/assets/")


def _static_dir() -> Path:
    """Where the production build's prerendered pages are (what Reflex's frontend mount serves)."""
    from reflex.config import get_config
    from reflex.utils import prerequisites
    from reflex_base import constants

    frontend_path = get_config().frontend_path.strip("/")
    return (prerequisites.get_web_dir() / constants.Dirs.STATIC / frontend_path).resolve()


class PagePaths:
    """Serve `/tasks` as `/tasks/` in place, instead of the static server's 307 to `/tasks/`.

    React Router prerenders each page as `<route>/index.html`; Starlette's static files answer
    a request without the trailing slash with a redirect, so every first visit of a page (a
    link, a bookmark, the redirect after sign-in) cost a round trip before any HTML arrived.
    The app's own links have no trailing slash; the address bar keeps what was asked for.
    """

    def __init__(self, app, static_dir: Path | None = None):
        self.app = app
        self._static_dir = static_dir
        self._known: dict[str, bool] = {}

    def _is_page_folder(self, path: str) -> bool:
        known = self._known.get(path)
        if known is None:
            root = self._static_dir or _static_dir()
            candidate = (root / path.lstrip("/") / "index.html").resolve()
            known = candidate.is_relative_to(root) and candidate.is_file()
            if len(self._known) < 10_000:
                self._known[path] = known
        return known

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            path: str = scope["path"]
            last = path.rpartition("/")[2]
            if (
                path != "/"
                and not path.endswith("/")
                and "." not in last
                and not path.startswith(_SKIPPED_PREFIXES)
                and self._is_page_folder(path)
            ):
                scope = {**scope, "path": path + "/", "raw_path": (path + "/").encode()}
        await self.app(scope, receive, send)
