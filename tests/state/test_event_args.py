"""The argument gate: every handler of every state refuses arguments that do not fit its
annotations (wrong arity or type, out-of-range numbers, broken text) with a short toast and
without running; browser-stored values of the wrong shape count as absent; logs escape
unpaired surrogates.

Walks the handlers that exist (Reflex's own included), so handlers added later are covered.
"""

from __future__ import annotations

import inspect
import io
import logging
import typing

import pytest
from reflex.state import State
from reflex_base.event import Event
from reflex_components_core.core._upload import UploadChunkIterator, UploadFile

from fluxkit import logs
from fluxkit.state.event_args import REFUSED, EventArgsGate
from fluxkit.state.tasks.columns import STORAGE_NAME, TaskColumnsStorage
from fluxkit.state.tasks.page import TasksState
from tests.support.states import call, make_root, substate, texts


def all_state_classes() -> list[type]:
    found, todo = [], [State]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.get_substates())
    return found


def params_of(cls, name) -> list[tuple[inspect.Parameter, typing.Any]]:
    fn = cls.event_handlers[name].fn
    hints = typing.get_type_hints(fn)
    return [(p, hints.get(p.name, typing.Any)) for p in list(inspect.signature(fn).parameters.values())[1:]]


HANDLERS = [(cls, name) for cls in all_state_classes() for name in cls.event_handlers]
WITH_ARGS = [(cls, name) for cls, name in HANDLERS if params_of(cls, name)]


def valid(hint, cls, name, param):
    """A value the page itself could send for `hint`."""
    if name == "setvar":
        return settable(cls)[0] if param == "var_name" else settable(cls)[1]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, __import__("types").UnionType):
        return valid(next(a for a in args if a is not type(None)), cls, name, param)
    if hint is str:
        return "x"
    if hint is bool:
        return True
    if hint is int:
        return 1
    if hint is float:
        return 1.5
    if hint is UploadChunkIterator:
        return UploadChunkIterator()
    if origin is list:
        return [UploadFile(file=io.BytesIO(b""))] if args and args[0] is UploadFile else ["x"]
    if origin is dict or hint is dict:
        return {}
    return "x"


def settable(cls) -> tuple[str, object]:
    for var_name, field in cls.get_fields().items():
        if var_name in cls.base_vars and callable(getattr(cls, f"set_{var_name}", None)):
            return var_name, valid(field.outer_type_, cls, "", "")
    return "", None


def wrong_values(hint) -> list:
    """Values that do not fit `hint`, as a hostile client sends them."""
    origin = typing.get_origin(hint)
    if hint is str:
        return [{"a": 1}, 3, None, "lone \ud800 surrogate", ["x"]]
    if hint is bool:
        return ["\ud800", {"a": 1}, "yes", 1]
    if hint is int:
        return [2**70, -(2**70), "1e9", str(2**70), {"a": 1}, "\ud800", True, 1.5]
    if origin is dict or hint is dict:
        return ["text", [1], {"k": "\ud800"}, {"k": 2**70}]
    if origin is list:
        return ["text", {"a": 1}]
    if hint is typing.Any:
        return ["\ud800", 2**70, float("nan"), {"k": ["\ud800"]}]
    return []


async def gate_answer(root, cls, name, payload):
    event = Event(name=f"{cls.get_full_name()}.{name}", payload=payload)
    return event, await EventArgsGate().preprocess(None, root, event)


def refused(update) -> bool:
    return update is not None and REFUSED in str([e.payload for e in update.events])


def test_the_walk_covers_reflex_and_fluxkit_handlers():
    names = {f"{cls.__name__}.{name}" for cls, name in WITH_ARGS}
    assert {
        "State.set_is_hydrated",
        "TasksState.toggle_column",
        "UpdateVarsInternalState.update_vars_internal",
    } <= names
    assert len(WITH_ARGS) >= 150


