"""/dashboard: welcome page for the signed-in user."""

import reflex as rx

from fluxkit.components.activity import activity_row
from fluxkit.components.shell import shell
from fluxkit.state.dashboard import DashboardState

ROUTE = "/dashboard"
TITLE = "Dashboard · FluxKit"
ON_LOAD = DashboardState.load


def _stat(label: str, value: rx.Component, icon: str, id: str) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.center(rx.icon(icon, size=20), bg=rx.color("accent", 3), color=rx.color("accent", 11), border_radius="8px", width="40px", height="40px"),
            rx.vstack(rx.text(label, size="2", color_scheme="gray"), rx.box(value, id=id), spacing="0"),
            align="center",
            spacing="3",
        ),
        width="100%",
    )


def _checklist_item(done: rx.Var[bool], label: str, href: str | None = None) -> rx.Component:
    text = rx.text(label, size="2")
    return rx.hstack(
        rx.cond(
            done,
            rx.icon("circle-check", size=18, color=rx.color("green", 10)),
            rx.icon("circle", size=18, color=rx.color("gray", 9)),
        ),
        rx.link(text, href=href) if href else text,
        align="center",
        spacing="2",
    )


def content() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading("Welcome, ", DashboardState.name, size="7", id="welcome"),
            rx.text("Here is your account at a glance.", color_scheme="gray"),
            spacing="1",
        ),
        rx.grid(
            _stat("Email", rx.cond(DashboardState.email_verified, rx.badge("Verified", color_scheme="green"), rx.badge("Not verified", color_scheme="orange")), "mail", "stat-email"),
            _stat("Active sessions", rx.text(DashboardState.active_sessions, size="5", weight="bold"), "monitor-smartphone", "stat-sessions"),
            _stat("Member since", rx.text(rx.cond(DashboardState.member_since != "", rx.moment(DashboardState.member_since, format="LL"), ""), size="3", weight="bold"), "calendar", "stat-member-since"),
            columns=rx.breakpoints(initial="1", sm="2", md="3"),
            spacing="4",
            width="100%",
        ),
        rx.grid(
            rx.card(
                rx.vstack(
                    rx.heading("Get started", size="4"),
                    _checklist_item(rx.Var.create(True), "Create your account"),
                    _checklist_item(DashboardState.email_verified, "Verify your email"),
                    _checklist_item(DashboardState.active_sessions > 0, "Review where you are signed in", "/settings#sessions"),
                    spacing="3",
                ),
                width="100%",
            ),
            rx.card(
                rx.vstack(
                    rx.hstack(rx.heading("Recent security activity", size="4"), rx.spacer(), rx.link("Manage sessions", href="/settings#sessions", size="2"), width="100%"),
                    rx.cond(
                        DashboardState.activity.length() > 0,
                        rx.vstack(rx.foreach(DashboardState.activity, activity_row), spacing="0", width="100%", id="activity-list"),
                        rx.text("No activity yet.", color_scheme="gray", size="2"),
                    ),
                    spacing="3",
                    width="100%",
                ),
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        spacing="5",
        width="100%",
    )


page = shell("Dashboard", content)
