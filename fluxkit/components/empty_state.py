"""The dashed box a list or view shows when it has nothing to show: an icon, a line or two, an action."""

from __future__ import annotations

import reflex as rx


def empty_state(*children: rx.Component, id: str, padding: str = "48px 16px") -> rx.Component:
    """`children` stack centred in a dashed, rounded box as wide as its container."""
    return rx.center(
        rx.vstack(*children, align="center", spacing="2"),
        padding=padding,
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="12px",
        id=id,
    )
