"""/tasks: stat cards, a filtered and sorted page of tasks, and every action on them.

The list (table, phone cards, pagination) is in components/tasks/table.py, the dialogs in
components/tasks/dialogs.py.
"""

from __future__ import annotations

import reflex as rx

from fluxkit.components.empty_state import empty_state
from fluxkit.components.filter_toolbar import filter_toolbar
from fluxkit.components.shell import shell
from fluxkit.components.tasks.badges import DUE_LABELS, label, slug
from fluxkit.components.tasks.dialogs import csv_import_dialog, details_dialog, task_dialog
from fluxkit.components.tasks.table import column_visible, pagination, task_cards, task_table
from fluxkit.services.tasks import CATEGORIES, PRIORITIES, STATUSES
from fluxkit.state.tasks.page import ALL, COLUMNS, TasksState
from fluxkit.state.tasks.page import ROUTE as TASKS_ROUTE

ROUTE = TASKS_ROUTE
TITLE = "Tasks · FluxKit"
ON_LOAD = TasksState.load


# ---- stat cards ----------------------------------------------------------------------------------


def _stat(label_text: str, value: rx.Var[int], icon: str, color: str, id: str, status: str) -> rx.Component:
    active = TasksState.status_filter == status
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(label_text, size="2", color_scheme="gray"),
                rx.text(value, size="7", weight="bold", id=id, line_height="1"),
                spacing="2",
            ),
            rx.spacer(),
            rx.center(
                rx.icon(icon, size=20),
                bg=rx.color(color, 3),
                color=rx.color(color, 11),
                border_radius="10px",
                width="40px",
                height="40px",
            ),
            align="center",
            width="100%",
        ),
        on_click=TasksState.set_filter("status", status or ALL),
        cursor="pointer",
        width="100%",
        border=rx.cond(active, f"1px solid {rx.color(color, 8)}", "1px solid transparent"),
        title=f"Show {label_text.lower()} tasks",
    )


def stat_cards() -> rx.Component:
    return rx.grid(
        _stat("Total", TasksState.stats.total, "list-todo", "violet", "stat-total", ""),
        _stat("Pending", TasksState.stats.pending, "circle-dashed", "amber", "stat-pending", "pending"),
        _stat("In progress", TasksState.stats.in_progress, "loader", "blue", "stat-in-progress", "in progress"),
        _stat("Completed", TasksState.stats.completed, "circle-check", "green", "stat-completed", "completed"),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="3",
        width="100%",
    )


# ---- toolbar -------------------------------------------------------------------------------------


def _filter(name: str, placeholder: str, options: list[tuple[str, str]], width: str) -> rx.Component:
    value = getattr(TasksState, f"{name}_filter")
    return rx.select.root(
        rx.select.trigger(
            placeholder=placeholder,
            id=f"filter-{name}",
            width=["100%", "100%", "auto"],
            min_width=["0", "0", width],
            aria_label=placeholder,
        ),
        rx.select.content(
            rx.select.item(f"All ({placeholder.lower()})", value=ALL, id=f"filter-{name}-all"),
            *[rx.select.item(text, value=value_, id=f"filter-{name}-{slug(value_)}") for value_, text in options],
        ),
        value=rx.cond(value == "", ALL, value),
        on_change=lambda v: TasksState.set_filter(name, v),
    )


def column_menu() -> rx.Component:
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("columns-3", size=16),
                rx.text("Columns", display=["none", "none", "inline"]),
                variant="outline",
                color_scheme="gray",
                id="column-menu",
                aria_label="Columns",
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.text("Show columns", size="1", weight="bold", color_scheme="gray"),
                *[
                    rx.checkbox(
                        text,
                        checked=column_visible(key),
                        on_change=lambda _checked, key=key: TasksState.toggle_column(key),
                        id=f"column-toggle-{key}",
                    )
                    for key, text in COLUMNS
                ],
                spacing="2",
            ),
            align="end",
            width="180px",
        ),
    )


def toolbar() -> rx.Component:
    return filter_toolbar(
        TasksState,
        search_placeholder="Search title and description…",
        search_id="task-search",
        search_label="Search tasks",
        filters=[
            _filter("status", "Status", [(s, label(s)) for s in STATUSES], "130px"),
            _filter("priority", "Priority", [(p, label(p)) for p in PRIORITIES], "130px"),
            _filter("category", "Category", [(c, label(c)) for c in CATEGORIES], "140px"),
            _filter("due", "Due", list(DUE_LABELS.items()), "130px"),
        ],
        filter_columns=rx.breakpoints(initial="repeat(2, minmax(0, 1fr))", md="repeat(4, auto)"),
        clear_id="filter-clear",
    )


def actions_bar() -> rx.Component:
    return rx.hstack(
        rx.button(rx.icon("plus", size=16), "New task", on_click=TasksState.open_new, id="task-add"),
        rx.spacer(),
        column_menu(),
        rx.button(
            rx.icon("upload", size=16),
            rx.text("Import", display=["none", "inline"]),
            variant="outline",
            color_scheme="gray",
            on_click=TasksState.set_import_open(True),
            id="task-import-open",
            aria_label="Import CSV",
        ),
        rx.button(
            rx.icon("download", size=16),
            rx.text("Export", display=["none", "inline"]),
            variant="outline",
            color_scheme="gray",
            on_click=TasksState.export_csv,
            id="task-export",
            aria_label="Export CSV",
        ),
        width="100%",
        align="center",
        spacing="2",
    )


