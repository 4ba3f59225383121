"""Personal API keys: shown once, stored as a keyed hash, revoked at once, own keys only."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from fluxkit.db import session_scope
from fluxkit.models import ApiKey, AuditEvent
from fluxkit.services import api_keys, tokens
from fluxkit.services.errors import InvalidInput, NotFound
from tests.support.http import BASE_URL, V1, signed_in_client


def _stored_rows() -> list[ApiKey]:
    with session_scope() as db:
        return list(db.exec(select(ApiKey)))


# ---- the service ------------------------------------------------------------------------------


def test_a_key_is_returned_once_and_only_its_keyed_hash_is_stored(db, ada):
    new = api_keys.create_key(db, ada.user.id, "  Deploy bot  ")
    db.commit()
    assert new.key.startswith("fk_") and len(new.key) >= 40
    assert new.row.name == "Deploy bot"
    assert new.row.prefix == new.key[: api_keys.DISPLAY_CHARS]
    assert not hasattr(new.row, "key") and not hasattr(new.row, "key_hash")
    for row in _stored_rows():
        values = [str(v) for v in row.model_dump().values()]
        assert not any(new.key in v or ada.key in v for v in values), "a plaintext key is in the database"
    [stored] = [r for r in _stored_rows() if r.id == new.row.id]
    assert stored.key_hash == tokens.hash_token(new.key) != new.key
    # Listing shows names and prefixes, never a key.
    listed = api_keys.list_keys(db, ada.user.id)
    assert {k.id for k in listed} == {ada.key_id, new.row.id}
    assert all(not hasattr(k, "key") for k in listed)


def test_authenticate_finds_the_owner_and_refuses_anything_else(db, ada, bob):
    found = api_keys.authenticate(db, ada.key)
    assert found is not None and found.user.id == ada.user.id and found.key_id == ada.key_id
    for presented in [
        None,
        "",
        "fk_",
        ada.key + "x",
        ada.key[:-1],
        ada.key.upper(),
        "Bearer " + ada.key,
        "x" * 5000,
        42,
    ]:
        assert api_keys.authenticate(db, presented) is None
    assert api_keys.authenticate(db, bob.key).user.id == bob.user.id


def test_last_used_is_written_at_most_once_a_minute(db, ada, clock):
    first = api_keys.authenticate(db, ada.key, clock)
    db.commit()
    used = db.get(ApiKey, first.key_id).last_used_at
    assert used == clock.now()
    clock.advance(seconds=59)
    api_keys.authenticate(db, ada.key, clock)
    assert not db.dirty, "a second use within the minute wrote to the database"
    db.commit()
    db.expire_all()
    assert db.get(ApiKey, first.key_id).last_used_at == used
    clock.advance(seconds=2)
    api_keys.authenticate(db, ada.key, clock)
    db.commit()
    db.expire_all()
    assert db.get(ApiKey, first.key_id).last_used_at == clock.now()


def test_revoke_only_own_keys_and_it_stops_working(db, ada, bob):
    for key_id in [bob.key_id, 10**9, "1", None, True]:
        with pytest.raises(NotFound):
            api_keys.revoke_key(db, ada.user.id, key_id)
    assert api_keys.authenticate(db, bob.key) is not None
    api_keys.revoke_key(db, ada.user.id, ada.key_id)
    db.commit()
    assert api_keys.authenticate(db, ada.key) is None
    actions = [
        e.action
        for e in db.exec(select(AuditEvent).where(AuditEvent.user_id == ada.user.id).order_by(col(AuditEvent.id)))
    ]
    assert actions[-2:] == ["api_key_created", "api_key_revoked"]


@pytest.mark.parametrize("name", ["", "   ", None, 5, "x" * 101, "a\x00b"])
def test_a_key_needs_a_name(db, ada, name):
    with pytest.raises(InvalidInput) as refused:
        api_keys.create_key(db, ada.user.id, name)
    assert "name" in refused.value.fields


def test_keys_per_user_are_capped(db, ada, bob):
    for n in range(api_keys.MAX_KEYS - 1):  # ada already has one
        api_keys.create_key(db, ada.user.id, f"key {n}")
    with pytest.raises(api_keys.TooManyKeys):
        api_keys.create_key(db, ada.user.id, "one too many")
    api_keys.create_key(db, bob.user.id, "bob is not affected")


# ---- the routes -------------------------------------------------------------------------------


def test_create_list_use_and_revoke_a_key_over_http(new_client, api, ada):
    browser = signed_in_client(new_client)
    created = browser.post(f"{V1}/api-keys", json={"name": "CI"}, headers={"origin": BASE_URL})
    assert created.status_code == 201, created.text
    body = created.json()
    key = body["key"]
    assert key.startswith(body["prefix"]) and body["name"] == "CI" and body["last_used_at"] is None

    # Shown once: no later answer carries it.
    listed = browser.get(f"{V1}/api-keys")
    assert listed.status_code == 200
    assert key not in listed.text and "key_hash" not in listed.text
    assert {k["name"] for k in listed.json()} == {"CI", "Ada's script"}
    assert all(set(k) == {"id", "name", "prefix", "created_at", "last_used_at"} for k in listed.json())
    assert all(key not in str(r.model_dump()) for r in _stored_rows())

    with_key = new_client(headers={"Authorization": f"Bearer {key}"})
    assert with_key.get(f"{V1}/tasks").status_code == 200
    [used] = [k for k in browser.get(f"{V1}/api-keys").json() if k["name"] == "CI"]
    assert used["last_used_at"] is not None

    revoked = browser.delete(f"{V1}/api-keys/{body['id']}", headers={"origin": BASE_URL})
    assert revoked.status_code == 204 and revoked.content == b""
    refused = with_key.get(f"{V1}/tasks")
    assert refused.status_code == 401
    assert refused.json()["error"] == "unauthorized"
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    # The other key still works.
    assert api(ada).get(f"{V1}/tasks").status_code == 200


def test_a_key_can_revoke_itself_but_cannot_mint_keys(api, ada):
    client = api(ada)
    minted = client.post(f"{V1}/api-keys", json={"name": "successor"})
    assert minted.status_code == 403
    assert minted.json()["error"] == "session_required"
    assert [k["name"] for k in client.get(f"{V1}/api-keys").json()] == ["Ada's script"]
    assert client.delete(f"{V1}/api-keys/{ada.key_id}").status_code == 204
    assert client.get(f"{V1}/api-keys").status_code == 401


def test_the_key_cap_answers_409(new_client, ada, monkeypatch):
    monkeypatch.setattr(api_keys, "MAX_KEYS", 1)
    browser = signed_in_client(new_client)
    refused = browser.post(f"{V1}/api-keys", json={"name": "second"})
    assert refused.status_code == 409
    assert refused.json()["error"] == "too_many_keys"


def test_an_authorization_header_decides_alone(new_client, ada):
    browser = signed_in_client(new_client)
    assert browser.get(f"{V1}/tasks").status_code == 200
    for header in ["Bearer fk_forged", "Bearer", "Basic YWRhOnB3", ada.key, f"Token {ada.key}"]:
        answer = browser.get(f"{V1}/tasks", headers={"Authorization": header})
        assert answer.status_code == 401, header
    assert browser.get(f"{V1}/tasks", headers={"Authorization": f"bearer  {ada.key}"}).status_code == 200
    assert browser.get(f"{V1}/tasks", headers={"Authorization": f"Bearer {ada.key}"}).status_code == 200
