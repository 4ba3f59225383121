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


# ---- the worker's cache of known sessions -------------------------------------------------------


def _counting_lookups(monkeypatch) -> list:
    from fluxkit.state import session as session_module

    lookups: list = []
    real_lookup = session_module.identity_for_cookie
    monkeypatch.setattr(session_module, "identity_for_cookie", lambda c: lookups.append(c) or real_lookup(c))
    session_module.forget_known_sessions()
    return lookups


async def test_a_click_after_the_first_does_not_read_the_session_again(db, alice, monkeypatch):
    lookups = _counting_lookups(monkeypatch)
    _, token, _ = alice
    dashboard = substate(make_root(token), DashboardState)
    for n in range(5):
        with _in_event(f"click-{n}"):
            assert dashboard._current_identity().user.email == "alice@example.com"
    assert len(lookups) == 1


@pytest.mark.parametrize("how", ["revoke", "revoke others", "suspend", "sign out", "expire"])
async def test_a_known_session_is_refused_at_the_next_event_once_it_ends(db, alice, bob, monkeypatch, how):
    """Sign-out, revocation (one or all), suspension, expiry: the very next event finds no session."""
    from datetime import UTC, datetime, timedelta

    from fluxkit.models import User, UserSession
    from fluxkit.services import users_admin
    from fluxkit.services.audit import RequestMeta

    _counting_lookups(monkeypatch)
    user, token, identity = alice
    admin, _, admin_identity = bob
    dashboard = substate(make_root(token), DashboardState)
    with _in_event("before"):
        assert dashboard._current_identity() is not None  # now known to this worker
    if how == "revoke":
        sessions.revoke(db, user.id, identity.session.id)
    elif how == "revoke others":
        sessions.revoke_all(db, user.id)
    elif how == "suspend":
        db.get(User, admin.id).role = "admin"
        db.commit()
        users_admin.suspend(db, admin.id, user.id, RequestMeta(ip="127.0.0.1", user_agent="test"))
    elif how == "sign out":
        db.delete(db.get(UserSession, identity.session.id))
    else:
        db.get(UserSession, identity.session.id).expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.commit()
    with _in_event("after"):
        assert dashboard._current_identity() is None
        assert redirect_targets(await call(dashboard, "load")) == ["/sign-in?redirect=/dashboard"]


async def test_a_role_change_shows_at_the_next_event(db, alice, monkeypatch):
    from fluxkit.models import User

    _counting_lookups(monkeypatch)
    user, token, _ = alice
    dashboard = substate(make_root(token), DashboardState)
    with _in_event("before"):
        assert not dashboard._current_identity().user.is_admin
    db.get(User, user.id).role = "admin"
    db.commit()
    with _in_event("after"):
        assert dashboard._current_identity().user.is_admin


async def test_a_rolled_back_write_keeps_nothing_pending_and_another_worker_s_change_is_heard(db, alice, monkeypatch):
    """A revocation another worker committed arrives as an identity change: this worker forgets."""
    from fluxkit.services import live

    lookups = _counting_lookups(monkeypatch)
    user, token, identity = alice
    dashboard = substate(make_root(token), DashboardState)
    with _in_event("one"):
        dashboard._current_identity()
    sessions.revoke(db, user.id, identity.session.id)
    db.rollback()  # not committed: nothing to forget, still the same session
    with _in_event("two"):
        assert dashboard._current_identity() is not None
    assert len(lookups) == 1
    live._tell_identity_listeners(frozenset({user.id}))  # what the Redis relay does for another worker
    with _in_event("three"):
        assert dashboard._current_identity() is not None
    assert len(lookups) == 2


async def test_a_revocation_through_another_worker_is_refused_at_this_one_s_next_event(db, alice, monkeypatch):
    """Another worker revoked the session and counted it in Redis; its message has not arrived
    here yet (no relay runs): the next event on this worker still looks again and is refused."""
    import redis
    from sqlalchemy import delete

    from fluxkit.db import get_engine
    from fluxkit.models import UserSession
    from fluxkit.services import live
    from tests.support.environment import need
    from tests.support.live_relay import REDIS_URL
    from tests.support.settings_env import settings_env

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        client.ping()
        available = True
    except Exception:
        available = False
    need("Redis", available, f"no Redis at {REDIS_URL}; set FLUXKIT_TEST_REDIS_URL")
    _counting_lookups(monkeypatch)
    user, token, identity = alice
    dashboard = substate(make_root(token), DashboardState)
    with settings_env(REDIS_URL=REDIS_URL):
        with _in_event("before"):
            assert dashboard._current_identity() is not None  # known to this worker now
        with get_engine().begin() as connection:  # the other worker's write (not this process's ORM)
            connection.execute(delete(UserSession).where(UserSession.id == identity.session.id))
        client.incr(live._epoch_key(REDIS_URL))  # ...and its count, before its caller went on
        with _in_event("after"):
            assert dashboard._current_identity() is None
