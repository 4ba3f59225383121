"""The tasks page's dialogs: add / edit a task, a task's details and history, CSV import."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.forms import field_error, form_dialog, labelled_field
from fluxkit.components.import_dialog import ImportCopy, import_dialog
from fluxkit.components.markdown import markdown
from fluxkit.components.tasks.badges import (
    category_label,
    due_label,
    label,
    move_label,
    priority_badge,
    slug,
    status_badge,
)
from fluxkit.services.tasks import CATEGORIES, PRIORITIES, STATUSES, TRANSITIONS, HistoryRow
from fluxkit.state.tasks.page import TasksState

# ---- add / edit dialog ------------------------------------------------------------------------------


def _error(name: str) -> rx.Component:
    return field_error(TasksState.form_errors, name, "task")


def _field(label_text: str, name: str, control: rx.Component, html_for: str) -> rx.Component:
    return labelled_field(label_text, control, _error(name), html_for)


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


def assignment_badge(row) -> rx.Component:
    """ "Assigned to me · by Ada" on a task someone assigned to the viewer; "→ Bob" on one they assigned."""
    return rx.cond(
        row.assigned_to_me,
        rx.badge(
            rx.icon("user-check", size=12),
            "Assigned to me · by ",
            row.owner_name,
            color_scheme="violet",
            variant="soft",
            class_name="task-assigned-to-me",
        ),
        rx.cond(
            row.assignee_name != "",
            rx.badge(
                rx.icon("user", size=12),
                "Assigned to ",
                row.assignee_name,
                color_scheme="gray",
                variant="soft",
                class_name="task-assignee",
            ),
        ),
    )


def task_dialog() -> rx.Component:
    invalid = lambda name: rx.cond(TasksState.form_errors.contains(name), "red", "gray")  # noqa: E731
    return form_dialog(
        "task",
        title=rx.cond(TasksState.editing_id > 0, "Edit task", "New task"),
        title_id="task-dialog-heading",
        description=rx.text("Fields marked * are required.", size="2", color_scheme="gray"),
        fields=[
            _field(
                "Title *",
                "title",
                rx.input(
                    name="title",
                    id="task-dialog-title",
                    default_value=TasksState.form_title,
                    max_length=200,
                    placeholder="What needs doing?",
                    color_scheme=invalid("title"),
                    auto_focus=True,
                    width="100%",
                ),
                "task-dialog-title",
            ),
            _field(
                "Description",
                "description",
                rx.text_area(
                    name="description",
                    id="task-dialog-description",
                    default_value=TasksState.form_description,
                    placeholder="Details, links, checklists… Markdown is supported.",
                    rows="5",
                    color_scheme=invalid("description"),
                    width="100%",
                ),
                "task-dialog-description",
            ),
            rx.grid(
                _field(
                    "Priority",
                    "priority",
                    _form_select("priority", list(PRIORITIES), TasksState.form_priority, "task-dialog-priority"),
                    "task-dialog-priority",
                ),
                _field(
                    "Category",
                    "category",
                    _form_select("category", list(CATEGORIES), TasksState.form_category, "task-dialog-category"),
                    "task-dialog-category",
                ),
                _field(
                    "Status",
                    "status",
                    _form_select(
                        "status", TasksState.form_status_options, TasksState.form_status, "task-dialog-status"
                    ),
                    "task-dialog-status",
                ),
                _field(
                    "Due date",
                    "due_date",
                    rx.input(
                        name="due_date",
                        id="task-dialog-due",
                        type="date",
                        default_value=TasksState.form_due,
                        color_scheme=invalid("due_date"),
                        width="100%",
                    ),
                    "task-dialog-due",
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                TasksState.assignee_choices.length() > 0,
                _field(
                    "Assignee",
                    "assignee_id",
                    rx.select.root(
                        rx.select.trigger(id="task-dialog-assignee", width="100%"),
                        rx.select.content(
                            rx.foreach(
                                TasksState.assignee_choices,
                                lambda c: rx.select.item(c.label, value=c.value, id="task-assignee-option-" + c.value),
                            )
                        ),
                        name="assignee",
                        default_value=TasksState.form_assignee,
                    ),
                    "task-dialog-assignee",
                ),
            ),
        ],
        errors=TasksState.form_errors,
        editing=TasksState.editing_id > 0,
        create_label="Create task",
        on_submit=TasksState.save,
        form_key=TasksState.form_key,
        open=TasksState.dialog_open,
        on_open_change=TasksState.set_dialog_open,
        max_width="560px",
    )


# ---- details dialog -----------------------------------------------------------------------------------


def _history_row(item: rx.Var[HistoryRow]) -> rx.Component:
    return rx.hstack(
        rx.box(
            width="8px", height="8px", min_width="8px", border_radius="50%", bg=rx.color("accent", 9), margin_top="7px"
        ),
        rx.vstack(
            rx.cond(
                item.from_status == "",
                rx.text(rx.text.strong(item.actor), " created it as ", rx.text.strong(item.to_status), size="2"),
                rx.text(
                    rx.text.strong(item.actor),
                    " moved it from ",
                    rx.text.strong(item.from_status),
                    " to ",
                    rx.text.strong(item.to_status),
                    size="2",
                ),
            ),
            rx.text(
                rx.moment(item.at, format="MMM D, YYYY HH:mm"),
                " · ",
                rx.moment(item.at, from_now=True),
                size="1",
                color_scheme="gray",
            ),
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
                            move_label(current, target),
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
                    rx.dialog.close(
                        rx.icon_button(
                            rx.icon("x", size=16),
                            variant="ghost",
                            color_scheme="gray",
                            aria_label="Close",
                            id="task-details-close",
                        )
                    ),
                    width="100%",
                    align="start",
                ),
                rx.flex(
                    status_badge(detail.status),
                    priority_badge(detail.priority),
                    category_label(detail.category),
                    due_label(detail.due_date, detail.overdue),
                    assignment_badge(detail),
                    wrap="wrap",
                    spacing="3",
                    align="center",
                ),
                rx.box(
                    rx.cond(
                        detail.description != "",
                        # use_raw=False: HTML in a description is shown as text, never run.
                        markdown(detail.description, width="100%"),
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
                    "Created ",
                    rx.moment(detail.created_at, format="MMM D, YYYY HH:mm"),
                    " · updated ",
                    rx.moment(detail.updated_at, from_now=True),
                    size="1",
                    color_scheme="gray",
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("trash-2", size=14),
                        "Delete",
                        variant="soft",
                        color_scheme="red",
                        on_click=TasksState.delete(detail.id),
                        id="task-details-delete",
                    ),
                    rx.spacer(),
                    rx.button(
                        rx.icon("pencil", size=14),
                        "Edit",
                        on_click=TasksState.edit_from_details,
                        id="task-details-edit",
                    ),
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

CSV_IMPORT = ImportCopy(
    key="task",
    title="Import tasks from CSV",
    description=(
        "The first row names the columns: title (required), description, status, priority, category, "
        "due_date (YYYY-MM-DD). An export from this page can be imported again."
    ),
    drop_hint="Drop a .csv file here, or click to choose one",
    size_hint="Up to 1 MB, UTF-8",
    accept={"text/csv": [".csv"], "application/vnd.ms-excel": [".csv"]},
    created="Created",
    items="task(s)",
    refused=" row(s) were refused:",
    item_column="Line",
)


def csv_import_dialog() -> rx.Component:
    return import_dialog(TasksState, CSV_IMPORT)
