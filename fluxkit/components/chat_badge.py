"""The Chat item's unread badge in the sidebar, and the presence heartbeat of every tab."""

from __future__ import annotations

import reflex as rx

from fluxkit.services.chat import HEARTBEAT_SECONDS
from fluxkit.state.chat import ChatBadgeState


def chat_nav_badge() -> rx.Component:
    return rx.fragment(
        rx.cond(
            ChatBadgeState.badge != "",
            rx.badge(
                ChatBadgeState.badge, color_scheme="red", variant="solid", radius="full", size="1", id="chat-nav-badge"
            ),
        ),
        # Fires on mount and then every HEARTBEAT_SECONDS: "online" while a tab is open,
        # and the count is re-read (the live layer also refreshes it at once on changes).
        rx.moment(interval=HEARTBEAT_SECONDS * 1000, on_change=ChatBadgeState.heartbeat, display="none"),
    )
