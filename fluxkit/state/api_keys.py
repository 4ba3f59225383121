"""Settings › API keys: create a personal key (shown once), list them, revoke one.

Every handler re-derives the user from the session and hands only that id to
`services.api_keys`; a key id from the browser only ever picks among that user's own keys.
The plaintext of a new key lives in `new_key` while the dialog showing it is open, and is
dropped the moment it closes (and whenever the tab changes hands, by the session gate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import reflex as rx

from fluxkit.db import session_scope
from fluxkit.services import api_keys as key_service
from fluxkit.services.api_keys import ApiKeyRow
from fluxkit.services.audit import RequestMeta
from fluxkit.services.dto import Identity
from fluxkit.state.paged_list import ReloadMixin
from fluxkit.state.session import SignedInState, service_call

MAX_KEYS = key_service.MAX_KEYS
GONE = "That API key was not found. It may have been revoked already."


def _iso(value: datetime | None) -> str:
    if value is None:
        return ""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


@dataclass(frozen=True)
class ApiKeyItem:
    """A key as the list shows it: never the key itself nor its hash."""

    id: int
    name: str
    prefix: str
    created_at: str
    last_used_at: str  # "" when never used

    @classmethod
    def of(cls, row: ApiKeyRow) -> ApiKeyItem:
        return cls(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            created_at=_iso(row.created_at),
            last_used_at=_iso(row.last_used_at),
        )


class ApiKeysState(ReloadMixin, SignedInState):
    """`refresh` (keys changed in another tab or through the REST API) is ReloadMixin's."""

    keys: list[ApiKeyItem] = []

    # The create form.
    form_key: int = 0
    name_error: str = ""
    creating: bool = False

    # The dialog that shows a new key, once.
    new_key: str = ""
    new_key_name: str = ""

    # The revoke confirmation.
    revoke_id: int = 0
    revoke_name: str = ""

    @rx.var
    def at_limit(self) -> bool:
        return len(self.keys) >= MAX_KEYS

    def _meta(self) -> RequestMeta:
        return RequestMeta(ip=self.router.session.client_ip or "", user_agent=self.router.headers.user_agent)

    def _reload(self, me: Identity) -> None:
        self._reading()
        with session_scope() as db:
            rows = key_service.list_keys(db, me.user.id)
        self.keys = [ApiKeyItem.of(row) for row in rows]
        self.loaded = True

    @rx.event
    def load(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.name_error = ""
        self.new_key = ""
        self.new_key_name = ""
        self.revoke_id = 0
        self.revoke_name = ""
        self._reload(me)
        return None

    @rx.event
    def create(self, form: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        name = form.get("name") if isinstance(form, dict) else None  # the service checks it
        with service_call() as call:  # InvalidInput (the name) or TooManyKeys
            new = key_service.create_key(call.db, me.user.id, name, meta=self._meta())
        if call.refused:
            self.name_error = call.refused.fields.get("name") or call.refused.message
            return None
        self.name_error = ""
        self.form_key += 1  # an empty name field for the next key
        self.new_key = new.key
        self.new_key_name = new.row.name
        self._reload(me)
        return None

    @rx.event
    def set_new_key_open(self, open: bool):
        """The dialog showing the new key closes: the key is gone from the page for good
        (and the list is read again, so a first use of the key shows)."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if open is not True:
            self.new_key = ""
            self.new_key_name = ""
            self._reload(me)
        return None

    @rx.event
    def ask_revoke(self, key_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._reload(me)
        mine = next((key for key in self.keys if key.id == key_id), None)
        if mine is None:
            return rx.toast.error(GONE)
        self.revoke_id = mine.id
        self.revoke_name = mine.name
        return None

    @rx.event
    def set_revoke_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if open is not True:
            self.revoke_id = 0
            self.revoke_name = ""
        return None

    @rx.event
    def confirm_revoke(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        key_id, name = self.revoke_id, self.revoke_name
        self.revoke_id = 0
        self.revoke_name = ""
        if not key_id:
            return None
        with service_call(GONE) as call:
            key_service.revoke_key(call.db, me.user.id, key_id, meta=self._meta())
        self._reload(me)
        if call.refused:
            return call.toast
        return rx.toast.success(f"Revoked “{name}”. Apps using it can no longer sign in with it.")
