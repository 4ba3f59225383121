"""The signed-in shell: who is signed in (for the header) and signing out."""

from __future__ import annotations

import inspect
import json

import reflex as rx
from reflex.config import get_config
from reflex.event import EventHandler

from fluxkit.routes import SIGN_IN
from fluxkit.services import sessions
from fluxkit.services.dto import Identity
from fluxkit.state import live as live_tabs
from fluxkit.state.session import SignedInState

# What the shell shows beside every page (theme, organization, bell, badges, banner), and each
# signed-in page's own loading, by route: registered by fluxkit.py, run by `open_page`.
SHELL_LOADS: list[EventHandler] = []
PAGE_LOADS: dict[str, tuple[EventHandler, ...]] = {}


def register_page(route: str, *handlers: EventHandler) -> None:
    PAGE_LOADS[route] = tuple(handlers)


def register_shell(*handlers: EventHandler) -> None:
    SHELL_LOADS.extend(handlers)


class ShellState(SignedInState):
    user_name: str = ""
    user_email: str = ""
    is_admin: bool = False
    loaded: bool = False  # until then the sidebar follows the first-paint hints

    @rx.event
    def load(self):
        """Who is signed in, for the header: the client-side half of the edge gate."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        return self._show(me)

    def _show(self, me: Identity) -> rx.event.EventSpec | None:
        self.user_name = me.user.name
        self.user_email = me.user.email
        self.is_admin = me.user.is_admin
        self.loaded = True
        live_tabs.register_tab(me.user.id, self.router.session.client_token)
        if me.refreshed or sessions.recently_refreshed(me):
            # A sliding refresh happened over the websocket: let an HTTP answer renew the cookie.
            return rx.call_script(
                f"fetch(new URL('/api/auth/get-session', fluxkit.apiBase({json.dumps(get_config().api_url)})),"
                " {credentials: 'include'})"
            )
        return None

    @rx.event
    async def open_page(self, route: str):
        """The one on_load event of every signed-in page: who is signed in, the shell's parts
        and the page's own data, read in this one event and sent back as one delta, instead of
        a round trip for each (the tab would send each and wait for its answer in turn).

        `route` only picks among the registered pages' handlers; each checks who is signed in.
        """
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        shown = self._show(me)
        follow_ups: list = [] if shown is None else [shown]
        page_loads = PAGE_LOADS.get(route, ()) if isinstance(route, str) else ()
        for handler in (*SHELL_LOADS, *page_loads):
            follow_ups.extend(await self._run_here(handler))
        return follow_ups or None

    @rx.event
    async def live(self, topics: list[str]):
        """Sent to this tab when its user's data changed elsewhere: reload what it shows.

        The pages' reload handlers run right here, in this event, rather than each being
        sent back for the tab to send again: one round trip instead of two, and one delta.
        Each still checks who is signed in itself, exactly as when the tab sends it.
        """
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not isinstance(topics, list):
            return None
        follow_ups: list = []
        wanted = [topic for topic in topics if isinstance(topic, str)]
        for handler in live_tabs.handlers_for(wanted, self.router.url.path or None):
            follow_ups.extend(await self._run_here(handler))
        return follow_ups or None

    async def _run_here(self, handler: EventHandler) -> list:
        """Run a state's (argument-free) event handler inside this event; what it returns.

        A handler that yields (shows a first part, then waits on something slow such as
        Stripe) is sent back to the tab as its own event instead, so it delays nothing here.
        """
        if inspect.isasyncgenfunction(handler.fn) or inspect.isgeneratorfunction(handler.fn):
            return [handler]
        state = await self.get_state(handler.state)
        result = handler.fn(state)
        if inspect.isawaitable(result):
            result = await result
        if result is None:
            return []
        return list(result) if isinstance(result, (list, tuple)) else [result]

    @rx.event
    def sign_out(self):
        if self._current_identity() is None:
            return self._to_sign_in()
        api_url = json.dumps(get_config().api_url)
        return rx.call_script(
            f"fluxkit.post({api_url}, '/api/auth/sign-out', null, {{}})"
            f".then(() => window.location.assign({json.dumps(SIGN_IN)}))"
        )
