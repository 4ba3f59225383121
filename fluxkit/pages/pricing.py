"""/pricing: the plans, a monthly/yearly toggle, the current plan, a comparison and a billing FAQ."""

from __future__ import annotations

import reflex as rx

from fluxkit import routes
from fluxkit.components.billing import BILLING_OFF_ID, billing_off_notice
from fluxkit.components.shell import shell
from fluxkit.services import plans
from fluxkit.state.billing import BillingState, PricingState

ROUTE = routes.PRICING
TITLE = "Pricing · FluxKit"
ON_LOAD = PricingState.load

FAQ: list[tuple[str, str]] = [
    (
        "Can I change or cancel my plan at any time?",
        "Yes. Open Settings → Billing → Manage billing to switch plans or cancel. A switch is prorated; "
        "a cancelled plan stays active until the end of the period you paid for.",
    ),
    (
        "What happens to my tasks if I downgrade?",
        "Nothing is deleted. Over the Free plan's limits you can still open, edit, complete and delete "
        "everything you have; adding new active tasks and exporting CSV need a paid plan again.",
    ),
    (
        "How does yearly billing work?",
        "You pay once a year, and a year costs the same as ten months: two months are free. "
        "You can switch between monthly and yearly in the billing portal.",
    ),
    (
        "What if a payment fails?",
        "Stripe retries the charge over the following days and your plan stays in place meanwhile. "
        "A banner and a notification tell you, and you can update your card from Manage billing.",
    ),
    (
        "Where are my invoices?",
        "Settings → Billing lists every invoice with a link to view or download it.",
    ),
    (
        "Who handles my card details?",
        "Payments are processed by Stripe. FluxKit never sees or stores your card number.",
    ),
]


def _interval_toggle() -> rx.Component:
    def option(label: str, yearly: bool, id: str) -> rx.Component:
        selected = PricingState.yearly if yearly else ~PricingState.yearly
        return rx.button(
            label,
            on_click=PricingState.set_yearly(yearly),
            # Not "ghost" for the other one: Radix sizes and offsets ghost buttons differently
            # (negative margins, no fixed height), which set its label off the selected one's line.
            variant=rx.cond(selected, "solid", "soft"),
            bg=rx.cond(selected, rx.color("accent", 9), "transparent"),
            color=rx.cond(selected, "var(--accent-contrast)", rx.color("gray", 12)),
            aria_pressed=rx.cond(selected, "true", "false"),
            radius="full",
            id=id,
        )

    return rx.hstack(
        rx.hstack(
            option("Monthly", False, "interval-monthly"),
            option("Yearly", True, "interval-yearly"),
            padding="4px",
            border_radius="9999px",
            bg=rx.color("gray", 3),
            spacing="1",
        ),
        rx.badge("2 months free", color_scheme="green", variant="soft", high_contrast=True),
        align="center",
        spacing="3",
    )


def _price(plan: plans.Plan) -> rx.Component:
    if not plan.paid:
        return rx.hstack(
            rx.heading("$0", size="8"), rx.text("forever", color_scheme="gray"), align="baseline", spacing="2"
        )
    per_month_yearly = plans.dollars(round(plan.yearly_cents / 12))
    return rx.vstack(
        rx.hstack(
            rx.heading(
                rx.cond(PricingState.yearly, plans.dollars(plan.yearly_cents), plans.dollars(plan.monthly_cents)),
                size="8",
                id=f"price-{plan.id}",
            ),
            rx.text(rx.cond(PricingState.yearly, "per year", "per month"), color_scheme="gray"),
            align="baseline",
            spacing="2",
        ),
        rx.text(
            rx.cond(PricingState.yearly, f"{per_month_yearly} a month, billed yearly", "Billed monthly"),
            size="1",
            color_scheme="gray",
        ),
        spacing="0",
    )


