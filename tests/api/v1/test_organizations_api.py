"""/api/v1/organizations and task assignment through /api/v1/tasks: the service's rules
as HTTP answers (401 anonymous, 404 not a member, 403 the wrong role, 422 bad input)."""

from __future__ import annotations

from email import message_from_bytes

from fluxkit.db import session_scope
from fluxkit.models import User
from tests.support.http import V1, add_task, make_account


def test_anonymous_is_401(client):
    assert client.get(f"{V1}/organizations").status_code == 401
    assert client.post(f"{V1}/organizations", json={"name": "Acme"}).status_code == 401


def test_create_invite_accept_assign_and_complete(api, ada, bob, outbox):
    a, b = api(ada), api(bob)
    created = a.post(f"{V1}/organizations", json={"name": "Acme Inc"})
    assert created.status_code == 201
    org = created.json()
    assert (org["slug"], org["role"], org["members"], org["active"]) == ("acme-inc", "owner", 1, True)
    taken = b.post(f"{V1}/organizations", json={"name": "Other", "slug": "acme-inc"})
    assert taken.status_code == 422 and taken.json()["fields"]["slug"] == "The slug acme-inc is taken. Choose another."

    invited = a.post(f"{V1}/organizations/{org['id']}/invitations", json={"email": "bob@example.com"})
    assert invited.status_code == 201
    inv = invited.json()
    assert (inv["email"], inv["role"], inv["status"], inv["inviter"]) == ("bob@example.com", "member", "pending", "Ada")
    [eml] = [p for p in outbox.glob("*.eml") if "bob" in p.name]
    assert f"/invite/{inv['id']}" in message_from_bytes(eml.read_bytes()).get_payload(decode=True).decode()
    assert [i["id"] for i in a.get(f"{V1}/organizations/{org['id']}/invitations").json()] == [inv["id"]]
    assert [i["organization"] for i in b.get(f"{V1}/organizations/invitations").json()] == ["Acme Inc"]

    assert b.get(f"{V1}/organizations/{org['id']}").status_code == 404  # not a member yet
    accepted = b.post(f"{V1}/organizations/invitations/{inv['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["role"] == "member"
    detail = b.get(f"{V1}/organizations/{org['id']}").json()
    assert [(m["name"], m["role"]) for m in detail["members"]] == [("Ada", "owner"), ("Bob", "member")]
    assert detail["invitations"] == []  # members do not see invitations

    task_id = add_task(ada, title="Write the report")
    assigned = a.patch(f"{V1}/tasks/{task_id}", json={"assignee_id": bob.user.id})
    assert assigned.status_code == 200
    assert (assigned.json()["assignee_id"], assigned.json()["assignee_name"]) == (bob.user.id, "Bob")
    seen = b.get(f"{V1}/tasks").json()["items"]
    [row] = [t for t in seen if t["id"] == task_id]
    assert row["assigned_to_me"] and row["owner_name"] == "Ada"
    [note] = b.get(f"{V1}/notifications").json()["items"]
    assert (note["type"], note["task_id"]) == ("task_assigned", task_id)

    refused = b.patch(f"{V1}/tasks/{task_id}", json={"title": "Mine"})
    assert refused.status_code == 403 and refused.json()["error"] == "not_owner"
    assert b.delete(f"{V1}/tasks/{task_id}").status_code == 403
    done = b.patch(f"{V1}/tasks/{task_id}", json={"status": "completed"})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert a.get(f"{V1}/tasks/{task_id}").json()["status"] == "completed"
    assert a.patch(f"{V1}/tasks/{task_id}", json={"assignee_id": None}).json()["assignee_id"] is None
    assert b.get(f"{V1}/tasks/{task_id}").status_code == 404


def test_roles_transfer_and_leave(api, ada, bob):
    a, b = api(ada), api(bob)
    org = a.post(f"{V1}/organizations", json={"name": "Acme", "slug": "acme"}).json()
    inv = a.post(
        f"{V1}/organizations/{org['id']}/invitations", json={"email": "bob@example.com", "role": "admin"}
    ).json()
    b.post(f"{V1}/organizations/invitations/{inv['id']}/accept")
    base = f"{V1}/organizations/{org['id']}"

    owner_touch = b.patch(f"{base}/members/{ada.user.id}", json={"role": "member"})
    assert owner_touch.status_code == 403 and owner_touch.json()["error"] == "forbidden"
    assert b.delete(f"{base}/members/{ada.user.id}").status_code == 403
    leaving_owner = a.post(f"{base}/leave")
    assert leaving_owner.status_code == 403 and "transfer ownership" in leaving_owner.json()["message"]
    assert a.patch(f"{base}/members/{bob.user.id}", json={"role": "member"}).json()["role"] == "member"
    assert a.patch(f"{base}/members/{bob.user.id}", json={"role": "owner"}).status_code == 422

    assert a.post(f"{base}/transfer", json={"user_id": bob.user.id}).json()["role"] == "owner"
    assert [(m["name"], m["role"]) for m in a.get(f"{base}/members").json()] == [("Bob", "owner"), ("Ada", "admin")]
    assert a.post(f"{base}/leave").status_code == 204
    assert a.get(base).status_code == 404
    assert a.get(f"{V1}/organizations").json() == []


def test_cancel_switch_and_outsiders(api, ada, bob):
    a, b = api(ada), api(bob)
    org = a.post(f"{V1}/organizations", json={"name": "Acme"}).json()
    inv = a.post(f"{V1}/organizations/{org['id']}/invitations", json={"email": "bob@example.com"}).json()
    assert b.delete(f"{V1}/organizations/invitations/{inv['id']}").status_code == 404  # not a member
    assert a.delete(f"{V1}/organizations/invitations/{inv['id']}").status_code == 204
    refused = b.post(f"{V1}/organizations/invitations/{inv['id']}/accept")
    assert refused.status_code == 422 and refused.json()["message"] == "This invitation was cancelled."
    for method, path in (
        ("GET", f"/organizations/{org['id']}"),
        ("GET", f"/organizations/{org['id']}/members"),
        ("POST", f"/organizations/{org['id']}/leave"),
        ("DELETE", f"/organizations/{org['id']}/members/{ada.user.id}"),
    ):
        assert b.request(method, f"{V1}{path}").status_code == 404, path
    assert b.put(f"{V1}/organizations/active", json={"organization_id": org["id"]}).status_code == 404
    assert a.put(f"{V1}/organizations/active", json={"organization_id": None}).json() is None
    assert a.get(f"{V1}/organizations").json()[0]["active"] is False
    assert a.put(f"{V1}/organizations/active", json={"organization_id": org["id"]}).json()["active"] is True


def test_unverified_invitee_is_told_to_verify(db, api, ada, client):
    a = api(ada)
    carl = make_account(db, "carl@example.com", "Carl")
    with session_scope() as db:
        db.get(User, carl.user.id).email_verified = False
    org = a.post(f"{V1}/organizations", json={"name": "Acme"}).json()
    inv = a.post(f"{V1}/organizations/{org['id']}/invitations", json={"email": "carl@example.com"}).json()
    refused = api(carl).post(f"{V1}/organizations/invitations/{inv['id']}/accept")
    assert refused.status_code == 422 and refused.json()["message"].startswith("Verify your email address")


def test_rename(api, ada, bob):
    owner, outsider = api(ada), api(bob)
    org = owner.post(f"{V1}/organizations", json={"name": "Acme Inc"}).json()
    renamed = owner.put(f"{V1}/organizations/{org['id']}/name", json={"name": "Acme Group"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Acme Group"
    assert owner.get(f"{V1}/organizations/{org['id']}").json()["organization"]["name"] == "Acme Group"
    assert owner.put(f"{V1}/organizations/{org['id']}/name", json={"name": "  "}).status_code == 422
    assert outsider.put(f"{V1}/organizations/{org['id']}/name", json={"name": "Mine"}).status_code == 404
    assert owner.get(f"{V1}/organizations/{org['id']}").json()["organization"]["name"] == "Acme Group"
