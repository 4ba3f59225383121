"""Settings › API keys: a new key is shown once, the list is the user's own, revoke is confirmed."""

from __future__ import annotations

from fluxkit.models import ApiKey
from fluxkit.services import api_keys
from fluxkit.state.api_keys import GONE, ApiKeysState
from tests.support.states import call, make_root, redirect_targets, substate, texts


def keys_state(token) -> ApiKeysState:
    return substate(make_root(token, "/settings"), ApiKeysState)


def stored_ids(db, user_id: int) -> set[int]:
    db.expire_all()
    return {row.id for row in api_keys.list_keys(db, user_id)}


async def test_a_new_key_is_shown_once_then_gone(db, alice):
    user, token, _ = alice
    state = keys_state(token)
    await call(state, "load")
    assert state.keys == []

    await call(state, "create", {"name": "  Deploy script  "})
    assert state.name_error == ""
    key = state.new_key
    assert key.startswith("fk_") and state.new_key_name == "Deploy script"
    # It works, and the list shows its name and prefix, never the key.
    assert api_keys.authenticate(db, key).user.id == user.id
    [item] = state.keys
    assert (item.name, item.prefix, item.last_used_at) == ("Deploy script", key[: api_keys.DISPLAY_CHARS], "")
    assert item.created_at.endswith("+00:00")
    assert key not in repr(state.keys)

    # The dialog closes: the key is gone from the state, and nothing brings it back.
    await call(state, "set_new_key_open", False)
    assert state.new_key == "" and state.new_key_name == ""
    assert key not in repr(state.dict())
    await call(state, "load")
    assert key not in repr(state.dict())
    # A tampered "open" does not bring it back either.
    await call(state, "set_new_key_open", True)
    assert state.new_key == ""


async def test_the_list_is_the_users_own_newest_first_with_last_use(db, alice, bob):
    alice_user, alice_token, _ = alice
    bob_user, _, _ = bob
    first = api_keys.create_key(db, alice_user.id, "Old")
    api_keys.create_key(db, bob_user.id, "Bob's")
    db.commit()
    api_keys.authenticate(db, first.key)
    db.commit()
    state = keys_state(alice_token)
    await call(state, "load")
    await call(state, "create", {"name": "New"})
    assert [k.name for k in state.keys] == ["New", "Old"]
    assert state.keys[1].last_used_at != ""
    assert state.keys[0].last_used_at == ""


async def test_bad_names_and_the_key_limit_are_explained(db, alice):
    user, token, _ = alice
    state = keys_state(token)
    await call(state, "load")
    for form in ({"name": "   "}, {}, {"name": ["x"]}, "not a form"):
        await call(state, "create", form)
        assert state.name_error == "Enter a name.", form
        assert state.new_key == ""
    await call(state, "create", {"name": "x" * 101})
    assert "at most 100" in state.name_error
    assert stored_ids(db, user.id) == set()

    for i in range(api_keys.MAX_KEYS):
        api_keys.create_key(db, user.id, f"Key {i}")
    db.commit()
    await call(state, "load")
    assert state.at_limit is True
    await call(state, "create", {"name": "One too many"})
    assert f"You have {api_keys.MAX_KEYS} keys" in state.name_error
    assert state.new_key == ""
    assert len(stored_ids(db, user.id)) == api_keys.MAX_KEYS

    # A good name after an error clears it.
    await call(state, "ask_revoke", state.keys[0].id)
    await call(state, "confirm_revoke")
    await call(state, "create", {"name": "Fits now"})
    assert state.name_error == "" and state.new_key.startswith("fk_")


async def test_revoke_asks_first_then_the_key_stops_working(db, alice):
    user, token, _ = alice
    new = api_keys.create_key(db, user.id, "CI")
    db.commit()
    state = keys_state(token)
    await call(state, "load")

    await call(state, "ask_revoke", new.row.id)
    assert (state.revoke_id, state.revoke_name) == (new.row.id, "CI")
    # Cancel: nothing happens.
    await call(state, "set_revoke_open", False)
    assert state.revoke_id == 0
    assert api_keys.authenticate(db, new.key) is not None

    await call(state, "ask_revoke", new.row.id)
    out = await call(state, "confirm_revoke")
    assert "Revoked" in texts(out) and "CI" in texts(out)
    assert state.keys == [] and state.revoke_id == 0
    db.expire_all()
    assert api_keys.authenticate(db, new.key) is None
    # Confirming again (a replayed event) does nothing.
    assert await call(state, "confirm_revoke") == []


async def test_another_users_key_id_changes_nothing(db, alice, bob):
    _, alice_token, _ = alice
    bob_user, _, _ = bob
    bobs = api_keys.create_key(db, bob_user.id, "Bob's bot")
    db.commit()
    state = keys_state(alice_token)
    await call(state, "load")

    out = await call(state, "ask_revoke", bobs.row.id)
    assert GONE in texts(out)
    assert state.revoke_id == 0 and state.revoke_name == ""
    assert "Bob's bot" not in repr(state.dict())

    # Even with the id forced into the state (setvar from a tampered client), the service refuses.
    state.revoke_id = bobs.row.id
    out = await call(state, "confirm_revoke")
    assert GONE in texts(out)
    db.expire_all()
    assert db.get(ApiKey, bobs.row.id) is not None
    assert api_keys.authenticate(db, bobs.key).user.id == bob_user.id


async def test_no_session_goes_to_sign_in_and_creates_nothing(db, alice):
    user, _, _ = alice
    state = keys_state(None)
    for name, args in (("load", ()), ("create", ({"name": "Sneaky"},)), ("ask_revoke", (1,)), ("confirm_revoke", ())):
        out = await call(state, name, *args)
        assert redirect_targets(out) == ["/sign-in?redirect=/settings"], name
    assert stored_ids(db, user.id) == set()
    assert state.new_key == ""


async def test_the_list_follows_changes_made_elsewhere(db, alice):
    user, token, _ = alice
    shown = keys_state(token)
    await call(shown, "load")
    elsewhere = api_keys.create_key(db, user.id, "From the REST API")
    db.commit()
    await call(shown, "refresh")  # what the live layer runs for the "api_keys" topic
    assert [k.name for k in shown.keys] == ["From the REST API"]
    api_keys.revoke_key(db, user.id, elsewhere.row.id)
    db.commit()
    await call(shown, "refresh")
    assert shown.keys == []

    # A tab that never showed the list loads nothing.
    api_keys.create_key(db, user.id, "Another")
    db.commit()
    unseen = keys_state(token)
    await call(unseen, "refresh")
    assert unseen.keys == [] and unseen.loaded is False
