"""The import dialog, one for every importer: drop a file, then what was created and what was refused.

It shows a state that mixes in `ImportMixin` (fluxkit/state/imports.py); `ImportCopy` holds
what differs between importers: the words, the accepted file types and the element ids'
prefix (`<key>-import`, `<key>-import-file`, `<key>-import-error`, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from fluxkit.services.imports import ImportProblem


@dataclass(frozen=True)
class ImportCopy:
    key: str  # the ids' prefix: "task", "calendar"
    title: str
    description: str
    drop_hint: str  # "Drop a .csv file here, or click to choose one"
    size_hint: str  # "Up to 1 MB, UTF-8"
    accept: dict[str, list[str]]  # MIME type -> file extensions
    created: str  # "Created N <items>." or "Imported ..."
    items: str  # what was created, counted: "task(s)"
    refused: str  # after the count of refused items: " row(s) were refused:"
    item_column: str  # the refused table's first column: "Line", "Event"


def _refused_row(problem: rx.Var[ImportProblem]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(problem.item, white_space="nowrap"),
        rx.table.cell(problem.reason),
        class_name="import-refused-row",
    )


def _drop_zone(state: type[rx.State], copy: ImportCopy) -> rx.Component:
    upload_id = f"{copy.key}-import-file"
    return rx.upload.root(
        rx.vstack(
            rx.icon("file-up", size=28, color=rx.color("accent", 10)),
            rx.cond(
                state.importing,
                rx.hstack(rx.spinner(size="2"), rx.text("Importing…", size="2"), align="center"),
                rx.text(copy.drop_hint, size="2"),
            ),
            rx.text(copy.size_hint, size="1", color_scheme="gray"),
            align="center",
            spacing="2",
        ),
        id=upload_id,
        accept=copy.accept,
        max_files=1,
        multiple=False,
        on_drop=state.import_file(rx.upload_files(upload_id=upload_id)),
        border=f"2px dashed {rx.color('gray', 7)}",
        border_radius="12px",
        padding="28px",
        width="100%",
        cursor="pointer",
    )


def _report(state: type[rx.State], copy: ImportCopy) -> rx.Component:
    any_refused = state.import_refused.length() > 0
    return rx.vstack(
        rx.callout.root(
            # Two named icons rather than one icon named by a Var (lucide's dynamic loader).
            rx.callout.icon(rx.cond(any_refused, rx.icon("triangle-alert"), rx.icon("circle-check"))),
            rx.callout.text(
                f"{copy.created} ",
                rx.text.strong(state.import_created, id=f"{copy.key}-import-created"),
                f" {copy.items}. ",
                rx.cond(any_refused, rx.text.span(state.import_refused.length(), copy.refused), "Nothing was refused."),
            ),
            color_scheme=rx.cond(any_refused, "orange", "green"),
            width="100%",
            id=f"{copy.key}-import-summary",
        ),
        rx.cond(
            any_refused,
            rx.scroll_area(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell(copy.item_column),
                            rx.table.column_header_cell("Why it was refused"),
                        )
                    ),
                    rx.table.body(rx.foreach(state.import_refused, _refused_row)),
                    size="1",
                    width="100%",
                ),
                max_height="240px",
                type="auto",
                id=f"{copy.key}-import-refused",
            ),
        ),
        spacing="2",
        width="100%",
        margin_top="12px",
    )


def import_dialog(state: type[rx.State], copy: ImportCopy) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(copy.title),
            rx.dialog.description(
                rx.text(copy.description, size="2", color_scheme="gray"),
                margin_bottom="12px",
            ),
            _drop_zone(state, copy),
            rx.cond(
                state.import_error != "",
                rx.callout(
                    state.import_error,
                    icon="circle-x",
                    color_scheme="red",
                    role="alert",
                    width="100%",
                    margin_top="12px",
                    id=f"{copy.key}-import-error",
                ),
            ),
            rx.cond(state.import_done, _report(state, copy)),
            rx.hstack(
                rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray", id=f"{copy.key}-import-close")),
                justify="end",
                width="100%",
                margin_top="16px",
            ),
            max_width="600px",
            id=f"{copy.key}-import",
        ),
        open=state.import_open,
        on_open_change=state.set_import_open,
    )
