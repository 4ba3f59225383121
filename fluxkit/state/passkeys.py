"""Passkeys: the sign-in page's "Sign in with a passkey", and Settings › Account › Passkeys.

The WebAuthn ceremonies run in the browser (assets/passkeys.js): it asks /api/auth/passkey for
options, lets the device sign them, and posts the answer back, so the session cookie of a
passkey sign-in is set by an HTTP response. These states only start that script and read its
answer: they never see key material, and the browser's answer is never trusted for anything
but the message to show (the list is read again from the database).

Renaming and removing go straight to `services.passkeys`, for the user the session names;
a passkey id from the browser only ever picks among that user's own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs

import reflex as rx
from reflex.config import get_config

from fluxkit.db import session_scope
from fluxkit.services import accounts, email
from fluxkit.services import passkeys as passkey_service
from fluxkit.services.audit import RequestMeta
from fluxkit.services.dto import Identity
from fluxkit.services.errors import InvalidInput
from fluxkit.services.passkeys import PasskeyRow
from fluxkit.state.auth import full_page_load
from fluxkit.state.paged_list import ReloadMixin
from fluxkit.state.session import SignedInState, service_call

GONE = "That passkey was not found. It may have been removed already."
# What the browser's DOMException names mean to the person at the keyboard.
CEREMONY_STOPPED = {
    "NotAllowedError": "The passkey request was cancelled or timed out.",
    "AbortError": "The passkey request was cancelled or timed out.",
    "InvalidStateError": "This device already has a passkey for your account.",
    "NotSupportedError": "This browser cannot use passkeys. Try another browser, or use your password.",
    "SecurityError": "Passkeys only work on the site's own address (https, or localhost while developing).",
}
UNREACHABLE = "We could not reach FluxKit. Check your connection and try again."


def _iso(value: datetime | None) -> str:
    if value is None:
        return ""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def _api_url() -> str:
    return json.dumps(get_config().api_url)


def answer_of(result: object, fallback: str) -> tuple[int, str, str]:
    """(status, message, redirect) from what assets/passkeys.js resolved to."""
    if not isinstance(result, dict):
        return 0, UNREACHABLE, ""
    status = result.get("status") if isinstance(result.get("status"), int) else 0
    if status == -1:
        name = result.get("error") if isinstance(result.get("error"), str) else ""
        return -1, CEREMONY_STOPPED.get(name, fallback), ""
    if status == 0:
        return 0, UNREACHABLE, ""
    body = result.get("body") if isinstance(result.get("body"), dict) else {}
    message = body.get("message") if isinstance(body.get("message"), str) else fallback
    redirect = body.get("redirect") if isinstance(body.get("redirect"), str) else ""
    return status, message[:300], redirect


@dataclass(frozen=True)
class PasskeyItem:
    """A passkey as the list shows it."""

    id: int
    name: str
    created_at: str
    last_used_at: str  # "" when never used
    synced: bool  # a multi-device passkey (kept by a password manager or a platform account)

    @classmethod
    def of(cls, row: PasskeyRow) -> PasskeyItem:
        return cls(
            id=row.id,
            name=row.name,
            created_at=_iso(row.created_at),
            last_used_at=_iso(row.last_used_at),
            synced=row.device_type == "multi_device" or row.backed_up,
        )


class PasskeySignInState(rx.State):
    """The sign-in page's passkey button (signed out: no SignedInState)."""

    pending: bool = False
    error: str = ""

    @rx.event
    def open(self):
        self.pending = False
        self.error = ""

    @rx.event
    def start(self):
        self.pending = True
        self.error = ""
        values = parse_qs(self.router.url.query).get("redirect")
        redirect = accounts.safe_redirect(values[0] if values else None)
        script = f"fluxkitPasskeys.signIn({_api_url()}, {json.dumps(redirect)})"
        return rx.call_script(script, callback=PasskeySignInState.finished)

    @rx.event
    def finished(self, result: dict):
        self.pending = False
        status, message, redirect = answer_of(result, "Signing in with a passkey did not work. Try again.")
        if status == 200:
            # A real page load: the websocket reconnects with the new session cookie.
            return full_page_load(accounts.safe_redirect(redirect))
        self.error = message
        return None


