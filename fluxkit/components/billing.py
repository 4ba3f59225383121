"""Billing pieces used across pages: the past-due banner and the billing section of settings."""

from __future__ import annotations

import reflex as rx

from fluxkit.routes import PRICING
from fluxkit.services import billing
from fluxkit.services.billing import InvoiceRow
from fluxkit.state.billing import BillingBannerState, BillingState
from fluxkit.state.shell import ShellState

BILLING_OFF_ID = "billing-off"


def billing_off_notice(id: str = BILLING_OFF_ID) -> rx.Component:
    """While billing is off: why plans cannot be bought, in plain words; administrators also
    read how to turn it on."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("info", size=18)),
        rx.vstack(
            rx.callout.text(billing.BILLING_OFF, id=f"{id}-text"),
            rx.cond(
                ShellState.is_admin,
                rx.vstack(
                    rx.callout.text(billing.BILLING_OFF_ADMIN, size="1"),
                    rx.code(billing.BILLING_SETUP_COMMAND, size="1", variant="outline"),
                    spacing="1",
                    id=f"{id}-admin",
                ),
            ),
            spacing="2",
        ),
        color_scheme="blue",
        high_contrast=True,  # the soft blue text fell short of 4.5:1 on its background (axe)
        width="100%",
        id=id,
    )


def past_due_banner() -> rx.Component:
    """Shown on every signed-in page while the last payment failed (Stripe is retrying)."""
    return rx.box(
        rx.cond(
            BillingBannerState.past_due,
            rx.callout.root(
                rx.callout.icon(rx.icon("triangle-alert", size=18)),
                rx.callout.text(
                    "Your last payment failed. Update your payment method to keep your plan. ",
                    rx.link("Go to billing", href="/settings/billing", weight="bold", id="past-due-link"),
                ),
                color_scheme="red",
                role="alert",
                width="100%",
                margin_bottom="16px",
                id="past-due-banner",
            ),
        ),
        width="100%",  # read with the page (ShellState.open_page)
    )


def status_badge(status: rx.Var[str], label: rx.Var[str], **props) -> rx.Component:
    return rx.badge(
        label,
        color_scheme=rx.match(
            status,
            ("active", "green"),
            ("trialing", "blue"),
            ("past_due", "red"),
            ("unpaid", "red"),
            ("canceled", "gray"),
            "gray",
        ),
        **props,
    )


def _invoice_row(invoice: rx.Var[InvoiceRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.moment(invoice.created, format="LL")),
        rx.table.cell(invoice.number),
        rx.table.cell(invoice.amount),
        rx.table.cell(rx.badge(invoice.status, color_scheme=rx.cond(invoice.status == "paid", "green", "orange"))),
        rx.table.cell(
            rx.cond(
                invoice.url != "",
                rx.link("View", href=invoice.url, is_external=True, size="2"),
                rx.text("—", color_scheme="gray"),
            )
        ),
        class_name="invoice-row",
    )


def _invoices() -> rx.Component:
    return rx.vstack(
        rx.heading("Invoices", size="3"),
        rx.cond(
            BillingState.invoices_error != "",
            rx.text(BillingState.invoices_error, color_scheme="orange", size="2", id="invoices-error"),
            rx.cond(
                BillingState.invoices.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Date"),
                            rx.table.column_header_cell("Number"),
                            rx.table.column_header_cell("Amount"),
                            rx.table.column_header_cell("Status"),
                            rx.table.column_header_cell(""),
                        )
                    ),
                    rx.table.body(rx.foreach(BillingState.invoices, _invoice_row)),
                    width="100%",
                    size="1",
                    id="invoice-list",
                ),
                rx.text(
                    rx.cond(BillingState.invoices_loaded, "No invoices yet.", "Loading invoices…"),
                    color_scheme="gray",
                    size="2",
                    id="invoices-empty",
                ),
            ),
        ),
        spacing="2",
        width="100%",
    )


def billing_section() -> rx.Component:
    """The Billing card of /settings: plan, status, period, usage, portal and invoices."""
    s = BillingState
    return rx.card(
        rx.vstack(
            rx.heading("Billing", size="4"),
            rx.text("Your plan, payments and invoices.", size="2", color_scheme="gray"),
            rx.hstack(
                rx.text("Plan", size="2", weight="medium"),
                rx.badge(s.plan_name, size="2", color_scheme="violet", id="billing-plan"),
                rx.cond(s.interval != "", rx.text(s.interval, size="2", color_scheme="gray", id="billing-interval")),
                rx.cond(s.status != "", status_badge(s.status, s.status_label, id="billing-status")),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            rx.cond(
                s.period_end != "",
                rx.text(
                    rx.cond(s.cancel_at_period_end, "Ends on ", "Renews on "),
                    rx.moment(s.period_end, format="LL"),
                    size="2",
                    id="billing-period-end",
                ),
            ),
            rx.cond(
                s.cancel_at_period_end,
                rx.callout.root(
                    rx.callout.icon(rx.icon("calendar-x", size=16)),
                    rx.callout.text(
                        "Your plan is set to cancel at the end of the current period. "
                        "You keep it until then; renew it any time from Manage billing."
                    ),
                    color_scheme="orange",
                    size="1",
                    id="billing-cancel-notice",
                ),
            ),
            rx.cond(
                s.past_due,
                rx.callout.root(
                    rx.callout.icon(rx.icon("triangle-alert", size=16)),
                    rx.callout.text("The last payment failed. Update your payment method in Manage billing."),
                    color_scheme="red",
                    size="1",
                    id="billing-past-due",
                ),
            ),
            rx.text(
                "Active tasks: ",
                rx.text.strong(s.active_tasks),
                rx.cond(s.active_task_limit > 0, rx.fragment(" of ", s.active_task_limit.to_string()), " (no limit)"),
                " · CSV export: ",
                rx.cond(s.csv_export, "included", "not on this plan"),
                size="2",
                id="billing-usage",
            ),
            rx.hstack(
                rx.button(
                    rx.icon("external-link", size=16),
                    "Manage billing",
                    on_click=s.manage,
                    loading=s.portal_pending,
                    disabled=~s.has_customer,
                    id="billing-manage",
                ),
                rx.cond(
                    s.loaded & ~s.billing_enabled,
                    rx.button(
                        "Upgrade",
                        variant="soft",
                        disabled=True,
                        aria_describedby="billing-disabled-text",
                        id="billing-upgrade",
                    ),
                    rx.link(
                        rx.button(rx.cond(s.subscribed, "Compare plans", "Upgrade"), variant="soft"),
                        href=PRICING,
                        id="billing-plans",
                    ),
                ),
                spacing="3",
                wrap="wrap",
            ),
            rx.cond(s.loaded & ~s.billing_enabled, billing_off_notice("billing-disabled")),
            rx.cond(s.has_customer, _invoices()),
            spacing="3",
            width="100%",
        ),
        on_mount=BillingState.load,
        width="100%",
        id="billing",
    )
