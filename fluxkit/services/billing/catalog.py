"""`fluxkit billing setup`: the paid plans as Stripe products, prices and a portal configuration."""

from __future__ import annotations

from dataclasses import dataclass

import stripe

from fluxkit.services import plans
from fluxkit.services.billing.webhooks import stripe_id_of


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
        for price in (
            p.to_dict() for p in client.v1.prices.list(params={"lookup_keys": keys, "active": True, "limit": 100}).data
        )
    }
    result = CatalogResult(prices={}, portal_configuration="", created=[], reused=[])
    portal_products = []
    for plan in plans.PAID_PLANS:
        product_id = next(
            (
                stripe_id_of(existing[lookup_key(plan.id, i)].get("product"))
                for i in plans.INTERVALS
                if lookup_key(plan.id, i) in existing
            ),
            None,
        )
        if product_id is None:
            product = client.v1.products.create(
                params={
                    "name": f"FluxKit {plan.name}",
                    "description": plan.tagline,
                    "metadata": {"fluxkit_plan": plan.id},
                }
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
