"""Shared form pieces: a field's error text, a labelled field, and the add / edit form dialog.

Element ids follow one pattern per dialog `prefix` (e.g. "task"): `{prefix}-error-{name}`,
`{prefix}-cancel`, `{prefix}-save`, `{prefix}-form` and `{prefix}-dialog`.
"""

from __future__ import annotations

import reflex as rx


def field_error(errors: rx.Var, name: str, prefix: str) -> rx.Component:
    """The red message for form field `name`, shown only while `errors` (a dict var) holds one."""
    return rx.cond(
        errors.contains(name),
        rx.text(errors[name], color_scheme="red", size="1", id=f"{prefix}-error-{name}", role="alert"),
    )


def labelled_field(label: str, control: rx.Component, error: rx.Component, html_for: str) -> rx.Component:
    """A label over its control, with the field's error text under it."""
    return rx.vstack(
        rx.text(label, as_="label", custom_attrs={"htmlFor": html_for}, size="2", weight="medium"),
        control,
        error,
        spacing="1",
        width="100%",
    )


def form_dialog(
    prefix: str,
    *,
    title: rx.Component | rx.Var | str,
    description: rx.Component,
    fields: list[rx.Component],
    errors: rx.Var,
    editing: rx.Var[bool],
    create_label: str,
    on_submit,
    form_key: rx.Var,
    open: rx.Var[bool],
    on_open_change,
    max_width: str,
    title_id: str | None = None,
) -> rx.Component:
    """An add / edit dialog: title, description, the fields, the form-wide error, Cancel and Save."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title, **({"id": title_id} if title_id else {})),
            rx.dialog.description(description, margin_bottom="12px"),
            rx.form(
                rx.vstack(
                    *fields,
                    field_error(errors, "form", prefix),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(
                                "Cancel", type="button", variant="soft", color_scheme="gray", id=f"{prefix}-cancel"
                            )
                        ),
                        rx.button(rx.cond(editing, "Save changes", create_label), type="submit", id=f"{prefix}-save"),
                        justify="end",
                        width="100%",
                        spacing="3",
                        padding_top="8px",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=on_submit,
                reset_on_submit=False,
                key=form_key,
                id=f"{prefix}-form",
            ),
            max_width=max_width,
            id=f"{prefix}-dialog",
        ),
        open=open,
        on_open_change=on_open_change,
    )
