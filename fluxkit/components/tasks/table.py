"""The tasks page's list: the table (tablet and desktop), the cards (phone), row menus, pages."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.pagination import pagination as page_footer
from fluxkit.components.sorting import phone_sort, sort_header
from fluxkit.components.tasks.badges import (
    CLAMP_2,
    category_label,
    due_label,
    move_label,
    priority_badge,
    slug,
    status_badge,
)
from fluxkit.components.tasks.dialogs import assignment_badge
from fluxkit.services.tasks import PAGE_SIZES, STATUSES, TRANSITIONS, TaskRow
from fluxkit.state.tasks.page import TasksState


def column_visible(column: str) -> rx.Var[bool]:
    return ~TasksState.hidden_columns.contains(column)


# ---- row actions -----------------------------------------------------------------------------------


def _status_items(row: rx.Var[TaskRow]) -> rx.Component:
    """Only the moves the transition table allows from the row's status."""
    return rx.match(
        row.status,
        *[
            (
                current,
                rx.fragment(
                    *[
                        rx.dropdown_menu.item(
                            move_label(current, target),
                            on_click=TasksState.change_status(row.id, target),
                            id=f"task-status-{row.id}-{slug(target)}",
                        )
                        for target in STATUSES
                        if target in TRANSITIONS[current]
                    ]
                ),
            )
            for current in STATUSES
        ],
        rx.fragment(),
    )


def row_menu(row: rx.Var[TaskRow], prefix: str) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=16),
                variant="ghost",
                color_scheme="gray",
                size="2",
                aria_label="Task actions",
                id=f"{prefix}-actions-{row.id}",
            )
        ),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item(
                rx.icon("eye", size=14),
                "View details",
                on_click=TasksState.open_details(row.id),
                id=f"task-view-{row.id}",
            ),
            rx.cond(
                row.owner_name == "",
                rx.dropdown_menu.item(
                    rx.icon("pencil", size=14), "Edit", on_click=TasksState.open_edit(row.id), id=f"task-edit-{row.id}"
                ),
            ),
            rx.dropdown_menu.separator(),
            rx.dropdown_menu.sub(
                rx.dropdown_menu.sub_trigger(
                    rx.icon("arrow-right-left", size=14), "Change status", id=f"task-status-menu-{row.id}"
                ),
                rx.dropdown_menu.sub_content(_status_items(row)),
            ),
            rx.cond(
                row.owner_name == "",
                rx.fragment(
                    rx.dropdown_menu.separator(),
                    rx.dropdown_menu.item(
                        rx.icon("trash-2", size=14),
                        "Delete",
                        color_scheme="red",
                        on_click=TasksState.delete(row.id),
                        id=f"task-delete-{row.id}",
                    ),
                ),
            ),
            align="end",
        ),
    )


def _title_button(row: rx.Var[TaskRow], id_prefix: str) -> rx.Component:
    return rx.link(
        row.title,
        on_click=TasksState.open_details(row.id),
        id=f"{id_prefix}-{row.id}",
        weight="medium",
        color=rx.color("gray", 12),
        underline="hover",
        cursor="pointer",
        text_decoration=rx.cond(row.status == "cancelled", "line-through", "none"),
        style=CLAMP_2,
    )


# ---- table (tablet and desktop) ------------------------------------------------------------------


def _sort_header(text: str, key: str, column: str | None = None) -> rx.Component:
    cell = sort_header(TasksState, text, key, id=f"sort-{key}")
    return rx.cond(column_visible(column), cell) if column else cell


def _cell(column: str, child: rx.Component) -> rx.Component:
    return rx.cond(column_visible(column), rx.table.cell(child, vertical_align="middle"))


