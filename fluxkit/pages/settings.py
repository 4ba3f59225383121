"""/settings: profile, email, password, sessions, appearance, notifications, API keys, billing,
my data and deleting the account."""

import reflex as rx

from fluxkit import routes
from fluxkit.components.api_keys import api_keys_panel
from fluxkit.components.billing import billing_section
from fluxkit.components.settings.account import delete_panel, export_panel
from fluxkit.components.settings.preferences import appearance_panel, notifications_panel
from fluxkit.components.settings.profile import avatar_block, email_form, profile_form
from fluxkit.components.shell import shell
from fluxkit.services.profile import SessionRow
from fluxkit.state.settings import SettingsState

ROUTE = routes.SETTINGS
TITLE = "Settings · FluxKit"
ON_LOAD = SettingsState.load


def _section(title: str, description: str, *children: rx.Component, id: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4"),
            rx.text(description, size="2", color_scheme="gray"),
            *children,
            spacing="3",
            width="100%",
        ),
        width="100%",
        id=id,
    )


def _password_field(label: str, name: str, id: str, autocomplete: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", html_for=id, size="2", weight="medium"),
        rx.input(name=name, id=id, type="password", auto_complete=autocomplete, size="3", width="100%"),
        rx.cond(
            SettingsState.password_errors.contains(name),
            rx.text(SettingsState.password_errors[name], color_scheme="red", size="1", id=f"error-{name}"),
        ),
        spacing="1",
        width="100%",
    )


def _session_row(row: rx.Var[SessionRow]) -> rx.Component:
    return rx.hstack(
        rx.icon("monitor-smartphone", size=20),
        rx.vstack(
            rx.hstack(
                rx.text(row.device, size="2", weight="medium"),
                rx.cond(row.current, rx.badge("This device", color_scheme="green")),
                align="center",
            ),
            rx.text(row.ip, " · signed in ", rx.moment(row.created_at, from_now=True), size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.spacer(),
        rx.cond(
            row.current,
            rx.fragment(),
            rx.button(
                "Sign out", variant="soft", color_scheme="red", size="1", on_click=SettingsState.revoke_session(row.id)
            ),
        ),
        align="center",
        width="100%",
        padding_y="8px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name="session-row",
    )


def content() -> rx.Component:
    return rx.vstack(
        _section(
            "Profile",
            'How other people see you. Your time zone sets what "today" and due dates mean for you.',
            avatar_block(),
            profile_form(),
            id="profile",
        ),
        _section("Email", "The address you sign in with and where FluxKit writes to you.", email_form(), id="email"),
        _section(
            "Password",
            "Changing it signs out every other session.",
            rx.form(
                rx.vstack(
                    _password_field("Current password", "currentPassword", "current-password", "current-password"),
                    _password_field("New password", "newPassword", "new-password", "new-password"),
                    _password_field("Repeat the new password", "confirmPassword", "confirm-password", "new-password"),
                    rx.button(
                        "Change password",
                        type="submit",
                        size="3",
                        loading=SettingsState.password_pending,
                        id="password-save",
                    ),
                    spacing="3",
                    width="100%",
                    max_width="420px",
                ),
                on_submit=SettingsState.change_password,
                width="100%",
            ),
            id="password",
        ),
        _section(
            "Sessions",
            "Where your account is signed in. Sign out any device you do not recognise.",
            rx.vstack(rx.foreach(SettingsState.sessions, _session_row), spacing="0", width="100%", id="session-list"),
            rx.button(
                "Sign out everywhere else",
                variant="outline",
                color_scheme="red",
                on_click=SettingsState.revoke_others,
                id="revoke-others",
            ),
            id="sessions",
        ),
        _section("Appearance", "Theme, accent color and density.", appearance_panel(), id="appearance"),
        _section(
            "Notifications",
            "Choose how each kind of notification reaches you.",
            notifications_panel(),
            id="notifications",
        ),
        _section(
            "API keys",
            "Personal keys for the REST API (/api/v1, docs at /api/v1/docs). A script or app that sends one acts "
            "as you. "
            "Give each its own key, so you can revoke one without touching the others.",
            api_keys_panel(),
            id="api-keys",
        ),
        billing_section(),
        _section("Your data", "Take a copy of everything with you.", export_panel(), id="your-data"),
        _section("Delete account", "Leave FluxKit for good.", delete_panel(), id="danger-zone"),
        spacing="5",
        width="100%",
    )


page = shell("Settings", content)
