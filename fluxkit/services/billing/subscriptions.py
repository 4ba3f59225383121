"""Billing with Stripe: plans in effect, plan limits, checkout, the portal and invoices.

The subscription record (models.billing.Subscription) is ours and is the only thing the
app reads to decide a user's plan; Stripe changes it through signed webhooks
(webhooks.py). The Stripe customer id of a user is created once, stored
here, and always looked up from the signed-in user's id.

Without STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and the price ids, billing is off: plans
still show and trying to pay explains why not; with no way to upgrade, plan limits are not
enforced (a self-hosted FluxKit without Stripe is not capped). With billing on, they are.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from fluxkit import routes
from fluxkit.clock import Clock, system_clock
from fluxkit.models import Subscription, Task, User
from fluxkit.services import plans, topics
from fluxkit.services.errors import Conflict, InvalidInput, LimitReached, NotFound, Unavailable
from fluxkit.settings import StripeSettings, get_settings

if TYPE_CHECKING:
    import stripe

log = logging.getLogger("fluxkit.billing")

TOPIC = topics.BILLING
# One of notifications.TYPES (the REST API and the bell know those): account news.
NOTIFICATION_TYPE = "system"
STRIPE_TIMEOUT_SECONDS = 20
# A double click within this window opens the same Checkout Session (same idempotency key).
CHECKOUT_KEY_WINDOW_SECONDS = 300

# Statuses under which the paid plan is in effect. past_due keeps it while Stripe retries.
ENTITLED = frozenset({"trialing", "active", "past_due"})
STATUS_LABELS = {
    "": "Free",
    "trialing": "Trial",
    "active": "Active",
    "past_due": "Past due",
    "canceled": "Canceled",
    "unpaid": "Unpaid",
    "incomplete": "Incomplete",
    "incomplete_expired": "Expired",
    "paused": "Paused",
}
ACTIVE_TASK_STATUSES = ("pending", "in progress")


# What a user is told while billing is off: plain words, nothing about the server's setup.
BILLING_OFF = (
    "Paid plans cannot be bought on this FluxKit server yet, because billing is not configured. "
    "You keep the Free plan, its limits are not enforced, and nothing is charged."
)
# The same, for the server's administrators: how to turn billing on.
BILLING_OFF_ADMIN = (
    "You are an administrator: billing turns on once the server has its Stripe keys and price ids. "
    "The command below creates the products and prices in your Stripe account and prints the settings."
)
BILLING_SETUP_COMMAND = "fluxkit billing setup"
NOT_CONFIGURED = (
    "Billing is not configured on this FluxKit server yet, so plans cannot be bought here. "
    "The administrator can turn it on by setting the Stripe keys and price ids "
    "(see `fluxkit billing setup`)."
)


# ---- errors ------------------------------------------------------------------------------------


class BillingNotConfigured(Unavailable):
    code = "billing_not_configured"


class StripeUnavailable(Unavailable):
    code = "payment_provider_unavailable"


class NoBillingAccount(NotFound):
    code = "no_billing_account"


class AlreadySubscribed(Conflict):
    code = "already_subscribed"


class PlanLimitReached(LimitReached):
    """A new action the user's plan does not allow. Existing data is never touched."""

    code = "plan_limit"
    upgrade_path = routes.PRICING


# ---- what crosses into states and API answers ----------------------------------------------------


@dataclass(frozen=True)
class BillingSummary:
    plan_id: str
    plan_name: str
    interval: str  # monthly | yearly | "" (Free)
    status: str  # Stripe's status, "" when never subscribed
    status_label: str
    current_period_end: str  # ISO 8601 or ""
    cancel_at_period_end: bool
    past_due: bool
    subscribed: bool  # a paid plan is in effect
    has_customer: bool
    billing_enabled: bool
    active_tasks: int
    active_task_limit: int  # 0 = unlimited (or limits not enforced)
    csv_export: bool
    limits_enforced: bool  # False while billing is off


@dataclass(frozen=True)
class InvoiceRow:
    id: str
    number: str
    created: str  # ISO 8601
    amount: str
    status: str
    url: str  # Stripe's hosted invoice page, "" if none


