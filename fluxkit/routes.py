"""The app's page paths in one place; every link, redirect and page registration uses these.

Which pages need a session is not listed here: the edge gate protects the routes of the
signed-in pages `fluxkit.py` registers (`SIGNED_IN_PAGES`), so a new page is protected by
being registered as one, and no second list can forget it.
"""

from __future__ import annotations

from collections.abc import Iterable

HOME = "/"
SIGN_IN = "/sign-in"
SIGN_UP = "/sign-up"
FORGOT_PASSWORD = "/forgot-password"
RESET_PASSWORD = "/reset-password"
VERIFY_EMAIL = "/verify-email"
TWO_FACTOR = "/two-factor"  # the second step of sign-in (code or backup code)
LOGIN = "/login"  # old names, kept as redirects
REGISTER = "/register"

DASHBOARD = "/dashboard"
TASKS = "/tasks"
MAIL = "/mail"
CHAT = "/chat"
CALENDAR = "/calendar"
NOTIFICATIONS = "/notifications"
ORGANIZATIONS = "/organizations"
INVITE = "/invite"  # /invite/<invitation id>
USERS = "/users"
FAQS = "/faqs"
SETTINGS = "/settings"
PRICING = "/pricing"
PRICING_SUCCESS = PRICING + "/success"  # Stripe Checkout returns here
PRICING_CANCEL = PRICING + "/cancel"

# Pages a signed-in user is sent away from (to `redirect` or the dashboard).
AUTH_PAGES = frozenset({SIGN_IN, SIGN_UP, FORGOT_PASSWORD, TWO_FACTOR})

PAGE_ALIASES = {LOGIN: SIGN_IN, REGISTER: SIGN_UP}


def protected_prefixes(signed_in_routes: Iterable[str]) -> tuple[str, ...]:
    """The path prefixes the edge gate protects: each route up to its first dynamic part.

    `/invite/[invitation_id]` protects `/invite` and below; a prefix already inside a
    shorter one (`/pricing/success` in `/pricing`) is left out.
    """
    prefixes = set()
    for route in signed_in_routes:
        static = route.split("/[", 1)[0].rstrip("/")
        if not static.startswith("/") or static == "":
            raise ValueError(f"A signed-in page needs a path of its own to protect, not {route!r}.")
        prefixes.add(static)
    return tuple(sorted(p for p in prefixes if not any(p.startswith(q + "/") for q in prefixes)))


def is_protected(path: str, prefixes: Iterable[str]) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in prefixes)
