"""The handler gate: one way for every state to get the current user or refuse.

The websocket keeps the handshake's Cookie header on the server (`router.headers`), so
each event re-derives the user from the session cookie; nothing the browser sends in an
event's payload is trusted for identity. `SessionGate` runs before every event as app
middleware: an event for a `SignedInState` without a valid session is refused and the
tab is sent to sign-in, and private state is wiped whenever the tab's session changes.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import quote

import reflex as rx
from reflex.event import Event
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from sqlmodel import Session

from fluxkit import routes
from fluxkit.clock import system_clock
from fluxkit.db import session_scope
from fluxkit.routes import SIGN_IN
from fluxkit.services import live, sessions
from fluxkit.services.dto import Identity
from fluxkit.services.errors import NotFound, ServiceError
from fluxkit.state import reflex_adapter


def identity_for_cookie(cookie_header: str | None) -> Identity | None:
    token = sessions.token_from_cookie_header(cookie_header)
    if not token:
        return None
    with session_scope() as db:
        return sessions.resolve(db, token)


# One session lookup per event: the gate (SessionGate.preprocess) resolves the cookie, and the
# handlers of the same event (a live refresh runs several) reuse that answer. Reflex runs each
# event in its own task under its own EventContext; the answer is keyed by that event's id
# and cookie, and a handler still running a second later (a background one) looks again.
_EVENT_IDENTITY: ContextVar[tuple[str, str, float, Identity | None] | None] = ContextVar(
    "fluxkit_event_identity", default=None
)
EVENT_IDENTITY_SECONDS = 1.0
_clock = time.monotonic


def _event_id() -> str | None:
    return reflex_adapter.current_event_id()


# Across events: who a session token is, per worker, for a few seconds. A click would otherwise
# read the session and its user from the database before anything else (a third of a trivial
# event's time on the server). Correctness does not rest on the timeout: every committed write
# to a user or session row (sign-out, revocation, suspension, role or profile change, a deleted
# account) is counted (services/live.py `identity_epoch`, shared by every worker through Redis,
# counted before the writer's call returns), and an entry is trusted only while that count is
# the one noted before its lookup; so the event after a revocation looks again on any worker.
# Workers also forget the changed users' entries (`on_identity_change`). Only valid sessions
# are kept, and never past their expiry.
KNOWN_SESSION_SECONDS = 5.0
_KNOWN_SESSIONS_MAX = 10_000
_known: dict[str, tuple[float, int, Identity]] = {}  # token -> (looked up at, epoch before, identity)
_known_lock = threading.Lock()


def _forget_identities(users: frozenset[int] | None) -> None:
    with _known_lock:
        if users is None:
            _known.clear()
        else:
            for token in [t for t, (_, _, known) in _known.items() if known.user.id in users]:
                del _known[token]


def forget_known_sessions() -> None:
    """Forget every cached identity (tests start afresh)."""
    _forget_identities(None)


live.on_identity_change(_forget_identities)


def _known_identity(cookie_header: str | None) -> Identity | None:
    """`identity_for_cookie`, from the worker's cache of known sessions while it is current."""
    token = sessions.token_from_cookie_header(cookie_header)
    if not token:
        return None
    now = _clock()
    epoch = live.identity_epoch()
    with _known_lock:
        known = _known.get(token)
    if (
        known is not None
        and epoch is not None
        and known[1] == epoch
        and now - known[0] < KNOWN_SESSION_SECONDS
        and known[2].session.expires_at > system_clock.now()
    ):
        return known[2]
    identity = identity_for_cookie(cookie_header)
    with _known_lock:
        if identity is None or epoch is None:
            _known.pop(token, None)
        else:
            if len(_known) >= _KNOWN_SESSIONS_MAX:
                _known.clear()
            _known[token] = (now, epoch, dataclasses.replace(identity, refreshed=False))
    return identity


def identity_for_event(cookie_header: str | None) -> Identity | None:
    """`identity_for_cookie`, looked up once per event (see _EVENT_IDENTITY) and kept a few
    seconds across events (see _known)."""
    event_id = _event_id()
    cached = _EVENT_IDENTITY.get()
    now = _clock()
    if (
        event_id is not None
        and cached is not None
        and cached[0] == event_id
        and cached[1] == (cookie_header or "")
        and now - cached[2] < EVENT_IDENTITY_SECONDS
    ):
        return cached[3]
    identity = _known_identity(cookie_header)
    if event_id is not None:
        _EVENT_IDENTITY.set((event_id, cookie_header or "", now, identity))
    return identity


def sign_in_url(path: str | None) -> str:
    target = path if path and path.startswith("/") and not path.startswith("//") else routes.DASHBOARD
    return f"{SIGN_IN}?redirect={quote(target, safe='/')}"


@dataclasses.dataclass
class ServiceCall:
    """What `service_call` hands the block: the session, and afterwards any refusal."""

    not_found: str = ""
    db: Session | None = None
    refused: ServiceError | None = None

    @property
    def toast(self) -> rx.event.EventSpec | None:
        """The refusal as an error toast (`not_found` stands in for a NotFound's message)."""
        if self.refused is None:
            return None
        if self.not_found and isinstance(self.refused, NotFound):
            return rx.toast.error(self.not_found)
        return rx.toast.error(self.refused.message)


@contextmanager
def service_call(not_found: str = "") -> Iterator[ServiceCall]:
    """A handler's service calls in one transaction; a refusal becomes `call.refused`, not a crash.

        me = self._current_identity()      # every handler still checks identity itself, first
        if me is None:
            return self._to_sign_in()
        with service_call(NOT_FOUND) as call:
            row = task_service.get_task(call.db, me.user.id, task_id)
        if call.refused:
            return call.toast

    A ServiceError raised in the block rolls the transaction back, ends the block and is kept
    in `call.refused`; any other exception rolls back and propagates.
    """
    call = ServiceCall(not_found=not_found)
    try:
        with session_scope() as db:
            call.db = db
            yield call
    except ServiceError as exc:
        call.refused = exc
    finally:
        call.db = None


class SignedInState(rx.State):
    """Base of every state whose data belongs to a signed-in user."""

    # The session this tab's private state was loaded for (never sent to the browser).
    _owner_session_id: int = 0

    def _current_identity(self) -> Identity | None:
        """Who sent this event, from the server-side session. None when signed out."""
        return identity_for_event(self.router.headers.cookie)

    def _to_sign_in(self) -> rx.event.EventSpec:
        return rx.redirect(sign_in_url(self.router.url.path))


def _protected_handler(root: BaseState, event: Event) -> bool:
    path = event.name.rpartition(".")[0].split(".")
    try:
        cls = type(root).get_class_substate(tuple(path[1:])) if len(path) > 1 else type(root)
    except ValueError:
        return False
    return issubclass(cls, SignedInState)


def _signed_in_state_classes() -> list[type[SignedInState]]:
    found, todo = [], [SignedInState]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.get_substates())
    return found


@dataclasses.dataclass
class SessionGate(Middleware):
    async def preprocess(self, app, state: BaseState, event: Event) -> StateUpdate | None:
        identity = identity_for_event(state.router.headers.cookie)
        owner = await state.get_state(SignedInState)
        session_id = identity.session.id if identity else 0
        if owner._owner_session_id != session_id:
            # Another user (or nobody) now drives this tab: drop the previous owner's data.
            for cls in _signed_in_state_classes():
                (await state.get_state(cls)).reset()
            owner._owner_session_id = session_id
        if identity is None and _protected_handler(state, event):
            redirect = rx.redirect(sign_in_url(state.router.url.path))
            return StateUpdate(events=Event.from_event_type([redirect]))
        return None
