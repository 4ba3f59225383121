"""The error pages' parts: a panel with the code, what happened and the ways back, and the
banner shown while the connection to the server is down."""

from __future__ import annotations

import reflex as rx
from reflex_components_core.core.banner import has_connection_errors

from fluxkit import routes
from fluxkit.components.brand import brand_link
from fluxkit.components.theme import theme_menu
from fluxkit.state.landing import VisitorState

RECONNECTING_ID = "reconnecting-banner"


def error_panel(code: str, title: str, text: str, *actions: rx.Component, id: str) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.text(code, size="9", weight="bold", color=rx.color("accent", 11), aria_hidden="true"),
            rx.heading(title, size="6", as_="h1", text_align="center"),
            rx.text(text, size="3", color_scheme="gray", text_align="center", max_width="460px"),
            rx.flex(*actions, gap="8px", wrap="wrap", justify="center"),
            align="center",
            spacing="3",
        ),
        padding="80px 16px",
        width="100%",
        id=id,
    )


def back_links() -> list[rx.Component]:
    """Home, and the dashboard for the signed in or sign-in for everyone else."""
    return [
        rx.cond(
            VisitorState.signed_in,
            rx.link(
                rx.button(rx.icon("layout-dashboard", size=16), "Go to the dashboard"),
                href=routes.DASHBOARD,
                id="error-dashboard",
            ),
            rx.link(rx.button(rx.icon("log-in", size=16), "Sign in"), href=routes.SIGN_IN, id="error-sign-in"),
        ),
        rx.link(
            rx.button(rx.icon("house", size=16), "FluxKit home", variant="soft"), href=routes.HOME, id="error-home"
        ),
    ]


def public_frame(*children: rx.Component) -> rx.Component:
    """A public page's frame: the brand and theme menu on top, a main landmark below."""
    return rx.box(
        rx.el.header(
            rx.hstack(
                brand_link(routes.HOME, aria_label="FluxKit home"),
                rx.spacer(),
                theme_menu(),
                align="center",
                padding="12px 20px",
                width="100%",
            ),
            style={"borderBottom": f"1px solid {rx.color('gray', 5)}"},
        ),
        rx.el.main(*children),
        min_height="100vh",
        width="100%",
        bg=rx.color("gray", 2),
    )


def not_found_page() -> rx.Component:
    return public_frame(
        error_panel(
            "404",
            "Page not found",
            "There is no page at this address. It may have moved, or the link may be mistyped.",
            *back_links(),
            id="not-found",
        )
    )


def forbidden_panel(text: str, id: str) -> rx.Component:
    """Inside the shell: a page this signed-in user may not see."""
    return error_panel(
        "403",
        "You do not have access to this page",
        text,
        rx.link(
            rx.button(rx.icon("layout-dashboard", size=16), "Go to the dashboard"),
            href=routes.DASHBOARD,
            id="forbidden-dashboard",
        ),
        id=id,
    )


def reconnecting_banner() -> rx.Component:
    """Shown on every page while the websocket is down; gone as soon as it is back."""
    return rx.cond(
        has_connection_errors,
        rx.hstack(
            rx.spinner(size="2"),
            rx.text("Reconnecting to FluxKit… This page will catch up as soon as the connection is back.", size="2"),
            role="status",
            aria_live="polite",
            id=RECONNECTING_ID,
            align="center",
            justify="center",
            spacing="2",
            width="100%",
            padding="8px 16px",
            position="fixed",
            top="0",
            left="0",
            z_index="1000",
            bg=rx.color("amber", 3),
            color=rx.color("amber", 12),
            border_bottom=f"1px solid {rx.color('amber', 7)}",
        ),
    )
