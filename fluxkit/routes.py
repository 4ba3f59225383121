"""The app's paths in one place: what is protected, what is an auth page."""

from __future__ import annotations

SIGN_IN = "/sign-in"
SIGN_UP = "/sign-up"
FORGOT_PASSWORD = "/forgot-password"
RESET_PASSWORD = "/reset-password"
VERIFY_EMAIL = "/verify-email"
DASHBOARD = "/dashboard"
SETTINGS = "/settings"
PRICING = "/pricing"

# The seed's protectedPrefixes, plus /notifications.
PROTECTED_PREFIXES = (
    "/dashboard",
    "/settings",
    "/mail",
    "/tasks",
    "/chat",
    "/calendar",
    "/users",
    "/faqs",
    "/pricing",
    "/notifications",
    "/organizations",
    "/invite",
)

# Pages a signed-in user is sent away from (to `redirect` or the dashboard).
AUTH_PAGES = frozenset({SIGN_IN, SIGN_UP, FORGOT_PASSWORD})

PAGE_ALIASES = {"/login": SIGN_IN, "/register": SIGN_UP}


def is_protected(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PROTECTED_PREFIXES)
