"""/pricing/cancel: where Stripe Checkout returns when the customer goes back without paying."""

from __future__ import annotations

import reflex as rx

from fluxkit import routes
from fluxkit.components.shell import shell
from fluxkit.routes import PRICING
from fluxkit.state.billing import PricingState

ROUTE = routes.PRICING_CANCEL
TITLE = "Checkout cancelled · FluxKit"
ON_LOAD = PricingState.load


def content() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.icon("circle-x", size=40, color=rx.color("gray", 10)),
                rx.heading("Checkout cancelled", size="6", id="checkout-cancelled"),
                rx.text(
                    "You were not charged. You are still on the ", PricingState.plan_name, " plan.", color_scheme="gray"
                ),
                rx.link(rx.button("Back to pricing"), href=PRICING, id="checkout-cancelled-back"),
                align="center",
                spacing="3",
            ),
            padding="32px",
            max_width="520px",
            width="100%",
        ),
        width="100%",
        padding_top="40px",
    )


page = shell("Checkout cancelled", content)
