"""The bare Reflex 0.10.1 reference app (bench/browser.py): Reflex's defaults, nothing of FluxKit."""

import reflex as rx

config = rx.Config(
    app_name="bare",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin()],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
