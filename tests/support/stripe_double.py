"""A loopback stand-in for the Stripe API, for the real `stripe` client.

`localstripe` lacks prices, Checkout and the Customer Portal, so this is a small
Starlette app (uvicorn in a thread on 127.0.0.1:<free port>) that answers the requests
FluxKit's `stripe.StripeClient` makes, in Stripe's wire format:

    POST/GET  /v1/customers[/{id}]             POST/GET /v1/products[/{id}]
    POST/GET  /v1/prices[/{id}]  (lookup_keys)  POST/GET /v1/checkout/sessions[/{id}]
    POST      /v1/billing_portal/sessions       POST     /v1/billing_portal/configurations
    GET/POST/DELETE /v1/subscriptions/{id}      GET      /v1/invoices?customer=

with Bearer `sk_test_...` authentication, form-encoded nested parameters, Stripe error
bodies, and idempotency keys (a repeated key answers the first answer again).

Stripe's side of the story is driven from tests: `complete_checkout`, `change_price`,
`set_cancel_at_period_end`, `fail_payment`, `pay`, `cancel` change the objects and return
the events Stripe would send (each with its own `created`), which tests sign with
`stripe.WebhookSignature` and post. For browser journeys the double also serves a hosted
checkout page and a portal page whose buttons make the same changes and deliver the
signed events to `webhook_url`, like Stripe would.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import json
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import httpx
import stripe
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support.live_server import free_port
from tests.support.settings_env import settings_env

API_VERSION = stripe.api_version


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's `a[b][0][c]=v` encoding back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node: Any = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            nxt = None if last else parts[index + 1]
            if isinstance(node, list):
                position = int(part)
                while len(node) <= position:
                    node.append(None)
                if last:
                    node[position] = value
                else:
                    if node[position] is None:
                        node[position] = [] if nxt.isdigit() else {}
                    node = node[position]
            else:
                if last:
                    node[part] = value
                else:
                    if part not in node:
                        node[part] = [] if nxt.isdigit() else {}
                    node = node[part]
    return root


def _error(
    status: int,
    message: str,
    *,
    type_: str = "invalid_request_error",
    code: str | None = None,
    param: str | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "message": message}
    if code:
        body["code"] = code
    if param:
        body["param"] = param
    return JSONResponse({"error": body}, status_code=status, headers={"Stripe-Should-Retry": "false"})


class StripeDouble:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.reset()
        self.app = Starlette(routes=self._routes())

    # ---- state ------------------------------------------------------------------------------

    def reset(self) -> None:
        with getattr(self, "lock", threading.RLock()):
            self.customers: dict[str, dict] = {}
            self.products: dict[str, dict] = {}
            self.prices: dict[str, dict] = {}
            self.checkout_sessions: dict[str, dict] = {}
            self.portal_sessions: dict[str, dict] = {}
            self.portal_configurations: dict[str, dict] = {}
            self.subscriptions: dict[str, dict] = {}
            self.invoices: dict[str, dict] = {}
            self.idempotent: dict[str, tuple[str, dict, int, Any]] = {}
            self.requests: list[dict[str, Any]] = []
            self.delivered: list[tuple[dict, int]] = []
            self.failures: list[int] = []
            self.now = int(time.time())
            self._ids = itertools.count(1)
            self._line_items: dict[str, list[dict]] = {}
            self._sub_metadata: dict[str, dict] = {}

    def tick(self, seconds: int = 1) -> int:
        """Stripe's clock: each change happens at a later second unless told otherwise."""
        self.now += seconds
        return self.now

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(6)}{next(self._ids)}"

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        """The next `count` API requests answer `status` (Stripe being down)."""
        self.failures.extend([status] * count)

    def calls(self, method: str, path_prefix: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["method"] == method and r["path"].startswith(path_prefix)]

    # ---- the API ------------------------------------------------------------------------------

    def _routes(self) -> list[Route]:
        return [
            Route("/v1/{path:path}", self._api, methods=["GET", "POST", "DELETE"]),
            Route("/checkout/{session_id}", self._checkout_page, methods=["GET"]),
            Route("/checkout/{session_id}/pay", self._checkout_pay, methods=["POST"]),
            Route("/portal/{session_id}", self._portal_page, methods=["GET"]),
            Route("/portal/{session_id}/action", self._portal_action, methods=["POST"]),
        ]

    async def _api(self, request: Request) -> Response:
        body = (await request.body()).decode()
        auth = request.headers.get("authorization", "")
        path = "/" + request.path_params["path"]
        params = decode_form(parse_qsl(body if request.method == "POST" else request.url.query, keep_blank_values=True))
        key = request.headers.get("idempotency-key")
        with self.lock:
            self.requests.append(
                {
                    "method": request.method,
                    "path": path,
                    "params": params,
                    "idempotency_key": key,
                    "stripe_version": request.headers.get("stripe-version"),
                }
            )
            if not auth.startswith("Bearer sk_test_"):
                return _error(401, "Invalid API Key provided.", type_="invalid_request_error")
            if self.failures:
                status = self.failures.pop(0)
                return _error(status, "The double was told to fail.", type_="api_error")
            if request.method == "POST" and key:
                seen = self.idempotent.get(key)
                if seen is not None:
                    method_path, seen_params, status, answer = seen
                    if method_path != f"POST {path}" or seen_params != params:
                        return _error(
                            400,
                            "Keys for idempotent requests can only be used with the same parameters"
                            " they were first used with.",
                            type_="idempotency_error",
                        )
                    return JSONResponse(answer, status_code=status, headers={"Idempotent-Replayed": "true"})
            response = self._dispatch(request.method, path, params)
            if request.method == "POST" and key:
                self.idempotent[key] = (f"POST {path}", params, response.status_code, json.loads(response.body))
            return response

    def _dispatch(self, method: str, path: str, params: dict) -> Response:
        parts = path.strip("/").split("/")
        try:
            if parts[0] == "customers":
                return self._crud(self.customers, "cus", "customer", method, parts[1:], params, self._new_customer)
            if parts[0] == "products":
                return self._crud(self.products, "prod", "product", method, parts[1:], params, self._new_product)
            if parts[0] == "prices":
                return self._crud(self.prices, "price", "price", method, parts[1:], params, self._new_price)
            if parts[:2] == ["checkout", "sessions"]:
                return self._crud(
                    self.checkout_sessions, "cs_test", "checkout.session", method, parts[2:], params, self._new_checkout
                )
            if parts[:2] == ["billing_portal", "sessions"] and method == "POST":
                return JSONResponse(self._new_portal_session(params))
            if parts[:2] == ["billing_portal", "configurations"]:
                return self._crud(
                    self.portal_configurations,
                    "bpc",
                    "billing_portal.configuration",
                    method,
                    parts[2:],
                    params,
                    self._new_portal_configuration,
                )
            if parts[0] == "subscriptions" and len(parts) == 2:
                return self._subscription(method, parts[1], params)
            if parts[0] == "invoices" and method == "GET" and len(parts) == 1:
                return self._list_invoices(params)
        except _Missing as exc:
            return _error(404, f"No such {exc.kind}: '{exc.id}'", code="resource_missing", param="id")
        except _Invalid as exc:
            return _error(400, exc.message, param=exc.param)
        return _error(404, f"Unrecognized request URL ({method}: /v1{path}).")

    def _crud(self, store, prefix, kind, method, rest, params, create) -> Response:
        if method == "POST" and not rest:
            obj = create(params)
            store[obj["id"]] = obj
            return JSONResponse(obj)
        if method == "GET" and not rest:
            items = list(store.values())
            if kind == "price":
                if lookup := params.get("lookup_keys"):
                    items = [p for p in items if p.get("lookup_key") in lookup]
                if "active" in params:
                    items = [p for p in items if p["active"] == (params["active"] == "true")]
                if product := params.get("product"):
                    items = [p for p in items if p["product"] == product]
            if kind == "customer" and (email := params.get("email")):
                items = [c for c in items if c["email"] == email]
            limit = int(params.get("limit", 10))
            items.sort(key=lambda o: o["created"], reverse=True)
            return JSONResponse(
                {"object": "list", "url": f"/v1/{kind}s", "has_more": len(items) > limit, "data": items[:limit]}
            )
        if len(rest) == 1:
            obj = store.get(rest[0])
            if obj is None:
                raise _Missing(kind.split(".")[-1], rest[0])
            if method == "POST":
                for field in ("metadata",):
                    if field in params:
                        obj[field].update(params[field])
                for field in ("active", "name", "email"):
                    if field in params:
                        obj[field] = params[field] == "true" if field == "active" else params[field]
            return JSONResponse(obj)
        raise _Invalid("Unsupported request.")

    def _new_customer(self, params) -> dict:
        return {
            "id": self._id("cus"),
            "object": "customer",
            "created": self.now,
            "livemode": False,
            "email": params.get("email"),
            "name": params.get("name"),
            "metadata": params.get("metadata", {}),
        }

    def _new_product(self, params) -> dict:
        if not params.get("name"):
            raise _Invalid("Missing required param: name.", "name")
        return {
            "id": self._id("prod"),
            "object": "product",
            "created": self.now,
            "livemode": False,
            "active": True,
            "name": params["name"],
            "description": params.get("description"),
            "metadata": params.get("metadata", {}),
        }

    def _new_price(self, params) -> dict:
        product = params.get("product")
        if product not in self.products:
            raise _Missing("product", product)
        lookup_key = params.get("lookup_key")
        if lookup_key and params.get("transfer_lookup_key") != "true":
            if any(p.get("lookup_key") == lookup_key for p in self.prices.values()):
                raise _Invalid(f"A price (`{lookup_key}`) already uses that lookup key.", "lookup_key")
        recurring = params.get("recurring")
        return {
            "id": self._id("price"),
            "object": "price",
            "created": self.now,
            "livemode": False,
            "active": True,
            "product": product,
            "currency": params.get("currency", "usd"),
            "unit_amount": int(params["unit_amount"]),
            "lookup_key": lookup_key,
            "recurring": {"interval": recurring["interval"], "interval_count": 1, "usage_type": "licensed"}
            if recurring
            else None,
            "type": "recurring" if recurring else "one_time",
            "metadata": params.get("metadata", {}),
        }

    def _new_checkout(self, params) -> dict:
        if params.get("mode") != "subscription":
            raise _Invalid("This double only does mode=subscription.", "mode")
        customer = params.get("customer")
        if customer not in self.customers:
            raise _Missing("customer", customer)
        items = params.get("line_items") or []
        for item in items:
            if item.get("price") not in self.prices:
                raise _Missing("price", item.get("price"))
        for field in ("success_url", "cancel_url"):
            if not params.get(field):
                raise _Invalid(f"Missing required param: {field}.", field)
        session_id = self._id("cs_test")
        self._line_items[session_id] = items
        self._sub_metadata[session_id] = (params.get("subscription_data") or {}).get("metadata", {})
        return {
            "id": session_id,
            "object": "checkout.session",
            "created": self.now,
            "livemode": False,
            "mode": "subscription",
            "customer": customer,
            "client_reference_id": params.get("client_reference_id"),
            "status": "open",
            "payment_status": "unpaid",
            "subscription": None,
            "success_url": params["success_url"],
            "cancel_url": params["cancel_url"],
            "url": f"{self.url}/checkout/{session_id}",
            "metadata": params.get("metadata", {}),
            "expires_at": self.now + 24 * 3600,
        }

    def _new_portal_session(self, params) -> dict:
        customer = params.get("customer")
        if customer not in self.customers:
            raise _Missing("customer", customer)
        session = {
            "id": self._id("bps"),
            "object": "billing_portal.session",
            "created": self.now,
            "livemode": False,
            "customer": customer,
            "return_url": params.get("return_url"),
            "configuration": params.get("configuration"),
        }
        session["url"] = f"{self.url}/portal/{session['id']}"
        self.portal_sessions[session["id"]] = session
        return session

    def _new_portal_configuration(self, params) -> dict:
        return {
            "id": self._id("bpc"),
            "object": "billing_portal.configuration",
            "created": self.now,
            "livemode": False,
            "active": True,
            "is_default": not self.portal_configurations,
            "features": params.get("features", {}),
            "business_profile": params.get("business_profile", {}),
            "metadata": params.get("metadata", {}),
        }

    def _subscription(self, method: str, sub_id: str, params: dict) -> Response:
        sub = self.subscriptions.get(sub_id)
        if sub is None:
            raise _Missing("subscription", sub_id)
        if method == "POST":
            if "cancel_at_period_end" in params:
                self.set_cancel_at_period_end(sub_id, params["cancel_at_period_end"] == "true")
            if items := params.get("items"):
                self.change_price(sub_id, items[0]["price"])
        elif method == "DELETE":
            self.cancel(sub_id)
        return JSONResponse(self.subscriptions[sub_id])

    def _list_invoices(self, params) -> Response:
        items = [i for i in self.invoices.values() if not params.get("customer") or i["customer"] == params["customer"]]
        if sub := params.get("subscription"):
            items = [i for i in items if _invoice_subscription(i) == sub]
        items.sort(key=lambda i: (i["created"], i["id"]), reverse=True)
        limit = int(params.get("limit", 10))
        return JSONResponse(
            {"object": "list", "url": "/v1/invoices", "has_more": len(items) > limit, "data": items[:limit]}
        )

    # ---- Stripe's side: changes and the events they send ---------------------------------------

    def event(self, type_: str, obj: dict, *, created: int | None = None, previous: dict | None = None) -> dict:
        data: dict[str, Any] = {"object": json.loads(json.dumps(obj))}
        if previous is not None:
            data["previous_attributes"] = previous
        return {
            "id": self._id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": self.now if created is None else created,
            "data": data,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type_,
        }

    def _item(self, price_id: str, start: int) -> dict:
        price = self.prices[price_id]
        end = start + (365 if price["recurring"]["interval"] == "year" else 30) * 86400
        return {
            "id": self._id("si"),
            "object": "subscription_item",
            "price": json.loads(json.dumps(price)),
            "quantity": 1,
            "current_period_start": start,
            "current_period_end": end,
        }

    def _invoice(self, sub: dict, *, paid: bool) -> dict:
        price = sub["items"]["data"][0]["price"]
        number = f"DBL-{len(self.invoices) + 1:04d}"
        invoice = {
            "id": self._id("in"),
            "object": "invoice",
            "created": self.now,
            "livemode": False,
            "customer": sub["customer"],
            "number": number,
            "currency": price["currency"],
            "amount_due": price["unit_amount"],
            "amount_paid": price["unit_amount"] if paid else 0,
            "amount_remaining": 0 if paid else price["unit_amount"],
            "total": price["unit_amount"],
            "status": "paid" if paid else "open",
            "attempt_count": 1,
            "hosted_invoice_url": f"{self.url}/invoice/{number}",
            "invoice_pdf": f"{self.url}/invoice/{number}.pdf",
            "period_start": sub["items"]["data"][0]["current_period_start"],
            "period_end": sub["items"]["data"][0]["current_period_end"],
            "billing_reason": "subscription_create"
            if not any(_invoice_subscription(i) == sub["id"] for i in self.invoices.values())
            else "subscription_cycle",
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": sub["id"], "metadata": sub["metadata"]},
            },
        }
        self.invoices[invoice["id"]] = invoice
        sub["latest_invoice"] = invoice["id"]
        return invoice

    def _sync_period(self, sub: dict) -> None:
        # Older API versions carried the period on the subscription itself.
        sub["current_period_start"] = sub["items"]["data"][0]["current_period_start"]
        sub["current_period_end"] = sub["items"]["data"][0]["current_period_end"]

    def complete_checkout(self, session_id: str, *, status: str = "active") -> list[dict]:
        """The customer paid on the hosted page: subscription, first invoice, completed session."""
        with self.lock:
            session = self.checkout_sessions[session_id]
            start = self.tick()
            [item] = self._line_items[session_id]
            sub = {
                "id": self._id("sub"),
                "object": "subscription",
                "created": start,
                "start_date": start,
                "livemode": False,
                "customer": session["customer"],
                "status": status,
                "cancel_at_period_end": False,
                "cancel_at": None,
                "canceled_at": None,
                "ended_at": None,
                "items": {"object": "list", "data": [self._item(item["price"], start)]},
                "metadata": self._sub_metadata.get(session_id, {}),
                "latest_invoice": None,
            }
            self._sync_period(sub)
            self.subscriptions[sub["id"]] = sub
            invoice = self._invoice(sub, paid=status in ("active", "trialing"))
            session.update(status="complete", payment_status="paid", subscription=sub["id"])
            return [
                self.event("customer.subscription.created", sub),
                self.event("invoice.paid", invoice),
                self.event("checkout.session.completed", session),
            ]

    def _updated(self, sub: dict, previous: dict) -> list[dict]:
        self.tick()
        return [self.event("customer.subscription.updated", sub, previous=previous)]

    def change_price(self, sub_id: str, price_id: str) -> list[dict]:
        with self.lock:
            sub = self.subscriptions[sub_id]
            old_item = sub["items"]["data"][0]
            previous = {"items": json.loads(json.dumps(sub["items"]))}
            sub["items"]["data"] = [self._item(price_id, old_item["current_period_start"])]
            self._sync_period(sub)
            return self._updated(sub, previous)

    def set_cancel_at_period_end(self, sub_id: str, value: bool = True) -> list[dict]:
        with self.lock:
            sub = self.subscriptions[sub_id]
            previous = {"cancel_at_period_end": sub["cancel_at_period_end"]}
            sub["cancel_at_period_end"] = value
            sub["cancel_at"] = sub["current_period_end"] if value else None
            return self._updated(sub, previous)

    def fail_payment(self, sub_id: str) -> list[dict]:
        """A renewal charge was declined: an open invoice and the subscription past due."""
        with self.lock:
            sub = self.subscriptions[sub_id]
            self.tick()
            invoice = self._invoice(sub, paid=False)
            failed = self.event("invoice.payment_failed", invoice)
            previous = {"status": sub["status"]}
            sub["status"] = "past_due"
            return [failed, *self._updated(sub, previous)]

    def pay(self, sub_id: str) -> list[dict]:
        """The latest invoice got paid (card updated): the subscription is active again."""
        with self.lock:
            sub = self.subscriptions[sub_id]
            self.tick()
            invoice = self.invoices[sub["latest_invoice"]]
            invoice.update(status="paid", amount_paid=invoice["amount_due"], amount_remaining=0)
            paid = self.event("invoice.paid", invoice)
            previous = {"status": sub["status"]}
            sub["status"] = "active"
            return [paid, *self._updated(sub, previous)]

    def set_status(self, sub_id: str, status: str) -> list[dict]:
        with self.lock:
            sub = self.subscriptions[sub_id]
            previous = {"status": sub["status"]}
            sub["status"] = status
            return self._updated(sub, previous)

    def cancel(self, sub_id: str) -> list[dict]:
        with self.lock:
            sub = self.subscriptions[sub_id]
            now = self.tick()
            sub.update(status="canceled", canceled_at=now, ended_at=now)
            return [self.event("customer.subscription.deleted", sub)]

    # ---- delivering events like Stripe does ---------------------------------------------------

    def deliver(self, events: list[dict]) -> list[int]:
        """POST each event, signed, to webhook_url (the hosted pages use this)."""
        statuses = []
        for event in events:
            payload = json.dumps(event)
            header = stripe.WebhookSignature.generate_signature_header(payload, self.webhook_secret)
            response = httpx.post(
                self.webhook_url,
                content=payload,
                headers={
                    "Stripe-Signature": header,
                    "Content-Type": "application/json; charset=utf-8",
                    "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                },
                timeout=30,
            )
            self.delivered.append((event, response.status_code))
            statuses.append(response.status_code)
        return statuses

    # ---- hosted pages (for browser journeys) ----------------------------------------------------

    async def _checkout_page(self, request: Request) -> Response:
        session = self.checkout_sessions.get(request.path_params["session_id"])
        if session is None:
            return HTMLResponse("<h1>Unknown checkout session</h1>", status_code=404)
        [item] = self._line_items[session["id"]]
        price = self.prices[item["price"]]
        product = self.products[price["product"]]
        amount = f"${price['unit_amount'] / 100:,.2f} per {price['recurring']['interval']}"
        return HTMLResponse(
            f"""<!doctype html><title>Checkout (Stripe double)</title>
            <h1 id="checkout-product">{html.escape(product["name"])}</h1>
            <p id="checkout-amount">{html.escape(amount)}</p>
            <p>Customer {html.escape(session["customer"])}</p>
            <form method="post" action="/checkout/{session["id"]}/pay">
              <button id="checkout-pay" type="submit">Subscribe</button>
            </form>
            <a id="checkout-back" href="{html.escape(session["cancel_url"])}">Back</a>"""
        )

    async def _checkout_pay(self, request: Request) -> Response:
        session_id = request.path_params["session_id"]
        session = self.checkout_sessions.get(session_id)
        if session is None or session["status"] != "open":
            return HTMLResponse("<h1>This checkout session is no longer open</h1>", status_code=400)
        events = self.complete_checkout(session_id)
        await _in_thread(self.deliver, events)
        target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
        return RedirectResponse(target, status_code=303)

    def _customer_subscription(self, customer: str) -> dict | None:
        subs = [s for s in self.subscriptions.values() if s["customer"] == customer and s["status"] != "canceled"]
        return max(subs, key=lambda s: s["created"]) if subs else None

    async def _portal_page(self, request: Request) -> Response:
        session = self.portal_sessions.get(request.path_params["session_id"])
        if session is None:
            return HTMLResponse("<h1>Unknown portal session</h1>", status_code=404)
        sub = self._customer_subscription(session["customer"])
        action = f"/portal/{session['id']}/action"
        if sub is None:
            current = "<p id='portal-plan'>No active subscription</p>"
            buttons = ""
        else:
            price = sub["items"]["data"][0]["price"]
            product = self.products[price["product"]]
            ending = " · cancels at period end" if sub["cancel_at_period_end"] else ""
            current = (
                f"<p id='portal-plan'>{html.escape(product['name'])} ({price['recurring']['interval']}ly)</p>"
                f"<p id='portal-status'>{sub['status']}{ending}</p>"
            )
            options = "".join(
                f"<button name='price' value='{p['id']}' id='portal-switch-{p['lookup_key'] or p['id']}'>"
                f"Switch to {html.escape(self.products[p['product']]['name'])} {p['recurring']['interval']}ly</button>"
                for p in self.prices.values()
                if p["id"] != price["id"] and p["recurring"]
            )
            buttons = (
                f"<form method='post' action='{action}'>"
                f"<button name='do' value='cancel_at_period_end' id='portal-cancel'>Cancel plan</button>"
                f"<button name='do' value='resume' id='portal-resume'>Renew plan</button>"
                f"<button name='do' value='fail' id='portal-fail'>Simulate a failed renewal</button>"
                f"<button name='do' value='pay' id='portal-pay'>Pay the open invoice</button>"
                f"<button name='do' value='cancel_now' id='portal-cancel-now'>Cancel now</button>"
                f"</form><form method='post' action='{action}'>"
                f"<input type='hidden' name='do' value='switch'>{options}</form>"
            )
        return HTMLResponse(
            f"""<!doctype html><title>Customer portal (Stripe double)</title><h1>Billing portal</h1>
            {current}{buttons}
            <a id="portal-return" href="{html.escape(session["return_url"] or "/")}">Return</a>"""
        )

    async def _portal_action(self, request: Request) -> Response:
        session = self.portal_sessions.get(request.path_params["session_id"])
        if session is None:
            return HTMLResponse("<h1>Unknown portal session</h1>", status_code=404)
        form = dict(parse_qsl((await request.body()).decode()))
        sub = self._customer_subscription(session["customer"])
        events: list[dict] = []
        if sub is not None:
            do = form.get("do")
            if do == "cancel_at_period_end":
                events = self.set_cancel_at_period_end(sub["id"], True)
            elif do == "resume":
                events = self.set_cancel_at_period_end(sub["id"], False)
            elif do == "fail":
                events = self.fail_payment(sub["id"])
            elif do == "pay":
                events = self.pay(sub["id"])
            elif do == "cancel_now":
                events = self.cancel(sub["id"])
            elif do == "switch" and form.get("price") in self.prices:
                events = self.change_price(sub["id"], form["price"])
        await _in_thread(self.deliver, events)
        return RedirectResponse(f"/portal/{session['id']}", status_code=303)


def _invoice_subscription(invoice: dict) -> str | None:
    parent = invoice.get("parent") or {}
    return (parent.get("subscription_details") or {}).get("subscription")


async def _in_thread(fn, *args):
    import anyio

    return await anyio.to_thread.run_sync(fn, *args)


class _Missing(Exception):
    def __init__(self, kind: str, id_: object):
        self.kind, self.id = kind, id_


class _Invalid(Exception):
    def __init__(self, message: str, param: str | None = None):
        self.message, self.param = message, param


@contextlib.contextmanager
def running_double() -> Iterator[StripeDouble]:
    double = StripeDouble()
    server = uvicorn.Server(
        uvicorn.Config(double.app, host="127.0.0.1", port=double.port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="stripe-double", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the Stripe double did not start")
        time.sleep(0.02)
    try:
        yield double
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def sign(event: dict, secret: str, timestamp: int | None = None) -> tuple[bytes, str]:
    """The body and Stripe-Signature header Stripe would send for `event`."""
    payload = json.dumps(event)
    return payload.encode(), stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)


# ---- the settings that turn billing on against a double (fixtures: tests/conftest.py) -----------

WEBHOOK_SECRET = "whsec_fluxkit_test_secret"
SECRET_KEY = "sk_test_fluxkit_double"


@dataclass
class BillingEnv:
    double: StripeDouble
    prices: dict[tuple[str, str], str]
    env: dict[str, str]
    webhook_secret: str = WEBHOOK_SECRET

    def signed(self, event: dict, timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
        body, header = sign(event, self.webhook_secret, timestamp)
        return body, {"Stripe-Signature": header, "Content-Type": "application/json; charset=utf-8"}


def billing_environment(double: StripeDouble) -> dict[str, str]:
    """Create the plans' products and prices in the double (as `fluxkit billing setup` does)."""
    from fluxkit.services import billing
    from fluxkit.services.billing import catalog as billing_catalog
    from fluxkit.settings import price_env_name

    base = {"STRIPE_SECRET_KEY": SECRET_KEY, "STRIPE_API_BASE": double.url, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}
    with settings_env(**base):
        catalog = billing_catalog.ensure_catalog(billing.stripe_client())
    env = dict(base, STRIPE_PORTAL_CONFIGURATION=catalog.portal_configuration)
    for (plan_id, interval), price_id in catalog.prices.items():
        env[price_env_name(plan_id, interval)] = price_id
    return env
