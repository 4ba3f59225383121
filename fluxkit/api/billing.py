"""Billing routes under /api/billing: Stripe's webhook, and checkout/portal for signed-in users.

The webhook verifies the raw body's Stripe-Signature (300 s tolerance) before anything
else; a bad one is a 400 and changes nothing. Processing is a short database transaction
(plus, at most, one re-read of the subscription from Stripe), so Stripe gets its answer fast:
2xx when the event is applied, already applied (a replay) or not ours; 5xx only for a
transient failure, which Stripe retries.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from fluxkit.api.auth import parsed_body
from fluxkit.api.deps import current_identity
from fluxkit.api.errors import error, service_error, unauthorized
from fluxkit.db import session_scope
from fluxkit.services import billing, plans
from fluxkit.services.billing import webhooks as billing_webhooks
from fluxkit.services.errors import ServiceError

log = logging.getLogger("fluxkit.billing")

router = APIRouter(prefix="/api/billing")

MAX_WEBHOOK_BYTES = 1_000_000


# ---- Stripe -> us -----------------------------------------------------------------------------


@router.post("/webhook")
async def webhook(request: Request):
    # Read as a stream and given up on past the limit: a huge body is never held whole.
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_WEBHOOK_BYTES:
            return error(413, "too_large", "The event is too large.")
        chunks.append(chunk)
    payload = b"".join(chunks)
    signature = request.headers.get("stripe-signature")
    return await anyio.to_thread.run_sync(process_webhook, payload, signature)


def process_webhook(payload: bytes, signature: str | None) -> JSONResponse:
    try:
        event = billing_webhooks.verify_webhook(payload, signature)
    except (billing.BillingNotConfigured, billing_webhooks.InvalidSignature, billing_webhooks.InvalidEvent) as exc:
        # Nothing Stripe can fix by retrying: unverifiable is a bad request here.
        return service_error(exc, status=400)
    try:
        client = billing_webhooks.webhook_client()
        with session_scope() as db:
            outcome = billing_webhooks.handle_event(db, event, client=client)
    except billing_webhooks.DuplicateEvent:
        return JSONResponse({"received": True, "duplicate": True})
    except (billing_webhooks.InvalidEvent, billing.StripeUnavailable) as exc:
        return service_error(exc)
    except OperationalError as exc:  # e.g. the database is busy: Stripe will retry
        log.warning("Stripe event %s not processed: %s", event.get("id"), exc)
        return error(503, "unavailable", "Try again later.")
    return JSONResponse({"received": True, "outcome": outcome})


# ---- the signed-in user -> Stripe -------------------------------------------------------------------


def _summary_json(s: billing.BillingSummary) -> dict[str, Any]:
    return {
        "plan": s.plan_id,
        "planName": s.plan_name,
        "interval": s.interval or None,
        "status": s.status or None,
        "currentPeriodEnd": s.current_period_end or None,
        "cancelAtPeriodEnd": s.cancel_at_period_end,
        "pastDue": s.past_due,
        "billingEnabled": s.billing_enabled,
        "limitsEnforced": s.limits_enforced,
        "limits": {"activeTasks": s.active_task_limit or None, "csvExport": s.csv_export},
        "usage": {"activeTasks": s.active_tasks},
    }


@router.get("/plans")
def list_plans():
    return JSONResponse(
        [
            {
                "id": p.id,
                "name": p.name,
                "popular": p.popular,
                "prices": {"monthly": p.monthly_cents, "yearly": p.yearly_cents, "currency": plans.CURRENCY},
                "limits": {"activeTasks": p.limits.active_tasks, "csvExport": p.limits.csv_export},
            }
            for p in plans.PLANS
        ]
    )


@router.get("/subscription")
def subscription(request: Request):
    with session_scope() as db:
        identity = current_identity(request, db)
        if identity is None:
            return unauthorized()
        data = billing.summary(db, identity.user.id)
    return JSONResponse(_summary_json(data))


@router.post("/checkout")
def checkout(request: Request, body: dict = Depends(parsed_body)):
    try:
        with session_scope() as db:
            identity = current_identity(request, db)
            if identity is None:
                return unauthorized()
            # The customer comes from the signed-in user; nothing in the body names one.
            url = billing.start_checkout(db, identity.user.id, body.get("plan"), body.get("interval", plans.MONTHLY))
    except ServiceError as exc:
        return service_error(exc)
    return JSONResponse({"url": url})


@router.post("/portal")
def portal(request: Request):
    try:
        with session_scope() as db:
            identity = current_identity(request, db)
            if identity is None:
                return unauthorized()
            url = billing.open_portal(db, identity.user.id)
    except ServiceError as exc:
        return service_error(exc)
    return JSONResponse({"url": url})
