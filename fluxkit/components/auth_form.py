"""The card, fields and messages shared by the sign-in, sign-up and password pages."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.brand import logo
from fluxkit.components.theme import theme_menu
from fluxkit.state.auth import AuthState


def auth_card(title: str, subtitle: rx.Component | str, *body: rx.Component) -> rx.Component:
    return rx.center(
        rx.box(theme_menu(), position="absolute", top="16px", right="16px"),
        rx.el.main(
            rx.card(
                rx.vstack(
                    logo(),
                    rx.heading(title, size="6", id="auth-title"),
                    rx.text(subtitle, color_scheme="gray", size="2") if isinstance(subtitle, str) else subtitle,
                    # Forms appear once the page is live, so nothing typed before that is lost.
                    rx.cond(
                        rx.State.is_hydrated,
                        rx.vstack(*body, spacing="4", width="100%"),
                        rx.center(rx.spinner(size="3"), width="100%", padding="24px"),
                    ),
                    spacing="4",
                    width="100%",
                ),
                size="4",
                width="100%",
                max_width="420px",
            ),
            style={"width": "100%", "maxWidth": "420px"},
        ),
        min_height="100vh",
        padding="16px",
        bg=rx.color("gray", 2),
        position="relative",
    )


def field_error(name: str) -> rx.Component:
    return rx.cond(
        AuthState.field_errors.contains(name),
        rx.text(AuthState.field_errors[name], color_scheme="red", size="1", id=f"error-{name}"),
    )


def field(
    label: str, name: str, *, id: str, type: str = "text", autocomplete: str = "", placeholder: str = "", **props
) -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", custom_attrs={"htmlFor": id}, size="2", weight="medium"),
        rx.input(
            name=name,
            id=id,
            type=type,
            placeholder=placeholder,
            auto_complete=autocomplete,
            size="3",
            width="100%",
            color_scheme=rx.cond(AuthState.field_errors.contains(name), "red", "gray"),
            aria_label=label,
            **props,
        ),
        field_error(name),
        spacing="1",
        width="100%",
    )


def form_error() -> rx.Component:
    return rx.cond(
        AuthState.error != "",
        rx.callout(
            AuthState.error, icon="triangle-alert", color_scheme="red", role="alert", id="form-error", width="100%"
        ),
    )


def submit(label: str, *, id: str) -> rx.Component:
    return rx.button(label, type="submit", size="3", width="100%", loading=AuthState.pending, id=id)


def sent_panel(message: str, detail: rx.Component) -> rx.Component:
    return rx.callout(
        rx.vstack(rx.text(message, weight="medium"), detail, spacing="1"),
        icon="mail-check",
        color_scheme="green",
        id="email-sent",
        width="100%",
    )
