"""/api/v1/me: my profile, my preferences and my data export; /api/avatars and the email link."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from fluxkit.db import session_scope
from fluxkit.services import avatars, email, profile
from fluxkit.services.audit import RequestMeta
from tests.support.factories import PASSWORD
from tests.support.http import V1, add_task, make_account, signed_in_client


@pytest.fixture
def ada(db, engine):
    return make_account(db, "ada@example.com", "Ada")


@pytest.fixture
def bob(db, engine):
    return make_account(db, "bob@example.com", "Bob")


def test_get_and_patch_my_profile(api, ada, bob):
    client = api(ada)
    assert client.get(f"{V1}/me").json()["email"] == "ada@example.com"
    answer = client.patch(
        f"{V1}/me",
        json={"company": "Engines Ltd", "website": "https://ada.dev", "timezone": "Asia/Tokyo", "language": "ja"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["company"], body["website"], body["timezone"], body["language"]) == (
        "Engines Ltd",
        "https://ada.dev",
        "Asia/Tokyo",
        "ja",
    )
    assert api(bob).get(f"{V1}/me").json()["company"] == ""  # Bob's own, untouched


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"website": "javascript:alert(1)"}, "website"),
        ({"timezone": "Nowhere/Land"}, "timezone"),
        ({"language": "xx"}, "language"),
        ({"email": "new@example.com"}, "email"),
        ({"role": "admin"}, "role"),
    ],
)
def test_bad_profile_changes_are_422_and_change_nothing(api, ada, body, field):
    client = api(ada)
    answer = client.patch(f"{V1}/me", json={"company": "Kept?", **body})
    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid_input" and field in answer.json()["fields"]
    assert client.get(f"{V1}/me").json()["company"] == ""


def test_preferences_round_trip(api, ada):
    client = api(ada)
    before = client.get(f"{V1}/me/preferences").json()
    assert before["theme"] == "system" and before["notifications"]["mail"] == {
        "in_app": True,
        "email": False,
        "digest": False,
    }
    answer = client.put(
        f"{V1}/me/preferences",
        json={
            "theme": "dark",
            "accent": "teal",
            "density": "compact",
            "quiet_start": "22:00",
            "quiet_end": "07:00",
            "notifications": {"mail": {"email": True}},
        },
    )
    assert answer.status_code == 200, answer.text
    after = client.get(f"{V1}/me/preferences").json()
    assert (after["theme"], after["accent"], after["density"], after["quiet_start"], after["quiet_end"]) == (
        "dark",
        "teal",
        "compact",
        "22:00",
        "07:00",
    )
    assert after["notifications"]["mail"] == {"in_app": True, "email": True, "digest": False}
    half = client.put(f"{V1}/me/preferences", json={"quiet_start": "", "quiet_end": ""})
    assert half.json()["quiet_start"] == ""
    one_end = client.put(f"{V1}/me/preferences", json={"quiet_start": "21:00"})
    assert one_end.status_code == 422 and "quiet_end" in one_end.json()["fields"]
    assert client.put(f"{V1}/me/preferences", json={"theme": "neon"}).status_code == 422
    assert client.put(f"{V1}/me/preferences", json={"notifications": {"mail": {"pigeon": True}}}).status_code == 422


def test_export_is_a_json_download_of_mine_only(api, ada, bob):
    add_task(ada, title="Ada's export task")
    add_task(bob, title="Bob's private task")
    answer = api(ada).get(f"{V1}/me/export")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers["content-disposition"].startswith('attachment; filename="fluxkit-export-')
    data = answer.json()
    assert [t["title"] for t in data["tasks"]] == ["Ada's export task"]
    assert "Bob's private task" not in answer.text and ada.key not in answer.text
    assert [k["name"] for k in data["api_keys"]] == ["Ada's script"]


def test_me_needs_a_caller(new_client, engine):
    anonymous = new_client()
    for path in ("/me", "/me/preferences", "/me/export"):
        assert anonymous.get(f"{V1}{path}").status_code == 401


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 200, 10)).save(out, format="PNG")
    return out.getvalue()


def test_avatars_are_served_as_webp_with_nosniff_and_nothing_else_is(new_client, ada):
    with session_scope() as db:
        url, _ = avatars.set_avatar(db, ada.user.id, _png(), RequestMeta())
    client = new_client()
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/webp"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.content[:4] == b"RIFF"
    assert client.get(f"{V1}/me", headers=ada.headers).json()["avatar_url"] == url
    secret = avatars.folder().parent / "fluxkit-secret.txt"
    secret.write_text("do not serve me")
    for bad in (
        "/api/avatars/secret_key",
        "/api/avatars/" + "0" * 32 + ".webp",
        "/api/avatars/..%2Ffluxkit-secret.txt",
        "/api/avatars/%2E%2E%2Ffluxkit-secret.txt",
    ):
        refused = client.get(bad)
        # Never a picture or the file; a path with a slash never even reaches the route.
        assert "image" not in refused.headers.get("content-type", ""), bad
        assert b"do not serve me" not in refused.content and b"RIFF" not in refused.content
    assert client.get("/api/avatars/secret_key").status_code == 404


def test_email_change_link_switches_the_address(new_client, ada, monkeypatch):
    sent: list = []
    monkeypatch.setattr(email, "send_in_background", lambda messages: sent.extend(messages))
    browser = signed_in_client(new_client)
    with session_scope() as db:
        from fluxkit.services import sessions
        from fluxkit.services.dto import Identity

        identity = Identity(user=ada.user, session=sessions.list_sessions(db, ada.user.id)[0])
        to_new, _old = profile.request_email_change(db, identity, "ada@new.example", PASSWORD, RequestMeta())
    token = to_new.get_content().split("token=")[1].split()[0]
    answer = browser.get(f"/api/account/confirm-email?token={token}", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/settings?email=changed"
    assert browser.get(f"{V1}/me").json()["email"] == "ada@new.example"
    again = browser.get(f"/api/account/confirm-email?token={token}", follow_redirects=False)
    assert again.headers["location"] == "/settings?email=invalid"


@pytest.mark.parametrize("port", ["0", "80", "8080", "65535", "65536", "70000", "73164", "99999"])
def test_the_spec_admits_a_website_port_exactly_when_the_profile_does(port):
    """The OpenAPI pattern and the service agree, so no client is told one thing and refused another."""
    import re

    from fluxkit.api.v1.me import WEBSITE
    from fluxkit.services.errors import InvalidInput

    url = f"https://example.com:{port}/about"
    try:
        profile.clean_website(url)
        accepted = True
    except InvalidInput:
        accepted = False
    assert bool(re.fullmatch(WEBSITE, url)) == accepted == (int(port) <= 65535)
