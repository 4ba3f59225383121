"""The outer gates: foreign Origin refused, CORS only for trusted origins, the edge redirect."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from reflex.utils.precompressed_staticfiles import PrecompressedStaticFiles
from starlette.testclient import TestClient

from fluxkit.api.gates import EdgeGate, OriginGuard
from fluxkit.fluxkit import SIGNED_IN_PAGES, SIGNED_IN_ROUTES
from fluxkit.routes import protected_prefixes
from fluxkit.settings import get_settings
from tests.support.factories import PASSWORD, make_user
from tests.support.http import BASE_URL, cookie_name, pages, session_of, sign_in, signed_in_client

EVIL = "https://evil.example"
NEW_PASSWORD = "a brand new passphrase"


# ---- foreign Origin (CSRF) -----------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": EVIL},
        {"origin": "null"},
        {"origin": "http://localhost:3001"},
        {"origin": "https://localhost:3000"},
        {"referer": f"{EVIL}/page"},
    ],
    ids=["foreign", "null", "other-port", "other-scheme", "referer-only"],
)
def test_cookie_carrying_post_from_a_foreign_origin_is_refused(db, new_client, headers):
    make_user(db)
    browser = signed_in_client(new_client)
    other = signed_in_client(new_client)
    for path, body in [
        ("/api/auth/change-password", {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}),
        ("/api/auth/revoke-other-sessions", {}),
        ("/api/auth/sign-out", {}),
    ]:
        response = browser.post(path, json=body, headers=headers)
        assert response.status_code == 403, path
        assert response.json()["error"] == "forbidden_origin"
    # Nothing changed: both sessions live, the old password still works.
    assert session_of(browser) is not None
    assert session_of(other) is not None
    sign_in(new_client())


def test_the_trusted_origin_may_post_with_its_cookie(db, new_client):
    make_user(db)
    browser = signed_in_client(new_client)
    other = signed_in_client(new_client)
    response = browser.post(
        "/api/auth/revoke-other-sessions", headers={"origin": BASE_URL, "referer": f"{BASE_URL}/settings"}
    )
    assert response.status_code == 200
    assert session_of(other) is None


def test_a_cross_site_form_cannot_sign_a_visitor_in(db, new_client):
    """Login CSRF: a text/plain form can carry JSON-looking text, but it is not JSON."""
    make_user(db)
    visitor = new_client()
    form_body = '{"email":"ada@example.com","password":"' + PASSWORD + '","x":"=' + '"}'
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]:
        response = visitor.post(
            "/api/auth/sign-in/email", content=form_body, headers={"origin": EVIL, "content-type": content_type}
        )
        assert response.status_code != 200, content_type
        assert cookie_name() not in response.headers.get("set-cookie", "")
    assert session_of(visitor) is None


def test_cors_preflight_only_for_the_trusted_origin(client):
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "content-type"}
    foreign = client.options("/api/auth/change-password", headers={"origin": EVIL, **preflight})
    assert "access-control-allow-origin" not in foreign.headers
    assert "access-control-allow-credentials" not in foreign.headers or foreign.status_code >= 400

    trusted = client.options("/api/auth/change-password", headers={"origin": BASE_URL, **preflight})
    assert trusted.status_code == 200
    assert trusted.headers["access-control-allow-origin"] == BASE_URL
    assert trusted.headers["access-control-allow-credentials"] == "true"


def test_cors_does_not_share_answers_with_a_foreign_origin(db, new_client):
    make_user(db)
    browser = signed_in_client(new_client)
    foreign = browser.get("/api/auth/get-session", headers={"origin": EVIL})
    assert "access-control-allow-origin" not in foreign.headers
    trusted = browser.get("/api/auth/get-session", headers={"origin": BASE_URL})
    assert trusted.headers["access-control-allow-origin"] == BASE_URL


def test_reflex_is_configured_with_the_trusted_origins_only():
    from reflex.config import get_config

    origins = get_config().cors_allowed_origins
    assert "*" not in origins
    assert list(origins) == list(get_settings().trusted_origins) == [BASE_URL]


# ---- edge gate --------------------------------------------------------------------------------


def _location_redirect(response) -> str:
    location = response.headers["location"]
    parts = urlsplit(location)
    assert parts.path == "/sign-in" and not parts.netloc
    return parse_qs(parts.query)["redirect"][0]


@pytest.mark.parametrize("path", protected_prefixes(SIGNED_IN_ROUTES))
def test_protected_pages_redirect_to_sign_in_without_a_session(client, path):
    for method in (client.get, client.head):
        response = method(path)
        assert response.status_code == 307
        assert response.headers["location"] == f"/sign-in?redirect={path}"
        assert b"page" not in response.content


def _a_request_path(route: str) -> str:
    """The route as a browser asks for it: a dynamic part (`[invitation_id]`) filled in."""
    return re.sub(r"\[[^]]+\]", "42", route)


@pytest.mark.parametrize("page", SIGNED_IN_PAGES, ids=lambda module: module.ROUTE)
def test_every_registered_signed_in_page_redirects_an_anonymous_request_to_sign_in(client, page):
    path = _a_request_path(page.ROUTE)
    response = client.get(path)
    assert response.status_code == 307, path
    assert _location_redirect(response) == path
    assert b"page" not in response.content


def test_a_page_registered_as_signed_in_is_protected_without_being_listed_anywhere_else(engine):
    """One source of truth: the gate protects what it is given as signed-in routes, nothing kept by hand."""
    gate = EdgeGate(pages, signed_in_routes=["/reports", "/projects/[project_id]"])
    browser = TestClient(gate, base_url=BASE_URL, follow_redirects=False)
    assert browser.get("/reports").status_code == 307
    assert browser.get("/projects/7").status_code == 307
    assert browser.get("/tasks").text == "page /tasks"  # not registered with this gate


def test_the_redirect_keeps_the_path_and_query(client):
    response = client.get("/tasks/42?filter=open&page=2")
    assert response.status_code == 307
    assert _location_redirect(response) == "/tasks/42?filter=open&page=2"


def test_a_valid_session_passes_through_to_the_page(db, new_client):
    make_user(db)
    browser = signed_in_client(new_client)
    for path in ("/dashboard", "/tasks/42", "/settings"):
        response = browser.get(path)
        assert response.status_code == 200
        assert response.text == f"page {path}"


def test_forged_revoked_and_expired_sessions_are_redirected(db, new_client):
    make_user(db)
    forged = new_client()
    forged.cookies.set(cookie_name(), "x" * 43)
    assert forged.get("/dashboard").status_code == 307

    revoked = signed_in_client(new_client)
    token = revoked.cookies.get(cookie_name())
    assert revoked.get("/dashboard").status_code == 200
    assert revoked.post("/api/auth/sign-out").status_code == 200
    revoked.cookies.set(cookie_name(), token)
    assert revoked.get("/dashboard").status_code == 307

    expired = signed_in_client(new_client)
    with time_machine.travel(timedelta(days=7, minutes=1), tick=False):
        assert _location_redirect(expired.get("/dashboard")) == "/dashboard"


def test_a_session_revoked_elsewhere_is_redirected_at_once(db, new_client):
    make_user(db)
    laptop, phone = signed_in_client(new_client), signed_in_client(new_client)
    assert phone.get("/tasks").status_code == 200
    laptop.post("/api/auth/revoke-other-sessions")
    assert phone.get("/tasks").status_code == 307


def test_public_pages_are_served_without_a_session(client):
    for path in ("/", "/sign-in", "/sign-up", "/forgot-password", "/reset-password", "/verify-email", "/dashboardish"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.text == f"page {path}"


@pytest.mark.parametrize(
    "alias, target",
    [
        ("/login", "/sign-in"),
        ("/register", "/sign-up"),
        ("/login/", "/sign-in"),
        ("/login?redirect=/tasks", "/sign-in?redirect=/tasks"),
    ],
)
def test_old_auth_paths_redirect(client, alias, target):
    response = client.get(alias)
    assert response.status_code in (301, 307, 308)
    assert response.headers["location"] == target


@pytest.mark.parametrize(
    "query, target",
    [
        ("?redirect=/tasks", "/tasks"),
        ("?redirect=/tasks%3Ffilter%3Dopen", "/tasks?filter=open"),
        ("?redirect=//evil.example", "/dashboard"),
        ("?redirect=https://evil.example/x", "/dashboard"),
        ("?redirect=/%5Cevil.example", "/dashboard"),
        ("", "/dashboard"),
    ],
)
def test_a_signed_in_user_on_an_auth_page_goes_to_a_safe_redirect(db, new_client, query, target):
    make_user(db)
    browser = signed_in_client(new_client)
    for page in ("/sign-in", "/sign-up", "/forgot-password"):
        response = browser.get(page + query)
        assert response.status_code == 307
        assert response.headers["location"] == target


def test_a_used_session_gets_its_cookie_renewed_at_the_edge(db, new_client):
    make_user(db)
    browser = signed_in_client(new_client)
    assert "set-cookie" not in browser.get("/dashboard").headers
    with time_machine.travel(time.time() + 2 * 24 * 3600, tick=False):
        response = browser.get("/dashboard")
    assert response.status_code == 200
    header = response.headers["set-cookie"]
    assert header.startswith(f"{cookie_name()}={browser.cookies.get(cookie_name())};")
    assert "Max-Age=604800" in header and "HttpOnly" in header


# ---- the edge gate in front of the production static files ---------------------------------


@pytest.fixture
def static_site(tmp_path: Path):
    """A tiny copy of what `reflex export` builds: page.html, page/index.html, 404.html."""
    for page in ("dashboard", "settings", "sign-in"):
        (tmp_path / f"{page}.html").write_text(f"<html>{page} page</html>")
        (tmp_path / page).mkdir()
        (tmp_path / page / "index.html").write_text(f"<html>{page} page</html>")
    (tmp_path / "dashboard.html.gz").write_bytes(b"gzipped dashboard page")
    (tmp_path / "404.html").write_text("<html>not found</html>")
    return tmp_path


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard",
        "/dashboard/",
        "/dashboard.html",
        "/dashboard/index.html",
        "/dashboard.html.gz",
        "/settings.html",
        "//dashboard.html",
        "/dashboard%2F",
    ],
)
def test_no_spelling_of_a_protected_page_serves_its_html(engine, static_site, path):
    site = PrecompressedStaticFiles(directory=static_site, html=True)
    app = OriginGuard(EdgeGate(site, signed_in_routes=SIGNED_IN_ROUTES))
    response = TestClient(app, base_url=BASE_URL, follow_redirects=False).get(path)
    assert b"page" not in response.content, (response.status_code, response.headers.get("location"))
    assert response.status_code in (307, 404)
