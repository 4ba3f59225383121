"""The FluxKit mark and name: one lockup for the shell, the public pages and the auth card."""

from __future__ import annotations

import reflex as rx


def logo(*, heading: bool = False) -> rx.Component:
    """The mark beside the name; `heading`: the name is the page's heading (the shell's sidebar)."""
    name = rx.heading if heading else rx.text
    return rx.hstack(
        rx.center(
            rx.icon("zap", size=16, color="white"),
            bg=rx.color("accent", 9),
            border_radius="6px",
            width="28px",
            height="28px",
        ),
        name("FluxKit", size="4", weight="bold"),
        align="center",
        spacing="2",
    )


def brand_link(href: str, *, heading: bool = False, **props) -> rx.Component:
    """The logo as a link (home for visitors, the dashboard once signed in)."""
    return rx.link(logo(heading=heading), href=href, underline="none", color=rx.color("gray", 12), **props)
