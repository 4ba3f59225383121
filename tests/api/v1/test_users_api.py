"""/api/v1/users and /api/v1/audit: admins only (404 for anyone else), the same rules as the page.

Every answer in this file is checked for anything password-related: no hash, no token, no key.
"""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from fluxkit.db import session_scope
from fluxkit.models import AuditEvent, Subscription, User, UserSession
from fluxkit.services import accounts
from fluxkit.services.audit import RequestMeta
from tests.support.factories import PASSWORD
from tests.support.http import V1, Account, emails, link_in, sign_in

META = RequestMeta(ip="127.0.0.1", user_agent="setup")
# A key's 11-character display prefix (e.g. in an audit detail) is public; a whole key is not.
_SECRET = re.compile(r"password|hash|token|secret|\$argon2|fk_[A-Za-z0-9_-]{9,}", re.IGNORECASE)


def _no_secrets(response) -> None:
    response.read()
    body = response.text
    assert not _SECRET.search(body), f"{response.request.method} {response.request.url}: {body[:500]}"
    with session_scope() as db:
        for password_hash in db.exec(select(User.password_hash)):
            assert password_hash not in body


def _checked(client):
    client.event_hooks = {"response": [_no_secrets]}
    return client


@pytest.fixture
def client_for(new_client):
    """A client that sends `account`'s API key (or none) and checks every answer for secrets."""

    def make(account: Account | None = None, **kwargs):
        return _checked(new_client(headers=account.headers if account else {}, **kwargs))

    return make


def _promote(user_id: int) -> None:
    with session_scope() as db:
        user = db.get(User, user_id)
        user.role = "admin"
        db.add(user)


@pytest.fixture
def boss(ada) -> Account:
    _promote(ada.user.id)
    return ada


@pytest.fixture
def cy(engine) -> int:
    """An unverified sign-up."""
    with session_scope() as db:
        accounts.sign_up(db, name="Cy", email="cy@example.com", password=PASSWORD, meta=META)
    with session_scope() as db:
        return accounts.user_by_email(db, "cy@example.com").id


def _state() -> list:
    with session_scope() as db:
        users = sorted((u.id, u.role, u.suspended_at, u.email_verified) for u in db.exec(select(User)))
        admin_events = db.exec(select(AuditEvent.id).where(AuditEvent.action.startswith("admin_"))).all()
        return [users, admin_events]


# ---- who may call ------------------------------------------------------------------------------------


def _every_route(target: int) -> list[tuple[str, str, dict]]:
    return [
        ("GET", "/users", {}),
        ("GET", "/users?status=unverified", {}),
        ("GET", f"/users/{target}", {}),
        ("PATCH", f"/users/{target}", {"json": {"role": "admin"}}),
        ("POST", f"/users/{target}/suspend", {}),
        ("POST", f"/users/{target}/reactivate", {}),
        ("POST", f"/users/{target}/resend-verification", {}),
        ("DELETE", f"/users/{target}?confirm=cy@example.com", {}),
        ("POST", "/users/invite", {"json": {"email": "new@example.com"}}),
        ("GET", "/audit", {}),
    ]


def test_non_admins_get_404_everywhere_and_change_nothing(client_for, boss, bob, cy, outbox):
    before = _state()
    client = client_for(bob)
    for target in (boss.user.id, bob.user.id, cy):
        for method, path, kwargs in _every_route(target):
            response = client.request(method, V1 + path, **kwargs)
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["error"] == "not_found"
    assert _state() == before
    assert emails(outbox) == []


def test_non_admins_get_404_before_anything_they_send_is_checked(client_for, boss, bob, cy):
    """Bad ids, bodies and queries: a non-admin learns nothing (not even a 422 saying the route exists)."""
    client = client_for(bob)
    for method, path, kwargs in [
        ("GET", "/users?page=0&status=nonsense", {}),
        ("GET", "/users/0", {}),
        ("PATCH", f"/users/{cy}", {"json": {"role": "emperor", "extra": 1}}),
        ("PATCH", f"/users/{cy}", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}),
        ("POST", "/users/invite", {"json": {"email": 12}}),
        ("DELETE", f"/users/{cy}", {}),  # no confirm
        ("GET", "/audit?since=yesterday", {}),
    ]:
        response = client.request(method, V1 + path, **kwargs)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"] == "not_found"
    # An admin sending the same gets the 422s.
    assert client_for(boss).patch(f"{V1}/users/{cy}", json={"role": "emperor"}).status_code == 422


