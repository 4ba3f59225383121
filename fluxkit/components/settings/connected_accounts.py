"""Settings › Account and security › Connected accounts: the providers that sign you in."""

from __future__ import annotations

import reflex as rx

from fluxkit.state.social import ConnectedRow, ProviderButton, SocialState


def _connected(row: rx.Var[ConnectedRow]) -> rx.Component:
    return rx.hstack(
        rx.icon("link-2", size=18),
        rx.vstack(
            rx.text(row.label, size="2", weight="medium"),
            rx.text(
                rx.cond(row.email != "", row.email + " · ", ""),
                "connected ",
                row.connected_at,
                size="1",
                color_scheme="gray",
            ),
            spacing="0",
        ),
        rx.spacer(),
        rx.button(
            "Disconnect",
            variant="soft",
            color_scheme="red",
            size="1",
            on_click=SocialState.disconnect(row.provider),
            id="disconnect-" + row.provider,
            aria_label="Disconnect " + row.label,
        ),
        align="center",
        width="100%",
        padding_y="8px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="connected-account",
        id="connected-" + row.provider,
    )


def _available(provider: rx.Var[ProviderButton]) -> rx.Component:
    return rx.button(
        rx.icon("plus", size=16),
        "Connect ",
        provider.label,
        variant="outline",
        on_click=SocialState.connect(provider.id),
        loading=SocialState.pending == provider.id,
        id="connect-" + provider.id,
    )


def connected_accounts_panel() -> rx.Component:
    return rx.vstack(
        rx.cond(
            SocialState.connected.length() > 0,
            rx.vstack(rx.foreach(SocialState.connected, _connected), spacing="0", width="100%", id="connected-list"),
            rx.text("No account is connected yet.", size="2", color_scheme="gray", id="connected-none"),
        ),
        rx.cond(
            SocialState.available.length() > 0,
            rx.flex(rx.foreach(SocialState.available, _available), gap="8px", wrap="wrap"),
        ),
        rx.cond(
            ~SocialState.has_password,
            rx.callout(
                rx.vstack(
                    rx.text(
                        "You sign in only through a connected account and have no password. Set one, so you "
                        "can still get in if that account goes away.",
                        size="2",
                    ),
                    rx.button(
                        "Email me a link to set a password",
                        variant="soft",
                        size="1",
                        on_click=SocialState.email_password_link,
                        id="set-password-link",
                    ),
                    spacing="2",
                    align="start",
                ),
                icon="key-round",
                color_scheme="amber",
                width="100%",
                id="no-password",
            ),
        ),
        spacing="3",
        width="100%",
        on_mount=SocialState.load,
    )
