"""/api/auth/passkey/*: Better Auth's passkey routes, driven as a browser drives them, with a
software authenticator signing real WebAuthn data (tests/support/passkeys.py)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from fluxkit.db import session_scope
from fluxkit.models import AuditEvent, User
from tests.support.factories import make_user
from tests.support.http import BASE_URL, cookie_name, emails, session_of, signed_in_client
from tests.support.passkeys import SoftAuthenticator

P = "/api/auth/passkey"


@pytest.fixture
def ada(db, new_client):
    make_user(db, "ada@example.com", "Ada")
    return signed_in_client(new_client)


@pytest.fixture
def device():
    return SoftAuthenticator()


def _register(browser, device, name: str | None = "Laptop", **create) -> dict:
    options = browser.post(f"{P}/generate-register-options")
    assert options.status_code == 200, options.text
    body = {"response": device.create(options.json(), **create)}
    if name is not None:
        body["name"] = name
    return browser.post(f"{P}/verify-registration", json=body)


def _options(browser) -> dict:
    answer = browser.post(f"{P}/generate-authenticate-options")
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return answer.json()


def _sign_in(browser, device, **get):
    return browser.post(f"{P}/verify-authentication", json={"response": device.get(_options(browser), **get)})


def _audit(action: str) -> list[AuditEvent]:
    with session_scope() as db:
        return list(db.exec(select(AuditEvent).where(AuditEvent.action == action)))


def test_register_sign_out_then_sign_in_with_the_passkey(ada, device, new_client, outbox):
    answer = _register(ada, device)
    assert answer.status_code == 200, answer.text
    passkey = answer.json()
    assert passkey["name"] == "Laptop" and passkey["transports"] == "internal" and passkey["lastUsedAt"] is None
    assert "publicKey" not in passkey
    [listed] = ada.get(f"{P}/list-user-passkeys").json()
    assert listed == passkey
    [added] = emails(outbox, to="ada@example.com", subject="new passkey")
    assert "“Laptop”" in added.get_content()
    assert len(_audit("passkey_added")) == 1

    # Another browser, signed out: the passkey alone signs it in (no password, no second step).
    browser = new_client("198.51.100.20")
    assert session_of(browser) is None
    signed = browser.post(
        f"{P}/verify-authentication",
        json={"response": device.get(_options(browser)), "callbackURL": "/tasks?view=mine"},
    )
    assert signed.status_code == 200, signed.text
    assert signed.json()["user"]["email"] == "ada@example.com"
    assert signed.json()["redirect"] == "/tasks?view=mine"
    cookie = [v for k, v in signed.headers.multi_items() if k == "set-cookie" and v.startswith(cookie_name())]
    assert cookie and "HttpOnly" in cookie[0] and "SameSite=lax" in cookie[0]
    assert session_of(browser)["user"]["email"] == "ada@example.com"
    [used] = ada.get(f"{P}/list-user-passkeys").json()
    assert used["lastUsedAt"] is not None and used["counter"] == 1
    [event] = [e for e in _audit("sign_in") if e.detail.startswith("passkey")]
    assert event.ip == "198.51.100.20"


def test_a_foreign_callback_url_is_ignored(ada, device, new_client):
    _register(ada, device)
    browser = new_client("198.51.100.21")
    signed = browser.post(
        f"{P}/verify-authentication",
        json={"response": device.get(_options(browser)), "callbackURL": "https://evil.example/x"},
    )
    assert signed.json()["redirect"] == "/dashboard"


def test_registration_needs_a_session(client, device):
    for path in ("generate-register-options", "verify-registration"):
        answer = client.post(f"{P}/{path}", json={"response": {}})
        assert answer.status_code == 401
        assert answer.json()["error"] == "unauthorized"
    assert client.get(f"{P}/list-user-passkeys").status_code == 401
    assert client.post(f"{P}/update-passkey", json={"id": 1, "name": "x"}).status_code == 401
    assert client.post(f"{P}/delete-passkey", json={"id": 1}).status_code == 401


def test_a_challenge_works_once(ada, device, new_client):
    _register(ada, device)
    browser = new_client("198.51.100.22")
    answer = {"response": device.get(_options(browser))}
    assert browser.post(f"{P}/verify-authentication", json=answer).status_code == 200
    # The same signed answer again, from anywhere: the challenge is gone.
    replay = new_client("198.51.100.23").post(f"{P}/verify-authentication", json=answer)
    assert replay.status_code == 401
    assert "already used" in replay.json()["message"]
    assert cookie_name() not in replay.headers.get("set-cookie", "")


def test_a_registration_answer_works_once(ada, device):
    options = ada.post(f"{P}/generate-register-options").json()
    body = {"response": device.create(options)}
    assert ada.post(f"{P}/verify-registration", json=body).status_code == 200
    again = ada.post(f"{P}/verify-registration", json=body)
    assert again.status_code == 401
    assert len(ada.get(f"{P}/list-user-passkeys").json()) == 1


def test_someone_else_s_registration_challenge_is_refused(ada, device, db, new_client):
    make_user(db, "bob@example.com", "Bob")
    bob = signed_in_client(new_client, "bob@example.com", ip="198.51.100.30")
    options = ada.post(f"{P}/generate-register-options").json()
    answer = bob.post(f"{P}/verify-registration", json={"response": device.create(options)})
    assert answer.status_code == 401
    assert bob.get(f"{P}/list-user-passkeys").json() == []


@pytest.mark.parametrize(
    "bad",
    [{"origin": "https://evil.example"}, {"origin": "http://localhost:8000"}, {"rp_id": "evil.example"}],
    ids=["other site", "other port", "other rp id"],
)
def test_wrong_origin_or_rp_id(ada, device, new_client, bad):
    refused = _register(ada, SoftAuthenticator(), **bad)
    assert refused.status_code == 401
    assert ada.get(f"{P}/list-user-passkeys").json() == []
    assert _register(ada, device).status_code == 200
    browser = new_client("198.51.100.24")
    answer = _sign_in(browser, device, **bad)
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_credentials"
    assert session_of(browser) is None
    assert [e.detail for e in _audit("sign_in_failed")][-1].startswith("passkey:")


def test_a_replayed_assertion_with_a_fresh_challenge_fails_on_the_sign_count(ada, device, new_client):
    """A recorded assertion cannot be re-signed for a new challenge, and a clone's counter lags."""
    _register(ada, device)
    browser = new_client("198.51.100.25")
    assert _sign_in(browser, device).status_code == 200
    assert _sign_in(browser, device).status_code == 200  # count 2
    device.credentials[0].sign_count = 1  # a copy of the key that signed once: its next is 2
    clone = _sign_in(new_client("198.51.100.26"), device)
    assert clone.status_code == 401
    assert ada.get(f"{P}/list-user-passkeys").json()[0]["counter"] == 2
    assert "sign count" in _audit("sign_in_failed")[-1].detail


