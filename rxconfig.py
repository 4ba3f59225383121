"""Reflex configuration, derived from FluxKit's typed settings (fluxkit/settings.py)."""

import os

import reflex as rx

from fluxkit.serving import respawn_failed_workers, reuse_tokens_of_dead_workers
from fluxkit.settings import get_settings

settings = get_settings()
respawn_failed_workers()  # one crashed worker must not stop the others (fluxkit/serving.py)
reuse_tokens_of_dead_workers()  # its tabs keep their state when they reconnect elsewhere

if os.environ.get("REFLEX_ENV_MODE") != "prod":
    # Reflex's start-up schema check (`reflex run`) must not read the search indexes the models
    # cannot declare as changes (fluxkit/models/task_search.py). Production skips that check and
    # the slow alembic import.
    from fluxkit.models.task_search import register_autogenerate_filter

    register_autogenerate_filter()

# The data folder (the SQLite file with its -wal/-shm, the mail outbox) changes on every write.
# Keep it out of `reflex run`'s hot reload, which would otherwise restart the backend, and drop
# every open websocket, each time the app writes to the database or sends an email.
_no_reload = [p for p in os.environ.get("REFLEX_HOT_RELOAD_EXCLUDE_PATHS", "").split(":") if p]
if str(settings.data_dir) not in _no_reload:
    os.environ["REFLEX_HOT_RELOAD_EXCLUDE_PATHS"] = ":".join([*_no_reload, str(settings.data_dir)])

config = rx.Config(
    app_name="fluxkit",
    telemetry_enabled=False,
    # Reflex's default is 0.0.0.0: in development (`reflex run`, `make run`) the backend would be
    # reachable from the whole network. Only this machine, unless told otherwise
    # (REFLEX_BACKEND_HOST=0.0.0.0 or `reflex run --backend-host ...`). Production passes its own.
    backend_host="127.0.0.1",
    show_built_with_reflex=False,
    db_url=settings.database_url,
    redis_url=settings.redis_url,
    # Without Redis, Reflex's default disk state manager (a restarted server's open tabs carry on
    # where they were). Its cost beside idle tabs is in BENCHMARKS.md ("Crowds"): the memory
    # manager removed it, but an open tab then lost its page across a restart (tests/e2e/
    # test_prod_lifecycle.py), so it is not switched on. With Redis: Redis.
    state_manager_mode=rx.constants.StateManagerMode.REDIS
    if settings.redis_url
    else rx.constants.StateManagerMode.DISK,
    # Reflex's default is "*": only our own origin(s) may call the API or open the websocket.
    cors_allowed_origins=list(settings.trusted_origins),
    trusted_proxy_hops=settings.trusted_proxy_hops,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="inherit", accent_color="violet", gray_color="slate", radius="medium")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
