"""/: the public front door. What FluxKit is, its features, the plans, a few FAQs, and the
way in (sign up, sign in; "Open dashboard" for a visitor who is already signed in).

Nothing here is protected or belongs to anyone: the plans come from `services/plans.py`,
the FAQs from the database (`LandingState`), and no signed-in shell is ever drawn.
"""

from __future__ import annotations

import reflex as rx

from fluxkit import routes
from fluxkit.components.brand import brand_link
from fluxkit.components.theme import theme_menu
from fluxkit.services import plans
from fluxkit.state.landing import LandingState

ROUTE = routes.HOME
TITLE = "FluxKit · the Python SaaS starter"
ON_LOAD = LandingState.load

# (icon, title, what it does): each is a page of the app, built and running.
FEATURES: list[tuple[str, str, str]] = [
    (
        "list-todo",
        "Tasks",
        "Statuses, priorities, due dates, assignees, filters, sorting, CSV import and export.",
    ),
    ("mail", "Mail", "An inbox between the people on your team, with folders, stars, replies and drafts."),
    ("message-circle", "Chat", "Direct and group conversations with read receipts and typing indicators."),
    ("calendar", "Calendar", "Month, week and agenda views; events with invitations and RSVPs; tasks by due date."),
    ("bell", "Notifications", "A bell that updates live, and a page of everything that happened to you."),
    ("building-2", "Organizations", "Workspaces with members, roles and email invitations."),
    ("credit-card", "Billing", "Plans, monthly or yearly, with Stripe Checkout, the customer portal and invoices."),
    ("key-round", "REST API", "Personal API keys for a versioned JSON API, documented with OpenAPI."),
    ("shield-check", "Accounts and security", "Email verification, password reset, sessions you can sign out."),
]

# Why it is worth starting from: the parts users never see but every SaaS needs.
PROMISES: list[tuple[str, str, str]] = [
    ("zap", "Live everywhere", "A change in one tab shows in every other tab and device within milliseconds."),
    ("code", "Pure Python", "Reflex pages, SQLModel tables, Alembic migrations, pytest. No JavaScript to write."),
    ("server", "SQLite to PostgreSQL", "Runs from one file with zero setup; grows to PostgreSQL, Redis and workers."),
]


def _brand() -> rx.Component:
    return brand_link(routes.HOME, aria_label="FluxKit home")


def _calls_to_action(size: str = "2", hero: bool = False) -> rx.Component:
    suffix = "-hero" if hero else ""
    return rx.cond(
        LandingState.signed_in,
        rx.link(
            rx.button(rx.icon("layout-dashboard", size=16), "Open dashboard", size=size),
            href=routes.DASHBOARD,
            id=f"landing-open-dashboard{suffix}",
        ),
        rx.hstack(
            rx.link(
                rx.button("Sign in", variant="soft" if hero else "ghost", size=size),
                href=routes.SIGN_IN,
                id=f"landing-sign-in{suffix}",
            ),
            rx.link(
                rx.button("Get started free" if hero else "Sign up", size=size),
                href=routes.SIGN_UP,
                id=f"landing-sign-up{suffix}",
            ),
            spacing="2",
            align="center",
        ),
    )


def _header() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            _brand(),
            rx.spacer(),
            rx.hstack(
                rx.link("Features", href="#features", size="2", color=rx.color("gray", 11)),
                rx.link("Pricing", href="#pricing", size="2", color=rx.color("gray", 11)),
                rx.link("FAQ", href="#faq", size="2", color=rx.color("gray", 11)),
                spacing="5",
                display=["none", "none", "flex"],
                aria_label="Sections",
                as_="nav",
            ),
            theme_menu(),
            _calls_to_action(),
            align="center",
            spacing="3",
            width="100%",
            max_width="1100px",
            margin_x="auto",
            padding=["10px 12px", "12px 20px"],
        ),
        style={
            "position": "sticky",
            "top": "0",
            "zIndex": "10",
            "background": rx.color("gray", 1),
            "borderBottom": f"1px solid {rx.color('gray', 5)}",
        },
    )


