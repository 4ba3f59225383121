"""Small task pieces shared by the table, the phone cards and the details dialog."""

from __future__ import annotations

import reflex as rx

from fluxkit.services.tasks import CATEGORIES, PRIORITIES, STATUSES

STATUS_COLORS = {"pending": "amber", "in progress": "blue", "completed": "green", "cancelled": "gray"}
STATUS_ICONS = {"pending": "circle", "in progress": "loader", "completed": "circle-check", "cancelled": "circle-x"}
PRIORITY_COLORS = {"low": "gray", "medium": "orange", "high": "red"}
PRIORITY_ICONS = {"low": "arrow-down", "medium": "arrow-right", "high": "arrow-up"}
CATEGORY_ICONS = {"feature": "sparkles", "bug": "bug", "documentation": "book-open", "other": "tag"}
# Cut long text at two lines with an ellipsis.
CLAMP_2 = {
    "display": "-webkit-box",
    "WebkitLineClamp": "2",
    "WebkitBoxOrient": "vertical",
    "overflow": "hidden",
    "wordBreak": "break-word",
}
DUE_LABELS = {"overdue": "Overdue", "today": "Due today", "week": "Due this week"}


def slug(value: str) -> str:
    return value.replace(" ", "-")


def label(value: str) -> str:
    return value[:1].upper() + value[1:]


def status_badge(status: rx.Var[str]) -> rx.Component:
    return rx.match(
        status,
        *[
            (
                s,
                rx.badge(
                    rx.icon(STATUS_ICONS[s], size=12),
                    label(s),
                    color_scheme=STATUS_COLORS[s],
                    variant="soft",
                    radius="full",
                ),
            )
            for s in STATUSES
        ],
        rx.badge(status),
    )


def priority_badge(priority: rx.Var[str]) -> rx.Component:
    return rx.match(
        priority,
        *[
            (
                p,
                rx.badge(
                    rx.icon(PRIORITY_ICONS[p], size=12), label(p), color_scheme=PRIORITY_COLORS[p], variant="outline"
                ),
            )
            for p in PRIORITIES
        ],
        rx.badge(priority),
    )


def category_label(category: rx.Var[str]) -> rx.Component:
    return rx.match(
        category,
        *[
            (
                c,
                rx.hstack(
                    rx.icon(CATEGORY_ICONS[c], size=14, color=rx.color("gray", 10)),
                    rx.text(label(c), size="2"),
                    spacing="1",
                    align="center",
                ),
            )
            for c in CATEGORIES
        ],
        rx.text(category, size="2"),
    )


def due_label(due: rx.Var[str], overdue: rx.Var[bool]) -> rx.Component:
    return rx.cond(
        due != "",
        rx.hstack(
            rx.icon("calendar", size=14),
            rx.text(rx.moment(due, format="MMM D, YYYY"), size="2"),
            rx.cond(overdue, rx.badge("Overdue", color_scheme="red", size="1")),
            spacing="1",
            align="center",
            color=rx.cond(overdue, rx.color("red", 11), rx.color("gray", 11)),
            white_space="nowrap",
        ),
        rx.text("—", color_scheme="gray", size="2"),
    )


MOVE_LABELS = {
    ("completed", "in progress"): "Reopen",
    ("cancelled", "pending"): "Restore",
}


def move_label(current: str, target: str) -> str:
    return MOVE_LABELS.get((current, target), f"Move to {target}")
