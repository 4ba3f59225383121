"""/organizations: the user's organizations; the open one's members, roles and invitations."""

from __future__ import annotations

import reflex as rx

from fluxkit.components.org_members import (
    confirm_dialog,
    create_dialog,
    invitations_card,
    members_card,
    rename_dialog,
    role_badge,
)
from fluxkit.components.shell import shell
from fluxkit.navigation import settings_path
from fluxkit.services.organizations import InvitationRow, OrgRow
from fluxkit.state.organizations import ROUTE as ORGANIZATIONS_ROUTE
from fluxkit.state.organizations import OrganizationsState

ROUTE = ORGANIZATIONS_ROUTE
TITLE = "Organizations · FluxKit"
ON_LOAD = OrganizationsState.load


def _org_item(org: rx.Var[OrgRow]) -> rx.Component:
    chosen = OrganizationsState.selected.id == org.id
    return rx.box(
        rx.hstack(
            rx.center(
                rx.text(org.name[:1].upper(), weight="bold", size="2"),
                width="32px",
                height="32px",
                min_width="32px",
                border_radius="8px",
                bg=rx.color("accent", 3),
                color=rx.color("accent", 11),
            ),
            rx.vstack(
                rx.text(org.name, size="2", weight="medium", word_break="break-word"),
                rx.text(org.members, rx.cond(org.members == 1, " member", " members"), size="1", color_scheme="gray"),
                spacing="0",
                flex="1",
                min_width="0",
            ),
            rx.cond(org.active, rx.badge("Active", color_scheme="green", variant="soft", size="1")),
            align="center",
            spacing="3",
        ),
        on_click=OrganizationsState.select(org.id),
        role="button",
        cursor="pointer",
        padding="10px 12px",
        border_radius="8px",
        bg=rx.cond(chosen, rx.color("accent", 3), "transparent"),
        _hover={"bg": rx.color("gray", 3)},
        id="org-item-" + org.slug,
        width="100%",
    )


def _my_invitation(inv: rx.Var[InvitationRow]) -> rx.Component:
    return rx.flex(
        rx.text(
            inv.inviter,
            " invited you to ",
            rx.text.span(inv.organization, weight="bold"),
            " as ",
            inv.role,
            ".",
            size="2",
            flex="1",
        ),
        rx.button(
            "Accept",
            size="1",
            on_click=OrganizationsState.accept_invitation(inv.id),
            id="my-invitation-accept-" + inv.organization_id.to_string(),
        ),
        direction=rx.breakpoints(initial="column", sm="row"),
        align=rx.breakpoints(initial="start", sm="center"),
        gap="2",
        width="100%",
    )


