"""/tasks: stat cards, a filtered and sorted page of tasks, and every action on them."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.shell import shell
from fluxkit.components.task_badges import (
    CLAMP_2,
    DUE_LABELS,
    category_label,
    due_label,
    label,
    priority_badge,
    slug,
    status_badge,
)
from fluxkit.services.tasks import CATEGORIES, PAGE_SIZES, PRIORITIES, STATUSES, TRANSITIONS, HistoryRow, TaskRow
from fluxkit.state.tasks import ALL, COLUMNS, ROUTE as TASKS_ROUTE, ImportProblem, TasksState

ROUTE = TASKS_ROUTE
TITLE = "Tasks · FluxKit"
ON_LOAD = TasksState.load

_MOVE_LABELS = {
    ("completed", "in progress"): "Reopen",
    ("cancelled", "pending"): "Restore",
}


def _move_label(current: str, target: str) -> str:
    return _MOVE_LABELS.get((current, target), f"Move to {target}")


def _visible(column: str) -> rx.Var[bool]:
    return ~TasksState.hidden_columns.contains(column)


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
            rx.center(rx.icon(icon, size=20), bg=rx.color(color, 3), color=rx.color(color, 11), border_radius="10px", width="40px", height="40px"),
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
        rx.select.trigger(placeholder=placeholder, id=f"filter-{name}", width=["100%", "100%", "auto"], min_width=["0", "0", width], aria_label=placeholder),
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
            rx.button(rx.icon("columns-3", size=16), rx.text("Columns", display=["none", "none", "inline"]), variant="outline", color_scheme="gray", id="column-menu", aria_label="Columns")
        ),
        rx.popover.content(
            rx.vstack(
                rx.text("Show columns", size="1", weight="bold", color_scheme="gray"),
                *[
                    rx.checkbox(
                        text,
                        checked=_visible(key),
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
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder="Search title and description…",
            value=TasksState.search,
            on_change=TasksState.set_search,
            debounce_timeout=300,
            id="task-search",
            type="search",
            max_length=100,
            width="100%",
            flex="1",
            min_width="0",
            aria_label="Search tasks",
        ),
        rx.grid(
            _filter("status", "Status", [(s, label(s)) for s in STATUSES], "130px"),
            _filter("priority", "Priority", [(p, label(p)) for p in PRIORITIES], "130px"),
            _filter("category", "Category", [(c, label(c)) for c in CATEGORIES], "140px"),
            _filter("due", "Due", list(DUE_LABELS.items()), "130px"),
            grid_template_columns=rx.breakpoints(initial="repeat(2, minmax(0, 1fr))", md="repeat(4, auto)"),
            spacing="2",
            width=["100%", "100%", "auto"],
            flex_shrink="0",
        ),
        rx.cond(
            TasksState.has_filters,
            rx.button(rx.icon("x", size=14), "Clear", variant="ghost", color_scheme="gray", on_click=TasksState.clear_filters, id="filter-clear"),
        ),
        direction=rx.breakpoints(initial="column", md="row"),
        spacing="2",
        width="100%",
        align=rx.breakpoints(initial="stretch", md="center"),
    )


def actions_bar() -> rx.Component:
    return rx.hstack(
        rx.button(rx.icon("plus", size=16), "New task", on_click=TasksState.open_new, id="task-add"),
        rx.spacer(),
        column_menu(),
        rx.button(rx.icon("upload", size=16), rx.text("Import", display=["none", "inline"]), variant="outline", color_scheme="gray", on_click=TasksState.set_import_open(True), id="task-import-open", aria_label="Import CSV"),
        rx.button(rx.icon("download", size=16), rx.text("Export", display=["none", "inline"]), variant="outline", color_scheme="gray", on_click=TasksState.export_csv, id="task-export", aria_label="Export CSV"),
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
            rx.button(rx.icon("undo-2", size=14), "Undo", size="2", variant="soft", on_click=TasksState.undo_delete, id="task-undo"),
            rx.icon_button(rx.icon("x", size=14), size="2", variant="ghost", color_scheme="gray", on_click=TasksState.dismiss_undo, aria_label="Dismiss", id="task-undo-dismiss"),
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
                    rx.button(rx.icon("arrow-right-left", size=14), "Set status", rx.icon("chevron-down", size=14), size="2", variant="soft", id="bulk-status")
                ),
                rx.dropdown_menu.content(
                    *[
                        rx.dropdown_menu.item(label(s), on_click=TasksState.bulk_status(s), id=f"bulk-status-{slug(s)}")
                        for s in STATUSES
                    ]
                ),
            ),
            rx.button(rx.icon("trash-2", size=14), "Delete", size="2", variant="soft", color_scheme="red", on_click=TasksState.bulk_delete, id="bulk-delete"),
            rx.icon_button(rx.icon("x", size=14), size="2", variant="ghost", color_scheme="gray", on_click=TasksState.clear_selection, aria_label="Clear selection", id="bulk-clear"),
            width="100%",
            align="center",
            spacing="2",
            padding="8px 12px",
            border_radius="8px",
            bg=rx.color("accent", 3),
            id="bulk-bar",
        ),
    )


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
                            _move_label(current, target),
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
            rx.icon_button(rx.icon("ellipsis", size=16), variant="ghost", color_scheme="gray", size="2", aria_label="Task actions", id=f"{prefix}-actions-{row.id}")
        ),
        rx.dropdown_menu.content(
            rx.dropdown_menu.item(rx.icon("eye", size=14), "View details", on_click=TasksState.open_details(row.id), id=f"task-view-{row.id}"),
            rx.dropdown_menu.item(rx.icon("pencil", size=14), "Edit", on_click=TasksState.open_edit(row.id), id=f"task-edit-{row.id}"),
            rx.dropdown_menu.separator(),
            rx.dropdown_menu.sub(
                rx.dropdown_menu.sub_trigger(rx.icon("arrow-right-left", size=14), "Change status", id=f"task-status-menu-{row.id}"),
                rx.dropdown_menu.sub_content(_status_items(row)),
            ),
            rx.dropdown_menu.separator(),
            rx.dropdown_menu.item(rx.icon("trash-2", size=14), "Delete", color_scheme="red", on_click=TasksState.delete(row.id), id=f"task-delete-{row.id}"),
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
    active = TasksState.sort == key
    cell = rx.table.column_header_cell(
        rx.hstack(
            rx.text(text),
            rx.cond(
                active,
                rx.cond(TasksState.descending, rx.icon("arrow-down", size=14), rx.icon("arrow-up", size=14)),
                rx.icon("arrow-up-down", size=14, opacity="0.35"),
            ),
            on_click=TasksState.sort_by(key),
            cursor="pointer",
            spacing="1",
            align="center",
            id=f"sort-{key}",
            role="button",
            aria_label=f"Sort by {text}",
            white_space="nowrap",
            user_select="none",
        ),
        aria_sort=rx.cond(active, rx.cond(TasksState.descending, "descending", "ascending"), "none"),
    )
    return rx.cond(_visible(column), cell) if column else cell


def _cell(column: str, child: rx.Component) -> rx.Component:
    return rx.cond(_visible(column), rx.table.cell(child, vertical_align="middle"))


def _table_row(row: rx.Var[TaskRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(checked=TasksState.selected.contains(row.id), on_change=lambda _c: TasksState.toggle_select(row.id), id=f"task-select-{row.id}", aria_label="Select task"),
            vertical_align="middle",
            width="36px",
        ),
        rx.table.row_header_cell(_title_button(row, "task-open"), vertical_align="middle", min_width="200px", max_width="360px"),
        _cell("status", status_badge(row.status)),
        _cell("priority", priority_badge(row.priority)),
        _cell("category", category_label(row.category)),
        _cell("due", due_label(row.due_date, row.overdue)),
        _cell("created", rx.text(rx.moment(row.created_at, from_now=True), size="2", color_scheme="gray", white_space="nowrap")),
        _cell("updated", rx.text(rx.moment(row.updated_at, from_now=True), size="2", color_scheme="gray", white_space="nowrap")),
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
                    rx.checkbox(checked=TasksState.all_selected, on_change=lambda _c: TasksState.toggle_select_page(), id="task-select-page", aria_label="Select all on this page"),
                    width="36px",
                ),
                _sort_header("Title", "title"),
                _sort_header("Status", "status", "status"),
                _sort_header("Priority", "priority", "priority"),
                rx.cond(_visible("category"), rx.table.column_header_cell("Category")),
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
                rx.checkbox(checked=TasksState.selected.contains(row.id), on_change=lambda _c: TasksState.toggle_select(row.id), id=f"task-card-select-{row.id}", aria_label="Select task", margin_top="3px"),
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
            rx.checkbox("Select all", checked=TasksState.all_selected, on_change=lambda _c: TasksState.toggle_select_page(), id="task-card-select-page", size="1"),
            rx.spacer(),
            rx.select.root(
                rx.select.trigger(id="sort-phone", variant="ghost", aria_label="Sort"),
                rx.select.content(
                    *[rx.select.item(f"Sort: {text}", value=key) for key, text in (("created", "Created"), ("updated", "Updated"), ("due", "Due date"), ("title", "Title"), ("priority", "Priority"), ("status", "Status"))]
                ),
                value=TasksState.sort,
                on_change=TasksState.sort_by,
                size="1",
            ),
            rx.icon_button(
                rx.cond(TasksState.descending, rx.icon("arrow-down", size=14), rx.icon("arrow-up", size=14)),
                size="1",
                variant="ghost",
                on_click=TasksState.sort_by(TasksState.sort),
                aria_label="Reverse order",
                id="sort-phone-order",
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
    return rx.flex(
        rx.text(
            "Showing ", TasksState.first_shown, "–", TasksState.last_shown, " of ", TasksState.total,
            size="2", color_scheme="gray", id="task-range",
        ),
        rx.spacer(display=["none", "block"]),
        rx.hstack(
            rx.text("Rows", size="2", color_scheme="gray"),
            rx.select.root(
                rx.select.trigger(id="page-size", aria_label="Rows per page"),
                rx.select.content(*[rx.select.item(str(n), value=str(n), id=f"page-size-{n}") for n in PAGE_SIZES]),
                value=TasksState.page_size.to_string(),
                on_change=TasksState.set_page_size,
                size="1",
            ),
            rx.icon_button(rx.icon("chevron-left", size=16), size="1", variant="soft", disabled=TasksState.page <= 1, on_click=TasksState.go_to_page(TasksState.page - 1), aria_label="Previous page", id="page-prev"),
            rx.text(TasksState.page, " / ", TasksState.pages, size="2", id="page-number", white_space="nowrap"),
            rx.icon_button(rx.icon("chevron-right", size=16), size="1", variant="soft", disabled=TasksState.page >= TasksState.pages, on_click=TasksState.go_to_page(TasksState.page + 1), aria_label="Next page", id="page-next"),
            align="center",
            spacing="2",
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        spacing="2",
        align=rx.breakpoints(initial="start", sm="center"),
        width="100%",
    )


# ---- empty states -----------------------------------------------------------------------------------


def first_task() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.center(rx.icon("list-todo", size=28), bg=rx.color("accent", 3), color=rx.color("accent", 11), border_radius="14px", width="56px", height="56px"),
            rx.heading("Plan your first piece of work", size="5", text_align="center"),
            rx.text(
                "Tasks keep track of what you are doing: give each a priority, a category and a due date, "
                "move it from pending to in progress to completed, and see its history. "
                "You get a notification when you complete one.",
                size="2", color_scheme="gray", text_align="center", max_width="460px",
            ),
            rx.hstack(
                rx.button(rx.icon("plus", size=16), "Create your first task", size="3", on_click=TasksState.open_new, id="task-empty-create"),
                rx.button(rx.icon("upload", size=16), "Import a CSV", size="3", variant="outline", color_scheme="gray", on_click=TasksState.set_import_open(True), id="task-empty-import"),
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
    return rx.center(
        rx.vstack(
            rx.icon("search-x", size=28, color=rx.color("gray", 9)),
            rx.text("No tasks match this view.", weight="medium"),
            rx.text("Try another search or filter.", size="2", color_scheme="gray"),
            rx.button("Clear filters", variant="soft", on_click=TasksState.clear_filters, id="task-no-matches-clear"),
            align="center",
            spacing="2",
        ),
        padding="40px 16px",
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="12px",
        id="task-no-matches",
    )


# ---- add / edit dialog ------------------------------------------------------------------------------


def _error(name: str) -> rx.Component:
    return rx.cond(
        TasksState.form_errors.contains(name),
        rx.text(TasksState.form_errors[name], color_scheme="red", size="1", id=f"task-error-{name}", role="alert"),
    )


def _field(label_text: str, name: str, control: rx.Component, html_for: str) -> rx.Component:
    return rx.vstack(
        rx.text(label_text, as_="label", html_for=html_for, size="2", weight="medium"),
        control,
        _error(name),
        spacing="1",
        width="100%",
    )


def _form_select(name: str, options: list[str] | rx.Var, default: rx.Var[str], id: str) -> rx.Component:
    items = (
        [rx.select.item(label(o), value=o) for o in options]
        if isinstance(options, list)
        else [rx.foreach(options, lambda o: rx.select.item(o.to(str).capitalize(), value=o))]
    )
    return rx.select.root(
        rx.select.trigger(id=id, width="100%"),
        rx.select.content(*items),
        name=name,
        default_value=default,
    )


def task_dialog() -> rx.Component:
    invalid = lambda name: rx.cond(TasksState.form_errors.contains(name), "red", "gray")  # noqa: E731
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(TasksState.editing_id > 0, "Edit task", "New task"), id="task-dialog-heading"),
            rx.dialog.description(rx.text("Fields marked * are required.", size="2", color_scheme="gray"), margin_bottom="12px"),
            rx.form(
                rx.vstack(
                    _field(
                        "Title *",
                        "title",
                        rx.input(name="title", id="task-dialog-title", default_value=TasksState.form_title, max_length=200, placeholder="What needs doing?", color_scheme=invalid("title"), auto_focus=True, width="100%"),
                        "task-dialog-title",
                    ),
                    _field(
                        "Description",
                        "description",
                        rx.text_area(name="description", id="task-dialog-description", default_value=TasksState.form_description, placeholder="Details, links, checklists… Markdown is supported.", rows="5", color_scheme=invalid("description"), width="100%"),
                        "task-dialog-description",
                    ),
                    rx.grid(
                        _field("Priority", "priority", _form_select("priority", list(PRIORITIES), TasksState.form_priority, "task-dialog-priority"), "task-dialog-priority"),
                        _field("Category", "category", _form_select("category", list(CATEGORIES), TasksState.form_category, "task-dialog-category"), "task-dialog-category"),
                        _field("Status", "status", _form_select("status", TasksState.form_status_options, TasksState.form_status, "task-dialog-status"), "task-dialog-status"),
                        _field(
                            "Due date",
                            "due_date",
                            rx.input(name="due_date", id="task-dialog-due", type="date", default_value=TasksState.form_due, color_scheme=invalid("due_date"), width="100%"),
                            "task-dialog-due",
                        ),
                        columns=rx.breakpoints(initial="1", sm="2"),
                        spacing="3",
                        width="100%",
                    ),
                    _error("form"),
                    rx.hstack(
                        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray", id="task-cancel")),
                        rx.button(rx.cond(TasksState.editing_id > 0, "Save changes", "Create task"), type="submit", id="task-save"),
                        justify="end",
                        width="100%",
                        spacing="3",
                        padding_top="8px",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=TasksState.save,
                reset_on_submit=False,
                key=TasksState.form_key,
                id="task-form",
            ),
            max_width="560px",
            id="task-dialog",
        ),
        open=TasksState.dialog_open,
        on_open_change=TasksState.set_dialog_open,
    )


# ---- details dialog -----------------------------------------------------------------------------------


def _history_row(item: rx.Var[HistoryRow]) -> rx.Component:
    return rx.hstack(
        rx.box(width="8px", height="8px", min_width="8px", border_radius="50%", bg=rx.color("accent", 9), margin_top="7px"),
        rx.vstack(
            rx.cond(
                item.from_status == "",
                rx.text(rx.text.strong(item.actor), " created it as ", rx.text.strong(item.to_status), size="2"),
                rx.text(rx.text.strong(item.actor), " moved it from ", rx.text.strong(item.from_status), " to ", rx.text.strong(item.to_status), size="2"),
            ),
            rx.text(rx.moment(item.at, format="MMM D, YYYY HH:mm"), " · ", rx.moment(item.at, from_now=True), size="1", color_scheme="gray"),
            spacing="0",
        ),
        align="start",
        spacing="3",
        class_name="task-history-row",
    )


def _detail_moves() -> rx.Component:
    detail = TasksState.detail
    return rx.match(
        detail.status,
        *[
            (
                current,
                rx.hstack(
                    *[
                        rx.button(
                            _move_label(current, target),
                            size="2",
                            variant="soft",
                            color_scheme="green" if target == "completed" else "gray",
                            on_click=TasksState.change_status(detail.id, target),
                            id=f"task-details-status-{slug(target)}",
                        )
                        for target in STATUSES
                        if target in TRANSITIONS[current]
                    ],
                    wrap="wrap",
                    spacing="2",
                ),
            )
            for current in STATUSES
        ],
        rx.fragment(),
    )


def details_dialog() -> rx.Component:
    detail = TasksState.detail
    return rx.dialog.root(
        rx.dialog.content(
            rx.vstack(
                rx.hstack(
                    rx.dialog.title(detail.title, id="task-details-title", margin="0", word_break="break-word"),
                    rx.spacer(),
                    rx.dialog.close(rx.icon_button(rx.icon("x", size=16), variant="ghost", color_scheme="gray", aria_label="Close", id="task-details-close")),
                    width="100%",
                    align="start",
                ),
                rx.flex(
                    status_badge(detail.status),
                    priority_badge(detail.priority),
                    category_label(detail.category),
                    due_label(detail.due_date, detail.overdue),
                    wrap="wrap",
                    spacing="3",
                    align="center",
                ),
                rx.box(
                    rx.cond(
                        detail.description != "",
                        # use_raw=False: HTML in a description is shown as text, never run.
                        rx.markdown(detail.description, use_raw=False, use_math=False, use_katex=False, width="100%"),
                        rx.text("No description.", size="2", color_scheme="gray"),
                    ),
                    id="task-details-description",
                    width="100%",
                    padding="12px",
                    border_radius="8px",
                    bg=rx.color("gray", 2),
                    max_height="40vh",
                    overflow_y="auto",
                ),
                _detail_moves(),
                rx.heading("History", size="3", margin_top="4px"),
                rx.vstack(rx.foreach(TasksState.history, _history_row), spacing="3", id="task-history", width="100%"),
                rx.text(
                    "Created ", rx.moment(detail.created_at, format="MMM D, YYYY HH:mm"),
                    " · updated ", rx.moment(detail.updated_at, from_now=True),
                    size="1", color_scheme="gray",
                ),
                rx.hstack(
                    rx.button(rx.icon("trash-2", size=14), "Delete", variant="soft", color_scheme="red", on_click=TasksState.delete(detail.id), id="task-details-delete"),
                    rx.spacer(),
                    rx.button(rx.icon("pencil", size=14), "Edit", on_click=TasksState.edit_from_details, id="task-details-edit"),
                    width="100%",
                    padding_top="8px",
                ),
                spacing="3",
                width="100%",
            ),
            max_width="640px",
            id="task-details",
        ),
        open=TasksState.details_open,
        on_open_change=TasksState.set_details_open,
    )


# ---- CSV import dialog --------------------------------------------------------------------------------


def _refused_row(item: rx.Var[ImportProblem]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(item.line, white_space="nowrap"),
        rx.table.cell(item.reason),
        class_name="import-refused-row",
    )


def import_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Import tasks from CSV"),
            rx.dialog.description(
                rx.text(
                    "The first row names the columns: title (required), description, status, priority, category, due_date (YYYY-MM-DD). "
                    "An export from this page can be imported again.",
                    size="2",
                    color_scheme="gray",
                ),
                margin_bottom="12px",
            ),
            rx.upload.root(
                rx.vstack(
                    rx.icon("file-up", size=28, color=rx.color("accent", 10)),
                    rx.cond(
                        TasksState.importing,
                        rx.hstack(rx.spinner(size="2"), rx.text("Importing…", size="2"), align="center"),
                        rx.text("Drop a .csv file here, or click to choose one", size="2"),
                    ),
                    rx.text("Up to 1 MB, UTF-8", size="1", color_scheme="gray"),
                    align="center",
                    spacing="2",
                ),
                id="task-import-file",
                accept={"text/csv": [".csv"], "application/vnd.ms-excel": [".csv"]},
                max_files=1,
                multiple=False,
                on_drop=TasksState.import_csv(rx.upload_files(upload_id="task-import-file")),
                border=f"2px dashed {rx.color('gray', 7)}",
                border_radius="12px",
                padding="28px",
                width="100%",
                cursor="pointer",
            ),
            rx.cond(
                TasksState.import_error != "",
                rx.callout(TasksState.import_error, icon="circle-x", color_scheme="red", role="alert", width="100%", margin_top="12px", id="import-error"),
            ),
            rx.cond(
                TasksState.import_done,
                rx.vstack(
                    rx.callout(
                        rx.text(
                            "Created ", rx.text.strong(TasksState.import_created, id="import-created"), " task(s). ",
                            rx.cond(TasksState.import_refused.length() > 0, rx.text.span(TasksState.import_refused.length(), " row(s) were refused:"), "Nothing was refused."),
                        ),
                        icon=rx.cond(TasksState.import_refused.length() > 0, "triangle-alert", "circle-check"),
                        color_scheme=rx.cond(TasksState.import_refused.length() > 0, "orange", "green"),
                        width="100%",
                        id="import-summary",
                    ),
                    rx.cond(
                        TasksState.import_refused.length() > 0,
                        rx.scroll_area(
                            rx.table.root(
                                rx.table.header(rx.table.row(rx.table.column_header_cell("Line"), rx.table.column_header_cell("Why it was refused"))),
                                rx.table.body(rx.foreach(TasksState.import_refused, _refused_row)),
                                size="1",
                                width="100%",
                            ),
                            max_height="240px",
                            type="auto",
                            id="import-refused",
                        ),
                    ),
                    spacing="2",
                    width="100%",
                    margin_top="12px",
                ),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray", id="task-import-close")),
                justify="end",
                width="100%",
                margin_top="16px",
            ),
            max_width="560px",
            id="task-import",
        ),
        open=TasksState.import_open,
        on_open_change=TasksState.set_import_open,
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
        import_dialog(),
        spacing="4",
        width="100%",
    )


page = shell("Tasks", content)
