"""Social sign-in's two states: the provider buttons on /sign-in and /sign-up
(`SocialSignInState`), and Settings › Account and security › Connected accounts
(`SocialState`).

A round trip starts with the browser itself POSTing to /api/auth/sign-in/social or
/link-social (assets/fluxkit.js), so the state cookie is set by an HTTP response; the answer's
provider URL is then opened with a real page load. Nothing here holds a state, a code or a token.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

import reflex as rx

from fluxkit.db import session_scope
from fluxkit.services import accounts, email, ratelimit, social_accounts, social_providers
from fluxkit.services.audit import RequestMeta
from fluxkit.services.errors import ServiceError
from fluxkit.state.auth import full_page_load, post_form
from fluxkit.state.session import SignedInState


@dataclass(frozen=True)
class ProviderButton:
    id: str
    label: str


@dataclass(frozen=True)
class ConnectedRow:
    provider: str
    label: str
    email: str
    connected_at: str


def _buttons() -> list[ProviderButton]:
    return [ProviderButton(p.id, p.label) for p in social_providers.configured()]


def _provider_url(result: object) -> str:
    """The provider's URL from a {url, redirect: true} answer; "" for anything else."""
    if not isinstance(result, dict) or result.get("status") != 200 or not isinstance(result.get("body"), dict):
        return ""
    url = result["body"].get("url")
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else ""


def _answer_message(result: object, fallback: str) -> str:
    body = result.get("body") if isinstance(result, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    return message[:300] if isinstance(message, str) else fallback


class SocialSignInState(rx.State):
    """The "Sign in with ..." buttons: only the configured providers show."""

    providers: list[ProviderButton] = []
    error: str = ""
    pending: str = ""  # the provider whose round trip is starting

    def _query(self, key: str) -> str:
        values = parse_qs(self.router.url.query).get(key)
        return values[0] if values else ""

    @rx.event
    def load(self):
        self.providers = _buttons()
        self.pending = ""
        code = self._query("error")
        template = social_accounts.SIGN_IN_ERRORS.get(code, "")
        self.error = template.format(provider=social_accounts.label_of(self._query("provider")[:32]))

    @rx.event
    def start(self, provider: str):
        if social_providers.get(provider) is None:
            self.error = "That sign-in provider is not set up here."
            return None
        self.pending, self.error = provider, ""
        callback = accounts.safe_redirect(self._query("redirect"))
        body = {"provider": provider, "callbackURL": callback}
        return post_form("/api/auth/sign-in/social", "", SocialSignInState.started, body)

    @rx.event
    def started(self, result: dict):
        url = _provider_url(result)
        if not url:
            self.pending = ""
            self.error = _answer_message(result, "The sign-in could not start. Try again.")
            return None
        return full_page_load(url)  # pending stays on: the page is leaving


class SocialState(SignedInState):
    """Settings › Connected accounts: link, list and unlink provider accounts."""

    connected: list[ConnectedRow] = []
    available: list[ProviderButton] = []  # configured and not linked yet
    has_password: bool = False
    pending: str = ""

    def _meta(self) -> RequestMeta:
        return RequestMeta(ip=self.router.session.client_ip or "", user_agent=self.router.headers.user_agent)

    def _read(self, user_id: int) -> None:
        with session_scope() as db:
            rows = social_accounts.list_accounts(db, user_id)
            self.has_password = social_accounts.user_has_password(db, user_id)
        self.connected = [ConnectedRow(r.provider, r.label, r.email, r.created_at.date().isoformat()) for r in rows]
        linked = {r.provider for r in rows}
        self.available = [b for b in _buttons() if b.id not in linked]

    @rx.event
    def load(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._read(me.user.id)
        self.pending = ""
        query = parse_qs(self.router.url.query)
        outcome = (query.get("social") or [""])[0]
        template = social_accounts.LINK_MESSAGES.get(outcome)
        if template is None:
            return None
        message = template.format(provider=social_accounts.label_of((query.get("provider") or [""])[0][:32]))
        return rx.toast.success(message) if outcome == "linked" else rx.toast.error(message)

    @rx.event
    def connect(self, provider: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if social_providers.get(provider) is None:
            return rx.toast.error("That provider is not set up here.")
        self.pending = provider
        body = {"provider": provider, "callbackURL": social_accounts.ACCOUNT_SETTINGS}
        return post_form("/api/auth/link-social", "", SocialState.connect_started, body)

    @rx.event
    def connect_started(self, result: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        url = _provider_url(result)
        if not url:
            self.pending = ""
            return rx.toast.error(_answer_message(result, "Connecting could not start. Try again."))
        return full_page_load(url)

    @rx.event
    def disconnect(self, provider: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        try:
            with session_scope() as db:
                messages = social_accounts.unlink(db, me.user.id, provider=provider, meta=self._meta())
        except ServiceError as exc:
            self._read(me.user.id)
            return rx.toast.error(exc.message)
        email.send_in_background(messages)
        self._read(me.user.id)
        return rx.toast.success(f"{social_accounts.label_of(provider)} is disconnected.")

    @rx.event
    def email_password_link(self):
        """A user without a password gets one through the reset flow: the link to set it."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not ratelimit.hit(ratelimit.RESET_PER_ACCOUNT, "account", "reset", me.user.email).allowed:
            return rx.toast.error("We sent several links in the last hour. Use the newest one, or try later.")
        with session_scope() as db:
            messages = accounts.request_password_reset(db, me.user.email, meta=self._meta())
        email.send_in_background(messages)
        return rx.toast.success(f"We emailed {me.user.email} a link to set a password.")
