"""/users: the users admin and the audit log, for admins; "not allowed" (403) for everyone else."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.error_pages import forbidden_panel
from fluxkit.components.shell import shell
from fluxkit.components.users_audit import audit_tab
from fluxkit.components.users_list import users_tab
from fluxkit.state.users import ROUTE as USERS_ROUTE
from fluxkit.state.users import UsersState

ROUTE = USERS_ROUTE
TITLE = "Users · FluxKit"
ON_LOAD = UsersState.load


def not_allowed() -> rx.Component:
    """What a non-admin sees: a 403 in the product's style, with the way back."""
    return forbidden_panel("The users admin is for FluxKit's administrators.", id="users-forbidden")


def invite_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Invite someone"),
            rx.dialog.description(
                "They get an email with a link to sign up. Their account appears here once they do.", size="2"
            ),
            rx.form(
                rx.vstack(
                    rx.text("Email", as_="label", custom_attrs={"htmlFor": "invite-email"}, size="2", weight="medium"),
                    rx.input(
                        name="email",
                        id="invite-email",
                        type="email",
                        placeholder="name@example.com",
                        auto_focus=True,
                        max_length=254,
                        width="100%",
                        required=True,
                    ),
                    rx.cond(
                        UsersState.invite_error != "",
                        rx.text(UsersState.invite_error, color_scheme="red", size="1", role="alert", id="invite-error"),
                    ),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                        rx.button(rx.icon("send", size=14), "Send invitation", type="submit", id="invite-send"),
                        justify="end",
                        width="100%",
                        spacing="2",
                        margin_top="8px",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=UsersState.invite,
                reset_on_submit=False,
            ),
            max_width="440px",
        ),
        open=UsersState.invite_open,
        on_open_change=UsersState.set_invite_open,
    )


def delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete ", UsersState.delete_name, "?"),
            rx.alert_dialog.description(
                "This deletes the account for good, with everything that is theirs: tasks and their history, "
                "notifications, sessions, API keys, the subscription record, their mail copies, chat memberships "
                "and calendar events. Messages they sent others and the audit log stay. It cannot be undone.",
                size="2",
            ),
            rx.vstack(
                rx.text(
                    "Type ",
                    rx.code(UsersState.delete_email),
                    " to confirm.",
                    size="2",
                    as_="label",
                    custom_attrs={"htmlFor": "delete-confirm"},
                ),
                rx.input(
                    value=UsersState.delete_confirm,
                    on_change=UsersState.set_delete_confirm,
                    id="delete-confirm",
                    placeholder=UsersState.delete_email,
                    auto_complete="off",
                    width="100%",
                ),
                rx.cond(
                    UsersState.delete_error != "",
                    rx.text(UsersState.delete_error, color_scheme="red", size="1", role="alert", id="delete-error"),
                ),
                spacing="2",
                width="100%",
                margin_top="12px",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.button(
                    rx.icon("trash-2", size=14),
                    "Delete user",
                    color_scheme="red",
                    disabled=~UsersState.delete_ready,
                    on_click=UsersState.delete_user,
                    id="delete-submit",
                ),
                justify="end",
                width="100%",
                spacing="2",
                margin_top="16px",
            ),
            max_width="480px",
        ),
        open=UsersState.delete_open,
        on_open_change=UsersState.set_delete_open,
    )


def admin_view() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.segmented_control.root(
                rx.segmented_control.item(
                    rx.hstack(rx.icon("users", size=14), rx.text("Users"), spacing="1", align="center"),
                    value="users",
                    id="users-tab-users",
                ),
                rx.segmented_control.item(
                    rx.hstack(rx.icon("scroll-text", size=14), rx.text("Audit log"), spacing="1", align="center"),
                    value="audit",
                    id="users-tab-audit",
                ),
                value=UsersState.tab,
                on_change=UsersState.set_tab,
                id="users-tabs",
            ),
            rx.spacer(),
            rx.button(
                rx.icon("user-plus", size=16),
                rx.text("Invite", display=["none", "inline"]),
                on_click=UsersState.set_invite_open(True),
                id="users-invite",
                aria_label="Invite someone",
            ),
            width="100%",
            align="center",
        ),
        rx.cond(UsersState.tab == "audit", audit_tab(), users_tab()),
        invite_dialog(),
        delete_dialog(),
        spacing="4",
        width="100%",
    )


def content() -> rx.Component:
    return rx.cond(
        UsersState.loaded,
        rx.cond(UsersState.allowed, admin_view(), not_allowed()),
        rx.center(rx.spinner(size="3"), padding="64px", width="100%"),
    )


page = shell(rx.cond(UsersState.allowed | ~UsersState.loaded, "Users", "Not allowed"), content)  # type: ignore[arg-type]