def undo_banner() -> rx.Component:
    return rx.cond(
        TasksState.undo_message != "",
        rx.hstack(
            rx.icon("trash-2", size=16, color=rx.color("gray", 11)),
            rx.text(TasksState.undo_message, size="2", id="task-undo-message"),
            rx.spacer(),
            rx.button(
                rx.icon("undo-2", size=14),
                "Undo",
                size="2",
                variant="soft",
                on_click=TasksState.undo_delete,
                id="task-undo",
            ),
            rx.icon_button(
                rx.icon("x", size=14),
                size="2",
                variant="ghost",
                color_scheme="gray",
                on_click=TasksState.dismiss_undo,
                aria_label="Dismiss",
                id="task-undo-dismiss",
            ),
            align="center",
            width="100%",
            spacing="3",
            padding="8px 8px 8px 14px",
            border_radius="8px",
            border=f"1px solid {rx.color('gray', 6)}",
            bg=rx.color("gray", 2),
            id="task-undo-banner",
            role="status",
        ),
    )


def bulk_bar() -> rx.Component:
    return rx.cond(
        TasksState.selected.length() > 0,
        rx.hstack(
            rx.text(TasksState.selected.length(), " selected", size="2", weight="medium", id="bulk-count"),
            rx.spacer(),
            rx.dropdown_menu.root(
                rx.dropdown_menu.trigger(
                    rx.button(
                        rx.icon("arrow-right-left", size=14),
                        "Set status",
                        rx.icon("chevron-down", size=14),
                        size="2",
                        variant="soft",
                        id="bulk-status",
                    )
                ),
                rx.dropdown_menu.content(
                    *[
                        rx.dropdown_menu.item(label(s), on_click=TasksState.bulk_status(s), id=f"bulk-status-{slug(s)}")
                        for s in STATUSES
                    ]
                ),
            ),
            rx.button(
                rx.icon("trash-2", size=14),
                "Delete",
                size="2",
                variant="soft",
                color_scheme="red",
                on_click=TasksState.bulk_delete,
                id="bulk-delete",
            ),
            rx.icon_button(
                rx.icon("x", size=14),
                size="2",
                variant="ghost",
                color_scheme="gray",
                on_click=TasksState.clear_selection,
                aria_label="Clear selection",
                id="bulk-clear",
            ),
            width="100%",
            align="center",
            spacing="2",
            padding="8px 12px",
            border_radius="8px",
            bg=rx.color("accent", 3),
            id="bulk-bar",
        ),
    )


# ---- empty states -----------------------------------------------------------------------------------


def first_task() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.center(
                rx.icon("list-todo", size=28),
                bg=rx.color("accent", 3),
                color=rx.color("accent", 11),
                border_radius="14px",
                width="56px",
                height="56px",
            ),
            rx.heading("Plan your first piece of work", size="5", text_align="center"),
            rx.text(
                "Tasks keep track of what you are doing: give each a priority, a category and a due date, "
                "move it from pending to in progress to completed, and see its history. "
                "You get a notification when you complete one.",
                size="2",
                color_scheme="gray",
                text_align="center",
                max_width="460px",
            ),
            rx.hstack(
                rx.button(
                    rx.icon("plus", size=16),
                    "Create your first task",
                    size="3",
                    on_click=TasksState.open_new,
                    id="task-empty-create",
                ),
                rx.button(
                    rx.icon("upload", size=16),
                    "Import a CSV",
                    size="3",
                    variant="outline",
                    color_scheme="gray",
                    on_click=TasksState.set_import_open(True),
                    id="task-empty-import",
                ),
                spacing="3",
                wrap="wrap",
                justify="center",
            ),
            align="center",
            spacing="4",
            padding="32px 16px",
        ),
        width="100%",
        id="task-empty",
    )


def no_matches() -> rx.Component:
    return empty_state(
        rx.icon("search-x", size=28, color=rx.color("gray", 9)),
        rx.text("No tasks match this view.", weight="medium"),
        rx.text("Try another search or filter.", size="2", color_scheme="gray"),
        rx.button("Clear filters", variant="soft", on_click=TasksState.clear_filters, id="task-no-matches-clear"),
        id="task-no-matches",
        padding="40px 16px",
    )


# ---- the page ----------------------------------------------------------------------------------------


def task_list() -> rx.Component:
    return rx.cond(
        TasksState.rows.length() > 0,
        rx.vstack(
            rx.tablet_and_desktop(rx.box(task_table(), width="100%", overflow_x="auto"), width="100%"),
            rx.mobile_only(task_cards(), width="100%"),
            pagination(),
            spacing="3",
            width="100%",
        ),
        no_matches(),
    )


def content() -> rx.Component:
    return rx.vstack(
        rx.cond(
            TasksState.loaded,
            rx.cond(
                TasksState.stats.total == 0,
                rx.vstack(undo_banner(), first_task(), spacing="4", width="100%"),
                rx.vstack(
                    stat_cards(),
                    actions_bar(),
                    toolbar(),
                    undo_banner(),
                    bulk_bar(),
                    task_list(),
                    spacing="4",
                    width="100%",
                ),
            ),
            rx.center(rx.spinner(size="3"), padding="64px", width="100%"),
        ),
        task_dialog(),
        details_dialog(),
        csv_import_dialog(),
        spacing="4",
        width="100%",
    )


page = shell("Tasks", content)
