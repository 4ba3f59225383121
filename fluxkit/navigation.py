"""The sidebar's pages: one list, read by the shell (its links) and the command palette (its
"Pages" section), so neither UI module imports the other for it."""

from __future__ import annotations

from fluxkit.routes import DASHBOARD, PRICING, SETTINGS

# Only pages that exist are listed (no placeholders).
# Shown to admins only (the pages themselves answer "not found" to everyone else).
ADMIN_ONLY = frozenset({"/users"})
NAV_ITEMS: list[tuple[str, str, str]] = [
    ("Dashboard", DASHBOARD, "layout-dashboard"),
    ("Tasks", "/tasks", "list-todo"),
    ("Mail", "/mail", "mail"),
    ("Chat", "/chat", "message-circle"),
    ("Calendar", "/calendar", "calendar"),
    ("Notifications", "/notifications", "bell"),
    ("Organizations", "/organizations", "building-2"),
    ("Pricing", PRICING, "credit-card"),
    ("Users", "/users", "users"),
    ("FAQs", "/faqs", "circle-help"),
    ("Settings", SETTINGS, "settings"),
]
