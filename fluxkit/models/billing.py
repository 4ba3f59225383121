"""Billing: each user's subscription record and the Stripe events already processed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from fluxkit.clock import system_clock


def _now() -> datetime:
    return system_clock.now()


class Subscription(SQLModel, table=True):
    """One row per user who started billing: their Stripe customer and current subscription.

    A user without a row (or with a row whose status does not entitle them) is on Free.
    """

    __tablename__ = "subscription"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True, index=True, ondelete="CASCADE")
    # Created once per user, before their first checkout; never taken from the browser.
    stripe_customer_id: str | None = Field(default=None, max_length=255, unique=True, index=True)
    stripe_subscription_id: str | None = Field(default=None, max_length=255, index=True)
    plan: str = Field(default="free", max_length=32)
    interval: str = Field(default="", max_length=16)  # monthly | yearly | ""
    price_id: str = Field(default="", max_length=255)
    # Stripe's status: trialing, active, past_due, canceled, unpaid (incomplete, paused...);
    # "" until the first subscription.
    status: str = Field(default="", max_length=32)
    current_period_end: datetime | None = Field(default=None)
    cancel_at_period_end: bool = Field(default=False)
    # `created` (Unix seconds) of the newest Stripe event applied: older events are stale.
    stripe_version: int = Field(default=0, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)


class BillingEvent(SQLModel, table=True):
    """A Stripe event id, stored in the same transaction as its effect (at most once)."""

    __tablename__ = "billing_event"

    id: int | None = Field(default=None, primary_key=True)
    stripe_event_id: str = Field(max_length=255, unique=True, index=True)
    type: str = Field(max_length=100)
    event_created: int = Field(default=0, sa_type=BigInteger)  # Stripe's `created`, Unix seconds
    received_at: datetime = Field(default_factory=_now, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True, ondelete="SET NULL")
    outcome: str = Field(default="", max_length=200)