# ---- configuration and the Stripe client -------------------------------------------------------


def config() -> StripeSettings:
    return get_settings().stripe


def enabled() -> bool:
    return config().enabled


def _require_enabled() -> StripeSettings:
    cfg = config()
    if not cfg.enabled:
        raise BillingNotConfigured(NOT_CONFIGURED)
    return cfg


@functools.cache
def _client_for(secret_key: str, api_base: str) -> stripe.StripeClient:
    import stripe  # here, not at the top: the SDK is slow to import (start time)

    options: dict[str, Any] = {
        "max_network_retries": 2,
        "http_client": stripe.RequestsClient(timeout=STRIPE_TIMEOUT_SECONDS),
    }
    if api_base:
        options["base_addresses"] = {"api": api_base}
    return stripe.StripeClient(secret_key, **options)


def stripe_client() -> stripe.StripeClient:
    cfg = config()
    if not cfg.secret_key:
        raise BillingNotConfigured(NOT_CONFIGURED)
    return _client_for(cfg.secret_key, cfg.api_base)


def unavailable(exc: Exception, doing: str) -> StripeUnavailable:
    log.warning("Stripe request failed while %s: %s", doing, exc)
    return StripeUnavailable(
        f"The payment provider could not be reached while {doing}. Nothing was charged; try again in a minute."
    )


# ---- the subscription record ---------------------------------------------------------------------


def account_for_user(db: Session, user_id: int, *, lock: bool = False) -> Subscription | None:
    statement = select(Subscription).where(Subscription.user_id == user_id)
    if lock:
        statement = statement.with_for_update()
    return db.exec(statement).first()


def account_for_customer(db: Session, customer_id: str | None, *, lock: bool = True) -> Subscription | None:
    if not customer_id:
        return None
    statement = select(Subscription).where(Subscription.stripe_customer_id == customer_id)
    if lock:
        statement = statement.with_for_update()
    return db.exec(statement).first()


def effective_plan(account: Subscription | None) -> plans.Plan:
    if account is not None and account.status in ENTITLED and plans.is_paid_plan(account.plan):
        return plans.get(account.plan)
    return plans.get(plans.FREE)


def current_plan(db: Session, user_id: int) -> plans.Plan:
    """The plan in effect for the user now (Free unless a paid subscription entitles them)."""
    return effective_plan(account_for_user(db, user_id))


def active_task_count(db: Session, user_id: int) -> int:
    return db.exec(
        select(func.count()).where(
            Task.user_id == user_id,
            col(Task.deleted_at).is_(None),
            col(Task.status).in_(ACTIVE_TASK_STATUSES),
        )
    ).one()


def summary(db: Session, user_id: int) -> BillingSummary:
    account = account_for_user(db, user_id)
    plan = effective_plan(account)
    status = account.status if account else ""
    subscribed = plan.paid
    period_end = account.current_period_end if account and account.status not in ("", "canceled") else None
    enforced = enabled()
    return BillingSummary(
        plan_id=plan.id,
        plan_name=plan.name,
        interval=account.interval if account and subscribed else "",
        status=status,
        status_label=STATUS_LABELS.get(status, status.replace("_", " ").capitalize()),
        current_period_end=period_end.isoformat() if period_end else "",
        cancel_at_period_end=bool(account and subscribed and account.cancel_at_period_end),
        past_due=status in ("past_due", "unpaid"),
        subscribed=subscribed,
        has_customer=bool(account and account.stripe_customer_id),
        billing_enabled=enforced,
        active_tasks=active_task_count(db, user_id),
        active_task_limit=(plan.limits.active_tasks or 0) if enforced else 0,
        csv_export=plan.limits.csv_export or not enforced,
        limits_enforced=enforced,
    )


def is_past_due(db: Session, user_id: int) -> bool:
    status = db.exec(select(Subscription.status).where(Subscription.user_id == user_id)).first()
    return status in ("past_due", "unpaid")


# ---- plan limits (called by the services that create things) ----------------------------------------