def _detail() -> rx.Component:
    state = OrganizationsState
    org = state.selected
    return rx.vstack(
        rx.card(
            rx.flex(
                rx.vstack(
                    rx.hstack(
                        rx.heading(org.name, size="5", id="org-detail-name", word_break="break-word"),
                        role_badge(org.role),
                        spacing="2",
                        align="center",
                        wrap="wrap",
                    ),
                    rx.text("/", org.slug, size="2", color_scheme="gray", id="org-detail-slug"),
                    spacing="1",
                    min_width="0",
                ),
                rx.spacer(),
                rx.hstack(
                    rx.cond(
                        state.can_manage,
                        rx.button(
                            rx.icon("pencil", size=14),
                            "Rename",
                            variant="soft",
                            color_scheme="gray",
                            size="2",
                            on_click=state.set_rename_open(True),
                            id="org-rename",
                        ),
                    ),
                    rx.cond(
                        org.active,
                        rx.badge(
                            rx.icon("check", size=12),
                            "Active organization",
                            color_scheme="green",
                            variant="soft",
                            size="2",
                        ),
                        rx.button(
                            "Make active", variant="soft", size="2", on_click=state.make_active, id="org-make-active"
                        ),
                    ),
                    rx.cond(
                        org.role != "owner",
                        rx.button(
                            rx.icon("log-out", size=14),
                            "Leave",
                            variant="outline",
                            color_scheme="red",
                            size="2",
                            on_click=state.ask("leave", 0),
                            id="org-leave",
                        ),
                        rx.tooltip(
                            rx.box(rx.button("Leave", variant="outline", color_scheme="gray", size="2", disabled=True)),
                            content="The owner transfers ownership (Make owner on a member) before leaving.",
                        ),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                direction=rx.breakpoints(initial="column", sm="row"),
                gap="3",
                width="100%",
            ),
            rx.text(
                "Tasks you assign go to members of your active organization; they can change the task's status.",
                size="1",
                color_scheme="gray",
                padding_top="8px",
            ),
            rx.cond(
                state.can_manage,
                rx.hstack(
                    rx.switch(
                        checked=org.require_two_factor,
                        on_change=state.set_require_two_factor,
                        id="org-require-two-factor",
                    ),
                    rx.text(
                        "Members need two-factor sign-in to use this organization",
                        as_="label",
                        custom_attrs={"htmlFor": "org-require-two-factor"},
                        size="2",
                    ),
                    align="center",
                    padding_top="8px",
                ),
                rx.cond(
                    org.require_two_factor,
                    rx.text(
                        "Members need two-factor sign-in to use this organization.",
                        size="1",
                        color_scheme="gray",
                        padding_top="8px",
                    ),
                ),
            ),
            width="100%",
        ),
        rx.cond(
            state.blocked != "",
            rx.callout(
                rx.text(
                    state.blocked,
                    " ",
                    rx.link("Set it up now", href=settings_path("account") + "#two-factor", underline="always"),
                ),
                icon="shield-alert",
                color_scheme="amber",
                role="alert",
                id="org-two-factor-required",
                width="100%",
            ),
        ),
        members_card(),
        invitations_card(),
        spacing="4",
        width="100%",
        id="org-detail",
    )


def _empty() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("building-2", size=28, color=rx.color("gray", 9)),
            rx.text("You are not in an organization yet.", weight="medium"),
            rx.text(
                "Create one to invite your team and assign tasks to each other.",
                size="2",
                color_scheme="gray",
                text_align="center",
            ),
            rx.button(
                rx.icon("plus", size=14),
                "New organization",
                on_click=OrganizationsState.set_create_open(True),
                id="org-new-empty",
            ),
            align="center",
            spacing="2",
        ),
        padding="48px 16px",
        width="100%",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="12px",
        id="orgs-empty",
    )


def content() -> rx.Component:
    state = OrganizationsState
    return rx.vstack(
        rx.flex(
            rx.text(
                "Work together: invite people, give them a role, assign them tasks.", size="2", color_scheme="gray"
            ),
            rx.spacer(),
            rx.button(rx.icon("plus", size=16), "New organization", on_click=state.set_create_open(True), id="org-new"),
            direction=rx.breakpoints(initial="column", sm="row"),
            gap="3",
            width="100%",
            align=rx.breakpoints(initial="start", sm="center"),
        ),
        rx.cond(
            state.my_invitations.length() > 0,
            rx.callout.root(
                rx.callout.icon(rx.icon("mail-open", size=16)),
                rx.vstack(rx.foreach(state.my_invitations, _my_invitation), spacing="2", width="100%"),
                color_scheme="violet",
                width="100%",
                id="my-invitations",
            ),
        ),
        rx.cond(
            state.orgs.length() > 0,
            rx.grid(
                rx.card(
                    rx.vstack(rx.foreach(state.orgs, _org_item), spacing="1", width="100%"),
                    padding="6px",
                    id="org-list",
                    height="fit-content",
                ),
                _detail(),
                columns=rx.breakpoints(initial="1", md="260px 1fr"),
                spacing="4",
                width="100%",
            ),
            rx.cond(state.loaded, _empty(), rx.center(rx.spinner(size="3"), padding="64px", width="100%")),
        ),
        create_dialog(),
        rename_dialog(),
        confirm_dialog(),
        spacing="4",
        width="100%",
    )


page = shell("Organizations", content, loaded=OrganizationsState.loaded)
