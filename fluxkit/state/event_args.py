"""The argument gate: every websocket event's arguments checked against its handler's annotations.

Any client can send any event with any payload, so type hints alone are not validation
(DESIGN.md, the handler gate). `EventArgsGate` runs as app middleware before every event, next
to the session gate, and refuses an event whose payload does not fit its handler:

- a missing or unexpected argument;
- a value of the wrong type (a dict where text is expected, text where a flag is expected);
- an integer outside what the database can store (64-bit), a float that is not finite;
- text that is not valid Unicode (an unpaired surrogate), or absurdly large or deep values.

A refused event does nothing: the tab gets a short error toast, the log one line (escaped),
and the handler never runs, so no traceback. Values the browser keeps (localStorage, cookies:
`update_vars_internal`, `hydrate_and_load`) are filtered instead of refused: one of the wrong
shape counts as absent, so the page still loads. `setvar` is checked against the var it sets.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import logging
import math
import re
import types
import typing
from datetime import date, datetime, time
from enum import Enum
from typing import Any

import reflex as rx
from reflex.event import Event
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate

from fluxkit.state import reflex_adapter

log = logging.getLogger("fluxkit.events")

REFUSED = "That request was refused: its input was not valid. Reload the page and try again."
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # what SQLite and PostgreSQL (bigint) store
MAX_TEXT = 2_000_000  # characters in one string (an import's file never travels this way)
MAX_ITEMS = 10_000  # entries in one list or dict
MAX_DEPTH = 20
_INT_TEXT = re.compile(r"-?\d{1,19}")
_CLIENT_STORAGE_ARGS = {"update_vars_internal": "vars", "hydrate_and_load": "vars"}


def _text_problem(value: str) -> str | None:
    if len(value) > MAX_TEXT:
        return "text too long"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "text that is not valid Unicode"
    return None


def _plain_problem(value: Any, depth: int) -> str | None:
    """For a value with no useful annotation: JSON-shaped, sane sizes, valid text, storable ints."""
    if depth > MAX_DEPTH:
        return "nested too deeply"
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return _text_problem(value)
    if isinstance(value, int):
        return None if INT_MIN <= value <= INT_MAX else "a number out of range"
    if isinstance(value, float):
        return None if math.isfinite(value) else "a number that is not finite"
    if isinstance(value, list | tuple):
        if len(value) > MAX_ITEMS:
            return "too many items"
        return next((p for item in value if (p := _plain_problem(item, depth + 1))), None)
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            return "too many entries"
        for key, item in value.items():
            if not isinstance(key, str):
                return "a key that is not text"
            if p := _text_problem(key) or _plain_problem(item, depth + 1):
                return p
        return None
    return f"an unexpected {type(value).__name__}"


def problem(value: Any, hint: Any, depth: int = 0) -> str | None:
    """Why `value` does not fit the annotation `hint`, or None when it does."""
    if depth > MAX_DEPTH:
        return "nested too deeply"
    if hint in (Any, object, inspect.Parameter.empty):
        return _plain_problem(value, depth)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Annotated:
        return problem(value, args[0], depth)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        found = [problem(value, arg, depth) for arg in args if arg is not type(None)]
        return None if any(p is None for p in found) else found[0]
    if origin is typing.Literal:
        return None if any(value == a and type(value) is type(a) for a in args) else "not one of the choices"
    if hint is type(None) or hint is None:
        return None if value is None else "a value where none is expected"
    if hint is str:
        return _text_problem(value) if isinstance(value, str) else "not text"
    if hint is bool:
        return None if isinstance(value, bool) else "not true or false"
    if hint is int:
        if isinstance(value, str) and _INT_TEXT.fullmatch(value.strip()):  # Reflex converts "3" to 3
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            return "not a whole number"
        return None if INT_MIN <= value <= INT_MAX else "a number out of range"
    if hint is float:
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                return "not a number"
        if not isinstance(value, int | float) or isinstance(value, bool):
            return "not a number"
        return _plain_problem(value, depth)
    if hint in (date, datetime, time):
        if isinstance(value, hint):
            return None
        if not isinstance(value, str) or len(value) > 64:
            return "not a date or time"
        try:
            hint.fromisoformat(value)
        except ValueError:
            return "not a date or time"
        return None
    if origin in (list, tuple, set, frozenset) or hint in (list, tuple, set, frozenset):
        if not isinstance(value, list | tuple):
            return "not a list"
        if len(value) > MAX_ITEMS:
            return "too many items"
        item = args[0] if args and args[-1] is not Ellipsis else (args[0] if args else Any)
        if origin is tuple and args and args[-1] is not Ellipsis:
            if len(value) != len(args):
                return "a list of the wrong length"
            return next((p for v, a in zip(value, args, strict=True) if (p := problem(v, a, depth + 1))), None)
        return next((p for v in value if (p := problem(v, item, depth + 1))), None)
    if origin is dict or hint is dict or (isinstance(hint, type) and typing.is_typeddict(hint)):
        if not isinstance(value, dict):
            return "not a set of fields"
        values_hint = args[1] if origin is dict and len(args) == 2 else Any
        if len(value) > MAX_ITEMS:
            return "too many entries"
        for key, item in value.items():
            if not isinstance(key, str):
                return "a key that is not text"
            if p := _text_problem(key) or problem(item, values_hint, depth + 1):
                return p
        return None
    if isinstance(hint, type) and issubclass(hint, Enum):
        return None if any(value == member.value for member in hint) else "not one of the choices"
    if isinstance(hint, type):
        if isinstance(value, hint):  # uploads: Reflex hands the handler its own objects
            return None
        if isinstance(value, dict) and (dataclasses.is_dataclass(hint) or hasattr(hint, "model_fields")):
            names = (
                {f.name for f in dataclasses.fields(hint)} if dataclasses.is_dataclass(hint) else set(hint.model_fields)
            )
            if set(value) - names:
                return "unexpected fields"
            return _plain_problem(value, depth)
        return f"not a {hint.__name__}"
    return _plain_problem(value, depth)  # an annotation this gate does not know: at least sane


@functools.cache
def _parameters(fn) -> tuple[list[inspect.Parameter], dict[str, Any], bool]:
    """A handler's named parameters, their resolved annotations, whether it takes **kwargs (once per handler)."""
    signature = inspect.signature(fn)
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # an annotation that does not resolve: check shapes only
        hints = {}
    params = list(signature.parameters.values())[1:]  # not self
    open_ended = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
    named = [p for p in params if p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)]
    return named, hints, open_ended


