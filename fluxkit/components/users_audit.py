"""The audit log tab of /users: filters by actor, target, action and dates; one page of events."""

from __future__ import annotations

import reflex as rx

from fluxkit.services.users_admin import AuditRow
from fluxkit.state.users import ALL, UsersState


def _action_label(action: rx.Var[str]) -> rx.Component:
    return rx.code(
        action,
        size="1",
        variant="soft",
        color_scheme=rx.cond(action.startswith("admin_"), "violet", "gray"),
        white_space="nowrap",
    )


def _date(name: str, label: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", as_="label", custom_attrs={"htmlFor": f"audit-{name}"}),
        rx.input(
            type="date",
            value=getattr(UsersState, f"audit_{name}"),
            on_change=lambda v: UsersState.set_audit_filter(name, v),
            id=f"audit-{name}",
            width="100%",
        ),
        spacing="1",
        width="100%",
    )


def _text_filter(name: str, placeholder: str) -> rx.Component:
    return rx.input(
        rx.input.slot(rx.icon("search", size=14)),
        placeholder=placeholder,
        value=getattr(UsersState, f"audit_{name}"),
        on_change=lambda v: UsersState.set_audit_filter(name, v),
        debounce_timeout=300,
        id=f"audit-{name}",
        type="search",
        max_length=100,
        width="100%",
        aria_label=placeholder,
    )


def audit_filters() -> rx.Component:
    return rx.grid(
        rx.vstack(
            rx.text("Actor", size="1", color_scheme="gray"),
            _text_filter("actor", "Who did it (email)"),
            spacing="1",
            width="100%",
        ),
        rx.vstack(
            rx.text("Target", size="1", color_scheme="gray"),
            _text_filter("target", "Which account (email)"),
            spacing="1",
            width="100%",
        ),
        rx.vstack(
            rx.text("Action", size="1", color_scheme="gray"),
            rx.select.root(
                rx.select.trigger(placeholder="Any action", id="audit-action", width="100%"),
                rx.select.content(
                    rx.select.item("Any action", value=ALL),
                    rx.foreach(UsersState.audit_actions, lambda a: rx.select.item(a, value=a)),
                ),
                value=rx.cond(UsersState.audit_action == "", ALL, UsersState.audit_action),
                on_change=lambda v: UsersState.set_audit_filter("action", v),
            ),
            spacing="1",
            width="100%",
        ),
        _date("date_from", "From (UTC day)"),
        _date("date_to", "To (UTC day)"),
        columns=rx.breakpoints(initial="2", md="5"),
        spacing="2",
        width="100%",
    )


def _row(event: rx.Var[AuditRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.text(rx.moment(event.created_at, format="YYYY-MM-DD HH:mm"), size="2", white_space="nowrap"),
            vertical_align="middle",
        ),
        rx.table.cell(_action_label(event.action), vertical_align="middle"),
        rx.table.cell(rx.text(event.actor, size="2", word_break="break-all"), vertical_align="middle"),
        rx.table.cell(rx.text(event.target, size="2", word_break="break-all"), vertical_align="middle"),
        rx.table.cell(rx.text(event.detail, size="1", color_scheme="gray"), vertical_align="middle", max_width="260px"),
        rx.table.cell(rx.text(event.ip, size="1", color_scheme="gray", white_space="nowrap"), vertical_align="middle"),
        id=f"audit-row-{event.id}",
        class_name="audit-row",
    )


def _card(event: rx.Var[AuditRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                _action_label(event.action),
                rx.spacer(),
                rx.text(rx.moment(event.created_at, from_now=True), size="1", color_scheme="gray"),
                width="100%",
                align="center",
            ),
            rx.text(
                rx.text.strong(event.actor),
                rx.cond(event.target != event.actor, rx.text.span(" → ", event.target)),
                size="2",
                word_break="break-all",
            ),
            rx.cond(event.detail != "", rx.text(event.detail, size="1", color_scheme="gray")),
            spacing="1",
            width="100%",
        ),
        width="100%",
        id=f"audit-card-{event.id}",
    )


def audit_tab() -> rx.Component:
    state = UsersState
    return rx.vstack(
        audit_filters(),
        rx.hstack(
            rx.text(state.audit_total, " events", size="2", color_scheme="gray", id="audit-total"),
            rx.spacer(),
            rx.cond(
                state.has_audit_filters,
                rx.button(
                    rx.icon("x", size=14),
                    "Clear",
                    variant="ghost",
                    color_scheme="gray",
                    size="1",
                    on_click=state.clear_audit_filters,
                    id="audit-clear",
                ),
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            state.audit_rows.length() > 0,
            rx.vstack(
                rx.tablet_and_desktop(
                    rx.box(
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    *[
                                        rx.table.column_header_cell(h)
                                        for h in ("When", "Action", "Actor", "Target", "Detail", "IP")
                                    ]
                                )
                            ),
                            rx.table.body(rx.foreach(state.audit_rows, _row)),
                            variant="surface",
                            size="1",
                            width="100%",
                            id="audit-table",
                        ),
                        width="100%",
                        overflow_x="auto",
                    ),
                    width="100%",
                ),
                rx.mobile_only(rx.vstack(rx.foreach(state.audit_rows, _card), spacing="2", width="100%"), width="100%"),
                spacing="3",
                width="100%",
            ),
            rx.center(
                rx.text("No events match these filters.", size="2", color_scheme="gray"),
                padding="40px 16px",
                width="100%",
                border=f"1px dashed {rx.color('gray', 6)}",
                border_radius="12px",
                id="audit-empty",
            ),
        ),
        rx.cond(
            state.audit_pages > 1,
            rx.hstack(
                rx.icon_button(
                    rx.icon("chevron-left", size=16),
                    size="1",
                    variant="soft",
                    disabled=state.audit_page <= 1,
                    on_click=state.audit_go_to_page(state.audit_page - 1),
                    aria_label="Previous page",
                    id="audit-prev",
                ),
                rx.text("Page ", state.audit_page, " of ", state.audit_pages, size="2", id="audit-page"),
                rx.icon_button(
                    rx.icon("chevron-right", size=16),
                    size="1",
                    variant="soft",
                    disabled=state.audit_page >= state.audit_pages,
                    on_click=state.audit_go_to_page(state.audit_page + 1),
                    aria_label="Next page",
                    id="audit-next",
                ),
                justify="end",
                align="center",
                spacing="3",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )
