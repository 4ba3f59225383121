"""The users tab of /users: stat cards, search and filters, the table (cards on a phone)."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.empty_state import empty_state
from fluxkit.components.filter_toolbar import filter_toolbar
from fluxkit.components.pagination import pagination as page_footer
from fluxkit.components.sorting import phone_sort, sort_header
from fluxkit.services import plans
from fluxkit.services.users_admin import PAGE_SIZES, PendingInvite, UserRow
from fluxkit.state.users import ALL, UsersState

STATUS_COLORS = {"active": "green", "unverified": "amber", "suspended": "red"}
STATUS_ICONS = {"active": "circle-check", "unverified": "mail-question", "suspended": "ban"}


def status_badge(status: rx.Var[str]) -> rx.Component:
    return rx.match(
        status,
        *[
            (
                s,
                rx.badge(
                    rx.icon(STATUS_ICONS[s], size=12),
                    s.capitalize(),
                    color_scheme=STATUS_COLORS[s],
                    variant="soft",
                    radius="full",
                ),
            )
            for s in STATUS_COLORS
        ],
        rx.badge(status),
    )


def role_badge(role: rx.Var[str]) -> rx.Component:
    return rx.cond(
        role == "admin",
        rx.badge(rx.icon("shield", size=12), "Admin", color_scheme="violet", variant="solid", radius="full"),
        rx.badge("User", color_scheme="gray", variant="soft", radius="full"),
    )


def plan_badge(row: rx.Var[UserRow]) -> rx.Component:
    return rx.badge(
        row.plan_name, color_scheme=rx.cond(row.plan == plans.FREE, "gray", "blue"), variant="outline", radius="full"
    )


# ---- stat cards --------------------------------------------------------------------------------


def _stat(label: str, value: rx.Var[int], icon: str, color: str, id: str, on_click) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.text(label, size="2", color_scheme="gray"),
                rx.text(value, size="7", weight="bold", id=id, line_height="1"),
                spacing="2",
            ),
            rx.spacer(),
            rx.center(
                rx.icon(icon, size=20),
                bg=rx.color(color, 3),
                color=rx.color(color, 11),
                border_radius="10px",
                width="40px",
                height="40px",
            ),
            align="center",
            width="100%",
        ),
        on_click=on_click,
        cursor="pointer",
        width="100%",
        title=f"Show {label.lower()} users",
    )


def stat_cards() -> rx.Component:
    return rx.grid(
        _stat("Total", UsersState.stats.total, "users", "violet", "users-stat-total", UsersState.clear_filters),
        _stat(
            "Active",
            UsersState.stats.active,
            "user-check",
            "green",
            "users-stat-active",
            UsersState.set_filter("status", "active"),
        ),
        _stat(
            "Paid",
            UsersState.stats.paid,
            "credit-card",
            "blue",
            "users-stat-paid",
            UsersState.set_filter("plan", "paid"),
        ),
        _stat(
            "Unverified",
            UsersState.stats.unverified,
            "mail-question",
            "amber",
            "users-stat-unverified",
            UsersState.set_filter("status", "unverified"),
        ),
        columns=rx.breakpoints(initial="2", md="4"),
        spacing="3",
        width="100%",
    )


# ---- toolbar -----------------------------------------------------------------------------------


def _filter(name: str, placeholder: str, options: list[tuple[str, str]]) -> rx.Component:
    value = getattr(UsersState, f"{name}_filter")
    return rx.select.root(
        rx.select.trigger(
            placeholder=placeholder,
            id=f"users-filter-{name}",
            width=["100%", "100%", "auto"],
            min_width=["0", "0", "130px"],
            aria_label=placeholder,
        ),
        rx.select.content(
            rx.select.item(f"Any {placeholder.lower()}", value=ALL, id=f"users-filter-{name}-all"),
            *[rx.select.item(text, value=key, id=f"users-filter-{name}-{key}") for key, text in options],
        ),
        value=rx.cond(value == "", ALL, value),
        on_change=lambda v: UsersState.set_filter(name, v),
    )


def toolbar() -> rx.Component:
    return filter_toolbar(
        UsersState,
        search_placeholder="Search name or email…",
        search_id="users-search",
        search_label="Search users",
        filters=[
            _filter("role", "Role", [("user", "User"), ("admin", "Admin")]),
            _filter("status", "Status", [(s, s.capitalize()) for s in STATUS_COLORS]),
            _filter("plan", "Plan", [("paid", "Any paid plan"), *[(p.id, p.name) for p in plans.PLANS]]),
        ],
        filter_columns=rx.breakpoints(initial="repeat(3, minmax(0, 1fr))", md="repeat(3, auto)"),
        clear_id="users-filter-clear",
    )


# ---- one user's actions ---------------------------------------------------------------------------


def row_menu(row: rx.Var[UserRow], prefix: str) -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.icon_button(
                rx.icon("ellipsis", size=16),
                variant="ghost",
                color_scheme="gray",
                size="2",
                aria_label="User actions",
                id=f"{prefix}-actions-{row.id}",
            )
        ),
        rx.dropdown_menu.content(
            rx.cond(
                row.role == "admin",
                rx.dropdown_menu.item(
                    rx.icon("shield-off", size=14),
                    "Remove admin rights",
                    on_click=UsersState.set_role(row.id, "user"),
                    id=f"user-role-user-{row.id}",
                ),
                rx.dropdown_menu.item(
                    rx.icon("shield", size=14),
                    "Make admin",
                    on_click=UsersState.set_role(row.id, "admin"),
                    id=f"user-role-admin-{row.id}",
                ),
            ),
            rx.cond(
                row.status == "unverified",
                rx.dropdown_menu.item(
                    rx.icon("mail", size=14),
                    "Resend verification email",
                    on_click=UsersState.resend_verification(row.id),
                    id=f"user-resend-{row.id}",
                ),
            ),
            rx.dropdown_menu.separator(),
            rx.cond(
                row.status == "suspended",
                rx.dropdown_menu.item(
                    rx.icon("rotate-ccw", size=14),
                    "Reactivate",
                    on_click=UsersState.reactivate(row.id),
                    id=f"user-reactivate-{row.id}",
                ),
                rx.dropdown_menu.item(
                    rx.icon("ban", size=14),
                    "Suspend",
                    color_scheme="orange",
                    on_click=UsersState.suspend(row.id),
                    id=f"user-suspend-{row.id}",
                ),
            ),
            rx.dropdown_menu.item(
                rx.icon("trash-2", size=14),
                "Delete…",
                color_scheme="red",
                on_click=UsersState.open_delete(row.id),
                id=f"user-delete-{row.id}",
            ),
            align="end",
        ),
    )


def _who(row: rx.Var[UserRow]) -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=row.name[:1].upper(), size="2", radius="full"),
        rx.vstack(
            rx.hstack(
                rx.text(row.name, weight="medium", size="2", trim="both"),
                rx.cond(row.id == UsersState.me_id, rx.badge("You", size="1", variant="surface")),
                rx.cond(
                    row.two_factor,
                    rx.tooltip(
                        rx.badge(
                            rx.icon("shield-check", size=12),
                            "2FA",
                            size="1",
                            color_scheme="green",
                            id=f"user-2fa-{row.id}",
                        ),
                        content="Two-factor sign-in is on",
                    ),
                ),
                spacing="2",
                align="center",
            ),
            rx.text(row.email, size="1", color_scheme="gray", word_break="break-all"),
            spacing="1",
            min_width="0",
        ),
        spacing="3",
        align="center",
        min_width="0",
    )


# ---- table (tablet and desktop) ----------------------------------------------------------------------


def _sort_header(text: str, key: str | None = None) -> rx.Component:
    if key is None:
        return rx.table.column_header_cell(text)
    return sort_header(UsersState, text, key, id=f"users-sort-{key}")


def _table_row(row: rx.Var[UserRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(_who(row), vertical_align="middle", min_width="220px"),
        rx.table.cell(role_badge(row.role), vertical_align="middle"),
        rx.table.cell(status_badge(row.status), vertical_align="middle", id=f"user-status-{row.id}"),
        rx.table.cell(plan_badge(row), vertical_align="middle"),
        rx.table.cell(
            rx.text(rx.moment(row.created_at, from_now=True), size="2", color_scheme="gray", white_space="nowrap"),
            vertical_align="middle",
        ),
        rx.table.cell(row_menu(row, "user"), vertical_align="middle", width="48px", text_align="right"),
        id=f"user-row-{row.id}",
        class_name="user-row",
    )


def users_table() -> rx.Component:
    return rx.table.root(
        rx.table.header(
            rx.table.row(
                _sort_header("Name", "name"),
                _sort_header("Role", "role"),
                _sort_header("Status"),
                _sort_header("Plan"),
                _sort_header("Joined", "created"),
                rx.table.column_header_cell(width="48px", aria_label="Actions"),
            )
        ),
        rx.table.body(rx.foreach(UsersState.rows, _table_row)),
        variant="surface",
        width="100%",
        id="users-table",
    )


# ---- cards (phone) ------------------------------------------------------------------------------------


def _card(row: rx.Var[UserRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.box(_who(row), flex="1", min_width="0"), row_menu(row, "user-card"), width="100%", align="start"
            ),
            rx.flex(role_badge(row.role), status_badge(row.status), plan_badge(row), wrap="wrap", spacing="2"),
            rx.text("Joined ", rx.moment(row.created_at, from_now=True), size="1", color_scheme="gray"),
            spacing="2",
            width="100%",
        ),
        id=f"user-card-{row.id}",
        width="100%",
    )


def users_cards() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            phone_sort(
                UsersState,
                [("created", "Joined"), ("name", "Name"), ("email", "Email"), ("role", "Role")],
                id="users-sort-phone",
            ),
            width="100%",
            justify="end",
        ),
        rx.foreach(UsersState.rows, _card),
        spacing="2",
        width="100%",
        id="users-cards",
    )


def pagination() -> rx.Component:
    return page_footer(
        UsersState,
        PAGE_SIZES,
        range_id="users-range",
        size_id="users-page-size",
        prev_id="users-prev",
        page_id="users-page",
        next_id="users-next",
    )


def _invite_row(invite: rx.Var[PendingInvite]) -> rx.Component:
    return rx.hstack(
        rx.icon("mail", size=14, color=rx.color("gray", 10)),
        rx.text(invite.email, size="2", weight="medium", word_break="break-all"),
        rx.spacer(),
        rx.text(
            "invited ",
            rx.moment(invite.invited_at, from_now=True),
            " by ",
            invite.invited_by,
            size="1",
            color_scheme="gray",
            text_align="right",
        ),
        width="100%",
        align="center",
        spacing="2",
        wrap="wrap",
    )


def pending_invites() -> rx.Component:
    return rx.cond(
        UsersState.invites.length() > 0,
        rx.card(
            rx.vstack(
                rx.text("Pending invitations", size="2", weight="bold"),
                rx.text(
                    "They appear in the list once they sign up with the invited email.", size="1", color_scheme="gray"
                ),
                rx.foreach(UsersState.invites, _invite_row),
                spacing="2",
                width="100%",
            ),
            width="100%",
            id="users-invites",
        ),
    )


def no_matches() -> rx.Component:
    return empty_state(
        rx.icon("search-x", size=28, color=rx.color("gray", 9)),
        rx.text("No users match this view.", weight="medium"),
        rx.button("Clear filters", variant="soft", on_click=UsersState.clear_filters, id="users-no-matches-clear"),
        id="users-no-matches",
        padding="40px 16px",
    )


def users_tab() -> rx.Component:
    return rx.vstack(
        stat_cards(),
        toolbar(),
        pending_invites(),
        rx.cond(
            UsersState.rows.length() > 0,
            rx.vstack(
                rx.tablet_and_desktop(rx.box(users_table(), width="100%", overflow_x="auto"), width="100%"),
                rx.mobile_only(users_cards(), width="100%"),
                pagination(),
                spacing="3",
                width="100%",
            ),
            no_matches(),
        ),
        spacing="4",
        width="100%",
    )
