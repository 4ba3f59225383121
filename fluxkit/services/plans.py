"""Plans, in one place: prices, limits and the feature comparison.

Everything that shows or enforces a plan reads it from here: the pricing page, the
billing settings, the limits in the services and `fluxkit billing setup` (which creates
the matching Stripe products and prices). Prices are in US cents.
"""

from __future__ import annotations

from dataclasses import dataclass

FREE = "free"
BASIC = "basic"
PROFESSIONAL = "professional"
ENTERPRISE = "enterprise"

MONTHLY = "monthly"
YEARLY = "yearly"
INTERVALS = (MONTHLY, YEARLY)
# Stripe's recurring.interval for each of ours.
STRIPE_INTERVALS = {MONTHLY: "month", YEARLY: "year"}

CURRENCY = "usd"

# Feature keys the services check (billing.check_feature).
CSV_EXPORT = "csv_export"
FEATURES = (CSV_EXPORT,)


@dataclass(frozen=True)
class Limits:
    active_tasks: int | None  # pending + in progress; None = unlimited
    csv_export: bool

    def allows(self, feature: str) -> bool:
        if feature == CSV_EXPORT:
            return self.csv_export
        raise ValueError(f"unknown feature {feature!r}")


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    tagline: str
    monthly_cents: int
    yearly_cents: int
    limits: Limits
    support: str
    popular: bool = False

    @property
    def paid(self) -> bool:
        return self.monthly_cents > 0

    def price_cents(self, interval: str) -> int:
        return self.yearly_cents if interval == YEARLY else self.monthly_cents

    @property
    def rank(self) -> int:
        return PLAN_IDS.index(self.id)

    @property
    def active_tasks_label(self) -> str:
        limit = self.limits.active_tasks
        return "Unlimited" if limit is None else f"{limit:,}"


PLANS: tuple[Plan, ...] = (
    Plan(
        id=FREE,
        name="Free",
        tagline="For trying FluxKit on your own.",
        monthly_cents=0,
        yearly_cents=0,
        limits=Limits(active_tasks=10, csv_export=False),
        support="Documentation",
    ),
    Plan(
        id=BASIC,
        name="Basic",
        tagline="For individuals who track real work.",
        monthly_cents=19_00,
        yearly_cents=190_00,
        limits=Limits(active_tasks=100, csv_export=True),
        support="Email support",
    ),
    Plan(
        id=PROFESSIONAL,
        name="Professional",
        tagline="For busy professionals with many projects.",
        monthly_cents=79_00,
        yearly_cents=790_00,
        limits=Limits(active_tasks=1_000, csv_export=True),
        support="Priority email support",
        popular=True,
    ),
    Plan(
        id=ENTERPRISE,
        name="Enterprise",
        tagline="For heavy use without limits.",
        monthly_cents=199_00,
        yearly_cents=1_990_00,
        limits=Limits(active_tasks=None, csv_export=True),
        support="Priority support with a named contact",
    ),
)

PLAN_IDS: tuple[str, ...] = tuple(plan.id for plan in PLANS)
PAID_PLANS: tuple[Plan, ...] = tuple(plan for plan in PLANS if plan.paid)
_BY_ID = {plan.id: plan for plan in PLANS}


def get(plan_id: str) -> Plan:
    """The plan with this id; unknown ids are the Free plan."""
    return _BY_ID.get(plan_id, _BY_ID[FREE])


def is_paid_plan(plan_id: object) -> bool:
    return isinstance(plan_id, str) and plan_id in _BY_ID and _BY_ID[plan_id].paid


def next_plan_up(plan: Plan) -> Plan | None:
    """The cheapest paid plan above `plan`, for upgrade messages."""
    higher = [p for p in PAID_PLANS if p.rank > plan.rank]
    return higher[0] if higher else None


def dollars(cents: int) -> str:
    whole, rest = divmod(cents, 100)
    return f"${whole:,}" if rest == 0 else f"${whole:,}.{rest:02d}"


def yearly_saving_months(plan: Plan) -> int:
    """How many monthly payments the yearly price saves (2 for every paid plan)."""
    if not plan.paid:
        return 0
    return round((plan.monthly_cents * 12 - plan.yearly_cents) / plan.monthly_cents)


# Rows of the comparison table on /pricing: (label, value for each plan in PLANS order).
def comparison() -> list[tuple[str, list[str]]]:
    return [
        ("Active tasks", [p.active_tasks_label for p in PLANS]),
        ("Completed and cancelled tasks", ["Unlimited" for _ in PLANS]),
        ("Notifications and live updates", ["Yes" for _ in PLANS]),
        ("CSV export of tasks", ["Yes" if p.limits.csv_export else "No" for p in PLANS]),
        ("Support", [p.support for p in PLANS]),
    ]


def highlights(plan: Plan) -> list[str]:
    """The few lines on a plan's card."""
    lines = [
        f"{plan.active_tasks_label} active tasks" if plan.limits.active_tasks is not None else "Unlimited active tasks",
        "Notifications and live updates",
        "CSV export of tasks" if plan.limits.csv_export else "No CSV export",
        plan.support,
    ]
    return lines
