"""Settings: profile name, password change, and the sessions signed in to the account."""

from __future__ import annotations

import asyncio

import reflex as rx

from fluxkit.db import session_scope
from fluxkit.services import accounts, mail, profile
from fluxkit.services.audit import RequestMeta
from fluxkit.services.errors import InvalidInput
from fluxkit.state.session import SignedInState
from fluxkit.state.shell import ShellState


def _text(form: object, key: str) -> str:
    value = form.get(key) if isinstance(form, dict) else None
    return value if isinstance(value, str) else ""


class SettingsState(SignedInState):
    name: str = ""
    email: str = ""
    sessions: list[profile.SessionRow] = []
    name_error: str = ""
    password_errors: dict[str, str] = {}
    password_pending: bool = False

    def _meta(self) -> RequestMeta:
        return RequestMeta(ip=self.router.session.client_ip or "", user_agent=self.router.headers.user_agent)

    def _refresh_sessions(self, me) -> None:
        with session_scope() as db:
            self.sessions = profile.session_rows(db, me)

    @rx.event
    def load(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.name = me.user.name
        self.email = me.user.email
        self.name_error = ""
        self.password_errors = {}
        self._refresh_sessions(me)
        return None

    @rx.event
    async def save_name(self, form: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        try:
            with session_scope() as db:
                self.name = profile.rename(db, me, _text(form, "name"), self._meta())
        except InvalidInput as exc:
            self.name_error = exc.message
            return None
        self.name_error = ""
        shell = await self.get_state(ShellState)
        shell.user_name = self.name
        return rx.toast.success("Name saved.")

    @rx.event
    async def change_password(self, form: dict):
        me = self._current_identity()
        if me is None:
            yield self._to_sign_in()
            return
        if _text(form, "newPassword") != _text(form, "confirmPassword"):
            self.password_errors = {"confirmPassword": "The two new passwords are not the same."}
            return
        self.password_pending = True
        self.password_errors = {}
        yield
        meta = self._meta()

        def change() -> list | InvalidInput:
            with session_scope() as db:
                try:
                    return accounts.change_password(
                        db, me, current_password=_text(form, "currentPassword"),
                        new_password=_text(form, "newPassword"), meta=meta,
                    )
                except InvalidInput as exc:
                    # Returned, not raised: the failed attempt's audit row still commits.
                    return exc

        # argon2 runs in a worker thread so other users' events keep flowing.
        outcome = await asyncio.to_thread(change)
        if isinstance(outcome, InvalidInput):
            self.password_pending = False
            self.password_errors = outcome.fields or {"newPassword": outcome.message}
            return
        messages = outcome
        mail.send_in_background(messages)
        self.password_pending = False
        self._refresh_sessions(me)
        yield rx.toast.success("Password changed. Your other sessions were signed out.")
        yield rx.set_value("current-password", "")
        yield rx.set_value("new-password", "")
        yield rx.set_value("confirm-password", "")

    @rx.event
    def revoke_session(self, session_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if session_id == me.session.id:
            return rx.toast.error("This is the session you are using. Use Sign out instead.")
        try:
            with session_scope() as db:
                revoked = accounts.revoke_session(db, me, session_id, self._meta())
        except InvalidInput:
            revoked = False
        self._refresh_sessions(me)
        if not revoked:
            return rx.toast.error("That session is already signed out.")
        return rx.toast.success("Session signed out.")

    @rx.event
    def revoke_others(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with session_scope() as db:
            ended = accounts.revoke_other_sessions(db, me, self._meta())
        self._refresh_sessions(me)
        return rx.toast.success(f"Signed out {ended} other session{'s' if ended != 1 else ''}.")
