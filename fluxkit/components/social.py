"""The "Sign in with ..." buttons of /sign-in and /sign-up: one per configured provider."""

from __future__ import annotations

import reflex as rx

from fluxkit.state.social import ProviderButton, SocialSignInState


def _button(provider: rx.Var[ProviderButton], verb: str) -> rx.Component:
    return rx.button(
        rx.match(
            provider.id,
            ("google", rx.icon("globe", size=16)),
            ("github", rx.icon("git-branch", size=16)),
            rx.icon("key-round", size=16),
        ),
        f"{verb} with ",
        provider.label,
        type="button",
        variant="outline",
        color_scheme="gray",
        size="3",
        width="100%",
        loading=SocialSignInState.pending == provider.id,
        on_click=SocialSignInState.start(provider.id),
        id="social-" + provider.id,
    )


def social_buttons(verb: str = "Sign in") -> rx.Component:
    """Nothing at all when no provider is configured (no divider, no empty box)."""
    return rx.box(
        rx.cond(
            SocialSignInState.error != "",
            rx.callout(
                SocialSignInState.error,
                icon="triangle-alert",
                color_scheme="red",
                role="alert",
                id="social-error",
                width="100%",
                margin_bottom="12px",
            ),
        ),
        rx.cond(
            SocialSignInState.providers.length() > 0,
            rx.vstack(
                rx.foreach(SocialSignInState.providers, lambda p: _button(p, verb)),
                rx.hstack(
                    rx.separator(size="4", flex="1"),
                    rx.text("or", size="1", color_scheme="gray"),
                    rx.separator(size="4", flex="1"),
                    align="center",
                    width="100%",
                ),
                spacing="2",
                width="100%",
                id="social-buttons",
            ),
        ),
        on_mount=SocialSignInState.load,
        width="100%",
    )
