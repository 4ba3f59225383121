"""First paint: the display hints a signed-in page gets with its HTML, and page addresses
served without the static server's redirect to the trailing slash."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote

from reflex.utils.precompressed_staticfiles import PrecompressedStaticFiles
from starlette.testclient import TestClient

from fluxkit.services import organizations, preferences
from fluxkit.services.ui_hints import COOKIE_NAME
from fluxkit.serving import PagePaths
from tests.support.factories import make_organization, make_user
from tests.support.http import BASE_URL, signed_in_client


def _hints_header(response) -> str | None:
    found = [v for k, v in response.headers.multi_items() if k.lower() == "set-cookie" and v.startswith(COOKIE_NAME)]
    return found[0] if found else None


def _hints(client: TestClient) -> dict[str, str]:
    value = client.cookies.get(COOKIE_NAME)
    assert value, "no first-paint hints"
    return {key: values[0] for key, values in parse_qs(unquote(value), keep_blank_values=True).items()}


def test_sign_in_sends_the_saved_look_the_organization_and_the_role(db, new_client):
    user = make_user(db, admin=True)
    preferences.update(db, user.id, {"theme": "dark", "accent": "blue"})
    org = make_organization(db, user.id, "Acme & Sons")
    organizations.switch(db, user.id, org.id)
    db.commit()
    browser = signed_in_client(new_client)
    assert _hints(browser) == {"t": "dark", "a": "blue", "d": "comfortable", "o": "Acme & Sons", "adm": "1"}
    # Readable by the page's first-paint script, and not the session: no token in it.
    response = browser.get("/dashboard")
    assert response.status_code == 200
    assert _hints_header(response) is None  # unchanged: not sent again


def test_a_changed_setting_reaches_the_next_page_load_and_sign_out_clears_it(db, new_client):
    user = make_user(db)
    browser = signed_in_client(new_client)
    assert _hints(browser)["t"] == "system" and _hints(browser)["adm"] == "0" and _hints(browser)["o"] == ""
    preferences.update(db, user.id, {"theme": "dark"})  # on another device
    db.commit()
    header = _hints_header(browser.get("/tasks"))
    assert header is not None and "httponly" not in header.lower() and "samesite=lax" in header.lower()
    assert _hints(browser)["t"] == "dark"
    browser.post("/api/auth/sign-out", headers={"origin": BASE_URL})
    assert browser.cookies.get(COOKIE_NAME) is None


def test_no_hints_without_a_session(new_client, engine):
    response = new_client().get("/sign-in")
    assert _hints_header(response) is None


def _site(root: Path) -> Path:
    for page in ("tasks", "dashboard"):
        (root / page).mkdir()
        (root / page / "index.html").write_text(f"<html>{page} page</html>")
    (root / "404.html").write_text("<html>not found</html>")
    (root / "favicon.ico").write_bytes(b"icon")
    return root


def test_page_addresses_are_served_in_place_without_the_slash_redirect(tmp_path):
    site = _site(tmp_path)
    bare = TestClient(PrecompressedStaticFiles(directory=site, html=True), follow_redirects=False)
    assert bare.get("/tasks").status_code == 307  # what Starlette's static files do on their own
    client = TestClient(PagePaths(PrecompressedStaticFiles(directory=site, html=True), static_dir=site))
    for path in ("/tasks", "/dashboard", "/tasks/"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 200, path
        assert response.text == f"<html>{path.strip('/')} page</html>"
    assert client.get("/favicon.ico").content == b"icon"
    assert client.get("/nowhere", follow_redirects=False).status_code == 404
    assert client.get("/../etc", follow_redirects=False).status_code == 404
