"""The HTTP stack as Reflex assembles it, driven through Starlette's test client.

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
from email.message import EmailMessage
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from fluxkit.api.app import create_api
from fluxkit.db import session_scope
from fluxkit.fluxkit import app as fluxkit_app
from fluxkit.services import accounts
from fluxkit.services.audit import RequestMeta
from fluxkit.settings import get_settings

PASSWORD = "a long and unusual passphrase"
BASE_URL = "http://localhost:3000"
IP = "203.0.113.9"


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
    for layer in fluxkit_app.api_transformer[1:]:  # the layers around create_api(), as registered
        wrapped = layer(wrapped)
    top = Starlette()
    top.mount("", wrapped)
    _add_cors(top)
    return top


@pytest.fixture
def app(engine):
    return build_app()


@pytest.fixture
def new_client(app):
    """A browser of its own (own cookie jar), from a given address."""

    def make(ip: str = IP, base_url: str = BASE_URL, **kwargs) -> TestClient:
        return TestClient(app, base_url=base_url, client=(ip, 40000), follow_redirects=False, **kwargs)

    return make


@pytest.fixture
def client(new_client) -> TestClient:
    return new_client()


def create_user(email: str = "ada@example.com", password: str = PASSWORD, name: str = "Ada"):
    with session_scope() as db:
        return accounts.create_verified_user(
            db, accounts.NewUser(email, name, password), RequestMeta(ip="127.0.0.1", user_agent="setup")
        )


def cookie_name() -> str:
    return get_settings().session_cookie_name


def sign_in(client: TestClient, email: str = "ada@example.com", password: str = PASSWORD, **kwargs):
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