def _section(id: str, title: str, subtitle: str, *children: rx.Component) -> rx.Component:
    return rx.el.section(
        rx.vstack(
            rx.heading(title, size=rx.breakpoints(initial="6", md="7"), as_="h2", text_align="center"),
            rx.text(subtitle, size="3", color_scheme="gray", text_align="center", max_width="640px"),
            *children,
            align="center",
            spacing="5",
            width="100%",
            max_width="1100px",
            margin_x="auto",
        ),
        id=id,
        style={"padding": "56px 16px", "scrollMarginTop": "64px"},
        aria_label=title,
    )


def _hero() -> rx.Component:
    return rx.el.section(
        rx.vstack(
            rx.badge("Open source · Python · Reflex", variant="soft", size="2", radius="full"),
            rx.heading(
                "Everything a SaaS needs on day one, in Python",
                size=rx.breakpoints(initial="8", md="9"),
                as_="h1",
                text_align="center",
                max_width="820px",
                id="landing-title",
            ),
            rx.text(
                "FluxKit is a starter kit for web apps people pay for: accounts and sessions, tasks, "
                "mail, chat, a calendar, notifications, organizations, billing and a REST API, all live "
                "and all tested. Clone it, run it, and build your product on it.",
                size=rx.breakpoints(initial="3", md="4"),
                color_scheme="gray",
                text_align="center",
                max_width="680px",
            ),
            _calls_to_action(size="3", hero=True),
            align="center",
            spacing="5",
            width="100%",
        ),
        style={"padding": "72px 16px 40px"},
        aria_label="FluxKit",
    )


def _feature_card(icon: str, title: str, text: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.center(
                rx.icon(icon, size=20, color=rx.color("accent", 11)),
                bg=rx.color("accent", 3),
                border_radius="8px",
                width="36px",
                height="36px",
            ),
            rx.heading(title, size="4", as_="h3"),
            rx.text(text, size="2", color_scheme="gray"),
            spacing="2",
        ),
        width="100%",
    )


def _features() -> rx.Component:
    return _section(
        "features",
        "The pages your users expect, already built",
        "Each one is a real page of the app, on real data, updated live for everyone who has it open.",
        rx.grid(
            *[_feature_card(*feature) for feature in FEATURES],
            columns=rx.breakpoints(initial="1", sm="2", md="3"),
            spacing="4",
            width="100%",
            id="landing-features",
        ),
        rx.grid(
            *[
                rx.hstack(
                    rx.icon(icon, size=20, color=rx.color("accent", 11), flex_shrink="0"),
                    rx.vstack(
                        rx.text(title, weight="bold", size="3"),
                        rx.text(text, size="2", color_scheme="gray"),
                        spacing="1",
                    ),
                    spacing="3",
                    align="start",
                )
                for icon, title, text in PROMISES
            ],
            columns=rx.breakpoints(initial="1", md="3"),
            spacing="5",
            width="100%",
            padding_top="16px",
        ),
    )


def _price(plan: plans.Plan) -> rx.Component:
    if not plan.paid:
        return rx.hstack(rx.text("$0", size="7", weight="bold"), rx.text("forever", color_scheme="gray"), spacing="2")
    return rx.vstack(
        rx.hstack(
            rx.text(plans.dollars(plan.monthly_cents), size="7", weight="bold"),
            rx.text("per month", color_scheme="gray"),
            align="baseline",
            spacing="2",
        ),
        rx.text(
            f"or {plans.dollars(plan.yearly_cents)} a year ({plans.yearly_saving_months(plan)} months free)",
            size="1",
            color_scheme="gray",
        ),
        spacing="0",
    )