def _upgrade_hint(plan: plans.Plan) -> str:
    better = plans.next_plan_up(plan)
    if better is None:
        return ""
    limit = better.limits.active_tasks
    reach = "unlimited active tasks" if limit is None else f"up to {limit:,} active tasks"
    return f" Upgrade to {better.name} for {reach} on the Pricing page."


def limits_enforced() -> bool:
    """Plan limits apply once billing is on (otherwise nobody could upgrade past them)."""
    return enabled()


def check_can_create_task(db: Session, user_id: int, adding: int = 1) -> None:
    """Refuse a new active task over the plan's cap. Tasks over the cap (after a downgrade) stay."""
    if not limits_enforced():
        return
    plan = current_plan(db, user_id)
    limit = plan.limits.active_tasks
    if limit is None:
        return
    count = active_task_count(db, user_id)
    if count + adding <= limit:
        return
    message = (
        f"Your {plan.name} plan allows {limit:,} active tasks and you have {count:,}. "
        "Your tasks are kept: complete, cancel or delete some to add new ones." + _upgrade_hint(plan)
    )
    raise PlanLimitReached(message)


def has_feature(db: Session, user_id: int, feature: str) -> bool:
    return not limits_enforced() or current_plan(db, user_id).limits.allows(feature)


def check_feature(db: Session, user_id: int, feature: str) -> None:
    """Refuse a feature the user's plan does not include (e.g. plans.CSV_EXPORT)."""
    if not limits_enforced():
        return
    plan = current_plan(db, user_id)
    if plan.limits.allows(feature):
        return
    names = {plans.CSV_EXPORT: "CSV export"}
    included = [p.name for p in plans.PAID_PLANS if p.limits.allows(feature)]
    raise PlanLimitReached(
        f"{names.get(feature, feature)} is not part of the {plan.name} plan. "
        f"It is included in {', '.join(included[:-1])} and {included[-1]}: upgrade on the Pricing page."
        if len(included) > 1
        else f"{names.get(feature, feature)} is not part of the {plan.name} plan."
    )


# ---- checkout and the customer portal ----------------------------------------------------------------


def ensure_customer(db: Session, user_id: int, *, client: stripe.StripeClient | None = None) -> str:
    """The user's Stripe customer id, created once (idempotently) and stored."""
    import stripe  # here, not at the top: the SDK is slow to import (start time)

    account = account_for_user(db, user_id)
    if account is not None and account.stripe_customer_id:
        return account.stripe_customer_id
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    client = client or stripe_client()
    # Per user row (the creation time survives id reuse after a database reset), so a
    # retried or concurrent request gets the same customer instead of a second one.
    key = f"fluxkit-customer-{user_id}-{int(user.created_at.timestamp())}"
    try:
        customer = client.v1.customers.create(
            params={"email": user.email, "name": user.name, "metadata": {"fluxkit_user_id": str(user_id)}},
            options={"idempotency_key": key},
        )
    except stripe.StripeError as exc:
        raise unavailable(exc, "creating your billing account") from exc
    if account is None:
        try:
            with db.begin_nested():
                db.add(Subscription(user_id=user_id, stripe_customer_id=customer.id))
        except IntegrityError:
            # A concurrent request stored the (same, idempotent) customer first.
            account = account_for_user(db, user_id)
            if account is None or not account.stripe_customer_id:
                raise
            return account.stripe_customer_id
    else:
        account.stripe_customer_id = customer.id
        account.updated_at = system_clock.now()
        db.add(account)
    return customer.id


