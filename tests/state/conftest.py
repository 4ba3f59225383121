"""Build Reflex states in-process with a given session cookie, and call their handlers."""

from __future__ import annotations

import inspect

import pytest
from reflex.istate.data import RouterData
from reflex.state import State

import fluxkit.fluxkit  # noqa: F401 - registers every page and state
from fluxkit.services import accounts
from fluxkit.services.audit import RequestMeta
from fluxkit.settings import get_settings
from fluxkit.state.session import SignedInState

META = RequestMeta(ip="127.0.0.1", user_agent="pytest")


def signed_in_state_classes() -> list[type[SignedInState]]:
    found, todo = [], [SignedInState]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.get_substates())
    return found


def make_root(token: str | None, path: str = "/dashboard") -> State:
    cookie = f"{get_settings().session_cookie_name}={token}" if token else ""
    router_data = {
        "headers": {"cookie": cookie, "user-agent": "pytest-browser"} if cookie else {"user-agent": "pytest-browser"},
        "pathname": path,
        "asPath": path,
        "query": {},
        "token": "tab-token",
        "sid": "sid-1",
        "ip": "127.0.0.1",
    }
    root = State(_reflex_internal_init=True)
    root.router_data = router_data
    root.router = RouterData.from_router_data(router_data)
    return root


def substate(root: State, cls: type) -> object:
    return root.get_substate(cls.get_full_name().split("."))


async def call(state, name: str, *args):
    """Run an event handler as Reflex would and collect what it returns or yields."""
    fn = type(state).event_handlers[name].fn
    result = fn(state, *args)
    out = []
    if inspect.isasyncgen(result):
        async for item in result:
            out.append(item)
    elif inspect.isgenerator(result):
        out.extend(result)
    elif inspect.iscoroutine(result):
        out.append(await result)
    else:
        out.append(result)
    return [item for item in out if item is not None]


def redirect_targets(events) -> list[str]:
    targets = []
    for event in events:
        for item in event if isinstance(event, list) else [event]:
            args = dict((k._js_expr, v) for k, v in getattr(item, "args", ()))
            path = args.get("path")
            if path is not None:
                targets.append(getattr(path, "_var_value", str(path)))
    return targets


def make_user(db, email: str, name: str = "Test User", password: str = "a-long-passphrase-1"):
    user = accounts.create_verified_user(db, accounts.NewUser(email, name, password), META)
    token, identity = accounts.sign_in(db, email=email, password=password, meta=META)
    db.commit()
    return user, token, identity


@pytest.fixture
def alice(db):
    return make_user(db, "alice@example.com", "Alice")


@pytest.fixture
def bob(db):
    return make_user(db, "bob@example.com", "Bob")
