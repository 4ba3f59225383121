"""A paged list's footer: "Showing 1–20 of 57", rows per page, previous / page / next.

`state` is a paged list state with the vars `first_shown`, `last_shown`, `total`, `page`,
`pages`, `page_size` and the handlers `set_page_size` and `go_to_page`.
"""

from __future__ import annotations

import reflex as rx


def pagination(
    state,
    page_sizes,
    *,
    range_id: str,
    size_id: str,
    prev_id: str,
    page_id: str,
    next_id: str,
    size_item_id: str | None = None,
) -> rx.Component:
    """`size_item_id`, when given, ids each rows-per-page choice as f"{size_item_id}-{n}"."""
    return rx.flex(
        rx.text(
            "Showing ",
            state.first_shown,
            "–",
            state.last_shown,
            " of ",
            state.total,
            size="2",
            color_scheme="gray",
            id=range_id,
        ),
        rx.spacer(display=["none", "block"]),
        rx.hstack(
            rx.text("Rows", size="2", color_scheme="gray"),
            rx.select.root(
                rx.select.trigger(id=size_id, aria_label="Rows per page"),
                rx.select.content(
                    *[
                        rx.select.item(str(n), value=str(n), **({"id": f"{size_item_id}-{n}"} if size_item_id else {}))
                        for n in page_sizes
                    ]
                ),
                value=state.page_size.to_string(),
                on_change=state.set_page_size,
                size="1",
            ),
            rx.icon_button(
                rx.icon("chevron-left", size=16),
                size="1",
                variant="soft",
                disabled=state.page <= 1,
                on_click=state.go_to_page(state.page - 1),
                aria_label="Previous page",
                id=prev_id,
            ),
            rx.text(state.page, " / ", state.pages, size="2", id=page_id, white_space="nowrap"),
            rx.icon_button(
                rx.icon("chevron-right", size=16),
                size="1",
                variant="soft",
                disabled=state.page >= state.pages,
                on_click=state.go_to_page(state.page + 1),
                aria_label="Next page",
                id=next_id,
            ),
            align="center",
            spacing="2",
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        spacing="2",
        align=rx.breakpoints(initial="start", sm="center"),
        width="100%",
    )
