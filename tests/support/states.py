"""Reflex states built in-process with a given session cookie, their handlers called as Reflex would."""

from __future__ import annotations

import inspect
import json
from types import SimpleNamespace

from reflex.istate.data import RouterData
from reflex.state import State

import fluxkit.fluxkit  # noqa: F401 - registers every page and state
from fluxkit.settings import get_settings
from fluxkit.state.session import SignedInState


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


def texts(events) -> str:
    """Everything the handler sent to the browser (toasts, scripts), as one string."""
    out = []
    for event in events:
        for item in event if isinstance(event, list) else [event]:
            for _key, value in getattr(item, "args", ()):
                out.append(str(getattr(value, "_var_value", None) or value))
    return "\n".join(out)


def url_of(events) -> str | None:
    """The URL a handler put in the address bar with history.replaceState, if any."""
    for event in events:
        for item in event if isinstance(event, list) else [event]:
            for key, value in getattr(item, "args", ()):
                if key._js_expr == "javascript_code":
                    code = str(getattr(value, "_var_value", value))
                    if "replaceState" in code:
                        return json.loads(code[code.index("'', ") + 4 : code.rindex(")")])
    return None


def scripts(events) -> list[str]:
    """The JavaScript a handler asked the browser to run."""
    out = []
    for event in events:
        for key, value in getattr(event, "args", ()):
            if key._js_expr == "javascript_code":
                out.append(str(getattr(value, "_var_value", value)))
    return out


class FakeNamespace:
    """Stands in for Reflex's websocket namespace: which tabs are connected here, what was sent."""

    def __init__(self, tokens):
        record = SimpleNamespace(instance_id="here", sid="sid")
        self._token_manager = SimpleNamespace(token_to_socket={t: record for t in tokens}, instance_id="here")
        self.sent = []

    async def emit_update(self, update, token):
        self.sent.append((token, update))
