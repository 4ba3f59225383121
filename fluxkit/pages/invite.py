"""/invite/<id>: the emailed invitation to an organization, and accepting it."""

from __future__ import annotations

import reflex as rx

from fluxkit import routes
from fluxkit.components.org_members import role_badge
from fluxkit.components.shell import shell
from fluxkit.state.organizations import INVITE_ROUTE, InviteState

ROUTE = INVITE_ROUTE + "/[invitation_id]"
TITLE = "Invitation · FluxKit"
ON_LOAD = InviteState.load


def content() -> rx.Component:
    inv = InviteState.invitation
    return rx.center(
        rx.cond(
            InviteState.loaded,
            rx.card(
                rx.vstack(
                    rx.center(
                        rx.icon("building-2", size=22),
                        width="44px",
                        height="44px",
                        border_radius="10px",
                        bg=rx.color("accent", 3),
                        color=rx.color("accent", 11),
                    ),
                    rx.cond(
                        InviteState.found,
                        rx.vstack(
                            rx.heading("Join ", inv.organization, size="5", id="invite-heading"),
                            rx.hstack(
                                rx.text(inv.inviter, " invited ", inv.email, " as", size="2", color_scheme="gray"),
                                role_badge(inv.role),
                                spacing="2",
                                align="center",
                                wrap="wrap",
                            ),
                            spacing="2",
                            align="center",
                        ),
                        rx.heading("Invitation not found", size="5", id="invite-heading"),
                    ),
                    rx.cond(
                        InviteState.problem != "",
                        rx.callout(
                            InviteState.problem,
                            icon="triangle-alert",
                            color_scheme="amber",
                            id="invite-problem",
                            width="100%",
                        ),
                        rx.button(
                            "Accept invitation", size="3", on_click=InviteState.accept, id="invite-accept", width="100%"
                        ),
                    ),
                    rx.text("Signed in as ", InviteState.signed_in_as, size="1", color_scheme="gray"),
                    rx.link("Go to your organizations", href=routes.ORGANIZATIONS, size="2"),
                    spacing="4",
                    align="center",
                    text_align="center",
                    width="100%",
                ),
                max_width="440px",
                width="100%",
                padding="28px",
            ),
            rx.spinner(size="3"),
        ),
        padding_top=["16px", "48px"],
        width="100%",
    )


page = shell("Invitation", content)
