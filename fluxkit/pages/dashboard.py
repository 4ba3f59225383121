"""/dashboard: the user's figures, activity chart, recent tasks and upcoming events, live."""

import reflex as rx

from fluxkit import routes
from fluxkit.components.activity import activity_row
from fluxkit.components.dashboard_parts import activity_chart, checklist, recent_task_row, stat_card, upcoming_event_row
from fluxkit.components.shell import shell
from fluxkit.state.dashboard import DashboardState

ROUTE = routes.DASHBOARD
TITLE = "Dashboard · FluxKit"
ON_LOAD = DashboardState.load


def _stats() -> rx.Component:
    s = DashboardState
    return rx.grid(
        stat_card("Tasks", s.tasks_total, "list-checks", "stat-tasks-total", routes.TASKS),
        stat_card("Pending", s.tasks_pending, "circle-dashed", "stat-tasks-pending", f"{routes.TASKS}?status=pending"),
        stat_card(
            "In progress", s.tasks_in_progress, "loader", "stat-tasks-in-progress", f"{routes.TASKS}?status=in+progress"
        ),
        stat_card(
            "Completion rate",
            s.completion_rate.to_string() + "%",
            "circle-check-big",
            "stat-completion-rate",
            f"{routes.TASKS}?status=completed",
            rx.progress(
                value=s.completion_rate,
                size="1",
                width="100%",
                margin_top="4px",
                color_scheme="green",
                aria_label="Completion rate",
            ),
        ),
        stat_card(
            "Events, next 7 days",
            s.events_next_7_days,
            "calendar-days",
            "stat-events",
            f"{routes.CALENDAR}?view=agenda",
        ),
        stat_card("Unread mail", s.unread_mail, "mail", "stat-unread-mail", routes.MAIL),
        stat_card(
            "Unread notifications", s.unread_notifications, "bell", "stat-unread-notifications", routes.NOTIFICATIONS
        ),
        columns=rx.breakpoints(initial="1", xs="2", md="3", lg="4"),
        spacing="4",
        width="100%",
        id="stat-cards",
    )


def _no_tasks_yet() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("chart-area", size=32, color=rx.color("gray", 9)),
            rx.heading("No tasks yet", size="4"),
            rx.text(
                "Your tasks created and completed per day appear here once you add one.",
                size="2",
                color_scheme="gray",
                text_align="center",
            ),
            rx.link(rx.button(rx.icon("list-checks", size=16), "Go to Tasks"), href=routes.TASKS),
            align="center",
            spacing="3",
            padding_y="6",
        ),
        width="100%",
        id="chart-empty",
    )


def _list_card(title: str, more: str, href: str, items, row, empty: str, id: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(title, size="4"),
                rx.spacer(),
                rx.link(more, href=href, size="2"),
                width="100%",
                align="center",
            ),
            rx.cond(
                items.length() > 0,
                rx.vstack(rx.foreach(items, row), spacing="0", width="100%", id=id),
                rx.text(empty, size="2", color_scheme="gray", id=f"{id}-empty"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        min_width="0",
    )


def _skeleton() -> rx.Component:
    """Until the user's figures have arrived: their shapes, never zeros or empty states."""
    return rx.vstack(
        rx.skeleton(rx.heading("Welcome", size=rx.breakpoints(initial="6", sm="7")), loading=True),
        rx.grid(
            *[rx.skeleton(rx.box(height="88px"), loading=True, width="100%") for _ in range(4)],
            columns=rx.breakpoints(initial="1", xs="2", md="3", lg="4"),
            spacing="4",
            width="100%",
        ),
        rx.skeleton(rx.box(height="240px"), loading=True, width="100%"),
        spacing="5",
        width="100%",
        id="dashboard-loading",
        aria_busy="true",
    )


def content() -> rx.Component:
    return rx.cond(DashboardState.loaded, _loaded(), _skeleton())


def _loaded() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading("Welcome, ", DashboardState.name, size=rx.breakpoints(initial="6", sm="7"), id="welcome"),
            rx.text("Here is what is happening with your work.", color_scheme="gray"),
            spacing="1",
        ),
        rx.cond(DashboardState.show_checklist, checklist()),
        _stats(),
        rx.cond(
            DashboardState.has_tasks,
            activity_chart(),
            rx.cond(DashboardState.show_checklist, rx.fragment(), _no_tasks_yet()),
        ),
        rx.grid(
            _list_card(
                "Recent tasks",
                "All tasks",
                routes.TASKS,
                DashboardState.recent_tasks,
                recent_task_row,
                "No tasks yet.",
                "recent-tasks",
            ),
            _list_card(
                "Upcoming events",
                "Calendar",
                routes.CALENDAR,
                DashboardState.upcoming_events,
                upcoming_event_row,
                "Nothing on your calendar soon.",
                "upcoming-events",
            ),
            _list_card(
                "Security activity",
                "Manage sessions",
                "/settings/account",
                DashboardState.activity,
                activity_row,
                "No activity yet.",
                "activity-list",
            ),
            columns=rx.breakpoints(initial="1", md="2", xl="3"),
            spacing="4",
            width="100%",
        ),
        spacing="5",
        width="100%",
    )


page = shell("Dashboard", content)