def _table_row(row: rx.Var[TaskRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=TasksState.selected.contains(row.id),
                on_change=lambda _c: TasksState.toggle_select(row.id),
                id=f"task-select-{row.id}",
                aria_label="Select task",
            ),
            vertical_align="middle",
            width="36px",
        ),
        rx.table.row_header_cell(
            rx.vstack(_title_button(row, "task-open"), assignment_badge(row), spacing="1", align="start"),
            vertical_align="middle",
            min_width="200px",
            max_width="360px",
        ),
        _cell("status", status_badge(row.status)),
        _cell("priority", priority_badge(row.priority)),
        _cell("category", category_label(row.category)),
        _cell("due", due_label(row.due_date, row.overdue)),
        _cell(
            "created",
            rx.text(rx.moment(row.created_at, from_now=True), size="2", color_scheme="gray", white_space="nowrap"),
        ),
        _cell(
            "updated",
            rx.text(rx.moment(row.updated_at, from_now=True), size="2", color_scheme="gray", white_space="nowrap"),
        ),
        rx.table.cell(row_menu(row, "task"), vertical_align="middle", width="48px", text_align="right"),
        id=f"task-row-{row.id}",
        class_name="task-row",
        bg=rx.cond(TasksState.selected.contains(row.id), rx.color("accent", 2), "transparent"),
    )


def task_table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                rx.table.column_header_cell(
                    rx.checkbox(
                        checked=TasksState.all_selected,
                        on_change=lambda _c: TasksState.toggle_select_page(),
                        id="task-select-page",
                        aria_label="Select all on this page",
                    ),
                    width="36px",
                ),
                _sort_header("Title", "title"),
                _sort_header("Status", "status", "status"),
                _sort_header("Priority", "priority", "priority"),
                rx.cond(column_visible("category"), rx.table.column_header_cell("Category")),
                _sort_header("Due", "due", "due"),
                _sort_header("Created", "created", "created"),
                _sort_header("Updated", "updated", "updated"),
                rx.table.column_header_cell(width="48px", aria_label="Actions"),
            )
        ),
        rx.table.body(rx.foreach(TasksState.rows, _table_row)),
        variant="surface",
        width="100%",
        id="task-table",
    )


# ---- cards (phone) ----------------------------------------------------------------------------------


def _task_card(row: rx.Var[TaskRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.checkbox(
                    checked=TasksState.selected.contains(row.id),
                    on_change=lambda _c: TasksState.toggle_select(row.id),
                    id=f"task-card-select-{row.id}",
                    aria_label="Select task",
                    margin_top="3px",
                ),
                rx.box(_title_button(row, "task-card-open"), flex="1", min_width="0"),
                row_menu(row, "task-card"),
                align="start",
                width="100%",
                spacing="2",
            ),
            rx.flex(
                status_badge(row.status),
                priority_badge(row.priority),
                category_label(row.category),
                assignment_badge(row),
                wrap="wrap",
                spacing="2",
                align="center",
            ),
            rx.hstack(
                due_label(row.due_date, row.overdue),
                rx.spacer(),
                rx.text(rx.moment(row.created_at, from_now=True), size="1", color_scheme="gray"),
                width="100%",
                align="center",
            ),
            spacing="2",
            width="100%",
        ),
        id=f"task-card-{row.id}",
        class_name="task-card",
        width="100%",
    )


def task_cards() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.checkbox(
                "Select all",
                checked=TasksState.all_selected,
                on_change=lambda _c: TasksState.toggle_select_page(),
                id="task-card-select-page",
                size="1",
            ),
            rx.spacer(),
            phone_sort(
                TasksState,
                [
                    ("created", "Created"),
                    ("updated", "Updated"),
                    ("due", "Due date"),
                    ("title", "Title"),
                    ("priority", "Priority"),
                    ("status", "Status"),
                ],
                id="sort-phone",
            ),
            width="100%",
            align="center",
            padding_x="4px",
        ),
        rx.foreach(TasksState.rows, _task_card),
        spacing="2",
        width="100%",
        id="task-cards",
    )


# ---- pagination ----------------------------------------------------------------------------------------


def pagination() -> rx.Component:
    return page_footer(
        TasksState,
        PAGE_SIZES,
        range_id="task-range",
        size_id="page-size",
        size_item_id="page-size",
        prev_id="page-prev",
        page_id="page-number",
        next_id="page-next",
    )
