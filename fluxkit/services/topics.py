"""The live-update topics, in one place: what a service announces and what a tab re-reads.

A service announces `live.touch(db, user_id, topics.TASKS)` after a change; fluxkit.py's
LIVE_HANDLERS names, per topic, the states that re-read it. Both sides spell topics with
these constants, and an unknown topic is refused on either side, so a typo cannot make an
announcement that nobody hears.
"""

from __future__ import annotations

TASKS = "tasks"
NOTIFICATIONS = "notifications"
MAIL = "mail"
CHAT = "chat"
CALENDAR = "calendar"
BILLING = "billing"  # the plan changed (a Stripe webhook)
ORGANIZATIONS = "organizations"
ACCOUNT = "account"  # a user's own role or status changed: their tabs re-check who they are
USERS = "users"  # the users list of every admin
FAQS = "faqs"  # global: announced to every signed-in tab
API_KEYS = "api_keys"
PASSKEYS = "passkeys"  # a passkey added, renamed, removed or used to sign in
PREFERENCES = "preferences"
PROFILE = "profile"
DASHBOARD = "dashboard"  # a checklist step dismissed

ALL = frozenset(
    {
        TASKS,
        NOTIFICATIONS,
        MAIL,
        CHAT,
        CALENDAR,
        BILLING,
        ORGANIZATIONS,
        ACCOUNT,
        USERS,
        FAQS,
        API_KEYS,
        PASSKEYS,
        PREFERENCES,
        PROFILE,
        DASHBOARD,
    }
)


def check(*names: str) -> None:
    """Refuse a topic that is not one of the above (a typo would be a silent no-op)."""
    unknown = sorted(set(names) - ALL)
    if unknown:
        raise ValueError(f"Unknown live topic(s) {unknown}; use a constant of fluxkit/services/topics.py.")
