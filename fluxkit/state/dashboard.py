"""Dashboard: a welcome page built from the user's own account data."""

from __future__ import annotations

import reflex as rx

from fluxkit.db import session_scope
from fluxkit.services import profile
from fluxkit.state.session import SignedInState


class DashboardState(SignedInState):
    name: str = ""
    email: str = ""
    email_verified: bool = False
    member_since: str = ""
    active_sessions: int = 0
    activity: list[profile.Activity] = []
    loaded: bool = False

    @rx.event
    def load(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with session_scope() as db:
            data = profile.overview(db, me)
        self.name = data.name
        self.email = data.email
        self.email_verified = data.email_verified
        self.member_since = data.member_since
        self.active_sessions = data.active_sessions
        self.activity = data.activity
        self.loaded = True
        return None
