"""/calendar: month, week, day and agenda views of the user's events and due tasks."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.calendar.dialogs import details_dialog, event_dialog, feed_dialog, ics_import_dialog
from fluxkit.components.calendar.views import current_view
from fluxkit.components.shell import shell
from fluxkit.state.calendar.files import CalendarFilesState
from fluxkit.state.calendar.page import ROUTE as CALENDAR_ROUTE
from fluxkit.state.calendar.page import VIEWS, CalendarState

ROUTE = CALENDAR_ROUTE
TITLE = "Calendar · FluxKit"
ON_LOAD = CalendarState.load


def toolbar() -> rx.Component:
    state = CalendarState
    return rx.flex(
        rx.hstack(
            rx.button(
                "Today", variant="outline", color_scheme="gray", size="2", on_click=state.go_today, id="calendar-today"
            ),
            rx.icon_button(
                rx.icon("chevron-left", size=16),
                variant="ghost",
                color_scheme="gray",
                on_click=state.step(-1),
                aria_label="Previous",
                id="calendar-prev",
            ),
            rx.icon_button(
                rx.icon("chevron-right", size=16),
                variant="ghost",
                color_scheme="gray",
                on_click=state.step(1),
                aria_label="Next",
                id="calendar-next",
            ),
            rx.heading(state.heading, size="4", id="calendar-heading", white_space="nowrap"),
            rx.cond(
                state.pending_invites > 0,
                rx.badge(
                    state.pending_invites, " to answer", color_scheme="orange", variant="soft", id="calendar-pending"
                ),
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        rx.spacer(),
        rx.hstack(
            rx.segmented_control.root(
                *[rx.segmented_control.item(v.capitalize(), value=v) for v in VIEWS],
                value=state.view,
                on_change=lambda v: state.set_view(v.to(str)),
                size="1",
                id="calendar-view",
            ),
            rx.el.label(
                rx.switch(
                    checked=state.hide_tasks != "1",
                    on_change=state.set_show_tasks,
                    size="1",
                    id="calendar-show-tasks",
                ),
                rx.text("Show tasks", size="2"),
                style={"display": "flex", "alignItems": "center", "gap": "6px", "cursor": "pointer"},
            ),
            rx.menu.root(
                rx.menu.trigger(
                    rx.icon_button(
                        rx.icon("ellipsis", size=16),
                        variant="soft",
                        color_scheme="gray",
                        aria_label="More",
                        id="calendar-more",
                    )
                ),
                rx.menu.content(
                    rx.menu.item(
                        rx.hstack(rx.icon("rss", size=14), rx.text("Subscribe (ICS feed)"), align="center"),
                        on_click=CalendarFilesState.set_feed_open(True),
                        id="calendar-feed-open",
                    ),
                    rx.menu.item(
                        rx.hstack(rx.icon("upload", size=14), rx.text("Import .ics"), align="center"),
                        on_click=CalendarFilesState.set_import_open(True),
                        id="calendar-import-open",
                    ),
                ),
            ),
            rx.button(
                rx.icon("plus", size=16),
                rx.text("New event", display=["none", "inline"]),
                on_click=state.open_new(state.anchor, 9),
                id="calendar-new",
                aria_label="New event",  # on a phone the button shows its icon only
            ),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        direction=rx.breakpoints(initial="column", md="row"),
        spacing="3",
        width="100%",
        align=rx.breakpoints(initial="start", md="center"),
    )


def content() -> rx.Component:
    return rx.vstack(
        toolbar(),
        rx.cond(
            CalendarState.loaded,
            current_view(),
            rx.center(rx.spinner(size="3"), padding="64px", width="100%"),
        ),
        rx.text(
            "Times are in your timezone. Click an empty day or hour to add an event.", size="1", color_scheme="gray"
        ),
        event_dialog(),
        details_dialog(),
        feed_dialog(),
        ics_import_dialog(),
        spacing="4",
        width="100%",
    )


page = shell("Calendar", content, loaded=CalendarState.loaded)
