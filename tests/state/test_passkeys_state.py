"""Passkeys in the UI states: Settings › Account › Passkeys and the sign-in page's button.

The ceremonies themselves run in the browser (tests/e2e/test_passkeys_journey.py); here: what
the states start, how they read the browser's answer (never trusting it), and that rename and
remove touch only the signed-in user's own passkeys."""

from __future__ import annotations

from fluxkit.models import User
from fluxkit.services import passkeys
from fluxkit.state.passkeys import GONE, PasskeySignInState, PasskeysState
from tests.support.factories import META
from tests.support.passkeys import SoftAuthenticator
from tests.support.states import call, make_root, redirect_targets, scripts, substate, texts


def _state(token) -> PasskeysState:
    return substate(make_root(token, "/settings/account"), PasskeysState)


def _register(db, identity, name: str) -> passkeys.PasskeyRow:
    options = passkeys.registration_options(db, identity.user.id)
    db.commit()
    row, _ = passkeys.verify_registration(db, identity, SoftAuthenticator().create(options), name=name, meta=META)
    db.commit()
    return row


def _names(db, user_id: int) -> list[str]:
    db.expire_all()
    return [r.name for r in passkeys.list_passkeys(db, user_id)]


async def test_the_list_is_the_users_own_newest_first(db, alice, bob):
    _, token, alice_identity = alice
    _register(db, alice_identity, "Phone")
    _register(db, alice_identity, "Laptop")
    _register(db, bob[2], "Bob's key")
    state = _state(token)
    await call(state, "load")
    assert [p.name for p in state.passkeys] == ["Laptop", "Phone"]
    assert state.passkeys[0].last_used_at == "" and state.passkeys[0].created_at.endswith("+00:00")
    assert "public_key" not in repr(state.dict()) and "credential" not in repr(state.passkeys)


async def test_add_starts_the_browser_ceremony(db, alice):
    _, token, _ = alice
    state = _state(token)
    await call(state, "load")
    [script] = scripts(await call(state, "add", {"name": "  Work   laptop "}))
    assert script.startswith("fluxkitPasskeys.register(") and '"Work laptop"' in script
    assert state.adding is True
    # A name that is too long is explained before the device is asked.
    assert scripts(await call(state, "add", {"name": "x" * 101})) == []
    assert "at most 100" in state.add_error
    # No name: the server names it after the device.
    [script] = scripts(await call(state, "add", {}))
    assert script.endswith(', "")')


async def test_the_browser_s_answer_is_a_message_and_the_list_comes_from_the_database(db, alice):
    _, token, identity = alice
    state = _state(token)
    await call(state, "load")
    # A forged "success" adds nothing: the list is read again from the database.
    forged = {"status": 200, "body": {"id": 99, "name": "Forged"}}
    await call(state, "added", forged)
    assert state.passkeys == [] and state.adding is False
    # The real one: the server kept it, then the browser says so.
    _register(db, identity, "Laptop")
    out = await call(state, "added", {"status": 200, "body": {"name": "<script>"}})
    assert [p.name for p in state.passkeys] == ["Laptop"]
    assert "Laptop\\u201d can now sign you in" in texts(out) and "<script>" not in texts(out)

    await call(state, "added", {"status": -1, "error": "NotAllowedError"})
    assert state.add_error == "The passkey request was cancelled or timed out."
    await call(state, "added", {"status": -1, "error": "InvalidStateError"})
    assert "already has a passkey" in state.add_error
    await call(state, "added", {"status": 401, "body": {"message": passkeys.REGISTER_FAILED}})
    assert state.add_error == passkeys.REGISTER_FAILED
    await call(state, "added", "nonsense")
    assert "could not reach" in state.add_error


