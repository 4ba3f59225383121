"""Settings › Account › Two-factor sign-in: turn it on (password -> QR code, secret and backup
codes shown once -> a first code confirms it), new backup codes, forget trusted devices, off."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.settings.profile import labelled
from fluxkit.state.two_factor import TwoFactorSettingsState as S


def _password_form(button: str, handler, *, id: str, field: str, color: str | None = None) -> rx.Component:
    return rx.form(
        rx.flex(
            rx.box(
                labelled(
                    "Your password",
                    rx.input(
                        name="password",
                        id=f"{id}-password",
                        type="password",
                        size="3",
                        width="100%",
                        auto_complete="current-password",
                    ),
                    f"{id}-password",
                    S.errors,
                    field,
                ),
                flex="1",
                width="100%",
            ),
            rx.button(
                button,
                type="submit",
                size="3",
                loading=S.busy,
                id=f"{id}-submit",
                **({"color_scheme": color} if color else {}),
            ),
            gap="12px",
            align="end",
            direction=rx.breakpoints(initial="column", sm="row"),
            width="100%",
            max_width="520px",
        ),
        on_submit=handler,
        reset_on_submit=False,
        width="100%",
    )


def _backup_codes() -> rx.Component:
    return rx.cond(
        S.new_backup_codes.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("key-round")),
            rx.vstack(
                rx.text(
                    "Your backup codes. Each one signs you in once if you lose your phone. Save them now: "
                    "they are not shown again.",
                    size="2",
                    weight="medium",
                ),
                rx.grid(
                    rx.foreach(
                        S.new_backup_codes,
                        lambda code: rx.code(code, size="3", class_name="backup-code"),
                    ),
                    columns="2",
                    spacing="2",
                    id="two-factor-backup-codes",
                ),
                rx.button("I saved them", size="1", variant="soft", on_click=S.hide_codes, id="two-factor-codes-done"),
                spacing="2",
            ),
            color_scheme="amber",
            width="100%",
        ),
    )


def _setup() -> rx.Component:
    return rx.vstack(
        rx.text("1. Scan this code with an authenticator app (1Password, Google Authenticator, Aegis…):", size="2"),
        rx.image(
            src=S.qr_code, alt="QR code for your authenticator app", width="200px", height="200px", id="two-factor-qr"
        ),
        rx.text(
            "Or type this key into the app: ",
            rx.code(S.secret, id="two-factor-secret", size="3"),
            size="2",
        ),
        _backup_codes(),
        rx.text("2. Enter the 6-digit code the app shows now to turn two-factor sign-in on:", size="2"),
        rx.form(
            rx.flex(
                rx.box(
                    labelled(
                        "Code from the app",
                        rx.input(
                            name="code",
                            id="two-factor-confirm-code",
                            size="3",
                            width="100%",
                            auto_complete="one-time-code",
                            input_mode="numeric",
                            max_length=7,
                        ),
                        "two-factor-confirm-code",
                        S.errors,
                        "code",
                    ),
                    flex="1",
                    width="100%",
                ),
                rx.button("Turn on", type="submit", size="3", id="two-factor-confirm"),
                gap="12px",
                align="end",
                direction=rx.breakpoints(initial="column", sm="row"),
                width="100%",
                max_width="520px",
            ),
            on_submit=S.confirm,
            reset_on_submit=False,
            width="100%",
        ),
        spacing="3",
        width="100%",
        id="two-factor-setup",
    )


def _on() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge("On", color_scheme="green", size="2", id="two-factor-on"),
            rx.text(
                S.backup_codes_left,
                " backup codes left",
                rx.cond(S.trusted_devices > 0, rx.fragment(" · ", S.trusted_devices, " trusted devices")),
                size="2",
                color_scheme="gray",
            ),
            align="center",
        ),
        _backup_codes(),
        rx.text("New backup codes (the old ones stop working):", size="2", weight="medium"),
        _password_form("New backup codes", S.regenerate, id="two-factor-regenerate", field="regenerate"),
        rx.cond(
            S.trusted_devices > 0,
            rx.button(
                "Forget trusted devices",
                variant="outline",
                size="2",
                on_click=S.forget_devices,
                id="two-factor-forget-devices",
            ),
        ),
        rx.text("Turn two-factor sign-in off:", size="2", weight="medium"),
        _password_form("Turn off", S.disable, id="two-factor-disable", field="disable", color="red"),
        spacing="3",
        width="100%",
    )


def _off() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.badge("Off", color_scheme="gray", size="2", id="two-factor-off"), align="center"),
        rx.text(
            "Ask for a code from an authenticator app after your password, so a stolen password alone "
            "does not get anyone in.",
            size="2",
        ),
        _password_form("Set up two-factor sign-in", S.start, id="two-factor", field="password"),
        spacing="3",
        width="100%",
    )


def two_factor_panel() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.errors.contains("form"),
            rx.callout(S.errors["form"], icon="circle-x", color_scheme="red", role="alert", id="two-factor-refused"),
        ),
        rx.cond(S.enabled, _on(), rx.cond(S.setting_up, _setup(), _off())),
        spacing="3",
        width="100%",
        id="two-factor-panel",
    )
