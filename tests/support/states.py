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


class Tab:
    """One tab's state held by a real Reflex state manager, background events run as Reflex runs
    them: the handler gets a StateProxy, no lock is held unless it enters `async with self`, and
    what it sends (deltas, toasts) is collected.

        tab = await Tab.open(root)
        events = await tab.background(substate(root, TasksState), "import_file", chunks)
    """

    TOKEN = "tab-token"

    def __init__(self, root: State, manager=None):
        from reflex.istate.manager.memory import StateManagerMemory

        self.root = root
        self.manager = manager or StateManagerMemory()
        self.deltas: list[dict] = []
        self.events: list = []

    @classmethod
    async def open(cls, root: State, manager=None, token: str | None = None) -> Tab:
        """The tab's state in `manager` (Reflex's in-memory one unless given, e.g. a
        StateManagerRedis, which keeps its own copy: read it back with `current()`)."""
        from reflex.istate.manager.token import BaseStateToken

        tab = cls(root, manager)
        tab.TOKEN = token or cls.TOKEN
        await tab.manager.set_state(BaseStateToken(ident=cls.TOKEN, cls=type(root)), root)
        return tab

    async def current(self) -> State:
        """The tab's root state as the manager holds it now."""
        from reflex.istate.manager.token import BaseStateToken

        return await self.manager.get_state(BaseStateToken(ident=self.TOKEN, cls=type(self.root)))

    def lock(self):
        """The tab's state lock, as the next event of this tab would take it."""
        from reflex.istate.manager.token import BaseStateToken

        return self.manager.modify_state(BaseStateToken(ident=self.TOKEN, cls=type(self.root)))

    def _context(self):
        from reflex_base.event.context import EventContext

        async def emit_delta(_token, delta):
            self.deltas.append(delta)

        async def emit_event(_token, *events):
            self.events.extend(events)

        async def enqueue(_token, *events):
            self.events.extend(events)

        return EventContext(
            token=self.TOKEN,
            state_manager=self.manager,
            enqueue_impl=enqueue,
            emit_delta_impl=emit_delta,
            emit_event_impl=emit_event,
        )

    async def background(self, state, name: str, *args) -> list:
        """Run the background handler `name` of `state`; what it sent to the browser (events)."""
        from reflex.istate.proxy import StateProxy
        from reflex_base.event.context import EventContext
        from reflex_base.event.processor.base_state_processor import process_event

        handler = type(state).event_handlers[name]
        assert handler.is_background, f"{name} is not a background event"
        params = list(inspect.signature(handler.fn).parameters)[1:]
        before = len(self.events)
        reset = EventContext.set(self._context())
        try:
            await process_event(handler, dict(zip(params, args, strict=True)), StateProxy(state), None)
        finally:
            EventContext.reset(reset)
        return self.events[before:]


def event_texts(events) -> str:
    """What events sent to the browser say (toasts, redirects), as one string."""
    return "\n".join(json.dumps(getattr(event, "payload", {}), default=str) for event in events)


async def upload_chunks(data: bytes, size: int = 64 * 1024, content_type: str = "application/octet-stream"):
    """A file as Reflex streams it to a `rx.upload_files_chunk` handler (an UploadChunkIterator)."""
    from reflex_components_core.core._upload import UploadChunk, UploadChunkIterator

    chunks = UploadChunkIterator(maxsize=len(data) // size + 2)
    for offset in range(0, len(data), size):
        await chunks.push(
            UploadChunk(filename="file", offset=offset, content_type=content_type, data=data[offset : offset + size])
        )
    await chunks.finish()
    return chunks