def payload_problem(state_cls: type[BaseState], name: str, payload: Any) -> str | None:
    """Why `payload` cannot be the arguments of `state_cls`'s handler `name`, or None."""
    handler = state_cls.event_handlers[name]
    if not isinstance(payload, dict):
        return "arguments that are not named"
    params, hints, open_ended = _parameters(handler.fn)
    known = {p.name for p in params}
    for key in payload:
        if not isinstance(key, str) or (key not in known and not open_ended):
            return f"an unexpected argument {ascii(key)[:60]}"
    for param in params:
        if param.name not in payload:
            if param.default is inspect.Parameter.empty:
                return f"the missing argument {param.name!r}"
            continue
        if p := problem(payload[param.name], hints.get(param.name, param.annotation)):
            return f"{param.name}: {p}"
    if name == "setvar":
        return _setvar_problem(state_cls, payload)
    return None


def _setvar_problem(state_cls: type[BaseState], payload: dict) -> str | None:
    var_name = payload.get("var_name")
    hint = reflex_adapter.settable_var_type(state_cls, var_name)
    if hint is None:
        return f"no such field {ascii(var_name)[:60]}"
    p = problem(payload.get("value"), hint)
    return f"value: {p}" if p else None


def _drop_misshapen_storage(payload: dict, arg: str) -> list[str]:
    """Remove browser-stored values of the wrong shape from `payload[arg]`; their names."""
    values = payload.get(arg)
    if not isinstance(values, dict):
        return []
    dropped = []
    for full_name, value in list(values.items()):
        hint = reflex_adapter.client_storage_type(full_name) if isinstance(full_name, str) else None
        if hint is None or problem(value, hint) is not None:
            del values[full_name]
            dropped.append(ascii(full_name)[:120])
    return dropped


def _refusal() -> StateUpdate:
    return StateUpdate(events=Event.from_event_type([rx.toast.error(REFUSED, id="event-refused")]))


@dataclasses.dataclass
class EventArgsGate(Middleware):
    async def preprocess(self, app, state: BaseState, event: Event) -> StateUpdate | None:
        found = reflex_adapter.handler_of(type(state), event.name)
        if found is None:
            return None  # not a handler of this app: Reflex answers it as before
        state_cls, name = found
        if name in _CLIENT_STORAGE_ARGS and isinstance(event.payload, dict):
            dropped = _drop_misshapen_storage(event.payload, _CLIENT_STORAGE_ARGS[name])
            if dropped:
                log.info("ignored browser-stored values of the wrong shape: %s", ", ".join(dropped))
        why = payload_problem(state_cls, name, event.payload)
        if why is None:
            return None
        log.warning("refused event %s: %s", ascii(event.name)[:200], why)
        return _refusal()