def test_anonymous_callers_get_401(client_for, cy):
    client = client_for()
    for method, path, kwargs in _every_route(cy):
        assert client.request(method, V1 + path, **kwargs).status_code == 401


def test_a_session_cookie_works_too(new_client, boss):
    browser = new_client()
    sign_in(browser)
    _checked(browser)  # ada@example.com
    assert browser.get(f"{V1}/users").status_code == 200


# ---- listing -------------------------------------------------------------------------------------------


def test_list_filters_and_stats(client_for, boss, bob, cy):
    with session_scope() as db:
        db.add(Subscription(user_id=bob.user.id, stripe_customer_id="cus_bob", plan="basic", status="active"))
    client = client_for(boss)
    page = client.get(f"{V1}/users").json()
    assert [u["email"] for u in page["items"]] == ["cy@example.com", "bob@example.com", "ada@example.com"]
    assert page["stats"] == {"total": 3, "active": 2, "paid": 1, "unverified": 1, "suspended": 0}
    assert (page["total"], page["page"], page["pages"], page["page_size"]) == (3, 1, 1, 25)
    ada = next(u for u in page["items"] if u["email"] == "ada@example.com")
    assert set(ada) == {
        "id",
        "name",
        "email",
        "role",
        "status",
        "plan",
        "plan_name",
        "created_at",
        "suspended_at",
        "two_factor",
    }
    assert (ada["role"], ada["status"], ada["plan"], ada["suspended_at"]) == ("admin", "active", "free", None)
    assert ada["two_factor"] is False

    def emails_of(query: str) -> list[str]:
        response = client.get(f"{V1}/users?{query}")
        assert response.status_code == 200, response.text
        return [u["email"] for u in response.json()["items"]]

    assert emails_of("plan=paid") == emails_of("plan=basic") == ["bob@example.com"]
    assert emails_of("status=unverified") == ["cy@example.com"]
    assert emails_of("role=admin") == ["ada@example.com"]
    assert emails_of("search=BOB") == ["bob@example.com"]
    assert emails_of("sort=name&order=asc") == ["ada@example.com", "bob@example.com", "cy@example.com"]
    assert client.get(f"{V1}/users?role=root").status_code == 422
    assert client.get(f"{V1}/users?page_size=7").status_code == 422
    assert client.get(f"{V1}/users/{cy}").json()["status"] == "unverified"
    assert client.get(f"{V1}/users/999999").status_code == 404


# ---- actions ----------------------------------------------------------------------------------------------


def test_role_changes_and_the_last_admin(client_for, boss, bob):
    client = client_for(boss)
    refused = client.patch(f"{V1}/users/{boss.user.id}", json={"role": "user"})
    assert refused.status_code == 409 and refused.json()["error"] == "refused"
    assert "only admin" in refused.json()["message"]
    assert client.patch(f"{V1}/users/{bob.user.id}", json={"role": "owner"}).status_code == 422
    assert client.patch(f"{V1}/users/{bob.user.id}", json={"role": "admin", "nickname": "x"}).status_code == 422
    made = client.patch(f"{V1}/users/{bob.user.id}", json={"role": "admin"})
    assert made.status_code == 200 and made.json()["role"] == "admin"
    # Bob is an admin now: the API answers him.
    assert client_for(bob).get(f"{V1}/users").status_code == 200
    assert client.patch(f"{V1}/users/{boss.user.id}", json={"role": "user"}).json()["role"] == "user"
    assert client.get(f"{V1}/users").status_code == 404  # Ada is no admin any more


