"""Test data made through the services, as the app makes it: users, sessions, tasks, organizations.

Each factory commits, so what it makes is visible to the app, other sessions and other processes.
"""

from __future__ import annotations

import re
from email.message import EmailMessage

from sqlmodel import Session

from fluxkit.clock import Clock, system_clock
from fluxkit.models import User
from fluxkit.services import accounts, billing, passwords, plans, tasks
from fluxkit.services import organizations as orgs
from fluxkit.services.audit import RequestMeta
from fluxkit.services.billing import webhooks as billing_webhooks
from fluxkit.services.dto import Identity, UserInfo

PASSWORD = "a long and unusual passphrase"
META = RequestMeta(ip="198.51.100.7", user_agent="pytest-browser/1.0")
# argon2's smallest parameters, for accounts the tests make (tests/conftest.py): production
# cost would spend ~0.1 s of CPU on every one of them.
TEST_HASH_COST = passwords.HashCost(memory_kib=8, iterations=1, lanes=1)


def link_token(message: EmailMessage) -> str:
    """The token of the first `?token=` link in an email."""
    match = re.search(r"token=([\w-]+)", message.get_content())
    assert match, f"no link with a token in:\n{message.get_content()}"
    return match.group(1)


def make_user(
    db: Session,
    email: str = "ada@example.com",
    name: str = "Ada",
    *,
    password: str = PASSWORD,
    admin: bool = False,
    timezone: str = "UTC",
    verified: bool = True,
    sign_up: bool = False,
    clock: Clock = system_clock,
) -> UserInfo:
    """An account that can sign in, made as `fluxkit create-user` makes it.

    `sign_up=True` makes it as a visitor does instead (sign-up, then the emailed link), with
    that flow's audit events and announcements; `verified=False` stops before the link.
    """
    if sign_up or not verified:
        [message] = accounts.sign_up(db, name=name, email=email, password=password, meta=META, clock=clock)
        db.commit()
        if verified:
            accounts.verify_email(db, link_token(message), META, clock)
        info = UserInfo.of(accounts.user_by_email(db, accounts.normalize_email(email)))
    else:
        info = accounts.create_verified_user(db, accounts.NewUser(email, name, password), META, clock)
    if admin or timezone != "UTC":
        user = db.get(User, info.id)
        user.role = "admin" if admin else user.role
        user.timezone = timezone
        db.add(user)
        db.flush()
        info = UserInfo.of(user)
    db.commit()
    return info


def make_session(
    db: Session,
    email: str = "ada@example.com",
    password: str = PASSWORD,
    *,
    meta: RequestMeta = META,
    clock: Clock = system_clock,
) -> tuple[str, Identity]:
    """Sign in: (the session token a browser would hold in its cookie, who it is)."""
    token, identity = accounts.sign_in(db, email=email, password=password, meta=meta, clock=clock)
    db.commit()
    return token, identity


def make_signed_in(db: Session, email: str = "ada@example.com", name: str = "Ada") -> tuple[UserInfo, str, Identity]:
    """A new account and one session of it: (user, session token, identity)."""
    return make_user(db, email, name), *make_session(db, email)


def make_task(db: Session, user_id: int, title: str = "Write the docs", *, clock: Clock = system_clock, **fields):
    row = tasks.create_task(db, user_id, {"title": title, **fields}, clock)
    db.commit()
    return row


def make_tasks(db: Session, user_id: int, count: int) -> None:
    """`count` tasks titled "Task 0", "Task 1", ..."""
    for n in range(count):
        tasks.create_task(db, user_id, {"title": f"Task {n}"})
    db.commit()


def make_subscription(db: Session, double, user_id: int, plan: str = plans.BASIC, interval: str = plans.MONTHLY) -> str:
    """Checkout, paid on the Stripe double's page, its webhooks applied: the subscription's id.

    `double` is the StripeDouble (tests/support/stripe_double.py) that billing is pointed at.
    """
    url = billing.start_checkout(db, user_id, plan, interval)
    db.commit()
    events = double.complete_checkout(url.rstrip("/").rsplit("/", 1)[1])
    apply_webhooks(db, events)
    return events[0]["data"]["object"]["id"]


def apply_webhooks(db: Session, events: list[dict]) -> None:
    """What FluxKit does with the events Stripe sends (the double's changes return them)."""
    for event in events:
        billing_webhooks.handle_event(db, event, client=billing.stripe_client())
        db.commit()


def invitation_id(message: EmailMessage) -> str:
    """The invitation in an organization's invitation email."""
    match = re.search(r"/invite/([\w-]+)", message.get_content())
    assert match, message.get_content()
    return match.group(1)


def make_organization(
    db: Session,
    owner_id: int,
    name: str = "Acme Inc",
    slug: str = "",
    *,
    members: dict[int, str] | None = None,
    clock: Clock = system_clock,
):
    """An organization owned by `owner_id`; `members` (user id -> role) invited and accepted."""
    org = orgs.create(db, owner_id, name, slug, clock=clock)
    for user_id, role in (members or {}).items():
        invited = orgs.invite(db, owner_id, org.id, db.get(User, user_id).email, role, clock=clock)
        orgs.accept(db, user_id, invitation_id(invited.messages[0]), clock=clock)
    db.commit()
    return org
