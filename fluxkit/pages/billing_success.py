"""/pricing/success: where Stripe Checkout returns after payment.

The plan is switched by the signed webhook, not by this page: it shows the plan from our
record and updates itself (live) the moment the webhook is processed.
"""

from __future__ import annotations

import reflex as rx

from fluxkit import routes
from fluxkit.components.shell import shell
from fluxkit.routes import DASHBOARD
from fluxkit.state.billing import BillingState

ROUTE = routes.PRICING_SUCCESS
TITLE = "Subscription · FluxKit"
ON_LOAD = BillingState.load


def content() -> rx.Component:
    return rx.center(
        rx.card(
            rx.cond(
                BillingState.subscribed,
                rx.vstack(
                    rx.icon("circle-check", size=40, color=rx.color("green", 10)),
                    rx.heading(
                        "You are on the ", BillingState.plan_name, " plan", size="6", id="checkout-success-plan"
                    ),
                    rx.text("Thank you! Your payment went through and your new limits apply now.", color_scheme="gray"),
                    rx.hstack(
                        rx.link(rx.button("Go to the dashboard"), href=DASHBOARD, id="checkout-success-dashboard"),
                        rx.link(rx.button("Billing settings", variant="soft"), href="/settings/billing"),
                        spacing="3",
                    ),
                    align="center",
                    spacing="3",
                ),
                rx.vstack(
                    rx.spinner(size="3"),
                    rx.heading("Activating your plan…", size="6", id="checkout-pending"),
                    rx.text(
                        "Stripe is confirming your payment. This page updates by itself in a moment; "
                        "you can also leave it, nothing is lost.",
                        color_scheme="gray",
                        text_align="center",
                    ),
                    align="center",
                    spacing="3",
                ),
            ),
            padding="32px",
            max_width="520px",
            width="100%",
        ),
        width="100%",
        padding_top="40px",
    )


page = shell("Subscription", content)
