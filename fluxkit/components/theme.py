"""Light / dark / system choice, shared by the shell header and the auth pages."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from reflex.style import color_mode, set_color_mode

_MODES = (("light", "sun", "Light"), ("dark", "moon", "Dark"), ("system", "monitor", "System"))


def theme_menu(on_choose: Callable[[str], object] | None = None) -> rx.Component:
    """`on_choose(mode)`: an extra event when a mode is picked (the shell saves it to the account)."""
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.icon_button(
                rx.color_mode_cond(light=rx.icon("sun", size=18), dark=rx.icon("moon", size=18)),
                variant="ghost",
                size="2",
                aria_label="Theme",
                id="theme-menu",
            )
        ),
        rx.dropdown_menu.content(
            *[
                rx.dropdown_menu.item(
                    rx.hstack(
                        rx.icon(icon, size=16),
                        rx.text(label),
                        rx.cond(color_mode == mode, rx.icon("check", size=14)),
                        align="center",
                        spacing="2",
                    ),
                    on_click=[set_color_mode(mode), on_choose(mode)] if on_choose else set_color_mode(mode),
                    id=f"theme-{mode}",
                )
                for mode, icon, label in _MODES
            ]
        ),
    )