def start_checkout(
    db: Session,
    user_id: int,
    plan_id: object,
    interval: object,
    *,
    clock: Clock = system_clock,
    client: stripe.StripeClient | None = None,
) -> str:
    """A Stripe Checkout Session for the plan; returns the URL to send the browser to."""
    import stripe  # here, not at the top: the SDK is slow to import (start time)

    cfg = _require_enabled()
    if not plans.is_paid_plan(plan_id) or interval not in plans.INTERVALS:
        raise InvalidInput("Choose one of the paid plans and monthly or yearly billing.")
    account = account_for_user(db, user_id)
    if account is not None and account.stripe_subscription_id and account.status in ENTITLED:
        raise AlreadySubscribed(
            f"You already have the {plans.get(account.plan).name} plan. "
            "Change or cancel it in the billing portal (Settings → Billing → Manage billing)."
        )
    client = client or stripe_client()
    customer_id = ensure_customer(db, user_id, client=client)
    price_id = cfg.price_id(plan_id, interval)  # type: ignore[arg-type]
    settings = get_settings()
    window = int(clock.now().timestamp()) // CHECKOUT_KEY_WINDOW_SECONDS
    try:
        session = client.v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": customer_id,
                "client_reference_id": str(user_id),
                "line_items": [{"price": price_id, "quantity": 1}],
                "success_url": settings.url(routes.PRICING_SUCCESS) + "?session_id={CHECKOUT_SESSION_ID}",
                "cancel_url": settings.url(routes.PRICING_CANCEL),
                "metadata": {
                    "fluxkit_user_id": str(user_id),
                    "fluxkit_plan": str(plan_id),
                    "fluxkit_interval": str(interval),
                },
                "subscription_data": {"metadata": {"fluxkit_user_id": str(user_id)}},
            },
            options={"idempotency_key": f"fluxkit-checkout-{customer_id}-{price_id}-{window}"},
        )
    except stripe.StripeError as exc:
        raise unavailable(exc, "opening the checkout") from exc
    if not session.url:
        raise StripeUnavailable("The payment provider did not return a checkout page. Try again in a minute.")
    return session.url


def open_portal(db: Session, user_id: int, *, client: stripe.StripeClient | None = None) -> str:
    """A Customer Portal session for the signed-in user's own customer; returns its URL."""
    import stripe  # here, not at the top: the SDK is slow to import (start time)

    cfg = _require_enabled()
    account = account_for_user(db, user_id)
    if account is None or not account.stripe_customer_id:
        raise NoBillingAccount("You have no billing account yet. Choose a plan on the Pricing page first.")
    client = client or stripe_client()
    params: dict[str, Any] = {
        "customer": account.stripe_customer_id,
        "return_url": get_settings().url(routes.SETTINGS + "/billing"),
    }
    if cfg.portal_configuration:
        params["configuration"] = cfg.portal_configuration
    try:
        session = client.v1.billing_portal.sessions.create(params=params)
    except stripe.StripeError as exc:
        raise unavailable(exc, "opening the billing portal") from exc
    return session.url


def money(cents: int, currency: str) -> str:
    if (currency or "usd").lower() == "usd":
        return f"${cents / 100:,.2f}"
    return f"{cents / 100:,.2f} {currency.upper()}"


def _safe_url(value: object) -> str:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else ""


def list_invoices(
    db: Session, user_id: int, *, limit: int = 12, client: stripe.StripeClient | None = None
) -> list[InvoiceRow]:
    """The user's latest invoices, from Stripe (empty when billing is off or never used)."""
    import stripe  # here, not at the top: the SDK is slow to import (start time)

    if not enabled():
        return []
    account = account_for_user(db, user_id)
    if account is None or not account.stripe_customer_id:
        return []
    client = client or stripe_client()
    try:
        page = client.v1.invoices.list(params={"customer": account.stripe_customer_id, "limit": limit})
    except stripe.StripeError as exc:
        raise unavailable(exc, "loading your invoices") from exc
    rows = []
    for invoice in (item.to_dict() for item in page.data):
        if invoice.get("customer") != account.stripe_customer_id:
            continue  # never show anything but the user's own
        paid = invoice.get("status") == "paid"
        cents = invoice.get("amount_paid") if paid else invoice.get("amount_due")
        rows.append(
            InvoiceRow(
                id=invoice["id"],
                number=invoice.get("number") or invoice.id,
                created=datetime.fromtimestamp(invoice.get("created") or 0, UTC).isoformat(),
                amount=money(int(cents or 0), invoice.get("currency") or "usd"),
                status=(invoice.get("status") or "").replace("_", " "),
                url=_safe_url(invoice.get("hosted_invoice_url")),
            )
        )
    return rows
