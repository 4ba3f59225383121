"""A loopback OpenID Connect provider the tests run: discovery, JWKS, an authorize endpoint
that consents at once, a token endpoint issuing RS256 ID tokens signed with authlib.jose,
and userinfo. A small FastAPI app served by uvicorn in a thread on 127.0.0.1:<free port>.

It checks what a real provider checks: the client's id and secret, the redirect URI, PKCE
(S256: the verifier must hash to the challenge), and each code is used once. Who signs in is
set by the test: `provider.person = Person(sub=..., email=..., email_verified=...)`.

It also answers GitHub's two REST calls (`/github/user`, `/github/user/emails`) with the
person, so FluxKit's GitHub code path can run against it (`social_providers.GITHUB`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import secrets
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

import uvicorn
from authlib.deprecate import AuthlibDeprecationWarning
from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse

from tests.support.live_server import free_port

with warnings.catch_warnings():
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.jose import JsonWebKey, jwt

CLIENT_ID = "fluxkit-test-client"
CLIENT_SECRET = "fluxkit-test-secret"


@dataclass
class Person:
    sub: str = "person-1"
    email: str = "oidc.person@example.com"
    email_verified: bool = True
    name: str = "Olive Idc"
    # GitHub's answers: its numeric id, and whether the primary address is verified.
    github_id: int = 4242


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str
    person: Person
    used: bool = False


@dataclass
class OIDCProvider:
    port: int = field(default_factory=free_port)
    person: Person = field(default_factory=Person)
    # Overrides for tests of a misbehaving provider: a different nonce in the ID token, etc.
    id_token_nonce: str | None = None
    key_id: str = "test-key-1"
    # Signs ID tokens with this key instead of the published one (a forged token).
    rogue_key: object | None = None

    def __post_init__(self) -> None:
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": self.key_id})
        self.grants: dict[str, Grant] = {}
        self.tokens: dict[str, Person] = {}
        self.token_requests: list[dict] = []
        self.lock = threading.Lock()
        self.app = self._build()

    def env(self, name: str = "Test IdP") -> dict[str, str]:
        """FluxKit's settings for this provider as the generic OpenID Connect one."""
        return {
            "FLUXKIT_OIDC_ISSUER": self.issuer,
            "FLUXKIT_OIDC_CLIENT_ID": CLIENT_ID,
            "FLUXKIT_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "FLUXKIT_OIDC_NAME": name,
        }

    def reset(self) -> None:
        with self.lock:
            self.person = Person()
            self.id_token_nonce = None
            self.rogue_key = None
            self.grants.clear()
            self.tokens.clear()
            self.token_requests.clear()

    # ---- the app ------------------------------------------------------------------------------

    def _id_token(self, grant: Grant, access_token: str) -> str:
        now = int(time.time())
        digest = hashlib.sha256(access_token.encode()).digest()
        claims = {
            "iss": self.issuer,
            "sub": grant.person.sub,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": self.id_token_nonce if self.id_token_nonce is not None else grant.nonce,
            "at_hash": base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode(),
            "email": grant.person.email,
            "email_verified": grant.person.email_verified,
            "name": grant.person.name,
        }
        header = {"alg": "RS256", "kid": self.key_id}
        return jwt.encode(header, claims, self.rogue_key or self.key).decode()

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            }

        @app.get("/jwks")
        def jwks():
            return {"keys": [self.key.as_dict(is_private=False)]}

        @app.get("/authorize")
        def authorize(request: Request):
            """Consents at once for `self.person` and sends the browser back with a code."""
            q = request.query_params
            if q.get("client_id") != CLIENT_ID or q.get("response_type") != "code":
                return JSONResponse({"error": "unauthorized_client"}, status_code=400)
            if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
                return JSONResponse({"error": "invalid_request", "error_description": "PKCE required"}, 400)
            code = secrets.token_urlsafe(24)
            with self.lock:
                self.grants[code] = Grant(
                    client_id=CLIENT_ID,
                    redirect_uri=q.get("redirect_uri", ""),
                    challenge=q["code_challenge"],
                    nonce=q.get("nonce", ""),
                    person=replace(self.person),
                )
            back = {"code": code, "state": q.get("state", "")}
            return RedirectResponse(f"{q.get('redirect_uri')}?{urlencode(back)}", status_code=302)

        @app.post("/token")
        def token(
            request: Request,
            grant_type: str = Form(""),
            code: str = Form(""),
            redirect_uri: str = Form(""),
            code_verifier: str = Form(""),
            client_id: str = Form(""),
            client_secret: str = Form(""),
        ):
            auth = request.headers.get("authorization", "")
            if auth.startswith("Basic "):
                client_id, _, client_secret = base64.b64decode(auth[6:]).decode().partition(":")
            self.token_requests.append({"code": code, "client_id": client_id})
            if client_id != CLIENT_ID or client_secret != CLIENT_SECRET:
                return JSONResponse({"error": "invalid_client"}, status_code=401)
            with self.lock:
                grant = self.grants.get(code)
                if grant is None or grant.used or grant_type != "authorization_code":
                    return JSONResponse({"error": "invalid_grant"}, status_code=400)
                grant.used = True  # a code works once
            if redirect_uri != grant.redirect_uri:
                return JSONResponse({"error": "invalid_grant", "error_description": "redirect_uri"}, 400)
            challenge = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest()).rstrip(b"=")
            if challenge.decode() != grant.challenge:
                return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
            access_token = secrets.token_urlsafe(24)
            with self.lock:
                self.tokens[access_token] = grant.person
            return {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "scope": "openid email profile",
                "id_token": self._id_token(grant, access_token),
            }

        def _person(request: Request) -> Person | None:
            auth = request.headers.get("authorization", "")
            return self.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None

        @app.get("/userinfo")
        def userinfo(request: Request):
            person = _person(request)
            if person is None:
                return JSONResponse({"error": "invalid_token"}, status_code=401)
            return {
                "sub": person.sub,
                "email": person.email,
                "email_verified": person.email_verified,
                "name": person.name,
            }

        @app.get("/github/user")
        def github_user(request: Request):
            person = _person(request)
            if person is None:
                return JSONResponse({"message": "Bad credentials"}, status_code=401)
            return {"id": person.github_id, "login": person.sub, "name": person.name}

        @app.get("/github/user/emails")
        def github_emails(request: Request):
            person = _person(request)
            if person is None:
                return JSONResponse({"message": "Bad credentials"}, status_code=401)
            return [
                {"email": f"{person.sub}@users.noreply.github.com", "primary": False, "verified": True},
                {"email": person.email, "primary": True, "verified": person.email_verified},
            ]

        return app


@contextlib.contextmanager
def running_provider() -> Iterator[OIDCProvider]:
    provider = OIDCProvider()
    server = uvicorn.Server(
        uvicorn.Config(provider.app, host="127.0.0.1", port=provider.port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, name="oidc-provider", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the OpenID Connect provider did not start")
        time.sleep(0.02)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=10)
