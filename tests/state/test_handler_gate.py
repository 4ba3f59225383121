"""Every event handler of every signed-in state refuses a missing or revoked session.

Walks the handlers that exist, so states added later are covered without editing this.
"""

from __future__ import annotations

import inspect

import pytest
from reflex_base.event import Event

from fluxkit.services import sessions
from fluxkit.state.dashboard import DashboardState
from fluxkit.state.session import SessionGate, SignedInState
from tests.support.states import call, make_root, redirect_targets, signed_in_state_classes, substate

ALL_HANDLERS = [(cls, name) for cls in signed_in_state_classes() for name in cls.event_handlers]
OWN_HANDLERS = [(cls, name) for cls, name in ALL_HANDLERS if name != "setvar"]


def _dummy_args(cls, name, other_user_ids):
    fn = cls.event_handlers[name].fn
    args = []
    for param in list(inspect.signature(fn).parameters.values())[1:]:
        annotation = str(param.annotation)
        if "int" in annotation:
            args.append(other_user_ids["session"])
        elif "dict" in annotation:
            args.append(
                {
                    "name": "Mallory",
                    "currentPassword": "x",
                    "newPassword": "another-long-passphrase",
                    "confirmPassword": "another-long-passphrase",
                }
            )
        elif name == "setvar" and param.name == "var_name":
            args.append(next(iter(cls.base_vars), "x"))
        else:
            args.append("Mallory")
    return args


def _snapshot(root):
    return {cls: substate(root, cls).dict(include_computed=False) for cls in signed_in_state_classes()}


def test_the_walk_covers_the_real_pages():
    names = {cls.__name__ for cls, _ in ALL_HANDLERS}
    assert {"ShellState", "DashboardState", "SettingsState"} <= names
    assert len(OWN_HANDLERS) >= 8


@pytest.fixture(params=["no session", "revoked session"])
def bad_token(request, db, alice):
    _, token, identity = alice
    if request.param == "no session":
        return None
    sessions.revoke(db, identity.user.id, identity.session.id)
    db.commit()
    return token


@pytest.mark.parametrize(("cls", "name"), ALL_HANDLERS, ids=lambda v: getattr(v, "__name__", v))
async def test_session_gate_refuses_every_handler(cls, name, bad_token, bob):
    _, _, bob_identity = bob
    root = make_root(bad_token)
    before = _snapshot(root)
    args = _dummy_args(cls, name, {"session": bob_identity.session.id})
    params = list(inspect.signature(cls.event_handlers[name].fn).parameters)[1:]
    event = Event(name=f"{cls.get_full_name()}.{name}", payload=dict(zip(params, args, strict=True)))
    update = await SessionGate().preprocess(None, root, event)
    assert update is not None, "the gate let the event through"
    assert [e.payload.get("path") for e in update.events] == ["/sign-in?redirect=/dashboard"]
    assert not update.delta
    assert _snapshot(root) == before


@pytest.mark.parametrize(("cls", "name"), OWN_HANDLERS, ids=lambda v: getattr(v, "__name__", v))
async def test_every_handler_checks_the_session_itself(cls, name, bad_token, bob, db):
    """Defence in depth: called directly (no middleware), a handler still refuses."""
    _, bob_token, bob_identity = bob
    root = make_root(bad_token)
    state = substate(root, cls)
    before = _snapshot(root)
    out = await call(state, name, *_dummy_args(cls, name, {"session": bob_identity.session.id}))
    assert _snapshot(root) == before
    assert redirect_targets(out) == ["/sign-in?redirect=/dashboard"]
    # Bob's session (whose id was sent) is untouched.
    assert sessions.resolve(db, bob_token) is not None


async def test_gate_wipes_private_data_when_the_tab_changes_hands(db, alice, bob):
    _, alice_token, _ = alice
    _, bob_token, _ = bob
    root = make_root(alice_token)
    hydrate = Event(name="reflex___state____state.hydrate", payload={})
    assert await SessionGate().preprocess(None, root, hydrate) is None
    dashboard = substate(root, DashboardState)
    await call(dashboard, "load")
    assert dashboard.email == "alice@example.com"

    # Same tab, now carrying Bob's cookie: Alice's data is gone before hydrate sends anything.
    root.router = make_root(bob_token).router
    assert await SessionGate().preprocess(None, root, hydrate) is None
    assert dashboard.email == ""
    assert dashboard.activity == []

    # Signed out entirely: wiped again, and protected events are refused.
    root.router = make_root(None).router
    await call(dashboard, "load")  # refused by the handler itself
    assert dashboard.email == ""
    assert substate(root, SignedInState)._owner_session_id != 0
    assert await SessionGate().preprocess(None, root, hydrate) is None
    assert substate(root, SignedInState)._owner_session_id == 0


def _in_event(txid: str):
    """Run the block as Reflex runs an event: under an EventContext of its own."""
    from reflex_base.event.context import EventContext

    return EventContext(token="tab-token", state_manager=None, enqueue_impl=None, txid=txid)


async def test_one_session_lookup_per_event_and_a_revocation_counts_from_the_next(db, alice, monkeypatch):
    """The gate's lookup is reused by the event's handlers; the next event looks again."""
    from fluxkit.state import session as session_module

    user, token, identity = alice
    lookups = []
    real_lookup = session_module.identity_for_cookie
    monkeypatch.setattr(session_module, "identity_for_cookie", lambda c: lookups.append(c) or real_lookup(c))
    root = make_root(token)
    dashboard = substate(root, DashboardState)
    hydrate = Event(name="reflex___state____state.hydrate", payload={})

    with _in_event("event-1"):
        assert await SessionGate().preprocess(None, root, hydrate) is None
        await call(dashboard, "load")
        assert dashboard.email == "alice@example.com"
        assert len(lookups) == 1  # the handler reused the gate's answer
        sessions.revoke(db, user.id, identity.session.id)
        db.commit()
        assert dashboard._current_identity() is not None  # still this event

    with _in_event("event-2"):
        assert dashboard._current_identity() is None  # the next event sees the revocation
        assert redirect_targets(await call(dashboard, "load")) == ["/sign-in?redirect=/dashboard"]
    assert len(lookups) == 2


async def test_a_long_running_handler_looks_the_session_up_again(db, alice, monkeypatch):
    from fluxkit.state import session as session_module

    user, token, identity = alice
    dashboard = substate(make_root(token), DashboardState)
    with _in_event("slow-event"):
        assert dashboard._current_identity() is not None
        sessions.revoke(db, user.id, identity.session.id)
        db.commit()
        later = session_module._clock() + session_module.EVENT_IDENTITY_SECONDS + 0.1
        monkeypatch.setattr(session_module, "_clock", lambda: later)
        assert dashboard._current_identity() is None


async def test_outside_an_event_every_call_looks_the_session_up(db, alice):
    user, token, identity = alice
    dashboard = substate(make_root(token), DashboardState)
    assert dashboard._current_identity() is not None
    sessions.revoke(db, user.id, identity.session.id)
    db.commit()
    assert dashboard._current_identity() is None
