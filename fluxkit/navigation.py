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
