"""Reflex configuration, derived from FluxKit's typed settings (fluxkit/settings.py)."""

import reflex as rx

from fluxkit.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="fluxkit",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    db_url=settings.database_url,
    redis_url=settings.redis_url,
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
