"""Resending verification emails: capped per account, with one answer whatever happens."""

from __future__ import annotations

from fluxkit.db import session_scope
from fluxkit.services import accounts
from fluxkit.services.audit import RequestMeta


def test_resend_is_capped_per_account_without_telling(new_client, outbox):
    with session_scope() as db:
        accounts.sign_up(db, name="Una", email="una@example.com", password="unverified passphrase", meta=RequestMeta())
    answers = [
        new_client(f"198.51.100.{n}").post("/api/auth/send-verification-email", json={"email": "UNA@example.com"})
        for n in range(5)
    ]
    assert {(a.status_code, a.json()["message"]) for a in answers} == {(200, answers[0].json()["message"])}
    # Three new links an hour, from however many addresses.
    assert len(list(outbox.glob("*.eml"))) == 3
