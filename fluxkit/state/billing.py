"""Pricing, the billing section of settings, and the past-due banner.

Every handler derives the user from the server-side session and passes only that id to
the billing service: which Stripe customer is billed is never something the browser says.
Stripe calls run in a worker thread so other tabs' events keep flowing.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from fluxkit import routes
from fluxkit.db import session_scope
from fluxkit.routes import PRICING
from fluxkit.services import billing, plans
from fluxkit.services.errors import ServiceError
from fluxkit.state.session import SignedInState


def _summary(user_id: int) -> billing.BillingSummary:
    with session_scope() as db:
        return billing.summary(db, user_id)


def _checkout(user_id: int, plan_id: str, interval: str) -> str | ServiceError:
    try:
        with session_scope() as db:
            return billing.start_checkout(db, user_id, plan_id, interval)
    except ServiceError as exc:
        return exc


def _portal(user_id: int) -> str | ServiceError:
    try:
        with session_scope() as db:
            return billing.open_portal(db, user_id)
    except ServiceError as exc:
        return exc


def _invoices(user_id: int) -> list[billing.InvoiceRow] | ServiceError:
    try:
        with session_scope() as db:
            return billing.list_invoices(db, user_id)
    except ServiceError as exc:
        return exc


class BillingSummaryMixin(rx.State, mixin=True):
    """The user's plan as every billing view shows it."""

    plan_id: str = plans.FREE
    plan_name: str = "Free"
    interval: str = ""
    status: str = ""
    status_label: str = ""
    period_end: str = ""
    cancel_at_period_end: bool = False
    past_due: bool = False
    subscribed: bool = False
    has_customer: bool = False
    billing_enabled: bool = False
    active_tasks: int = 0
    active_task_limit: int = 0
    csv_export: bool = False
    limits_enforced: bool = False
    loaded: bool = False

    def _apply_summary(self, data: billing.BillingSummary) -> None:
        self.plan_id = data.plan_id
        self.plan_name = data.plan_name
        self.interval = data.interval
        self.status = data.status
        self.status_label = data.status_label
        self.period_end = data.current_period_end
        self.cancel_at_period_end = data.cancel_at_period_end
        self.past_due = data.past_due
        self.subscribed = data.subscribed
        self.has_customer = data.has_customer
        self.billing_enabled = data.billing_enabled
        self.active_tasks = data.active_tasks
        self.active_task_limit = data.active_task_limit
        self.csv_export = data.csv_export
        self.limits_enforced = data.limits_enforced
        self.loaded = True


class PricingState(BillingSummaryMixin, SignedInState):
    yearly: bool = False
    pending_plan: str = ""
    notice: str = ""  # why a plan cannot be bought here (billing off), shown on the page

    @rx.event
    def load(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._apply_summary(_summary(me.user.id))
        self.pending_plan = ""
        self.notice = ""
        if self.interval == plans.YEARLY:
            self.yearly = True
        return None

    @rx.event
    def refresh(self):
        """Live update: the plan changed elsewhere (a webhook, another tab)."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._apply_summary(_summary(me.user.id))
        return None

    @rx.event
    def set_yearly(self, yearly: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.yearly = yearly is True
        return None

    @rx.event
    async def choose(self, plan_id: str):
        """Upgrade: to Stripe Checkout, or (already subscribed) to the customer portal."""
        me = self._current_identity()
        if me is None:
            yield self._to_sign_in()
            return
        if not plans.is_paid_plan(plan_id):
            return
        if not billing.enabled():
            self.notice = billing.BILLING_OFF
            yield rx.toast.info(billing.BILLING_OFF)
            return
        self.pending_plan = plan_id
        self.notice = ""
        yield
        interval = plans.YEARLY if self.yearly else plans.MONTHLY
        if self.subscribed:
            outcome = await asyncio.to_thread(_portal, me.user.id)
        else:
            outcome = await asyncio.to_thread(_checkout, me.user.id, plan_id, interval)
        self.pending_plan = ""
        if isinstance(outcome, ServiceError):
            yield rx.toast.error(outcome.message)
            return
        yield rx.redirect(outcome)


class BillingState(BillingSummaryMixin, SignedInState):
    invoices: list[billing.InvoiceRow] = []
    invoices_error: str = ""
    invoices_loaded: bool = False
    portal_pending: bool = False

    async def _load_invoices(self, user_id: int) -> None:
        outcome = await asyncio.to_thread(_invoices, user_id)
        if isinstance(outcome, ServiceError):
            self.invoices_error = "Invoice history is unavailable right now. Try again in a minute."
        else:
            self.invoices = outcome
            self.invoices_error = ""
        self.invoices_loaded = True

    @rx.event
    async def load(self):
        me = self._current_identity()
        if me is None:
            yield self._to_sign_in()
            return
        self._apply_summary(_summary(me.user.id))
        yield
        if self.has_customer:
            await self._load_invoices(me.user.id)
        else:
            self.invoices = []
            self.invoices_error = ""
            self.invoices_loaded = True

    @rx.event
    async def refresh(self):
        """Live update: plan or invoices changed (a webhook); invoices only if shown."""
        me = self._current_identity()
        if me is None:
            yield self._to_sign_in()
            return
        self._apply_summary(_summary(me.user.id))
        yield
        if self.invoices_loaded and self.has_customer and self.router.url.path.startswith(routes.SETTINGS):
            await self._load_invoices(me.user.id)

    @rx.event
    async def manage(self):
        """Open the Stripe customer portal for the signed-in user's own customer."""
        me = self._current_identity()
        if me is None:
            yield self._to_sign_in()
            return
        if not billing.enabled():
            yield rx.toast.info(billing.BILLING_OFF)
            return
        self.portal_pending = True
        yield
        outcome = await asyncio.to_thread(_portal, me.user.id)
        self.portal_pending = False
        if isinstance(outcome, ServiceError):
            yield rx.toast.error(outcome.message)
            if isinstance(outcome, billing.NoBillingAccount):
                yield rx.redirect(PRICING)
            return
        yield rx.redirect(outcome)


class BillingBannerState(SignedInState):
    """The app-wide past-due banner."""

    past_due: bool = False

    @rx.event
    def load(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with session_scope() as db:
            self.past_due = billing.is_past_due(db, me.user.id)
        return None
