"""Billing with Stripe: checkout, the customer portal, webhooks, and plan limits.

The subscription record (models.billing.Subscription) is ours and is the only thing the
app reads to decide a user's plan. Stripe changes it through signed webhooks, which are
applied at most once (the event id is stored under a unique key in the same transaction
as the change) and in order (an event older than the last applied one is stale; a tie is
settled by re-fetching the subscription from Stripe). The Stripe customer id of a user is
created once, stored here, and always looked up from the signed-in user's id.

Without STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and the price ids, billing is off: plans
still show and trying to pay explains why not; with no way to upgrade, plan limits are not
enforced (a self-hosted FluxKit without Stripe is not capped). With billing on, they are.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from fluxkit.clock import Clock, system_clock
from fluxkit.models import BillingEvent, Subscription, Task, User
from fluxkit.services import live, notifications, plans
from fluxkit.services.errors import InvalidInput, NotFound, ServiceError
from fluxkit.settings import StripeSettings, get_settings

log = logging.getLogger("fluxkit.billing")

TOPIC = "billing"
# One of notifications.TYPES (the REST API and the bell know those): account news.
NOTIFICATION_TYPE = "system"
WEBHOOK_TOLERANCE_SECONDS = 300
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

HANDLED_EVENTS = (
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
)

NOT_CONFIGURED = (
    "Billing is not configured on this FluxKit server yet, so plans cannot be bought here. "
    "The administrator can turn it on by setting the Stripe keys and price ids "
    "(see `fluxkit billing setup`)."
)


# ---- errors ------------------------------------------------------------------------------------


class BillingError(ServiceError):
    code = "billing_error"


class BillingNotConfigured(BillingError):
    code = "billing_not_configured"


class StripeUnavailable(BillingError):
    code = "payment_provider_unavailable"


class NoBillingAccount(BillingError):
    code = "no_billing_account"


class AlreadySubscribed(BillingError):
    code = "already_subscribed"


class PlanLimitReached(ServiceError):
    """A new action the user's plan does not allow. Existing data is never touched."""

    code = "plan_limit"
    upgrade_path = "/pricing"


class InvalidSignature(ServiceError):
    code = "invalid_signature"


class InvalidEvent(ServiceError):
    code = "invalid_event"


class DuplicateEvent(ServiceError):
    """This Stripe event was already processed (the answer is still 2xx)."""

    code = "duplicate_event"


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


@dataclass(frozen=True)
class _Outcome:
    user_id: int | None
    text: str


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


def _unavailable(exc: Exception, doing: str) -> StripeUnavailable:
    log.warning("Stripe request failed while %s: %s", doing, exc)
    return StripeUnavailable(
        f"The payment provider could not be reached while {doing}. Nothing was charged; try again in a minute."
    )


# ---- the subscription record ---------------------------------------------------------------------


def _account_for_user(db: Session, user_id: int, *, lock: bool = False) -> Subscription | None:
    statement = select(Subscription).where(Subscription.user_id == user_id)
    if lock:
        statement = statement.with_for_update()
    return db.exec(statement).first()


def _account_for_customer(db: Session, customer_id: str | None, *, lock: bool = True) -> Subscription | None:
    if not customer_id:
        return None
    statement = select(Subscription).where(Subscription.stripe_customer_id == customer_id)
    if lock:
        statement = statement.with_for_update()
    return db.exec(statement).first()


def _effective_plan(account: Subscription | None) -> plans.Plan:
    if account is not None and account.status in ENTITLED and plans.is_paid_plan(account.plan):
        return plans.get(account.plan)
    return plans.get(plans.FREE)


def current_plan(db: Session, user_id: int) -> plans.Plan:
    """The plan in effect for the user now (Free unless a paid subscription entitles them)."""
    return _effective_plan(_account_for_user(db, user_id))


def active_task_count(db: Session, user_id: int) -> int:
    return db.exec(
        select(func.count()).where(
            Task.user_id == user_id,
            col(Task.deleted_at).is_(None),
            col(Task.status).in_(ACTIVE_TASK_STATUSES),
        )
    ).one()