class PasskeysState(ReloadMixin, SignedInState):
    """Settings › Account › Passkeys. `refresh` (a change in another tab) is ReloadMixin's."""

    passkeys: list[PasskeyItem] = []

    # Adding one.
    form_key: int = 0
    adding: bool = False
    add_error: str = ""

    # The rename dialog.
    rename_id: int = 0
    rename_name: str = ""
    rename_error: str = ""

    # The remove confirmation.
    delete_id: int = 0
    delete_name: str = ""

    def _meta(self) -> RequestMeta:
        return RequestMeta(ip=self.router.session.client_ip or "", user_agent=self.router.headers.user_agent)

    def _reload(self, me: Identity) -> None:
        self._reading()
        with session_scope() as db:
            rows = passkey_service.list_passkeys(db, me.user.id)
        self.passkeys = [PasskeyItem.of(row) for row in rows]
        self.loaded = True

    def _mine(self, passkey_id: object) -> PasskeyItem | None:
        return next((p for p in self.passkeys if p.id == passkey_id), None)

    @rx.event
    def load(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.adding = False
        self.add_error = ""
        self.rename_id, self.rename_name, self.rename_error = 0, "", ""
        self.delete_id, self.delete_name = 0, ""
        self._reload(me)
        return None

    # ---- add ------------------------------------------------------------------------------------

    @rx.event
    def add(self, form: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        raw = form.get("name") if isinstance(form, dict) else None
        name = ""
        if isinstance(raw, str) and raw.strip():
            try:
                name = passkey_service.clean_name(raw)
            except InvalidInput as exc:
                self.add_error = exc.message
                return None
        self.adding = True
        self.add_error = ""
        script = f"fluxkitPasskeys.register({_api_url()}, {json.dumps(name)})"
        return rx.call_script(script, callback=PasskeysState.added)

    @rx.event
    def added(self, result: dict):
        """The browser's answer: only its message is used; the list is read from the database."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.adding = False
        status, message, _ = answer_of(result, "The passkey could not be added. Try again.")
        self._reload(me)
        if status == 200:
            self.add_error = ""
            self.form_key += 1  # an empty name field for the next one
            newest = self.passkeys[0].name if self.passkeys else "Your passkey"  # the list is newest first
            return rx.toast.success(f"Passkey added: “{newest}” can now sign you in.")
        self.add_error = message
        return None

    # ---- rename -----------------------------------------------------------------------------------

    @rx.event
    def ask_rename(self, passkey_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._reload(me)
        mine = self._mine(passkey_id)
        if mine is None:
            return rx.toast.error(GONE)
        self.rename_id, self.rename_name, self.rename_error = mine.id, mine.name, ""
        return None

    @rx.event
    def set_rename_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if open is not True:
            self.rename_id, self.rename_name, self.rename_error = 0, "", ""
        return None

    @rx.event
    def rename(self, form: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        passkey_id = self.rename_id
        if not passkey_id:
            return None
        name = form.get("name") if isinstance(form, dict) else None  # the service checks it
        with service_call(GONE) as call:
            row, messages = passkey_service.rename_passkey(call.db, me.user.id, passkey_id, name, meta=self._meta())
        if call.refused:
            if isinstance(call.refused, InvalidInput):
                self.rename_error = call.refused.fields.get("name") or call.refused.message
                return None
            self.rename_id, self.rename_name, self.rename_error = 0, "", ""
            self._reload(me)
            return call.toast
        email.send_in_background(messages)
        self.rename_id, self.rename_name, self.rename_error = 0, "", ""
        self._reload(me)
        return rx.toast.success(f"Renamed to “{row.name}”.")

    # ---- remove -----------------------------------------------------------------------------------

    @rx.event
    def ask_delete(self, passkey_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._reload(me)
        mine = self._mine(passkey_id)
        if mine is None:
            return rx.toast.error(GONE)
        self.delete_id, self.delete_name = mine.id, mine.name
        return None

    @rx.event
    def set_delete_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if open is not True:
            self.delete_id, self.delete_name = 0, ""
        return None

    @rx.event
    def confirm_delete(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        passkey_id, name = self.delete_id, self.delete_name
        self.delete_id, self.delete_name = 0, ""
        if not passkey_id:
            return None
        with service_call(GONE) as call:
            messages = passkey_service.delete_passkey(call.db, me.user.id, passkey_id, meta=self._meta())
        self._reload(me)
        if call.refused:
            return call.toast
        email.send_in_background(messages)
        return rx.toast.success(f"Removed “{name}”. It can no longer sign you in.")