def test_suspend_stops_sessions_keys_and_sign_in_until_reactivated(client_for, new_client, boss, bob):
    browser = new_client()
    sign_in(browser, "bob@example.com")
    client = client_for(boss)
    assert client_for(bob).get(f"{V1}/tasks").status_code == 200

    suspended = client.post(f"{V1}/users/{bob.user.id}/suspend")
    assert (
        suspended.status_code == 200 and suspended.json()["status"] == "suspended" and suspended.json()["suspended_at"]
    )
    assert client_for(bob).get(f"{V1}/tasks").status_code == 401  # the key stopped working
    assert browser.get("/api/auth/get-session").json() is None  # the session is gone
    with session_scope() as db:
        assert not db.exec(select(UserSession).where(UserSession.user_id == bob.user.id)).all()
    refused = new_client().post("/api/auth/sign-in/email", json={"email": "bob@example.com", "password": PASSWORD})
    assert refused.status_code == 401 and "suspended" in refused.json()["message"]
    wrong = new_client().post(
        "/api/auth/sign-in/email", json={"email": "bob@example.com", "password": "wrong password here"}
    )
    assert wrong.status_code == 401 and "suspended" not in wrong.json()["message"]
    self_suspend = client.post(f"{V1}/users/{boss.user.id}/suspend")
    assert self_suspend.status_code == 409

    reactivated = client.post(f"{V1}/users/{bob.user.id}/reactivate")
    assert reactivated.status_code == 200 and reactivated.json()["status"] == "active"
    sign_in(new_client(), "bob@example.com")
    assert client_for(bob).get(f"{V1}/tasks").status_code == 200


def test_resend_verification_and_invite_send_email(client_for, boss, bob, cy, outbox):
    client = client_for(boss)
    sent = client.post(f"{V1}/users/{cy}/resend-verification")
    assert sent.status_code == 202 and sent.json() == {"email": "cy@example.com", "sent": True}
    [message] = emails(outbox, to="cy@example.com", subject="Verify your email")
    assert "/verify-email?token=" in link_in(message)
    already = client.post(f"{V1}/users/{bob.user.id}/resend-verification")
    assert already.status_code == 409 and "already verified" in already.json()["message"]

    invited = client.post(f"{V1}/users/invite", json={"email": "New@Example.com"})
    assert invited.status_code == 202 and invited.json() == {"email": "new@example.com", "sent": True}
    [invitation] = emails(outbox, to="new@example.com")
    assert "invited you" in invitation["Subject"] and "http://localhost:3000/sign-up" in invitation.get_content()
    existing = client.post(f"{V1}/users/invite", json={"email": "bob@example.com"})
    assert existing.status_code == 422 and "already has an account" in existing.json()["fields"]["email"]
    assert client.post(f"{V1}/users/invite", json={"email": "not-an-email"}).status_code == 422
    assert client.delete(f"{V1}/users/invite").status_code == 405


def test_delete_needs_the_email_and_takes_their_data(client_for, boss, bob):
    client = client_for(boss)
    assert client.delete(f"{V1}/users/{bob.user.id}").status_code == 422
    wrong = client.delete(f"{V1}/users/{bob.user.id}?confirm=bob")
    assert wrong.status_code == 422 and "Type bob@example.com" in wrong.json()["fields"]["confirm"]
    client_for(bob).post(f"{V1}/tasks", json={"title": "Bob's task"})
    assert client.delete(f"{V1}/users/{bob.user.id}?confirm=bob@example.com").status_code == 204
    assert client.get(f"{V1}/users/{bob.user.id}").status_code == 404
    assert client_for(bob).get(f"{V1}/tasks").status_code == 401
    assert client.delete(f"{V1}/users/{boss.user.id}?confirm=ada@example.com").status_code == 409


def test_audit_log_over_the_api(client_for, boss, bob, cy):
    client = client_for(boss)
    client.post(f"{V1}/users/{bob.user.id}/suspend")
    client.post(f"{V1}/users/invite", json={"email": "zed@example.com"})
    log = client.get(f"{V1}/audit").json()
    assert [e["action"] for e in log["items"][:2]] == ["admin_user_invited", "admin_user_suspended"]
    assert log["items"][1]["actor"] == "ada@example.com" and log["items"][1]["target"] == "bob@example.com"
    assert "sign_up" in log["actions"]
    only = client.get(f"{V1}/audit?action=admin_user_suspended&target=bob@&actor=ada").json()
    assert [e["target"] for e in only["items"]] == ["bob@example.com"]
    today = log["items"][0]["created_at"][:10]
    assert client.get(f"{V1}/audit?date_from={today}&date_to={today}").json()["total"] == log["total"]
    assert client.get(f"{V1}/audit?date_to=2000-01-01").json()["total"] == 0
    assert client.get(f"{V1}/audit?date_from=yesterday").status_code == 422
    assert client_for(bob).get(f"{V1}/audit").status_code == 401  # suspended: his key stopped
