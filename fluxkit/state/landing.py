"""The public pages' state. The landing page (`/`): a few FAQs from the database, and whether the visitor is
signed in (then the page offers "Open dashboard" instead of sign-up and sign-in).

Public: nothing here belongs to anyone. The FAQs are global and readable without an account;
`signed_in` only chooses which call to action is drawn, and is derived from the server-side
session on every load, never from anything the browser sends.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from fluxkit.db import session_scope
from fluxkit.services import faqs
from fluxkit.state.session import identity_for_cookie

FAQ_COUNT = 4


@dataclass(frozen=True)
class LandingFaq:
    question: str
    answer: str


class VisitorState(rx.State):
    """Public pages (the landing page, the error pages): is this visitor signed in? Only
    chooses which links are drawn ("Open dashboard" or "Sign in"); shows nothing private."""

    signed_in: bool = False

    @rx.event
    def check(self):
        self.signed_in = identity_for_cookie(self.router.headers.cookie) is not None


class LandingState(VisitorState):
    faqs: list[LandingFaq] = []

    @rx.event
    def load(self):
        self.signed_in = identity_for_cookie(self.router.headers.cookie) is not None
        with session_scope() as db:
            rows = faqs.first(db, FAQ_COUNT)
        self.faqs = [LandingFaq(question=row.question, answer=row.answer) for row in rows]
