"""The production server's outer gates, over real HTTP and websocket handshakes."""

from __future__ import annotations

import re
import socket
from urllib.parse import urlsplit

import httpx
import pytest

from fluxkit.fluxkit import SIGNED_IN_ROUTES
from fluxkit.routes import protected_prefixes

# The first test also waits for the production build.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]


@pytest.mark.parametrize("path", protected_prefixes(SIGNED_IN_ROUTES))
def test_protected_pages_redirect_before_any_html(live_app, path):
    response = httpx.get(f"{live_app.url}{path}?tab=2", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == f"/sign-in?redirect={path}%3Ftab%3D2"
    assert b"<html" not in response.content.lower()


def test_a_forged_cookie_is_not_a_session(live_app):
    response = httpx.get(
        f"{live_app.url}/dashboard",
        cookies={"fluxkit.session_token": "x" * 43},
        follow_redirects=False,
    )
    assert response.status_code == 307


def test_public_pages_are_served(live_app):
    for path in ("/sign-in", "/sign-up", "/forgot-password"):
        response = httpx.get(f"{live_app.url}{path}", follow_redirects=True)
        assert response.status_code == 200
        assert b"<html" in response.content.lower()
    alias = httpx.get(f"{live_app.url}/login?redirect=/tasks", follow_redirects=False)
    assert alias.status_code == 308 and alias.headers["location"] == "/sign-in?redirect=/tasks"


def _websocket_handshake(url: str, origin: str) -> str:
    parts = urlsplit(url)
    request = (
        "GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: {origin}\r\n\r\n"
    )
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request.encode())
        return sock.recv(4096).decode("latin-1").split("\r\n", 1)[0]


def test_websocket_refuses_a_foreign_origin(live_app):
    assert " 101 " in _websocket_handshake(live_app.url, live_app.url)
    assert " 101 " not in _websocket_handshake(live_app.url, "http://evil.example")


def test_cors_answers_only_the_app_origin(live_app):
    def preflight(origin: str) -> httpx.Response:
        return httpx.options(
            f"{live_app.url}/api/auth/get-session",
            headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
        )

    assert preflight(live_app.url).headers.get("access-control-allow-origin") == live_app.url
    assert "access-control-allow-origin" not in preflight("http://evil.example").headers


def test_pages_static_files_and_the_api_carry_the_security_headers(live_app):
    """The production server: a page, the built JS it loads, the favicon and the API."""
    page = httpx.get(f"{live_app.url}/sign-in", follow_redirects=True)
    scripts = [src for src in _script_sources(page.text) if src.startswith("/")]
    assert scripts, page.text[:500]
    for response in (
        page,
        httpx.get(f"{live_app.url}{scripts[0]}"),
        httpx.get(f"{live_app.url}/favicon.ico"),
        httpx.get(f"{live_app.url}/api/health"),
        httpx.get(f"{live_app.url}/api/v1/tasks"),
        httpx.get(f"{live_app.url}/dashboard", follow_redirects=False),
    ):
        headers = response.headers
        assert "frame-ancestors 'self'" in headers.get("content-security-policy", ""), response.url
        assert headers.get("x-frame-options") == "SAMEORIGIN", response.url
        assert headers.get("x-content-type-options") == "nosniff", response.url
        assert headers.get("referrer-policy") == "strict-origin-when-cross-origin", response.url
        assert headers.get("permissions-policy"), response.url


def _script_sources(html: str) -> list[str]:
    return re.findall(r'<script[^>]+src="([^"]+)"', html) + re.findall(r'<link[^>]+href="([^"]+\.js)"', html)
