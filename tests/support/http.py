"""FluxKit's HTTP stack as Reflex assembles it, driven through Starlette's test client.

fluxkit.py passes `api_transformer=[create_api(), *outer_layers(SIGNED_IN_ROUTES)]`; Reflex then
(reflex.app.App.__call__) adds its CORS middleware to the FastAPI transformer, mounts its
own app inside it, wraps the result in the outer layers, and mounts all of that in a
top-level Starlette app that gets the same CORS middleware (App._add_cors). `build_app`
does the same with the app's own outer layers (so the edge gate protects what the app
registers), with a stand-in for Reflex's pages that answers "page <path>".
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from sqlmodel import Session
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from fluxkit.api.app import create_api
from fluxkit.db import session_scope
from fluxkit.fluxkit import app as fluxkit_app
from fluxkit.services import api_keys, notifications
from fluxkit.services.dto import UserInfo
from fluxkit.settings import get_settings
from tests.support.factories import PASSWORD, make_task, make_user

BASE_URL = "http://localhost:3000"
IP = "203.0.113.9"
V1 = "/api/v1"


async def pages(scope, receive, send):
    """Stands in for Reflex's frontend: any page it serves says which path it was."""
    await PlainTextResponse(f"page {scope['path']}")(scope, receive, send)


def _add_cors(app: Starlette) -> None:
    # As reflex.app.App._add_cors, with rxconfig's origins (FluxKit's trusted origins).
    app.add_middleware(
        CORSMiddleware,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
        allow_origins=list(get_settings().trusted_origins),
    )


def build_app():
    api = create_api()
    _add_cors(api)
    api.mount("", pages)
    wrapped = api
    registered = list(fluxkit_app.api_transformer)
    around = next(i for i, layer in enumerate(registered) if isinstance(layer, Starlette)) + 1
    for layer in registered[around:]:  # the layers around create_api(), as registered
        wrapped = layer(wrapped)
    top = Starlette()
    top.mount("", wrapped)
    _add_cors(top)
    return top


def cookie_name() -> str:
    return get_settings().session_cookie_name


def sign_in(client: TestClient, email: str = "ada@example.com", password: str = PASSWORD, **kwargs):
    """Sign in through /api/auth (the browser's cookie jar keeps the session)."""
    response = client.post("/api/auth/sign-in/email", json={"email": email, "password": password}, **kwargs)
    assert response.status_code == 200, response.text
    return response


def signed_in_client(new_client, email: str = "ada@example.com", password: str = PASSWORD, ip: str = IP) -> TestClient:
    browser = new_client(ip)
    sign_in(browser, email, password)
    assert browser.cookies.get(cookie_name())
    return browser


def session_of(browser: TestClient):
    """What get-session answers for this browser (None when signed out)."""
    response = browser.get("/api/auth/get-session")
    assert response.status_code == 200
    return response.json()


def emails(outbox: Path, to: str | None = None, subject: str | None = None) -> list[EmailMessage]:
    found = []
    for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if to and message["To"] != to:
            continue
        if subject and subject not in message["Subject"]:
            continue
        found.append(message)
    return found


def link_in(message: EmailMessage) -> str:
    match = re.search(r"https?://\S+token=[\w-]+", message.get_content())
    assert match, message.get_content()
    return match.group(0)


def token_in(message: EmailMessage) -> str:
    return link_in(message).rsplit("token=", 1)[1]


@dataclass(frozen=True)
class Account:
    user: UserInfo
    key: str
    key_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


def make_account(db: Session, email: str, name: str) -> Account:
    """A new user and an API key of theirs."""
    user = make_user(db, email, name)
    new = api_keys.create_key(db, user.id, f"{name}'s script")
    db.commit()
    return Account(user=user, key=new.key, key_id=new.row.id)


def add_task(account: Account, **data) -> int:
    with session_scope() as db:
        return make_task(db, account.user.id, **{"title": "A task", **data}).id


def add_notification(account: Account, title: str = "Hello") -> int:
    with session_scope() as db:
        notifications.notify(db, account.user.id, "system", title, "Something happened.")
        return notifications.latest(db, account.user.id, 1)[0].id
