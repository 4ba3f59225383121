"""The sidebar's organization switcher: which organization tasks are assigned in."""

from __future__ import annotations

import reflex as rx

from fluxkit.components import first_paint
from fluxkit.navigation import settings_path
from fluxkit.services.organizations import OrgRow
from fluxkit.state.organizations import ROUTE, OrgSwitcherState


def _item(org: rx.Var[OrgRow]) -> rx.Component:
    return rx.dropdown_menu.item(
        rx.hstack(
            rx.text(
                org.name,
                size="2",
                flex="1",
                trim="both",
                style={"overflow": "hidden", "textOverflow": "ellipsis", "whiteSpace": "nowrap"},
            ),
            rx.cond(org.active, rx.icon("check", size=14)),
            align="center",
            width="100%",
            spacing="2",
        ),
        on_click=OrgSwitcherState.switch_to(org.id),
        id="org-switch-" + org.slug,
    )


def org_switcher() -> rx.Component:
    state = OrgSwitcherState
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.button(
                rx.center(
                    rx.icon("building-2", size=14),
                    width="24px",
                    height="24px",
                    border_radius="6px",
                    bg=rx.color("accent", 3),
                    color=rx.color("accent", 11),
                ),
                rx.vstack(
                    rx.text("Organization", size="1", color_scheme="gray"),
                    rx.text(
                        rx.cond(
                            state.loaded,
                            rx.cond(state.active_name != "", state.active_name, "Personal"),
                            # Before the state arrives: the name the first-paint hint carries.
                            rx.el.span(class_name=first_paint.ORG_HINT),
                        ),
                        size="2",
                        weight="medium",
                        id="org-switcher-active",
                        style={
                            "overflow": "hidden",
                            "textOverflow": "ellipsis",
                            "whiteSpace": "nowrap",
                            "maxWidth": "150px",
                        },
                    ),
                    spacing="0",
                    align="start",
                ),
                rx.spacer(),
                rx.icon("chevrons-up-down", size=14),
                variant="ghost",
                color_scheme="gray",
                width="100%",
                height="auto",
                padding="6px 8px",
                justify="start",
                id="org-switcher",
                # Named by what it shows ("Organization Acme Inc"), as a sighted user reads it.
            )
        ),
        rx.dropdown_menu.content(
            rx.text("Work in", size="1", color_scheme="gray", padding="4px 8px"),
            rx.dropdown_menu.item(
                rx.hstack(
                    rx.text("Personal (no organization)", size="2", flex="1"),
                    rx.cond(state.active_id == 0, rx.icon("check", size=14)),
                    align="center",
                    width="100%",
                ),
                on_click=OrgSwitcherState.switch_to(0),
                id="org-switch-personal",
            ),
            rx.foreach(state.orgs, _item),
            rx.dropdown_menu.separator(),
            rx.dropdown_menu.item(
                rx.hstack(rx.icon("settings-2", size=14), rx.text("Manage organizations"), align="center"),
                on_click=rx.redirect(ROUTE),
                id="org-switch-manage",
            ),
            min_width="220px",
        ),
        on_open_change=lambda _open: OrgSwitcherState.refresh(),
    )


def sidebar_org_switcher() -> rx.Component:
    """The switcher, read with every signed-in page (ShellState.open_page); the live layer
    keeps it current."""
    return rx.box(org_switcher(), width="100%")


def two_factor_notice() -> rx.Component:
    """Above every signed-in page while the active organization requires two-factor sign-in the
    user has not turned on: its data is refused until they do (or switch organization)."""
    return rx.cond(
        OrgSwitcherState.two_factor_block != "",
        rx.callout(
            rx.text(
                OrgSwitcherState.two_factor_block,
                " requires two-factor sign-in. Its members and invitations stay closed to you until you ",
                rx.link(
                    "turn it on in Settings › Account",
                    href=settings_path("account") + "#two-factor",
                    underline="always",
                    id="two-factor-required-link",
                ),
                ".",
            ),
            icon="shield-alert",
            color_scheme="amber",
            role="alert",
            id="two-factor-required",
            width="100%",
            margin_bottom="16px",
        ),
    )
