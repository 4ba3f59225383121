"""The notification bell in the header: unread count and the latest items."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.tasks.badges import CLAMP_2
from fluxkit.services.notifications import NotificationRow
from fluxkit.state.notifications import ROUTE, BellState

TYPE_ICONS = {
    "task_completed": "circle-check",
    "task_due": "alarm-clock",
    "welcome": "party-popper",
    "system": "info",
    "mail": "mail",
    "event_invitation": "calendar-plus",
    "task_assigned": "user-check",
}
TYPE_COLORS = {
    "task_completed": "green",
    "task_due": "orange",
    "welcome": "violet",
    "system": "blue",
    "mail": "cyan",
    "event_invitation": "indigo",
    "task_assigned": "violet",
}


def type_icon(kind: rx.Var[str]) -> rx.Component:
    def tile(icon: str, color: str) -> rx.Component:
        return rx.center(
            rx.icon(icon, size=16),
            bg=rx.color(color, 3),
            color=rx.color(color, 11),
            border_radius="8px",
            width="32px",
            height="32px",
            min_width="32px",
        )

    return rx.match(kind, *[(k, tile(TYPE_ICONS[k], TYPE_COLORS[k])) for k in TYPE_ICONS], tile("bell", "gray"))


def _bell_item(item: rx.Var[NotificationRow]) -> rx.Component:
    return rx.hstack(
        type_icon(item.type),
        rx.vstack(
            rx.text(item.title, size="2", weight=rx.cond(item.read, "regular", "bold")),
            rx.text(item.body, size="1", color_scheme="gray", style=CLAMP_2),
            rx.text(item.ago, size="1", color_scheme="gray", title=item.created_at),
            spacing="1",
            min_width="0",
            flex="1",
        ),
        rx.cond(
            ~item.read,
            rx.box(
                width="8px",
                height="8px",
                min_width="8px",
                border_radius="50%",
                bg=rx.color("accent", 9),
                margin_top="6px",
            ),
        ),
        on_click=BellState.open_item(item.id),
        id=f"bell-item-{item.id}",
        role="button",
        tab_index=0,
        align="start",
        spacing="3",
        padding="10px 12px",
        width="100%",
        cursor="pointer",
        border_radius="6px",
        bg=rx.cond(item.read, "transparent", rx.color("accent", 2)),
        _hover={"bg": rx.color("gray", 3)},
    )


def bell() -> rx.Component:
    # The trigger is the button itself (a wrapping box would carry aria-expanded, which a
    # plain div may not); the count sits beside it in the positioned box.
    # Read fresh when opened, through the popover (an on_click on the button would make Reflex
    # wrap it in a div, which would then carry the trigger's aria-expanded).
    popover = rx.popover.root(
        rx.popover.trigger(
            rx.icon_button(
                rx.icon("bell", size=18),
                variant="ghost",
                size="2",
                aria_label="Notifications",
                id="bell",
            ),
        ),
        rx.popover.content(
            rx.vstack(
                rx.hstack(
                    rx.text("Notifications", weight="bold", size="3"),
                    rx.spacer(),
                    rx.cond(
                        BellState.unread > 0,
                        rx.button(
                            "Mark all read",
                            variant="ghost",
                            size="1",
                            on_click=BellState.mark_all_read,
                            id="bell-mark-all",
                        ),
                    ),
                    width="100%",
                    align="center",
                    padding="4px 4px 8px 8px",
                ),
                rx.cond(
                    BellState.items.length() > 0,
                    rx.vstack(rx.foreach(BellState.items, _bell_item), spacing="1", width="100%", id="bell-list"),
                    rx.center(
                        rx.vstack(
                            rx.icon("bell-off", size=24, color=rx.color("gray", 9)),
                            rx.text("You're all caught up.", size="2", color_scheme="gray"),
                            align="center",
                            spacing="2",
                        ),
                        padding="24px",
                        width="100%",
                        id="bell-empty",
                    ),
                ),
                rx.divider(),
                rx.link(
                    "View all notifications",
                    href=ROUTE,
                    size="2",
                    id="bell-view-all",
                    align="center",
                    width="100%",
                    padding="4px",
                ),
                spacing="1",
                width="100%",
            ),
            width="360px",
            max_width="calc(100vw - 24px)",
            align="end",
            padding="8px",
            id="bell-popover",
        ),
        on_open_change=BellState.opened,
    )
    return rx.box(
        popover,
        rx.cond(
            BellState.badge != "",
            rx.box(
                BellState.badge,
                id="bell-count",
                position="absolute",
                top="-6px",
                right="-8px",
                min_width="18px",
                height="18px",
                padding="0 5px",
                border_radius="9px",
                bg=rx.color("red", 9),
                color="white",
                font_size="11px",
                font_weight="600",
                line_height="18px",
                text_align="center",
                pointer_events="none",
            ),
        ),
        position="relative",
        display="inline-flex",
        # The count loads with the page (ShellState.open_page); the live layer keeps it current.
    )
