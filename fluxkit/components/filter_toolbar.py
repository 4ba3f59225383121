"""A list's toolbar: a search box, a grid of filter selects and a Clear button while any filter is set.

`state` is a list state with the var `search` and `has_filters` and the handlers `set_search`
and `clear_filters`. The row stacks on a phone and lines up on wider screens.
"""

from __future__ import annotations

import reflex as rx


def filter_toolbar(
    state,
    *,
    search_placeholder: str,
    search_id: str,
    search_label: str,
    filters: list[rx.Component],
    filter_columns,
    clear_id: str,
) -> rx.Component:
    """`filter_columns` is the filter grid's grid_template_columns (responsive breakpoints)."""
    return rx.flex(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder=search_placeholder,
            value=state.search,
            on_change=state.set_search,
            # Short enough to feel immediate (Enter sends at once); results stay in typing order:
            # the tab sends its events one after another, and the box ignores the server's value
            # while a keystroke is still waiting (react-debounce-input), so nothing stale shows last.
            debounce_timeout=100,
            id=search_id,
            type="search",
            max_length=100,
            width="100%",
            flex="1",
            min_width="0",
            aria_label=search_label,
        ),
        rx.grid(
            *filters,
            grid_template_columns=filter_columns,
            spacing="2",
            width=["100%", "100%", "auto"],
            flex_shrink="0",
        ),
        rx.cond(
            state.has_filters,
            rx.button(
                rx.icon("x", size=14),
                "Clear",
                variant="ghost",
                color_scheme="gray",
                on_click=state.clear_filters,
                id=clear_id,
            ),
        ),
        direction=rx.breakpoints(initial="column", md="row"),
        spacing="2",
        width="100%",
        align=rx.breakpoints(initial="stretch", md="center"),
    )
