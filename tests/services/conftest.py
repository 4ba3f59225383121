"""Helpers for service tests: accounts made through the real flows."""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest

from fluxkit.services import accounts
from fluxkit.services.audit import RequestMeta

META = RequestMeta(ip="198.51.100.7", user_agent="pytest-browser/1.0")
PASSWORD = "a long and unusual passphrase"


def link_token(message: EmailMessage) -> str:
    match = re.search(r"token=([\w-]+)", message.get_content())
    assert match, f"no link with a token in:\n{message.get_content()}"
    return match.group(1)


@pytest.fixture
def make_user(db, clock):
    """A verified account, made through sign-up and the emailed verification link."""

    def make(email: str = "ada@example.com", password: str = PASSWORD, name: str = "Ada"):
        [message] = accounts.sign_up(db, name=name, email=email, password=password, meta=META, clock=clock)
        db.commit()
        user = accounts.verify_email(db, link_token(message), META, clock)
        db.commit()
        return user

    return make


@pytest.fixture
def sign_in(db, clock):
    def sign(email: str = "ada@example.com", password: str = PASSWORD, meta: RequestMeta = META):
        token, identity = accounts.sign_in(db, email=email, password=password, meta=meta, clock=clock)
        db.commit()
        return token, identity

    return sign
