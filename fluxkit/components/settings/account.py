"""Settings › Your data and Delete account."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.settings.profile import labelled
from fluxkit.state.settings import SettingsState as S


def export_panel() -> rx.Component:
    return rx.flex(
        rx.text(
            "One JSON file with everything FluxKit holds about you: profile, preferences, tasks and their history, "
            "notifications, API keys (never the keys themselves), sessions, subscription, mail, chat messages you "
            "sent, "
            "calendar events and account activity. Also at GET /api/v1/me/export.",
            size="2",
        ),
        rx.button(
            rx.icon("download", size=16),
            "Download my data",
            variant="outline",
            on_click=S.export_data,
            id="export-data",
            flex_shrink="0",
        ),
        gap="12px",
        direction=rx.breakpoints(initial="column", sm="row"),
        align=rx.breakpoints(initial="start", sm="center"),
        width="100%",
    )


def delete_panel() -> rx.Component:
    return rx.vstack(
        rx.text(
            "Deleting your account signs you out everywhere and removes your tasks, notifications, API keys, mail, "
            "chat memberships and calendar events for good. It cannot be undone.",
            size="2",
        ),
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(
                rx.button("Delete my account", color_scheme="red", variant="soft", id="delete-account")
            ),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Delete your account?"),
                rx.alert_dialog.description(
                    "This removes your account and your data for good. Type your email and your password to confirm.",
                    size="2",
                ),
                rx.form(
                    rx.vstack(
                        labelled(
                            "Type your email: " + S.email,
                            rx.input(name="confirm", id="delete-confirm", size="3", width="100%", auto_complete="off"),
                            "delete-confirm",
                            S.delete_errors,
                            "confirm",
                        ),
                        labelled(
                            "Current password",
                            rx.input(
                                name="password",
                                id="delete-password",
                                type="password",
                                size="3",
                                width="100%",
                                auto_complete="current-password",
                            ),
                            "delete-password",
                            S.delete_errors,
                            "password",
                        ),
                        rx.cond(
                            S.delete_errors.contains("form"),
                            rx.callout(
                                S.delete_errors["form"],
                                icon="circle-x",
                                color_scheme="red",
                                role="alert",
                                width="100%",
                                id="delete-refused",
                            ),
                        ),
                        rx.hstack(
                            rx.alert_dialog.cancel(
                                rx.button("Cancel", variant="soft", color_scheme="gray", type="button")
                            ),
                            rx.button("Delete for good", color_scheme="red", type="submit", id="delete-confirm-button"),
                            justify="end",
                            width="100%",
                        ),
                        spacing="3",
                        margin_top="12px",
                    ),
                    on_submit=S.delete_account,
                ),
            ),
            open=S.delete_open,
            on_open_change=S.open_delete,
        ),
        spacing="3",
        width="100%",
    )
