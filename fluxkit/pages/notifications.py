"""/notifications: every notification, newest first, one page at a time."""

from __future__ import annotations

import reflex as rx

from fluxkit import routes
from fluxkit.components.bell import type_icon
from fluxkit.components.shell import shell
from fluxkit.services.notifications import NotificationRow
from fluxkit.state.notifications import ROUTE as NOTIFICATIONS_ROUTE
from fluxkit.state.notifications import NotificationsState

ROUTE = NOTIFICATIONS_ROUTE
TITLE = "Notifications · FluxKit"
ON_LOAD = NotificationsState.load


def action_label(kind: rx.Var[str]) -> rx.Var:
    """A notification's link, named by what it opens."""
    return rx.match(
        kind,
        ("mail", "Open message"),
        ("event_invitation", "Open event"),
        ("system", "Open billing"),
        ("welcome", "Get started"),
        "Open task",
    )


def _row(item: rx.Var[NotificationRow]) -> rx.Component:
    return rx.hstack(
        type_icon(item.type),
        rx.vstack(
            rx.hstack(
                rx.text(item.title, size="2", weight=rx.cond(item.read, "medium", "bold")),
                rx.cond(~item.read, rx.badge("New", size="1", color_scheme="violet", variant="soft")),
                align="center",
                spacing="2",
            ),
            rx.text(item.body, size="2", color_scheme="gray", word_break="break-word"),
            rx.hstack(
                rx.text(rx.moment(item.created_at, from_now=True), size="1", color_scheme="gray"),
                rx.cond(
                    (item.task_id > 0) | (item.link != ""),
                    rx.link(
                        rx.hstack(
                            rx.text(action_label(item.type)),
                            rx.icon("arrow-right", size=12),
                            spacing="1",
                            align="center",
                        ),
                        on_click=NotificationsState.open(item.id),
                        size="1",
                        cursor="pointer",
                        id=f"notification-open-{item.id}",
                    ),
                ),
                spacing="3",
                align="center",
            ),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.hstack(
            rx.cond(
                ~item.read,
                rx.tooltip(
                    rx.icon_button(
                        rx.icon("check", size=16),
                        variant="ghost",
                        color_scheme="gray",
                        size="2",
                        on_click=NotificationsState.mark_read(item.id),
                        aria_label="Mark as read",
                        id=f"notification-read-{item.id}",
                    ),
                    content="Mark as read",
                ),
            ),
            rx.tooltip(
                rx.icon_button(
                    rx.icon("trash-2", size=16),
                    variant="ghost",
                    color_scheme="gray",
                    size="2",
                    on_click=NotificationsState.delete(item.id),
                    aria_label="Delete",
                    id=f"notification-delete-{item.id}",
                ),
                content="Delete",
            ),
            spacing="1",
        ),
        align="start",
        spacing="3",
        width="100%",
        padding="14px 16px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        bg=rx.cond(item.read, "transparent", rx.color("accent", 2)),
        id=f"notification-{item.id}",
        class_name="notification-row",
    )


def content() -> rx.Component:
    state = NotificationsState
    return rx.vstack(
        rx.flex(
            rx.vstack(
                rx.text(
                    rx.cond(state.unread > 0, rx.text.span(state.unread, " unread · "), ""),
                    state.total,
                    " in total",
                    size="2",
                    color_scheme="gray",
                    id="notifications-summary",
                ),
                spacing="0",
            ),
            rx.spacer(),
            rx.hstack(
                rx.segmented_control.root(
                    rx.segmented_control.item("All", value="all"),
                    rx.segmented_control.item("Unread", value="unread"),
                    value=rx.cond(state.unread_only, "unread", "all"),
                    on_change=lambda v: state.set_unread_only(v == "unread"),
                    id="notifications-filter",
                    size="1",
                ),
                rx.button(
                    rx.icon("check-check", size=16),
                    "Mark all read",
                    variant="outline",
                    size="2",
                    disabled=state.unread == 0,
                    on_click=state.mark_all_read,
                    id="notifications-mark-all",
                ),
                spacing="3",
                align="center",
            ),
            direction=rx.breakpoints(initial="column", sm="row"),
            spacing="3",
            width="100%",
            align=rx.breakpoints(initial="start", sm="center"),
        ),
        rx.cond(
            state.rows.length() > 0,
            rx.card(
                rx.vstack(rx.foreach(state.rows, _row), spacing="0", width="100%"),
                padding="0",
                width="100%",
                id="notification-list",
            ),
            rx.cond(
                state.loaded,
                rx.center(
                    rx.vstack(
                        rx.icon("bell-off", size=28, color=rx.color("gray", 9)),
                        rx.text(
                            rx.cond(state.unread_only, "No unread notifications.", "No notifications yet."),
                            weight="medium",
                        ),
                        rx.text(
                            "Completing a task, or a task coming due, shows up here.", size="2", color_scheme="gray"
                        ),
                        rx.link("Go to your tasks", href=routes.TASKS, size="2"),
                        align="center",
                        spacing="2",
                    ),
                    padding="48px 16px",
                    width="100%",
                    border=f"1px dashed {rx.color('gray', 6)}",
                    border_radius="12px",
                    id="notifications-empty",
                ),
                rx.center(rx.spinner(size="3"), padding="64px", width="100%"),
            ),
        ),
        rx.cond(
            state.pages > 1,
            rx.hstack(
                rx.icon_button(
                    rx.icon("chevron-left", size=16),
                    size="1",
                    variant="soft",
                    disabled=state.page <= 1,
                    on_click=state.go_to_page(state.page - 1),
                    aria_label="Previous page",
                    id="notifications-prev",
                ),
                rx.text("Page ", state.page, " of ", state.pages, size="2", id="notifications-page"),
                rx.icon_button(
                    rx.icon("chevron-right", size=16),
                    size="1",
                    variant="soft",
                    disabled=state.page >= state.pages,
                    on_click=state.go_to_page(state.page + 1),
                    aria_label="Next page",
                    id="notifications-next",
                ),
                align="center",
                spacing="3",
                justify="end",
                width="100%",
            ),
        ),
        spacing="4",
        width="100%",
    )


page = shell("Notifications", content, loaded=NotificationsState.loaded)
