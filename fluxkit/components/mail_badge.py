"""The Mail item's badge in the sidebar: unread messages in the Inbox, kept live."""

from __future__ import annotations

import reflex as rx

from fluxkit.state.mail import MailBadgeState


def mail_nav_badge() -> rx.Component:
    return rx.box(
        rx.cond(
            MailBadgeState.badge != "",
            rx.badge(
                MailBadgeState.badge,
                color_scheme="violet",
                variant="solid",
                radius="full",
                size="1",
                id="mail-nav-badge",
            ),
        ),
        # Read with the page (ShellState.open_page); the live layer refreshes it on every change.
        display="inline-flex",
    )
