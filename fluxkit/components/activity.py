"""A list of account activity rows (from the audit log)."""

from __future__ import annotations

import reflex as rx

from fluxkit.services.profile import Activity


def activity_row(item: rx.Var[Activity]) -> rx.Component:
    return rx.hstack(
        rx.cond(
            item.warning,
            rx.icon("shield-alert", size=18, color=rx.color("red", 10)),
            rx.icon("shield-check", size=18, color=rx.color("green", 10)),
        ),
        rx.vstack(
            rx.text(item.label, size="2", weight="medium"),
            rx.text(item.ago, " · ", item.ip, size="1", color_scheme="gray", title=item.at),
            spacing="0",
        ),
        align="center",
        spacing="3",
        padding_y="6px",
        width="100%",
    )
