"""How the production server treats its workers (imported by rxconfig.py, so by `reflex run`).

`reflex run --env prod` starts Granian itself and does not expose Granian's
`respawn_failed_workers`, which is off by default: one worker that dies (killed by the OOM
killer, a crash in a native library) then stops the whole server and every other worker's
tabs. FluxKit turns respawning on, so the others keep serving while a fresh worker replaces
the dead one. Granian still gives up on a crash loop (a worker dying again within seconds).
"""

from __future__ import annotations

import functools


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