def test_rename_and_delete(ada, device, outbox):
    passkey = _register(ada, device).json()
    renamed = ada.post(f"{P}/update-passkey", json={"id": passkey["id"], "name": "Work laptop"})
    assert renamed.status_code == 200
    assert renamed.json()["passkey"]["name"] == "Work laptop"
    assert ada.get(f"{P}/list-user-passkeys").json()[0]["name"] == "Work laptop"
    blank = ada.post(f"{P}/update-passkey", json={"id": passkey["id"], "name": "  "})
    assert blank.status_code == 422 and "name" in blank.json()["fields"]
    gone = ada.post(f"{P}/delete-passkey", json={"id": passkey["id"]})
    assert gone.status_code == 200 and gone.json() == {"status": True}
    assert ada.get(f"{P}/list-user-passkeys").json() == []
    subjects = [m["Subject"] for m in emails(outbox, to="ada@example.com")]
    assert any("renamed" in s for s in subjects) and any("removed" in s for s in subjects)
    assert [len(_audit(a)) for a in ("passkey_renamed", "passkey_removed")] == [1, 1]


def test_someone_else_s_passkey_is_404_for_rename_and_delete(ada, device, db, new_client):
    passkey = _register(ada, device).json()
    make_user(db, "bob@example.com", "Bob")
    bob = signed_in_client(new_client, "bob@example.com", ip="198.51.100.31")
    for body in ({"id": passkey["id"], "name": "Bob's now"}, {"id": passkey["id"]}):
        for path in ("update-passkey", "delete-passkey"):
            answer = bob.post(f"{P}/{path}", json=body)
            assert answer.status_code == 404
            assert answer.json()["error"] == "not_found"
    assert ada.get(f"{P}/list-user-passkeys").json()[0]["name"] == "Laptop"
    for junk in ({"id": "1"}, {"id": None}, {}, {"id": 10**30}):
        assert ada.post(f"{P}/delete-passkey", json=junk).status_code == 404


def test_the_last_way_to_sign_in_stays(ada, device):
    passkey = _register(ada, device).json()
    with session_scope() as db:
        db.get(User, _user_id("ada@example.com")).password_hash = ""  # no password
    refused = ada.post(f"{P}/delete-passkey", json={"id": passkey["id"]})
    assert refused.status_code == 409
    assert refused.json()["error"] == "last_sign_in_method"
    assert "last way to sign in" in refused.json()["message"]
    assert len(ada.get(f"{P}/list-user-passkeys").json()) == 1


def _user_id(address: str) -> int:
    with session_scope() as db:
        return db.exec(select(User.id).where(User.email == address)).one()


def test_a_form_post_from_another_site_is_not_read(ada, device):
    """Like every auth route: only a JSON body counts (a cross-site form cannot send one)."""
    passkey = _register(ada, device).json()
    answer = ada.post(
        f"{P}/delete-passkey", content=f'{{"id": {passkey["id"]}}}', headers={"Content-Type": "text/plain"}
    )
    assert answer.status_code == 404
    assert len(ada.get(f"{P}/list-user-passkeys").json()) == 1


def test_another_origin_cannot_change_passkeys(ada, device):
    passkey = _register(ada, device).json()
    answer = ada.post(f"{P}/delete-passkey", json={"id": passkey["id"]}, headers={"Origin": "https://evil.example"})
    assert answer.status_code == 403
    assert len(ada.get(f"{P}/list-user-passkeys").json()) == 1


def test_sign_in_attempts_are_rate_limited_per_address(client, device):
    for _ in range(30):
        assert client.post(f"{P}/generate-authenticate-options").status_code == 200
    limited = client.post(f"{P}/generate-authenticate-options")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0


def test_options_name_this_site(ada, client):
    options = ada.post(f"{P}/generate-register-options").json()
    assert options["rp"]["id"] == "localhost" == BASE_URL.split("//")[1].split(":")[0]
    assert options["authenticatorSelection"]["userVerification"] == "required"
    sign_in_options = _options(client)
    assert sign_in_options["allowCredentials"] == [] and sign_in_options["rpId"] == "localhost"
