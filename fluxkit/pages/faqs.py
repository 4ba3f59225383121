"""/faqs: questions and answers by category, searched as you type; admins edit them in place."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.forms import field_error, form_dialog, labelled_field
from fluxkit.components.markdown import markdown
from fluxkit.components.shell import shell
from fluxkit.services.faqs import ANSWER_MAX, CATEGORIES, CATEGORY_LABELS, QUESTION_MAX, SEARCH_MAX, FaqGroup, FaqRow
from fluxkit.state.faqs import ROUTE as FAQS_ROUTE
from fluxkit.state.faqs import FaqsState

ROUTE = FAQS_ROUTE
TITLE = "FAQs · FluxKit"
ON_LOAD = FaqsState.load


# ---- one question -------------------------------------------------------------------------------


def _admin_button(
    icon: str, label: str, on_click, id: rx.Var, disabled: rx.Var | bool = False, color: str = "gray"
) -> rx.Component:
    return rx.tooltip(
        rx.icon_button(
            rx.icon(icon, size=15),
            size="1",
            variant="ghost",
            color_scheme=color,
            on_click=on_click,
            disabled=disabled,
            aria_label=label,
            id=id,
        ),
        content=label,
    )


def _admin_controls(row: rx.Var[FaqRow], index: rx.Var[int], count: rx.Var[int]) -> rx.Component:
    return rx.cond(
        FaqsState.is_admin,
        rx.hstack(
            _admin_button("arrow-up", "Move up", FaqsState.move(row.id, -1), f"faq-up-{row.id}", index == 0),
            _admin_button(
                "arrow-down", "Move down", FaqsState.move(row.id, 1), f"faq-down-{row.id}", index == count - 1
            ),
            _admin_button("pencil", "Edit", FaqsState.open_edit(row.id), f"faq-edit-{row.id}"),
            _admin_button("trash-2", "Delete", FaqsState.ask_delete(row.id), f"faq-delete-{row.id}", color="red"),
            spacing="3",
            padding_right="12px",
            flex_shrink="0",
            align="center",
        ),
    )


def _item(row: rx.Var[FaqRow], index: rx.Var[int], count: rx.Var[int]) -> rx.Component:
    return rx.accordion.item(
        rx.accordion.header(
            rx.hstack(
                rx.accordion.trigger(
                    rx.text(
                        row.question,
                        size="3",
                        weight="medium",
                        text_align="left",
                        color=rx.color("gray", 12),
                        id=f"faq-question-{row.id}",
                    ),
                    rx.accordion.icon(flex_shrink="0"),
                    flex="1",
                    min_width="0",
                    justify_content="space-between",
                    gap="12px",
                    id=f"faq-trigger-{row.id}",
                ),
                _admin_controls(row, index, count),
                align="center",
                spacing="0",
                width="100%",
            ),
        ),
        rx.accordion.content(
            rx.box(
                markdown(row.answer, width="100%"),
                color=rx.color("gray", 12),
                font_size="15px",
                overflow_x="auto",
                style={
                    "& table": {"borderCollapse": "collapse", "margin": "4px 0 12px"},
                    "& th, & td": {
                        "padding": "6px 14px 6px 0",
                        "textAlign": "left",
                        "borderBottom": f"1px solid {rx.color('gray', 5)}",
                        "whiteSpace": "nowrap",
                    },
                },
                id=f"faq-answer-{row.id}",
            ),
        ),
        value=row.id.to_string(),
        id=f"faq-item-{row.id}",
        class_name="faq-item",
    )


def _group(group: rx.Var[FaqGroup]) -> rx.Component:
    count = group.rows.length()
    return rx.vstack(
        rx.hstack(
            rx.heading(group.label, size="4"),
            rx.badge(count, variant="soft", color_scheme="gray", radius="full"),
            rx.spacer(),
            rx.cond(
                FaqsState.is_admin,
                rx.button(
                    rx.icon("plus", size=14),
                    "Add",
                    size="1",
                    variant="ghost",
                    on_click=FaqsState.open_new(group.category),
                    id=f"faq-add-{group.category}",
                ),
            ),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.accordion.root(
            rx.foreach(group.rows, lambda row, index: _item(row, index, count)),
            type="multiple",
            collapsible=True,
            variant="surface",
            width="100%",
        ),
        spacing="2",
        width="100%",
        id=f"faq-group-{group.category}",
    )


# ---- search and empty states --------------------------------------------------------------------------


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder="Search questions and answers…",
            value=FaqsState.query,
            on_change=FaqsState.set_query,
            debounce_timeout=250,
            id="faq-search",
            type="search",
            max_length=SEARCH_MAX,
            size="3",
            width="100%",
            flex="1",
            min_width="0",
            aria_label="Search the FAQs",
        ),
        rx.cond(
            FaqsState.is_admin,
            rx.button(
                rx.icon("plus", size=16), "New FAQ", size="3", on_click=FaqsState.open_new(CATEGORIES[0]), id="faq-new"
            ),
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        spacing="3",
        width="100%",
        align=rx.breakpoints(initial="stretch", sm="center"),
    )


def _summary() -> rx.Component:
    return rx.cond(
        FaqsState.query != "",
        rx.hstack(
            rx.text(
                FaqsState.total,
                rx.cond(FaqsState.total == 1, " answer", " answers"),
                " for “",
                FaqsState.query,
                "”",
                size="2",
                color_scheme="gray",
            ),
            rx.button(
                rx.icon("x", size=14),
                "Clear search",
                variant="ghost",
                size="1",
                on_click=FaqsState.clear_query,
                id="faq-search-clear",
            ),
            spacing="3",
            align="center",
            id="faq-summary",
        ),
    )


def _empty() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(
                rx.icon("circle-help", size=24),
                bg=rx.color("accent", 3),
                color=rx.color("accent", 11),
                border_radius="12px",
                width="48px",
                height="48px",
            ),
            rx.cond(
                FaqsState.query != "",
                rx.fragment(
                    rx.heading("No answers match your search", size="4"),
                    rx.text(
                        "Try other words, or clear the search to see every question.",
                        size="2",
                        color_scheme="gray",
                        text_align="center",
                    ),
                    rx.button("Clear search", variant="soft", on_click=FaqsState.clear_query, id="faq-empty-clear"),
                ),
                rx.fragment(
                    rx.heading("No FAQs yet", size="4"),
                    rx.text(
                        rx.cond(
                            FaqsState.is_admin,
                            "Add the first question people ask you.",
                            "Nobody has written any questions and answers yet.",
                        ),
                        size="2",
                        color_scheme="gray",
                        text_align="center",
                    ),
                ),
            ),
            align="center",
            spacing="3",
        ),
        padding="48px 16px",
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="12px",
        id="faq-empty",
    )


# ---- admin dialogs ----------------------------------------------------------------------------------------


def _error(name: str) -> rx.Component:
    return field_error(FaqsState.form_errors, name, "faq")


def _field(label_text: str, name: str, control: rx.Component) -> rx.Component:
    return labelled_field(label_text, control, _error(name), f"faq-dialog-{name}")


def editor() -> rx.Component:
    invalid = lambda name: rx.cond(FaqsState.form_errors.contains(name), "red", "gray")  # noqa: E731
    return form_dialog(
        "faq",
        title=rx.cond(FaqsState.editing_id > 0, "Edit FAQ", "New FAQ"),
        description=rx.text(
            "Answers are markdown: **bold**, lists, links, `code`, tables.", size="2", color_scheme="gray"
        ),
        fields=[
            _field(
                "Category",
                "category",
                rx.select.root(
                    rx.select.trigger(id="faq-dialog-category", width="100%"),
                    rx.select.content(
                        *[rx.select.item(CATEGORY_LABELS[c], value=c, id=f"faq-category-{c}") for c in CATEGORIES]
                    ),
                    name="category",
                    default_value=FaqsState.form_category,
                ),
            ),
            _field(
                "Question",
                "question",
                rx.input(
                    name="question",
                    id="faq-dialog-question",
                    default_value=FaqsState.form_question,
                    max_length=QUESTION_MAX,
                    placeholder="What do people ask?",
                    color_scheme=invalid("question"),
                    auto_focus=True,
                    width="100%",
                ),
            ),
            _field(
                "Answer",
                "answer",
                rx.text_area(
                    name="answer",
                    id="faq-dialog-answer",
                    default_value=FaqsState.form_answer,
                    max_length=ANSWER_MAX,
                    placeholder="The answer, in markdown.",
                    rows="8",
                    color_scheme=invalid("answer"),
                    width="100%",
                ),
            ),
        ],
        errors=FaqsState.form_errors,
        editing=FaqsState.editing_id > 0,
        create_label="Add FAQ",
        on_submit=FaqsState.save,
        form_key=FaqsState.form_key,
        open=FaqsState.editor_open,
        on_open_change=FaqsState.set_editor_open,
        max_width="640px",
    )


def delete_confirmation() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this FAQ?"),
            rx.alert_dialog.description(
                rx.text(
                    "“", FaqsState.confirm_question, "” will be removed for everyone. This cannot be undone.", size="2"
                ),
            ),
            rx.hstack(
                rx.button(
                    "Cancel",
                    variant="soft",
                    color_scheme="gray",
                    on_click=FaqsState.cancel_delete,
                    id="faq-delete-cancel",
                ),
                rx.button("Delete", color_scheme="red", on_click=FaqsState.confirm_delete, id="faq-delete-confirm"),
                justify="end",
                spacing="3",
                margin_top="16px",
            ),
            max_width="460px",
            id="faq-delete-dialog",
        ),
        open=FaqsState.confirm_id > 0,
        on_open_change=FaqsState.cancel_delete,  # Esc: only ever closes it
    )


# ---- the page ---------------------------------------------------------------------------------------------


def content() -> rx.Component:
    return rx.vstack(
        rx.text("Answers to what people ask most about FluxKit. Search as you type.", size="2", color_scheme="gray"),
        _toolbar(),
        _summary(),
        rx.cond(
            FaqsState.loaded,
            rx.cond(
                FaqsState.total > 0,
                rx.vstack(rx.foreach(FaqsState.groups, _group), spacing="6", width="100%", id="faq-list"),
                _empty(),
            ),
            rx.center(rx.spinner(), padding="48px", width="100%"),
        ),
        editor(),
        delete_confirmation(),
        spacing="4",
        width="100%",
        max_width="860px",
    )


page = shell("FAQs", content, loaded=FaqsState.loaded)
