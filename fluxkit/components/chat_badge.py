"""The Chat item's unread badge in the sidebar, and the presence heartbeat of every tab."""

from __future__ import annotations

import reflex as rx

from fluxkit.services.chat import HEARTBEAT_SECONDS
from fluxkit.state.chat import ChatBadgeState

HEARTBEAT_ID = "chat-heartbeat"


def chat_nav_badge() -> rx.Component:
    return rx.cond(
        ChatBadgeState.badge != "",
        rx.badge(
            ChatBadgeState.badge, color_scheme="red", variant="solid", radius="full", size="1", id="chat-nav-badge"
        ),
    )


def chat_heartbeat() -> rx.Component:
    """Pressed every HEARTBEAT_SECONDS by assets/fluxkit.js: "online" while a tab is open, and the
    count is re-read (the live layer also refreshes it at once on changes). The first heartbeat
    is part of the page's on_load event (ChatBadgeState.arrive), so nothing is sent at mount.

    Outside the Chat link (the shell places it): a click inside the link would follow it."""
    return rx.el.button(
        id=HEARTBEAT_ID,
        on_click=ChatBadgeState.heartbeat(""),
        type="button",
        tab_index=-1,
        aria_hidden="true",
        custom_attrs={"data-every-ms": str(HEARTBEAT_SECONDS * 1000)},
        style={"display": "none"},
    )