def _action(plan: plans.Plan) -> rx.Component:
    current = PricingState.plan_id == plan.id
    off = ~PricingState.billing_enabled
    if not plan.paid:
        return rx.cond(
            current,
            rx.button("Current plan", disabled=True, variant="outline", width="100%", id=f"choose-{plan.id}"),
            rx.button(
                "Downgrade in billing portal",
                on_click=BillingState.manage,
                variant="outline",
                width="100%",
                disabled=off,
                aria_describedby=rx.cond(off, f"{BILLING_OFF_ID}-text", ""),
                id=f"choose-{plan.id}",
            ),
        )
    return rx.cond(
        current,
        rx.button("Current plan", disabled=True, variant="outline", width="100%", id=f"choose-{plan.id}"),
        rx.button(
            rx.cond(PricingState.subscribed, f"Switch to {plan.name}", f"Upgrade to {plan.name}"),
            on_click=PricingState.choose(plan.id),
            loading=PricingState.pending_plan == plan.id,
            disabled=off,
            aria_describedby=rx.cond(off, f"{BILLING_OFF_ID}-text", ""),
            variant="solid" if plan.popular else "soft",
            width="100%",
            id=f"choose-{plan.id}",
        ),
    )


def _plan_card(plan: plans.Plan) -> rx.Component:
    current = PricingState.plan_id == plan.id
    return rx.card(
        rx.vstack(
            # Badges wrap under the name when the card is narrow (four cards at 1280 px), never clipped.
            rx.flex(
                rx.heading(plan.name, size="5", margin_right="auto"),
                rx.badge(
                    "Most popular", color_scheme="violet", variant="solid", flex_shrink="0", id=f"popular-{plan.id}"
                )
                if plan.popular
                else rx.fragment(),
                rx.cond(
                    current, rx.badge("Current plan", color_scheme="green", flex_shrink="0", id=f"current-{plan.id}")
                ),
                width="100%",
                align="center",
                wrap="wrap",
                gap="8px",
            ),
            rx.text(plan.tagline, size="2", color_scheme="gray", min_height="2.6em"),
            _price(plan),
            rx.vstack(
                *[
                    rx.hstack(
                        rx.icon("check", size=16, color=rx.color("green", 10)),
                        rx.text(line, size="2"),
                        align="center",
                        spacing="2",
                    )
                    for line in plans.highlights(plan)
                ],
                spacing="2",
                flex="1",
            ),
            _action(plan),
            spacing="4",
            height="100%",
        ),
        id=f"plan-{plan.id}",
        class_name="plan-card",
        border=f"2px solid {rx.color('violet', 8)}" if plan.popular else None,
        width="100%",
    )


def _comparison() -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Feature"),
                    *[rx.table.column_header_cell(p.name) for p in plans.PLANS],
                )
            ),
            rx.table.body(
                *[
                    rx.table.row(
                        rx.table.row_header_cell(label),
                        *[rx.table.cell(value) for value in values],
                    )
                    for label, values in plans.comparison()
                ]
            ),
            width="100%",
            variant="surface",
            id="plan-comparison",
        ),
        overflow_x="auto",
        width="100%",
    )


def _faq() -> rx.Component:
    return rx.accordion.root(
        *[
            rx.accordion.item(header=question, content=rx.text(answer, size="2"), value=f"faq-{index}")
            for index, (question, answer) in enumerate(FAQ)
        ],
        type="multiple",
        collapsible=True,
        variant="ghost",
        width="100%",
        id="billing-faq",
    )


def content() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading("Plans for every stage", size="7"),
            rx.text(
                "Start free. Upgrade when you need more room; downgrade any time without losing data.",
                color_scheme="gray",
            ),
            spacing="1",
        ),
        _interval_toggle(),
        # Billing off: said up front, and every plan button is disabled.
        rx.cond(PricingState.loaded & ~PricingState.billing_enabled, billing_off_notice()),
        rx.grid(
            *[_plan_card(plan) for plan in plans.PLANS],
            columns=rx.breakpoints(initial="1", sm="2", lg="4"),
            spacing="4",
            width="100%",
        ),
        rx.heading("Compare plans", size="5", margin_top="16px"),
        _comparison(),
        rx.heading("Billing questions", size="5", margin_top="16px"),
        _faq(),
        spacing="5",
        width="100%",
    )


page = shell("Pricing", content)
