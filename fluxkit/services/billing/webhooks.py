"""Stripe webhooks: verified, applied at most once and in order.

The event id is stored under a unique key in the same transaction as its effect, so a replay
or a concurrent second delivery changes nothing. An event older than the last applied one is
stale; a tie is settled by re-fetching the subscription from Stripe.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from fluxkit import routes
from fluxkit.clock import Clock, system_clock
from fluxkit.models import BillingEvent, Subscription, User
from fluxkit.services import live, notifications, plans
from fluxkit.services.billing.subscriptions import (
    ENTITLED,
    NOTIFICATION_TYPE,
    TOPIC,
    BillingNotConfigured,
    account_for_customer,
    account_for_user,
    config,
    effective_plan,
    log,
    money,
    stripe_client,
    unavailable,
)
from fluxkit.services.errors import ServiceError

if TYPE_CHECKING:
    import stripe

WEBHOOK_TOLERANCE_SECONDS = 300

HANDLED_EVENTS = (
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
)


class InvalidSignature(ServiceError):
    code = "invalid_signature"


class InvalidEvent(ServiceError):
    code = "invalid_event"


class DuplicateEvent(ServiceError):
    """This Stripe event was already processed (the answer is still 2xx)."""

    code = "duplicate_event"


@dataclass(frozen=True)
class _Outcome:
    user_id: int | None
    text: str


def signed_at(signature_header: str | None) -> int:
    """The `t=` timestamp of a Stripe-Signature header (0 when it has none)."""
    for part in (signature_header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            return int(value)
    return 0


def verify_webhook(payload: bytes, signature_header: str | None) -> dict[str, Any]:
    """The event, if `payload` carries a valid Stripe-Signature made within the tolerance."""
    import stripe  # here, not at the top: the SDK is slow to import (start time)

    secret = config().webhook_secret
    if not secret:
        raise BillingNotConfigured("Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET is not set).")
    try:
        stripe.Webhook.construct_event(payload, signature_header, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS)
        event = json.loads(payload)
    except stripe.SignatureVerificationError as exc:
        raise InvalidSignature(f"Invalid Stripe signature: {exc.user_message or exc}") from None
    except (ValueError, UnicodeDecodeError, AttributeError, TypeError, KeyError, RecursionError):
        # RecursionError: JSON nested too deep for the parser (a signed body can still be junk).
        raise InvalidEvent("The body is not a JSON Stripe event.") from None
    # Stripe's library only refuses signatures too old; one from the future is as suspect
    # (a leaked secret's pre-signed events, or a clock gone wrong): refused the same way.
    if signed_at(signature_header) > time.time() + WEBHOOK_TOLERANCE_SECONDS:
        raise InvalidSignature("Invalid Stripe signature: its timestamp is in the future.")
    if not isinstance(event, dict):
        raise InvalidEvent("The body is not a JSON Stripe event.")
    return event


def stripe_id_of(value: object) -> str | None:
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
    import stripe  # here, not at the top: the SDK is slow to import (start time)

    try:
        return client.v1.subscriptions.retrieve(subscription_id).to_dict()
    except stripe.StripeError as exc:
        raise unavailable(exc, "re-reading a subscription") from exc


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


def _plan_change_notice(
    db: Session, account: Subscription, before: plans.Plan, after: plans.Plan, now: datetime
) -> None:
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
    sub_id = stripe_id_of(sub)
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
                db,
                account,
                _retrieve_subscription(client, sub_id),
                version=version,
                fetched=True,
                client=client,
                clock=clock,
            )

    items = (sub.get("items") or {}).get("data") or []
    item = items[0] if items else {}
    price = item.get("price") or {}
    found = _plan_of_price(price) if isinstance(price, dict) else None
    if found is None:
        log.warning("subscription %s has a price FluxKit does not know: %s", sub_id, stripe_id_of(price))
        plan_id, interval = (account.plan, account.interval) if sub_id == current else (plans.FREE, "")
    else:
        plan_id, interval = found
    period_end = item.get("current_period_end") or sub.get("current_period_end")
    cancel_at_period_end = bool(sub.get("cancel_at_period_end")) or (
        bool(sub.get("cancel_at")) and status not in ("canceled", "incomplete_expired")
    )

    before = effective_plan(account)
    now = clock.now()
    account.stripe_subscription_id = sub_id
    account.status = status
    account.plan = plan_id
    account.interval = interval
    account.price_id = stripe_id_of(price) or ""
    account.current_period_end = datetime.fromtimestamp(int(period_end), UTC) if period_end else None
    account.cancel_at_period_end = cancel_at_period_end
    account.stripe_version = max(version, account.stripe_version)
    account.updated_at = now
    db.add(account)
    after = effective_plan(account)
    if after.id != before.id:
        _plan_change_notice(db, account, before, after, now)
    live.touch(db, account.user_id, TOPIC)
    return _Outcome(account.user_id, f"applied: {plan_id} {status}")


def _on_subscription(db: Session, event: dict, obj: dict, version: int, client, clock) -> _Outcome:
    account = account_for_customer(db, stripe_id_of(obj.get("customer")))
    if account is None:
        return _Outcome(None, "ignored: unknown customer")
    return _apply_subscription(db, account, obj, version=version, fetched=False, client=client, clock=clock)


def _on_checkout_completed(db: Session, event: dict, session: dict, version: int, client, clock) -> _Outcome:
    if session.get("mode") != "subscription":
        return _Outcome(None, "ignored: not a subscription checkout")
    user_id = _int(session.get("client_reference_id"))
    customer_id = stripe_id_of(session.get("customer"))
    account = account_for_customer(db, customer_id)
    if account is None:
        # Our customer id was lost (e.g. a restored backup): the signed event's reference,
        # which we set server-side, links it back, but never over another customer.
        if user_id is None or customer_id is None or db.get(User, user_id) is None:
            return _Outcome(None, "ignored: unknown customer")
        account = account_for_user(db, user_id, lock=True)
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
    sub_id = stripe_id_of(session.get("subscription"))
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
        "items": {
            "data": [
                {
                    "price": {
                        "id": price_id,
                        "metadata": {
                            "fluxkit_plan": metadata["fluxkit_plan"],
                            "fluxkit_interval": metadata.get("fluxkit_interval") or plans.MONTHLY,
                        },
                    }
                }
            ]
        },
    }
    return _apply_subscription(db, account, stand_in, version=version, fetched=True, client=None, clock=clock)


def _invoice_subscription_id(invoice: dict) -> str | None:
    if sub := stripe_id_of(invoice.get("subscription")):  # API versions before 2025-03-31
        return sub
    parent = invoice.get("parent") or {}
    return stripe_id_of((parent.get("subscription_details") or {}).get("subscription"))


def _on_invoice(db: Session, event: dict, invoice: dict, version: int, client, clock, *, failed: bool) -> _Outcome:
    account = account_for_customer(db, stripe_id_of(invoice.get("customer")))
    if account is None:
        return _Outcome(None, "ignored: unknown customer")
    if failed:
        amount = money(int(invoice.get("amount_due") or 0), invoice.get("currency") or "usd")
        plan = plans.get(account.plan)
        notifications.notify(
            db,
            account.user_id,
            NOTIFICATION_TYPE,
            "Payment failed",
            f"We could not collect {amount} for your {plan.name} plan. Update your payment method "
            "in Settings → Billing → Manage billing to keep your plan.",
            link=routes.SETTINGS + "/billing",
            # Stripe retries a failed charge; one notification per attempt at most.
            dedupe_key=f"billing:payment_failed:{stripe_id_of(invoice)}:{invoice.get('attempt_count') or 0}"[:100],
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
    record = BillingEvent(
        stripe_event_id=event_id[:255], type=type_[:100], event_created=version, received_at=clock.now()
    )
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