@pytest.mark.parametrize(("cls", "name"), WITH_ARGS, ids=lambda v: getattr(v, "__name__", v))
async def test_every_handler_refuses_arguments_that_do_not_fit(cls, name):
    root = make_root(None)
    params = params_of(cls, name)
    good = {p.name: valid(hint, cls, name, p.name) for p, hint in params}
    if name == "setvar" and not good["var_name"]:
        good = None  # no var of this state can be set: every setvar is refused (checked below)
    if good is not None:
        _, update = await gate_answer(root, cls, name, good)
        assert update is None, f"the gate refused what the page sends: {good!r}"

    bad_payloads = [{**(good or {"var_name": "x", "value": 1}), "unexpected": 1}, ["positional"], "text"]
    required = [p.name for p, _ in params if p.default is inspect.Parameter.empty]
    if required and good is not None:
        bad_payloads.append({k: v for k, v in good.items() if k != required[0]})  # one missing
    for param, hint in params:
        if name == "setvar" or (name in ("update_vars_internal", "hydrate_and_load") and param.name == "vars"):
            continue  # browser-stored values are filtered, not refused (test below)
        bad_payloads += [{**good, param.name: value} for value in wrong_values(hint)]
    if name == "setvar":
        bad_payloads += [{"var_name": "_owner_session_id", "value": 1}, {"var_name": "router", "value": {}}]
        if good is not None:
            bad_payloads.append({**good, "value": {"not": "the type"}})
    for payload in bad_payloads:
        _, update = await gate_answer(root, cls, name, payload)
        assert refused(update), f"{name} let {payload!r} through"
        assert not update.delta


async def test_a_refused_event_never_runs(db, alice):
    _, token, _ = alice
    root = make_root(token, "/tasks")
    tasks = substate(root, TasksState)
    await call(tasks, "load")
    before = list(tasks.hidden_columns)
    for payload in ({"column": {"a": 1}}, {"column": "updated", "extra": 1}, {}, {"column": "up\udcffdated"}):
        _, update = await gate_answer(root, TasksState, "toggle_column", payload)
        assert refused(update)
    assert tasks.hidden_columns == before
    # A page number of 2**70 never reaches SQLite (where it would overflow).
    _, update = await gate_answer(root, TasksState, "go_to_page", {"page": 2**70})
    assert refused(update)


async def test_a_lone_surrogate_to_set_is_hydrated_is_refused_quietly(caplog):
    root = make_root(None)
    with caplog.at_level(logging.WARNING, logger="fluxkit.events"):
        _, update = await gate_answer(root, State, "set_is_hydrated", {"value": "\ud800"})
    assert refused(update)
    assert "\\ud800" in caplog.text or "set_is_hydrated" in caplog.text
    assert not any(r.exc_info for r in caplog.records)


@pytest.mark.parametrize("stored", [123, ["updated"], {"12": ["updated"]}, None, "lone \ud800", True])
async def test_a_browser_stored_value_of_the_wrong_shape_counts_as_absent(db, alice, stored):
    user, token, _ = alice
    root = make_root(token, "/tasks")
    full = f"{TaskColumnsStorage.get_full_name()}.saved_rx_state_"
    for handler, payload in (
        ("update_vars_internal", {"vars": {full: stored}}),
        ("hydrate_and_load", {"vars": {full: stored}, "hashes": None}),
    ):
        target = next(c for c in all_state_classes() if handler in c.event_handlers)
        event, update = await gate_answer(root, target, handler, payload)
        assert update is None  # the event goes on (the page loads) ...
        assert full not in event.payload["vars"]  # ... without the misshapen value
    # What Reflex then applies (nothing) leaves the tasks page loading with its default columns.
    tasks = substate(root, TasksState)
    out = await call(tasks, "load")
    assert tasks.loaded and "error" not in texts(out).lower()

    # A well-formed entry is kept.
    good = f'{{"{user.id}": ["updated"]}}'
    event, update = await gate_answer(root, target, "update_vars_internal", {"vars": {full: good}})
    assert update is None and event.payload["vars"] == {full: good}
    assert STORAGE_NAME == "fluxkit.task-columns"


def test_logs_escape_unpaired_surrogates():
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", write_through=True)
    handler = logs.configure(stream)
    failures = []
    handler.handleError = lambda record: failures.append(record)  # logging swallows errors otherwise
    try:
        logging.getLogger("fluxkit.events").warning("refused %s", "a lone \ud800 here", extra={"name_": "x\udcff"})
    finally:
        logs.configure()
    assert failures == []
    assert b"a lone \\ud800 here" in raw.getvalue()