def summary(db: Session, user_id: int) -> BillingSummary:
    account = _account_for_user(db, user_id)
    plan = _effective_plan(account)
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
        "Your tasks are kept: complete, cancel or delete some to add new ones."
        + _upgrade_hint(plan)
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
    account = _account_for_user(db, user_id)
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
        raise _unavailable(exc, "creating your billing account") from exc
    if account is None:
        try:
            with db.begin_nested():
                db.add(Subscription(user_id=user_id, stripe_customer_id=customer.id))
        except IntegrityError:
            # A concurrent request stored the (same, idempotent) customer first.
            account = _account_for_user(db, user_id)
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
    cfg = _require_enabled()
    if not plans.is_paid_plan(plan_id) or interval not in plans.INTERVALS:
        raise InvalidInput("Choose one of the paid plans and monthly or yearly billing.")
    account = _account_for_user(db, user_id)
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
                "success_url": settings.url("/pricing/success") + "?session_id={CHECKOUT_SESSION_ID}",
                "cancel_url": settings.url("/pricing/cancel"),
                "metadata": {"fluxkit_user_id": str(user_id), "fluxkit_plan": str(plan_id), "fluxkit_interval": str(interval)},
                "subscription_data": {"metadata": {"fluxkit_user_id": str(user_id)}},
            },
            options={"idempotency_key": f"fluxkit-checkout-{customer_id}-{price_id}-{window}"},
        )
    except stripe.StripeError as exc:
        raise _unavailable(exc, "opening the checkout") from exc
    if not session.url:
        raise StripeUnavailable("The payment provider did not return a checkout page. Try again in a minute.")
    return session.url


def open_portal(db: Session, user_id: int, *, client: stripe.StripeClient | None = None) -> str:
    """A Customer Portal session for the signed-in user's own customer; returns its URL."""
    cfg = _require_enabled()
    account = _account_for_user(db, user_id)
    if account is None or not account.stripe_customer_id:
        raise NoBillingAccount("You have no billing account yet. Choose a plan on the Pricing page first.")
    client = client or stripe_client()
    params: dict[str, Any] = {"customer": account.stripe_customer_id, "return_url": get_settings().url("/settings")}
    if cfg.portal_configuration:
        params["configuration"] = cfg.portal_configuration
    try:
        session = client.v1.billing_portal.sessions.create(params=params)
    except stripe.StripeError as exc:
        raise _unavailable(exc, "opening the billing portal") from exc
    return session.url


def _money(cents: int, currency: str) -> str:
    if (currency or "usd").lower() == "usd":
        return f"${cents / 100:,.2f}"
    return f"{cents / 100:,.2f} {currency.upper()}"


def _safe_url(value: object) -> str:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else ""


def list_invoices(
    db: Session, user_id: int, *, limit: int = 12, client: stripe.StripeClient | None = None
) -> list[InvoiceRow]:
    """The user's latest invoices, from Stripe (empty when billing is off or never used)."""
    if not enabled():
        return []
    account = _account_for_user(db, user_id)
    if account is None or not account.stripe_customer_id:
        return []
    client = client or stripe_client()
    try:
        page = client.v1.invoices.list(params={"customer": account.stripe_customer_id, "limit": limit})
    except stripe.StripeError as exc:
        raise _unavailable(exc, "loading your invoices") from exc
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
                amount=_money(int(cents or 0), invoice.get("currency") or "usd"),
                status=(invoice.get("status") or "").replace("_", " "),
                url=_safe_url(invoice.get("hosted_invoice_url")),
            )
        )
    return rows


# ---- webhooks ---------------------------------------------------------------------------------------