def _plan_card(plan: plans.Plan) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(plan.name, size="5", as_="h3"),
                rx.badge("Most popular", variant="solid", flex_shrink="0") if plan.popular else rx.fragment(),
                justify="between",
                align="center",
                width="100%",
                wrap="wrap",
                spacing="2",
            ),
            rx.text(plan.tagline, size="2", color_scheme="gray"),
            _price(plan),
            rx.vstack(
                *[
                    rx.hstack(
                        rx.icon("check", size=16, color=rx.color("green", 11), flex_shrink="0"),
                        rx.text(line, size="2"),
                        align="center",
                        spacing="2",
                    )
                    for line in plans.highlights(plan)
                ],
                spacing="2",
                flex="1",
            ),
            rx.cond(
                LandingState.signed_in,
                rx.link(rx.button("See plans", variant="soft", width="100%"), href=routes.PRICING, width="100%"),
                rx.link(
                    rx.button(
                        "Start free" if not plan.paid else f"Start with {plan.name}",
                        variant="solid" if plan.popular else "soft",
                        width="100%",
                    ),
                    href=routes.SIGN_UP if not plan.paid else f"{routes.SIGN_UP}?redirect={routes.PRICING}",
                    width="100%",
                ),
            ),
            spacing="4",
            height="100%",
        ),
        id=f"landing-plan-{plan.id}",
        width="100%",
        border=f"2px solid {rx.color('accent', 8)}" if plan.popular else None,
    )


def _pricing() -> rx.Component:
    return _section(
        "pricing",
        "Simple plans",
        "Start free. Upgrade when you need more active tasks and CSV export; yearly billing saves two months.",
        rx.grid(
            *[_plan_card(plan) for plan in plans.PLANS],
            columns=rx.breakpoints(initial="1", sm="2", lg="4"),
            spacing="4",
            width="100%",
            id="landing-plans",
        ),
    )


def _faq() -> rx.Component:
    return _section(
        "faq",
        "Questions, answered",
        "A few from the FAQ every FluxKit account can read and search.",
        rx.cond(
            LandingState.faqs.length() > 0,
            rx.accordion.root(
                rx.foreach(
                    LandingState.faqs,
                    lambda faq, index: rx.accordion.item(
                        header=faq.question,
                        content=rx.markdown(faq.answer, use_raw=False, use_math=False, use_katex=False, width="100%"),
                        value="faq-" + index.to_string(),
                        class_name="landing-faq",
                    ),
                ),
                collapsible=True,
                type="single",
                variant="ghost",
                width="100%",
                max_width="760px",
                id="landing-faq",
            ),
            rx.center(rx.spinner(), padding="16px"),
        ),
    )


def _footer() -> rx.Component:
    return rx.el.footer(
        rx.flex(
            _brand(),
            rx.text("The Python SaaS starter kit.", size="2", color_scheme="gray"),
            rx.spacer(display=["none", "none", "block"]),
            rx.hstack(
                rx.link("Features", href="#features", size="2"),
                rx.link("Pricing", href="#pricing", size="2"),
                rx.link("FAQ", href="#faq", size="2"),
                rx.link("Sign in", href=routes.SIGN_IN, size="2"),
                rx.link("Sign up", href=routes.SIGN_UP, size="2"),
                spacing="4",
                wrap="wrap",
            ),
            direction=rx.breakpoints(initial="column", md="row"),
            align=rx.breakpoints(initial="start", md="center"),
            gap="12px",
            width="100%",
            max_width="1100px",
            margin_x="auto",
            padding="24px 16px",
        ),
        style={"borderTop": f"1px solid {rx.color('gray', 5)}", "background": rx.color("gray", 2)},
        id="landing-footer",
    )


def page() -> rx.Component:
    return rx.box(
        _header(),
        rx.el.main(_hero(), _features(), _pricing(), _faq(), id="landing"),
        _footer(),
        width="100%",
        min_height="100vh",
        overflow_x="hidden",
    )
