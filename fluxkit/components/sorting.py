"""Sorting a paged list: the clickable column header (table) and the sort picker (phone cards).

Both drive a state with `sort`, `descending` and `sort_by(key)` (PagedListMixin): choosing
the current key again reverses the order.
"""

from __future__ import annotations

import reflex as rx


def _direction_icon(state: type[rx.State]) -> rx.Component:
    return rx.cond(state.descending, rx.icon("arrow-down", size=14), rx.icon("arrow-up", size=14))


def sort_header(state: type[rx.State], text: str, key: str, id: str) -> rx.Component:
    """A column header that sorts by `key` (again: the other way), with its direction shown."""
    active = state.sort == key
    return rx.table.column_header_cell(
        rx.hstack(
            rx.text(text),
            rx.cond(active, _direction_icon(state), rx.icon("arrow-up-down", size=14, opacity="0.35")),
            on_click=state.sort_by(key),
            cursor="pointer",
            spacing="1",
            align="center",
            id=id,
            role="button",
            aria_label=f"Sort by {text}",
            white_space="nowrap",
            user_select="none",
        ),
        aria_sort=rx.cond(active, rx.cond(state.descending, "descending", "ascending"), "none"),
    )


def phone_sort(state: type[rx.State], options: list[tuple[str, str]], id: str) -> rx.Fragment:
    """On a phone, where there are no column headers: a picker of (key, label) and a reverse button."""
    return rx.fragment(
        rx.select.root(
            rx.select.trigger(id=id, variant="ghost", aria_label="Sort"),
            rx.select.content(*[rx.select.item(f"Sort: {text}", value=key) for key, text in options]),
            value=state.sort,
            on_change=state.sort_by,
            size="1",
        ),
        rx.icon_button(
            _direction_icon(state),
            size="1",
            variant="ghost",
            on_click=state.sort_by(state.sort),
            aria_label="Reverse order",
            id=f"{id}-order",
        ),
    )