async def test_rename(db, alice, outbox):
    user, token, identity = alice
    row = _register(db, identity, "Laptop")
    state = _state(token)
    await call(state, "load")
    await call(state, "ask_rename", row.id)
    assert (state.rename_id, state.rename_name) == (row.id, "Laptop")
    await call(state, "rename", {"name": ""})
    assert state.rename_error and state.rename_id == row.id  # the dialog stays, with the reason
    out = await call(state, "rename", {"name": "Work laptop"})
    assert "Renamed to \\u201cWork laptop" in texts(out)
    assert state.rename_id == 0 and [p.name for p in state.passkeys] == ["Work laptop"]
    assert _names(db, user.id) == ["Work laptop"]


async def test_someone_else_s_passkey_cannot_be_renamed_or_removed(db, alice, bob):
    _, token, _ = alice
    bob_user, _, bob_identity = bob
    theirs = _register(db, bob_identity, "Bob's key")
    state = _state(token)
    await call(state, "load")
    assert GONE in texts(await call(state, "ask_rename", theirs.id))
    assert GONE in texts(await call(state, "ask_delete", theirs.id))
    assert state.rename_id == 0 and state.delete_id == 0
    # Set the ids by hand (any client can send setvar): the service still says no.
    state.rename_id = theirs.id
    assert GONE in texts(await call(state, "rename", {"name": "Mine now"}))
    state.delete_id, state.delete_name = theirs.id, "x"
    assert GONE in texts(await call(state, "confirm_delete"))
    assert _names(db, bob_user.id) == ["Bob's key"]


async def test_remove_and_the_last_way_in(db, alice):
    user, token, identity = alice
    phone, laptop = _register(db, identity, "Phone"), _register(db, identity, "Laptop")
    state = _state(token)
    await call(state, "load")
    await call(state, "ask_delete", phone.id)
    assert state.delete_name == "Phone"
    out = await call(state, "confirm_delete")
    assert "Removed \\u201cPhone" in texts(out)
    assert [p.name for p in state.passkeys] == ["Laptop"]

    account = db.get(User, user.id)
    account.password_hash = ""  # no password: the passkey is the only way in
    db.add(account)
    db.commit()
    await call(state, "ask_delete", laptop.id)
    out = await call(state, "confirm_delete")
    assert "last way to sign in" in texts(out)
    assert [p.name for p in state.passkeys] == ["Laptop"] and state.delete_id == 0
    assert _names(db, user.id) == ["Laptop"]


async def test_signed_out_every_handler_goes_to_sign_in(db, alice):
    state = _state(None)
    for name, args in (("load", ()), ("add", ({"name": "x"},)), ("added", ({"status": 200},)), ("confirm_delete", ())):
        assert redirect_targets(await call(state, name, *args)) == ["/sign-in?redirect=/settings/account"]
    assert state.passkeys == [] and state.adding is False


# ---- the sign-in page --------------------------------------------------------------------------


def _sign_in_state(path: str = "/sign-in") -> PasskeySignInState:
    return substate(make_root(None, path), PasskeySignInState)


async def test_the_passkey_button_asks_the_browser_and_loads_the_page_it_was_headed_for():
    state = _sign_in_state("/sign-in?redirect=/tasks")
    [script] = scripts(await call(state, "start"))
    assert script.startswith("fluxkitPasskeys.signIn(") and script.endswith(', "/tasks")')
    assert state.pending is True
    [load] = scripts(await call(state, "finished", {"status": 200, "body": {"redirect": "/tasks"}}))
    assert load == 'window.location.assign("/tasks")'
    # The answer's redirect is only ever a path on this site.
    [load] = scripts(await call(state, "finished", {"status": 200, "body": {"redirect": "https://evil.example"}}))
    assert load == 'window.location.assign("/dashboard")'


async def test_the_passkey_button_explains_a_refusal():
    state = _sign_in_state()
    await call(state, "finished", {"status": 401, "body": {"message": passkeys.UNKNOWN_PASSKEY}})
    assert state.error == passkeys.UNKNOWN_PASSKEY and state.pending is False
    await call(state, "finished", {"status": -1, "error": "NotAllowedError"})
    assert "cancelled" in state.error
    await call(state, "open")
    assert state.error == ""