def verify_webhook(payload: bytes, signature_header: str | None) -> dict[str, Any]:
    """The event, if `payload` carries a valid Stripe-Signature made within the tolerance."""
    secret = config().webhook_secret
    if not secret:
        raise BillingNotConfigured("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET is not set).")
    try:
        stripe.Webhook.construct_event(payload, signature_header, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS)
        event = json.loads(payload)
    except stripe.SignatureVerificationError as exc:
        raise InvalidSignature(f"Invalid Stripe signature: {exc.user_message or exc}") from None
    except (ValueError, UnicodeDecodeError, AttributeError, TypeError, KeyError):
        raise InvalidEvent("The body is not a JSON Stripe event.") from None
    if not isinstance(event, dict):
        raise InvalidEvent("The body is not a JSON Stripe event.")
    return event


def _id_of(value: object) -> str | None:
    """Stripe fields are an id or, when expanded, the object."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def _int(value: object) -> int | None:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _retrieve_subscription(client: stripe.StripeClient, subscription_id: str) -> dict[str, Any]:
    try:
        return client.v1.subscriptions.retrieve(subscription_id).to_dict()
    except stripe.StripeError as exc:
        raise _unavailable(exc, "re-reading a subscription") from exc


def _plan_of_price(price: dict[str, Any]) -> tuple[str, str] | None:
    found = config().plan_of_price(price.get("id") or "")
    if found:
        return found
    metadata = price.get("metadata") or {}
    plan_id = metadata.get("fluxkit_plan")
    interval = metadata.get("fluxkit_interval") or {"month": plans.MONTHLY, "year": plans.YEARLY}.get(
        (price.get("recurring") or {}).get("interval") or ""
    )
    if plans.is_paid_plan(plan_id) and interval in plans.INTERVALS:
        return plan_id, interval
    return None


def _plan_change_notice(db: Session, account: Subscription, before: plans.Plan, after: plans.Plan, now: datetime) -> None:
    if after.paid and before.paid:
        title = "Plan changed"
        body = f"You are now on the {after.name} plan (was {before.name})."
    elif after.paid:
        title = "Plan upgraded"
        body = f"Thank you! You are now on the {after.name} plan ({account.interval or 'monthly'})."
    else:
        title = "Plan ended"
        body = (
            f"Your {before.name} subscription ended and you are now on the Free plan. "
            "Your data is kept; new work over the Free limits needs a paid plan."
        )
    notifications.notify(db, account.user_id, NOTIFICATION_TYPE, title, body, at=now)


def _apply_subscription(
    db: Session,
    account: Subscription,
    sub: dict[str, Any],
    *,
    version: int,
    fetched: bool,
    client: stripe.StripeClient | None,
    clock: Clock,
) -> _Outcome:
    """Make our record match Stripe's subscription object, if it is not older than what we have.

    `version` is the `created` of the event that carried (or prompted) `sub`. A payload older
    than the last applied event is stale; one from the same second is ambiguous and is
    settled by re-fetching the subscription. A fetched object is Stripe's current state.
    """
    sub_id = _id_of(sub)
    if sub_id is None:
        return _Outcome(account.user_id, "ignored: no subscription in the event")
    status = sub.get("status") or ""
    current = account.stripe_subscription_id
    if current and sub_id != current and account.status in ENTITLED and status not in ENTITLED:
        # An old subscription of this customer ended; the current one is unaffected.
        return _Outcome(account.user_id, f"ignored: {sub_id} is not the current subscription")
    if not fetched:
        if version < account.stripe_version:
            return _Outcome(account.user_id, "stale: a newer change is already applied")
        if version == account.stripe_version and client is not None:
            return _apply_subscription(
                db, account, _retrieve_subscription(client, sub_id),
                version=version, fetched=True, client=client, clock=clock,
            )

    items = (sub.get("items") or {}).get("data") or []
    item = items[0] if items else {}
    price = item.get("price") or {}
    found = _plan_of_price(price) if isinstance(price, dict) else None
    if found is None:
        log.warning("subscription %s has a price FluxKit does not know: %s", sub_id, _id_of(price))
        plan_id, interval = (account.plan, account.interval) if sub_id == current else (plans.FREE, "")
    else:
        plan_id, interval = found
    period_end = item.get("current_period_end") or sub.get("current_period_end")
    cancel_at_period_end = bool(sub.get("cancel_at_period_end")) or (
        bool(sub.get("cancel_at")) and status not in ("canceled", "incomplete_expired")
    )

    before = _effective_plan(account)
    now = clock.now()
    account.stripe_subscription_id = sub_id
    account.status = status
    account.plan = plan_id
    account.interval = interval
    account.price_id = _id_of(price) or ""
    account.current_period_end = datetime.fromtimestamp(int(period_end), UTC) if period_end else None
    account.cancel_at_period_end = cancel_at_period_end
    account.stripe_version = max(version, account.stripe_version)
    account.updated_at = now
    db.add(account)
    after = _effective_plan(account)
    if after.id != before.id:
        _plan_change_notice(db, account, before, after, now)
    live.touch(db, account.user_id, TOPIC)
    return _Outcome(account.user_id, f"applied: {plan_id} {status}")


def _on_subscription(db: Session, event: dict, obj: dict, version: int, client, clock) -> _Outcome:
    account = _account_for_customer(db, _id_of(obj.get("customer")))
    if account is None:
        return _Outcome(None, "ignored: unknown customer")
    return _apply_subscription(db, account, obj, version=version, fetched=False, client=client, clock=clock)


def _on_checkout_completed(db: Session, event: dict, session: dict, version: int, client, clock) -> _Outcome:
    if session.get("mode") != "subscription":
        return _Outcome(None, "ignored: not a subscription checkout")
    user_id = _int(session.get("client_reference_id"))
    customer_id = _id_of(session.get("customer"))
    account = _account_for_customer(db, customer_id)
    if account is None:
        # Our customer id was lost (e.g. a restored backup): the signed event's reference,
        # which we set server-side, links it back, but never over another customer.
        if user_id is None or customer_id is None or db.get(User, user_id) is None:
            return _Outcome(None, "ignored: unknown customer")
        account = _account_for_user(db, user_id, lock=True)
        if account is None:
            account = Subscription(user_id=user_id, stripe_customer_id=customer_id)
        elif account.stripe_customer_id:
            return _Outcome(user_id, "ignored: the user already has another customer")
        account.stripe_customer_id = customer_id
        db.add(account)
        db.flush()
    if user_id is not None and account.user_id != user_id:
        log.warning("checkout %s: client_reference_id %s is not the customer's user", session.get("id"), user_id)
        return _Outcome(account.user_id, "ignored: client_reference_id does not match the customer")
    sub_id = _id_of(session.get("subscription"))
    if sub_id is None:
        return _Outcome(account.user_id, "ignored: no subscription in the session")
    if client is not None:
        sub = _retrieve_subscription(client, sub_id)
        return _apply_subscription(db, account, sub, version=version, fetched=True, client=client, clock=clock)
    # Without API access, the session's own metadata (set by start_checkout) tells the plan.
    metadata = session.get("metadata") or {}
    if version < account.stripe_version or not plans.is_paid_plan(metadata.get("fluxkit_plan")):
        return _Outcome(account.user_id, "stale: a newer change is already applied")
    price_id = config().price_id(metadata["fluxkit_plan"], metadata.get("fluxkit_interval") or plans.MONTHLY)
    stand_in = {
        "id": sub_id,
        "status": "active" if session.get("payment_status") in ("paid", "no_payment_required") else "incomplete",
        "items": {"data": [{"price": {"id": price_id, "metadata": {"fluxkit_plan": metadata["fluxkit_plan"], "fluxkit_interval": metadata.get("fluxkit_interval") or plans.MONTHLY}}}]},
    }
    return _apply_subscription(db, account, stand_in, version=version, fetched=True, client=None, clock=clock)


def _invoice_subscription_id(invoice: dict) -> str | None:
    if sub := _id_of(invoice.get("subscription")):  # API versions before 2025-03-31
        return sub
    parent = invoice.get("parent") or {}
    return _id_of((parent.get("subscription_details") or {}).get("subscription"))


def _on_invoice(db: Session, event: dict, invoice: dict, version: int, client, clock, *, failed: bool) -> _Outcome:
    account = _account_for_customer(db, _id_of(invoice.get("customer")))
    if account is None:
        return _Outcome(None, "ignored: unknown customer")
    if failed:
        amount = _money(int(invoice.get("amount_due") or 0), invoice.get("currency") or "usd")
        plan = plans.get(account.plan)
        notifications.notify(
            db,
            account.user_id,
            NOTIFICATION_TYPE,
            "Payment failed",
            f"We could not collect {amount} for your {plan.name} plan. Update your payment method "
            "in Settings → Billing → Manage billing to keep your plan.",
            # Stripe retries a failed charge; one notification per attempt at most.
            dedupe_key=f"billing:payment_failed:{_id_of(invoice)}:{invoice.get('attempt_count') or 0}"[:100],
            at=clock.now(),
        )
        live.touch(db, account.user_id, TOPIC)
    sub_id = _invoice_subscription_id(invoice)
    if sub_id is None:
        return _Outcome(account.user_id, "recorded: invoice without a subscription")
    if client is not None:
        # The invoice changes the subscription's status (paid -> active, failed -> past_due):
        # re-read it rather than guess, in case its own update event is late.
        sub = _retrieve_subscription(client, sub_id)
        outcome = _apply_subscription(db, account, sub, version=version, fetched=True, client=client, clock=clock)
        return _Outcome(outcome.user_id, f"{'payment failed' if failed else 'paid'}; {outcome.text}")
    if sub_id == account.stripe_subscription_id and version >= account.stripe_version:
        if failed and account.status in ("active", "trialing"):
            account.status = "past_due"
        elif not failed and account.status in ("past_due", "unpaid"):
            account.status = "active"
        account.stripe_version = version
        account.updated_at = clock.now()
        db.add(account)
        live.touch(db, account.user_id, TOPIC)
    return _Outcome(account.user_id, f"{'payment failed' if failed else 'paid'}: {account.status}")


def handle_event(
    db: Session,
    event: dict[str, Any],
    *,
    client: stripe.StripeClient | None = None,
    clock: Clock = system_clock,
) -> str:
    """Apply one verified Stripe event, at most once. Returns what was done (for the log).

    Raises DuplicateEvent when the event id was already processed (also when a concurrent
    delivery of it commits first: the unique key makes the second one fail and roll back).
    """
    event_id = event.get("id")
    type_ = event.get("type")
    data = event.get("data")
    if not isinstance(event_id, str) or not event_id or not isinstance(type_, str) or not isinstance(data, dict):
        raise InvalidEvent("Not a Stripe event.")
    if db.exec(select(BillingEvent.id).where(BillingEvent.stripe_event_id == event_id)).first() is not None:
        raise DuplicateEvent("This event was already processed.")
    version = _int(event.get("created")) or 0
    record = BillingEvent(stripe_event_id=event_id[:255], type=type_[:100], event_created=version, received_at=clock.now())
    db.add(record)
    try:
        db.flush()  # the unique key: a concurrent delivery of this event waits here, then fails
    except IntegrityError:
        raise DuplicateEvent("This event was already processed.") from None

    obj = data.get("object") if isinstance(data.get("object"), dict) else {}
    if type_ == "checkout.session.completed":
        outcome = _on_checkout_completed(db, event, obj, version, client, clock)
    elif type_.startswith("customer.subscription.") and type_ in HANDLED_EVENTS:
        outcome = _on_subscription(db, event, obj, version, client, clock)
    elif type_ == "invoice.paid":
        outcome = _on_invoice(db, event, obj, version, client, clock, failed=False)
    elif type_ == "invoice.payment_failed":
        outcome = _on_invoice(db, event, obj, version, client, clock, failed=True)
    else:
        outcome = _Outcome(None, "ignored: not an event FluxKit handles")
    record.user_id = outcome.user_id
    record.outcome = outcome.text[:200]
    db.add(record)
    if outcome.text.startswith("ignored"):
        log.info("Stripe event %s (%s) %s", event_id, type_, outcome.text)
    return outcome.text


def webhook_client() -> stripe.StripeClient | None:
    """The client webhooks re-fetch with, when a secret key is set."""
    return stripe_client() if config().secret_key else None


# ---- `fluxkit billing setup`: the plans as Stripe products and prices -----------------------------------


def lookup_key(plan_id: str, interval: str) -> str:
    return f"fluxkit_{plan_id}_{interval}"


@dataclass
class CatalogResult:
    prices: dict[tuple[str, str], str]
    portal_configuration: str
    created: list[str]
    reused: list[str]


def ensure_catalog(client: stripe.StripeClient) -> CatalogResult:
    """Create (or find again) a product per paid plan and a monthly and a yearly price each.

    Safe to run again: prices are found by lookup key and reused when the amount still
    matches; a changed amount gets a new price that takes over the lookup key.
    """
    keys = [lookup_key(p.id, i) for p in plans.PAID_PLANS for i in plans.INTERVALS]
    existing = {
        price.get("lookup_key"): price
        for price in (p.to_dict() for p in client.v1.prices.list(params={"lookup_keys": keys, "active": True, "limit": 100}).data)
    }
    result = CatalogResult(prices={}, portal_configuration="", created=[], reused=[])
    portal_products = []
    for plan in plans.PAID_PLANS:
        product_id = next(
            (_id_of(existing[lookup_key(plan.id, i)].get("product")) for i in plans.INTERVALS if lookup_key(plan.id, i) in existing),
            None,
        )
        if product_id is None:
            product = client.v1.products.create(
                params={"name": f"FluxKit {plan.name}", "description": plan.tagline, "metadata": {"fluxkit_plan": plan.id}}
            )
            product_id = product.id
            result.created.append(f"product {product_id} (FluxKit {plan.name})")
        interval_prices = []
        for interval in plans.INTERVALS:
            key = lookup_key(plan.id, interval)
            price = existing.get(key)
            amount = plan.price_cents(interval)
            stripe_interval = plans.STRIPE_INTERVALS[interval]
            if (
                price is not None
                and price.get("unit_amount") == amount
                and price.get("currency") == plans.CURRENCY
                and (price.get("recurring") or {}).get("interval") == stripe_interval
            ):
                result.reused.append(f"price {price['id']} ({key})")
            else:
                price = client.v1.prices.create(
                    params={
                        "product": product_id,
                        "currency": plans.CURRENCY,
                        "unit_amount": amount,
                        "recurring": {"interval": stripe_interval},
                        "lookup_key": key,
                        "transfer_lookup_key": True,
                        "metadata": {"fluxkit_plan": plan.id, "fluxkit_interval": interval},
                    }
                ).to_dict()
                result.created.append(f"price {price['id']} ({key}: {plans.dollars(amount)}/{stripe_interval})")
            result.prices[(plan.id, interval)] = price["id"]
            interval_prices.append(price["id"])
        portal_products.append({"product": product_id, "prices": interval_prices})

    if not result.created:
        for configuration in client.v1.billing_portal.configurations.list(params={"active": True, "limit": 100}).data:
            if (configuration.to_dict().get("metadata") or {}).get("fluxkit") == "1":
                result.portal_configuration = configuration.id
                result.reused.append(f"portal configuration {configuration.id}")
                return result
    configuration = client.v1.billing_portal.configurations.create(
        params={
            "business_profile": {"headline": "Manage your FluxKit subscription"},
            "features": {
                "invoice_history": {"enabled": True},
                "payment_method_update": {"enabled": True},
                "subscription_cancel": {"enabled": True, "mode": "at_period_end"},
                "subscription_update": {
                    "enabled": True,
                    "default_allowed_updates": ["price"],
                    "proration_behavior": "create_prorations",
                    "products": portal_products,
                },
            },
            "metadata": {"fluxkit": "1"},
        }
    )
    result.portal_configuration = configuration.id
    result.created.append(f"portal configuration {configuration.id}")
    return result
