"""Dashboard pieces: stat card, created-vs-completed chart, onboarding checklist, list rows."""

from __future__ import annotations

from typing import Any

import reflex as rx

from fluxkit.components.tasks.badges import status_badge
from fluxkit.services.dashboard import RecentTask, Step, UpcomingEvent
from fluxkit.state.dashboard import RANGE_CHOICES, DashboardState


def stat_card(
    label: str, value: rx.Var, icon: str, id: str, href: str, detail: rx.Component | None = None
) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.center(
                    rx.icon(icon, size=20),
                    bg=rx.color("accent", 3),
                    color=rx.color("accent", 11),
                    border_radius="8px",
                    width="40px",
                    height="40px",
                    flex_shrink="0",
                ),
                rx.vstack(
                    rx.text(label, size="2", color_scheme="gray"),
                    rx.text(value, size="6", weight="bold", id=id, color=rx.color("gray", 12)),
                    detail if detail is not None else rx.fragment(),
                    spacing="0",
                    min_width="0",
                    flex="1",
                ),
                align="center",
                spacing="3",
            ),
            width="100%",
            height="100%",
            _hover={"bg": rx.color("gray", 2)},
        ),
        href=href,
        underline="none",
        width="100%",
    )


def range_picker() -> rx.Component:
    return rx.segmented_control.root(
        *[rx.segmented_control.item(f"{days} days", value=days, id=f"chart-range-{days}") for days in RANGE_CHOICES],
        value=DashboardState.range_days,
        on_change=lambda value: DashboardState.set_range(value.to(str)),
        size="1",
        id="chart-range",
    )


def activity_chart() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.heading("Tasks created vs completed", size="4"),
                    rx.text(
                        "Last ",
                        DashboardState.range_days,
                        " days: ",
                        DashboardState.chart_created,
                        " created, ",
                        DashboardState.chart_completed,
                        " completed (days in ",
                        DashboardState.timezone,
                        ")",
                        size="1",
                        color_scheme="gray",
                        id="chart-totals",
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                range_picker(),
                direction=rx.breakpoints(initial="column", sm="row"),
                gap="3",
                width="100%",
            ),
            rx.box(
                rx.recharts.area_chart(
                    rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke=rx.color("gray", 5), vertical=False),
                    rx.recharts.x_axis(
                        data_key="label",
                        stroke=rx.color("gray", 9),
                        font_size=12,
                        min_tick_gap=16,
                        interval="preserveStartEnd",
                    ),
                    rx.recharts.y_axis(
                        allow_decimals=False, stroke=rx.color("gray", 9), font_size=12, width=48
                    ),  # 3-4 digits whole
                    rx.recharts.graphing_tooltip(
                        content_style={
                            "backgroundColor": rx.color("gray", 1),
                            "borderColor": rx.color("gray", 6),
                            "borderRadius": "8px",
                        },
                        label_style={"color": rx.color("gray", 12)},
                    ),
                    rx.recharts.legend(),
                    rx.recharts.area(
                        data_key="created",
                        name="Created",
                        type_="linear",  # straight day to day: no curve drawn through days without activity
                        stroke=rx.color("accent", 9),
                        fill=rx.color("accent", 5),
                        fill_opacity=0.5,
                        is_animation_active=False,
                    ),
                    rx.recharts.area(
                        data_key="completed",
                        name="Completed",
                        type_="linear",  # straight day to day: no curve drawn through days without activity
                        stroke=rx.color("green", 9),
                        fill=rx.color("green", 5),
                        fill_opacity=0.5,
                        is_animation_active=False,
                    ),
                    data=DashboardState.chart.to(list[dict[str, Any]]),
                    width="100%",
                    height=280,
                    margin={"top": 8, "right": 28, "left": 4, "bottom": 0},  # room for the last date label
                ),
                width="100%",
                id="activity-chart",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _step(step: rx.Var[Step]) -> rx.Component:
    return rx.hstack(
        rx.cond(
            step.done,
            rx.icon("circle-check", size=20, color=rx.color("green", 10), flex_shrink="0"),
            rx.icon("circle", size=20, color=rx.color("gray", 9), flex_shrink="0"),
        ),
        rx.vstack(
            rx.cond(
                step.done,
                rx.text(step.label, size="2", weight="medium", color_scheme="gray", text_decoration="line-through"),
                rx.link(step.label, href=step.href, size="2", weight="medium"),
            ),
            rx.cond(~step.done, rx.text(step.hint, size="1", color_scheme="gray")),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.cond(
            step.dismissible,
            rx.button(
                "Skip",
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=DashboardState.skip_plan_step,
                id="skip-plan-step",
            ),
        ),
        align="center",
        spacing="3",
        width="100%",
        id=f"step-{step.key}",
        data_done=rx.cond(step.done, "true", "false"),
    )


def checklist() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.vstack(
                    rx.heading("Get started with FluxKit", size="4"),
                    rx.text(
                        DashboardState.steps_done, " of 4 done", size="2", color_scheme="gray", id="checklist-progress"
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                rx.icon_button(
                    rx.icon("x", size=16),
                    variant="ghost",
                    color_scheme="gray",
                    on_click=DashboardState.dismiss_checklist,
                    aria_label="Hide the checklist",
                    title="Hide the checklist",
                    id="dismiss-checklist",
                ),
                width="100%",
                align="start",
            ),
            rx.progress(value=DashboardState.steps_done * 25, width="100%", aria_label="Getting started progress"),
            rx.vstack(rx.foreach(DashboardState.steps, _step), spacing="3", width="100%"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="onboarding-checklist",
    )


def _row_link(body: rx.Component, href: rx.Var[str], **props) -> rx.Component:
    """One row of a dashboard list: the whole row opens the item."""
    return rx.link(
        body,
        href=href,
        underline="none",
        color=rx.color("gray", 12),
        width="100%",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        _hover={"bg": rx.color("gray", 2)},
        **props,
    )


def recent_task_row(task: rx.Var[RecentTask]) -> rx.Component:
    return _row_link(
        rx.hstack(
            rx.text(
                task.title,
                size="2",
                weight="medium",
                flex="1",
                min_width="0",
                overflow="hidden",
                text_overflow="ellipsis",
                white_space="nowrap",
            ),
            status_badge(task.status),
            rx.text(
                task.ago,
                title=task.created_at,
                size="1",
                color_scheme="gray",
                display=rx.breakpoints(initial="none", sm="block"),
                white_space="nowrap",
            ),
            align="center",
            spacing="3",
            width="100%",
            padding_y="8px",
        ),
        task.href,
        id=f"recent-task-{task.id}",
    )


def upcoming_event_row(event: rx.Var[UpcomingEvent]) -> rx.Component:
    return _row_link(
        rx.hstack(
            rx.box(
                width="4px", align_self="stretch", border_radius="2px", bg=f"var(--{event.color}-9)", flex_shrink="0"
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(
                        event.title,
                        size="2",
                        weight="medium",
                        overflow="hidden",
                        text_overflow="ellipsis",
                        white_space="nowrap",
                    ),
                    rx.cond(event.recurring, rx.icon("repeat", size=12, color=rx.color("gray", 9), flex_shrink="0")),
                    align="center",
                    spacing="1",
                    min_width="0",
                ),
                rx.text(
                    event.day_label,
                    " · ",
                    event.time_label,
                    rx.cond(event.location != "", " · " + event.location, ""),
                    size="1",
                    color_scheme="gray",
                ),
                spacing="0",
                min_width="0",
            ),
            spacing="3",
            width="100%",
            padding_y="8px",
        ),
        event.href,
    )
