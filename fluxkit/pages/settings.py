"""/settings/<page>: profile; account and security (email, password, sessions, deleting the
account); appearance; notifications; billing; API keys; your data. One sub-page each, with a
sub-navigation; /settings (and its old #anchors) opens the matching sub-page."""

from collections.abc import Callable

import reflex as rx

from fluxkit import routes
from fluxkit.components.api_keys import api_keys_panel
from fluxkit.components.billing import billing_section
from fluxkit.components.settings.account import delete_panel, export_panel
from fluxkit.components.settings.connected_accounts import connected_accounts_panel
from fluxkit.components.settings.passkeys import passkeys_panel
from fluxkit.components.settings.preferences import appearance_panel, notifications_panel
from fluxkit.components.settings.profile import avatar_block, email_form, profile_form
from fluxkit.components.settings.two_factor import two_factor_panel
from fluxkit.components.shell import shell
from fluxkit.navigation import SETTINGS_PAGES, settings_path
from fluxkit.services.profile import SessionRow
from fluxkit.state.settings import SettingsState
from fluxkit.state.two_factor import TwoFactorSettingsState

ROUTE = routes.SETTINGS
TITLE = "Settings · FluxKit"
# /settings itself: on to the sub-page its #anchor or ?email= asks for, else the first.
ON_LOAD = SettingsState.open_first


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
        rx.text(label, as_="label", custom_attrs={"htmlFor": id}, size="2", weight="medium"),
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


def _profile() -> rx.Component:
    return _section(
        "Profile",
        'How other people see you. Your time zone sets what "today" and due dates mean for you.',
        avatar_block(),
        profile_form(),
        id="profile",
    )


def _account() -> rx.Component:
    return rx.vstack(
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
            "Connected accounts",
            "Sign in with another account instead of your password. FluxKit emails you whenever one is "
            "connected or disconnected.",
            connected_accounts_panel(),
            id="connected-accounts",
        ),
        _section(
            "Two-factor sign-in",
            "A code from an authenticator app on your phone after your password.",
            two_factor_panel(),
            id="two-factor",
        ),
        _section(
            "Passkeys",
            "Sign in with this device's fingerprint, face or screen lock instead of your password. A passkey "
            "stays on your device or in your password manager; FluxKit keeps only its public half.",
            passkeys_panel(),
            id="passkeys",
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
        _section("Delete account", "Leave FluxKit for good.", delete_panel(), id="danger-zone"),
        spacing="5",
        width="100%",
    )


def _appearance() -> rx.Component:
    return _section("Appearance", "Theme, accent color and density.", appearance_panel(), id="appearance")


def _notifications() -> rx.Component:
    return _section(
        "Notifications",
        "Choose how each kind of notification reaches you.",
        notifications_panel(),
        id="notifications",
    )


def _api_keys() -> rx.Component:
    return _section(
        "API keys",
        "Personal keys for the REST API (/api/v1, docs at /api/v1/docs). A script or app that sends one acts "
        "as you. "
        "Give each its own key, so you can revoke one without touching the others.",
        api_keys_panel(),
        id="api-keys",
    )


def _data() -> rx.Component:
    return _section("Your data", "Take a copy of everything with you.", export_panel(), id="your-data")


CONTENT: dict[str, Callable[[], rx.Component]] = {
    "profile": _profile,
    "account": _account,
    "appearance": _appearance,
    "notifications": _notifications,
    "billing": billing_section,
    "api-keys": _api_keys,
    "data": _data,
}


def sub_nav(current: str) -> rx.Component:
    """The settings sub-navigation: a column beside the page on wide screens, a scrolling row
    of tabs on a phone."""
    return rx.el.nav(
        rx.flex(
            *[
                rx.link(
                    rx.hstack(
                        rx.icon(icon, size=16, flex_shrink="0"), rx.text(label, size="2"), spacing="2", align="center"
                    ),
                    href=settings_path(slug),
                    id=f"settings-nav-{slug}",
                    aria_current="page" if slug == current else None,
                    underline="none",
                    padding="6px 10px",
                    border_radius="6px",
                    white_space="nowrap",
                    color=rx.color("accent", 11) if slug == current else rx.color("gray", 11),
                    bg=rx.color("accent", 3) if slug == current else "transparent",
                    _hover={"bg": rx.color("gray", 3), "color": rx.color("gray", 12)},
                    font_weight="600" if slug == current else "400",
                )
                for label, slug, icon in SETTINGS_PAGES
            ],
            direction=rx.breakpoints(initial="row", md="column"),
            gap="4px",
            overflow_x="auto",
            width="100%",
            padding_bottom=rx.breakpoints(initial="4px", md="0"),
        ),
        aria_label="Settings",
        id="settings-nav",
        style={"minWidth": "0"},
    )


def _sub_page(slug: str) -> Callable[[], rx.Component]:
    def content() -> rx.Component:
        return rx.flex(
            rx.box(sub_nav(slug), width=rx.breakpoints(initial="100%", md="210px"), flex_shrink="0"),
            rx.box(CONTENT[slug](), flex="1", min_width="0", width="100%"),
            direction=rx.breakpoints(initial="column", md="row"),
            gap="20px",
            width="100%",
            align="start",
        )

    content.__name__ = f"settings_{slug.replace('-', '_')}"
    return content


def _opening() -> rx.Component:
    return rx.center(rx.spinner(size="3"), padding="48px", width="100%")


page = shell("Settings", _opening)

# (route, title, page) of every sub-page; fluxkit.py registers them as signed-in pages with
# SUB_PAGE_ON_LOAD. They live below /settings, so the edge gate protects them with it.
SUB_PAGES: list[tuple[str, str, Callable[[], rx.Component]]] = [
    (settings_path(slug), f"{label} · Settings · FluxKit", shell("Settings", _sub_page(slug)))
    for label, slug, _icon in SETTINGS_PAGES
]
SUB_PAGE_ON_LOAD = SettingsState.load
# What a sub-page loads besides SUB_PAGE_ON_LOAD, by route.
SUB_PAGE_EXTRA_LOADS = {settings_path("account"): (TwoFactorSettingsState.load,)}
