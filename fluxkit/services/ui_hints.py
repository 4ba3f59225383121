"""First-paint hints: what a signed-in page should look like before its data arrives.

The edge gate (api/gates.py) sends these with every signed-in page's HTML in the
`fluxkit.ui` cookie; a few lines in the page's head (assets/first_paint.js) read it before the
first paint, so a dark-theme user never sees the light theme, the sidebar shows the user's
organization and an admin's Users item from the start. They are display hints only: readable
by JavaScript, never trusted for anything (every page and handler re-checks who is signed in).
"""

from __future__ import annotations

import dataclasses
from urllib.parse import quote, urlencode

from sqlmodel import Session

from fluxkit.models.accounts import User
from fluxkit.services import organizations, preferences
from fluxkit.services.dto import Identity

COOKIE_NAME = "fluxkit.ui"
MAX_ORG_NAME = 80


@dataclasses.dataclass(frozen=True)
class UiHints:
    theme: str
    accent: str
    density: str
    org: str  # the active organization's name; "" for personal work
    admin: bool


def for_identity(db: Session, identity: Identity) -> UiHints:
    user = db.get(User, identity.user.id)
    org = organizations.active_org(db, identity.user.id)
    return UiHints(
        theme=user.theme if user.theme in preferences.THEMES else "system",
        accent=user.accent if user.accent in preferences.ACCENTS else "violet",
        density=user.density,
        org=org.name[:MAX_ORG_NAME] if org else "",
        admin=identity.user.is_admin,
    )


def encode(hints: UiHints) -> str:
    """The cookie's value: a query string, percent-encoded so every character is cookie-safe."""
    query = urlencode(
        {"t": hints.theme, "a": hints.accent, "d": hints.density, "o": hints.org, "adm": "1" if hints.admin else "0"}
    )
    return quote(query, safe="")
