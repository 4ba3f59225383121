"""The sidebar's pages: one list, read by the shell (its links) and the command palette (its
"Pages" section), so neither UI module imports the other for it."""

from __future__ import annotations

from fluxkit import routes
from fluxkit.routes import DASHBOARD, PRICING, SETTINGS

# Only pages that exist are listed (no placeholders).
# Shown to admins only (the pages themselves answer "not found" to everyone else).
ADMIN_ONLY = frozenset({routes.USERS})
NAV_ITEMS: list[tuple[str, str, str]] = [
    ("Dashboard", DASHBOARD, "layout-dashboard"),
    ("Tasks", routes.TASKS, "list-todo"),
    ("Mail", routes.MAIL, "mail"),
    ("Chat", routes.CHAT, "message-circle"),
    ("Calendar", routes.CALENDAR, "calendar"),
    ("Notifications", routes.NOTIFICATIONS, "bell"),
    ("Organizations", routes.ORGANIZATIONS, "building-2"),
    ("Pricing", PRICING, "credit-card"),
    ("Users", routes.USERS, "users"),
    ("FAQs", routes.FAQS, "circle-help"),
    ("Settings", SETTINGS, "settings"),
]

# The settings sub-pages, in sub-navigation order: (label, slug under /settings, icon).
# /settings opens the first; the palette lists them all.
SETTINGS_PAGES: list[tuple[str, str, str]] = [
    ("Profile", "profile", "user"),
    ("Account and security", "account", "shield"),
    ("Appearance", "appearance", "palette"),
    ("Notifications", "notifications", "bell"),
    ("Billing", "billing", "credit-card"),
    ("API keys", "api-keys", "key-round"),
    ("Your data", "data", "database"),
]


def settings_path(slug: str) -> str:
    return f"{SETTINGS}/{slug}"
