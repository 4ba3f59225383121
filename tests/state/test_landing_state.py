"""The public landing page's state: FAQs from the database for anyone, and which call to
action a visitor gets (signed out: sign up / sign in; signed in: Open dashboard)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fluxkit.models import Faq
from fluxkit.services import sessions
from fluxkit.services.faq_seed import default_rows
from fluxkit.state.landing import FAQ_COUNT, LandingState
from tests.support.states import call, make_root, substate


@pytest.fixture
def seeded(db):
    now = datetime.now(UTC)
    for row in default_rows():
        db.add(Faq(**row, created_at=now, updated_at=now))
    db.commit()


def landing_tab(token) -> LandingState:
    return substate(make_root(token, "/"), LandingState)


async def test_a_signed_out_visitor_reads_faqs_from_the_database_and_gets_sign_up(db, seeded):
    tab = landing_tab(None)
    await call(tab, "load")
    assert tab.signed_in is False
    assert len(tab.faqs) == FAQ_COUNT
    stored = {row["question"] for row in default_rows()}
    assert {faq.question for faq in tab.faqs} <= stored
    assert len({faq.question for faq in tab.faqs}) == FAQ_COUNT


async def test_an_admin_edit_shows_on_the_landing_page(db, seeded):
    first = db.exec(Faq.__table__.select().order_by(Faq.id)).first()
    row = db.get(Faq, first.id)
    row.question = "Is this question straight from the database?"
    db.add(row)
    db.commit()
    tab = landing_tab(None)
    await call(tab, "load")
    assert "Is this question straight from the database?" in [faq.question for faq in tab.faqs]


async def test_a_signed_in_visitor_gets_open_dashboard_and_a_revoked_one_does_not(db, seeded, alice):
    _, token, identity = alice
    tab = landing_tab(token)
    await call(tab, "load")
    assert tab.signed_in is True
    sessions.revoke(db, identity.user.id, identity.session.id)
    db.commit()
    tab = landing_tab(token)
    await call(tab, "load")
    assert tab.signed_in is False
