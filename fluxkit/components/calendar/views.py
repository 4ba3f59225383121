"""The calendar's four views: month grid, week and day columns, agenda list."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.empty_state import empty_state
from fluxkit.services.calendar import Occurrence
from fluxkit.state.calendar.layout import HOUR_PX, AgendaDay, DayCell, DayColumn, Placed
from fluxkit.state.calendar.page import CalendarState

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS = list(range(24))


ONE_LINE = {"white_space": "nowrap", "overflow": "hidden", "text_overflow": "ellipsis", "min_width": "0"}


def tint(color: rx.Var[str], shade: int) -> rx.Var[str]:
    """A Radix color step by name (works in light and dark)."""
    return f"var(--{color}-{shade})"


def _status_icon(status: rx.Var[str]) -> rx.Component:
    return rx.match(
        status,
        ("pending", rx.icon("mail-question", size=12, flex_shrink="0")),
        ("declined", rx.icon("x", size=12, flex_shrink="0")),
        ("task", rx.icon("square-check", size=12, flex_shrink="0")),
        rx.fragment(),
    )


def _open(item: rx.Var[Occurrence]):
    return CalendarState.open_item(item.event_id, item.task_id)


def chip(item: rx.Var[Occurrence], compact: bool = True) -> rx.Component:
    """An occurrence as a small pill (month cells, all-day rows)."""
    return rx.hstack(
        _status_icon(item.my_status),
        rx.cond(
            ~item.all_day,
            rx.text(item.start[11:16], size="1", weight="medium", flex_shrink="0", display=["none", "none", "block"]),
        ),
        rx.text(
            item.title,
            size="1",
            style=ONE_LINE,
            text_decoration=rx.cond(item.my_status == "declined", "line-through", "none"),
        ),
        spacing="1",
        align="center",
        width="100%",
        padding="1px 6px",
        border_radius="4px",
        bg=rx.cond(item.all_day, tint(item.color, 4), "transparent"),
        color=tint(item.color, 11),
        border=rx.cond(item.my_status == "pending", f"1px dashed {tint(item.color, 8)}", "1px solid transparent"),
        opacity=rx.cond(item.my_status == "declined", "0.6", "1"),
        cursor="pointer",
        _hover={"bg": tint(item.color, 5)},
        on_click=_open(item).stop_propagation,
        id=rx.cond(item.task_id > 0, f"cal-task-{item.task_id}", f"cal-event-{item.event_id}"),
        class_name="cal-item",
        title=item.title,
    )


# ---- month ---------------------------------------------------------------------------------------------


def _month_cell(cell: rx.Var[DayCell]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.center(
                rx.text(cell.number, size="1", weight=rx.cond(cell.is_today, "bold", "regular")),
                width="22px",
                height="22px",
                border_radius="50%",
                bg=rx.cond(cell.is_today, rx.color("accent", 9), "transparent"),
                color=rx.cond(
                    cell.is_today, "white", rx.cond(cell.in_month, rx.color("gray", 12), rx.color("gray", 11))
                ),
                cursor="pointer",
                on_click=CalendarState.show_day(cell.date).stop_propagation,
                title="Open this day",
            ),
            width="100%",
        ),
        rx.foreach(cell.shown, chip),
        rx.cond(
            cell.more > 0,
            rx.link(
                f"+{cell.more} more",
                size="1",
                on_click=CalendarState.show_day(cell.date).stop_propagation,
                cursor="pointer",
            ),
        ),
        spacing="1",
        min_height=["64px", "84px", "112px"],
        padding="4px",
        min_width="0",
        bg=rx.cond(cell.in_month, rx.color("gray", 1), rx.color("gray", 2)),
        border_right=f"1px solid {rx.color('gray', 4)}",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        cursor="pointer",
        _hover={"bg": rx.color("accent", 2)},
        on_click=CalendarState.open_new(cell.date, 9),
        id=f"month-day-{cell.date}",
        class_name="month-cell",
    )


def month_view() -> rx.Component:
    return rx.box(
        rx.grid(
            *[
                rx.text(d, size="1", weight="medium", color_scheme="gray", padding="6px", text_align="center")
                for d in WEEKDAYS
            ],
            columns="7",
            border_bottom=f"1px solid {rx.color('gray', 5)}",
        ),
        rx.grid(rx.foreach(CalendarState.month_cells, _month_cell), columns="repeat(7, minmax(0, 1fr))"),
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="10px",
        overflow="hidden",
        width="100%",
        id="calendar-month",
    )


# ---- week and day ----------------------------------------------------------------------------------------


def _placed(item: rx.Var[Placed]) -> rx.Component:
    return rx.box(
        rx.text(item.title, size="1", weight="bold", style=ONE_LINE),
        rx.text(item.time_label, size="1", style=ONE_LINE),
        position="absolute",
        top=f"{item.top_px}px",
        height=f"{item.height_px}px",
        left=f"calc({item.left_pct}% + 2px)",
        width=f"calc({item.width_pct}% - 4px)",
        padding="2px 6px",
        border_radius="6px",
        overflow="hidden",
        bg=tint(item.color, 4),
        color=tint(item.color, 11),
        border_left=f"3px solid {tint(item.color, 9)}",
        outline=rx.cond(item.my_status == "pending", f"1px dashed {tint(item.color, 8)}", "none"),
        opacity=rx.cond(item.my_status == "declined", "0.55", "1"),
        cursor="pointer",
        z_index="2",
        on_click=CalendarState.open_item(item.event_id, 0).stop_propagation,
        id=f"cal-event-{item.event_id}",
        class_name="cal-item",
        title=item.title,
    )


def _column(col: rx.Var[DayColumn]) -> rx.Component:
    return rx.box(
        *[
            rx.box(
                height=f"{HOUR_PX}px",
                border_bottom=f"1px solid {rx.color('gray', 4)}",
                cursor="pointer",
                _hover={"bg": rx.color("accent", 2)},
                on_click=CalendarState.open_new(col.date, hour),
                id=f"slot-{col.date}-{hour:02d}",
                class_name="cal-slot",
            )
            for hour in HOURS
        ],
        rx.foreach(col.timed, _placed),
        position="relative",
        flex="1",
        min_width="0",
        border_left=f"1px solid {rx.color('gray', 4)}",
        bg=rx.cond(col.is_today, rx.color("accent", 1), "transparent"),
    )


def _column_head(col: rx.Var[DayColumn]) -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.text(
                col.label,
                size="2",
                weight=rx.cond(col.is_today, "bold", "medium"),
                color=rx.cond(col.is_today, rx.color("accent", 11), rx.color("gray", 12)),
            ),
            on_click=CalendarState.show_day(col.date),
            cursor="pointer",
            underline="none",
        ),
        rx.vstack(rx.foreach(col.all_day, chip), spacing="1", width="100%", min_height="8px"),
        flex="1",
        min_width="0",
        padding="4px",
        spacing="1",
        align="center",
        border_left=f"1px solid {rx.color('gray', 4)}",
        cursor="pointer",
        on_click=CalendarState.open_new(col.date, -1),
        id=f"allday-{col.date}",
    )


def time_grid() -> rx.Component:
    """Week (7 columns) or day (1 column): an all-day row, then 24 hour slots."""
    gutter = "52px"
    return rx.box(
        rx.hstack(
            rx.box(width=gutter, min_width=gutter),
            rx.foreach(CalendarState.columns, _column_head),
            spacing="0",
            width="100%",
            border_bottom=f"1px solid {rx.color('gray', 5)}",
        ),
        rx.scroll_area(
            rx.hstack(
                rx.vstack(
                    *[
                        rx.box(
                            rx.text(f"{h:02d}:00", size="1", color_scheme="gray"),
                            height=f"{HOUR_PX}px",
                            padding_right="6px",
                            text_align="right",
                            width="100%",
                        )
                        for h in HOURS
                    ],
                    spacing="0",
                    width=gutter,
                    min_width=gutter,
                ),
                rx.foreach(CalendarState.columns, _column),
                spacing="0",
                width="100%",
                align="start",
            ),
            type="auto",
            scrollbars="vertical",
            style={"height": "min(70vh, 720px)"},
            id="calendar-scroll",
        ),
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="10px",
        overflow="hidden",
        width="100%",
        id=rx.cond(CalendarState.view == "day", "calendar-day", "calendar-week"),
    )


# ---- agenda ------------------------------------------------------------------------------------------------


def _agenda_item(item: rx.Var[Occurrence]) -> rx.Component:
    return rx.hstack(
        rx.box(
            width="10px", height="10px", min_width="10px", border_radius="50%", bg=tint(item.color, 9), margin_top="5px"
        ),
        rx.text(item.time_label, size="2", color_scheme="gray", min_width=["72px", "96px"]),
        rx.vstack(
            rx.hstack(
                rx.text(
                    item.title,
                    size="2",
                    weight="medium",
                    text_decoration=rx.cond(item.my_status == "declined", "line-through", "none"),
                ),
                rx.cond(item.my_status == "pending", rx.badge("Invitation", color_scheme="orange", size="1")),
                rx.cond(item.recurring, rx.icon("repeat", size=12, color=rx.color("gray", 10))),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.cond(item.location != "", rx.text(item.location, size="1", color_scheme="gray")),
            rx.cond(item.organizer != "", rx.text("Organizer: ", item.organizer, size="1", color_scheme="gray")),
            spacing="0",
            min_width="0",
        ),
        spacing="3",
        align="start",
        padding="10px 12px",
        width="100%",
        border_radius="8px",
        cursor="pointer",
        _hover={"bg": rx.color("gray", 3)},
        on_click=_open(item),
        id=rx.cond(item.task_id > 0, f"agenda-task-{item.task_id}", f"agenda-event-{item.event_id}"),
        class_name="cal-item",
    )


def _agenda_day(day: rx.Var[AgendaDay]) -> rx.Component:
    return rx.vstack(
        rx.text(
            day.label,
            size="2",
            weight="bold",
            color=rx.cond(day.is_today, rx.color("accent", 11), rx.color("gray", 12)),
            padding="0 12px",
        ),
        rx.foreach(day.shown, _agenda_item),
        spacing="1",
        width="100%",
    )


def agenda_view() -> rx.Component:
    return rx.cond(
        CalendarState.agenda.length() > 0,
        rx.card(
            rx.vstack(rx.foreach(CalendarState.agenda, _agenda_day), spacing="4", width="100%"),
            width="100%",
            id="calendar-agenda",
        ),
        empty_state(
            rx.icon("calendar-x", size=28, color=rx.color("gray", 9)),
            rx.text("Nothing in the next 30 days.", weight="medium"),
            rx.button(
                rx.icon("plus", size=16),
                "New event",
                on_click=CalendarState.open_new(CalendarState.anchor, 9),
                variant="soft",
            ),
            id="calendar-agenda-empty",
        ),
    )


def current_view() -> rx.Component:
    return rx.match(
        CalendarState.view,
        ("month", month_view()),
        ("agenda", agenda_view()),
        time_grid(),
    )
