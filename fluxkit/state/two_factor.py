"""Two-factor sign-in in the UI: the second-step page (/two-factor) and Settings › Account.

`SecondStepState` is for a visitor between the two steps: it holds no identity and no token
(the pending challenge is an HttpOnly cookie only the API reads); the browser posts the code
to /api/auth/two-factor/verify-totp or /verify-backup-code itself, so the session cookie is set
by an HTTP response, as on the sign-in page.

`TwoFactorSettingsState` is the settings section: the user re-derived from the session on every
event, the services called directly (password checks in a worker thread). The secret and the
backup codes are in its vars only while being shown, right after they were made.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from fluxkit.db import session_scope
from fluxkit.services import accounts, email
from fluxkit.services import two_factor as service
from fluxkit.services.audit import RequestMeta
from fluxkit.services.errors import ServiceError
from fluxkit.state.auth import AuthState, answer_message, full_page_load, post_form
from fluxkit.state.session import SignedInState, identity_for_cookie

CODE_FORM = "two-factor-form"


def _text(form: object, key: str) -> str:
    value = form.get(key) if isinstance(form, dict) else None
    return value if isinstance(value, str) else ""


class SecondStepState(AuthState):
    """/two-factor: a 6-digit code from the app, or a backup code; "trust this device"."""

    use_backup: bool = False
    trust_device: bool = False

    @rx.event
    def open_second_step(self):
        self.use_backup = False
        self.trust_device = False
        self.pending = False
        self.error = ""
        self.field_errors = {}
        if identity_for_cookie(self.router.headers.cookie) is not None:
            return rx.redirect(accounts.safe_redirect(self._query("redirect")))
        return None

    @rx.event
    def toggle_backup(self):
        self.use_backup = not self.use_backup
        self.error = ""
        self.field_errors = {}

    @rx.event
    def set_trust(self, checked: bool):
        self.trust_device = checked is True

    @rx.event
    def verify(self, form: dict):
        code = _text(form, "code").strip()
        if not code:
            self.field_errors = {"code": "Enter a backup code." if self.use_backup else "Enter the 6-digit code."}
            return None
        if not self.use_backup and (len(code.replace(" ", "")) != 6 or not code.replace(" ", "").isdigit()):
            self.field_errors = {"code": "Enter the 6 digits your authenticator app shows."}
            return None
        self._start()
        path = "/api/auth/two-factor/verify-backup-code" if self.use_backup else "/api/auth/two-factor/verify-totp"
        return post_form(path, CODE_FORM, SecondStepState.verified, {"trustDevice": self.trust_device})

    @rx.event
    def verified(self, result: dict):
        self.pending = False
        status, message, fields = answer_message(result, "That did not work. Try again.")
        if status == 200:
            body = result.get("body") or {}
            return full_page_load(accounts.safe_redirect(body.get("redirect") or self._query("redirect")))
        self.error = message
        self.field_errors = fields
        if status == 401:
            self.error = f"{message} Your password is not kept between the steps."
        return rx.set_value("two-factor-code", "")


class TwoFactorSettingsState(SignedInState):
    """Settings › Account › Two-factor sign-in."""

    enabled: bool = False
    setting_up: bool = False  # secret shown, waiting for the first code
    backup_codes_left: int = 0
    trusted_devices: int = 0
    # Shown once, right after they were made; cleared by `load` and by confirming.
    secret: str = ""
    totp_uri: str = ""
    qr_code: str = ""
    new_backup_codes: list[str] = []
    errors: dict[str, str] = {}
    busy: bool = False

    def _meta(self) -> RequestMeta:
        return RequestMeta(ip=self.router.session.client_ip or "", user_agent=self.router.headers.user_agent)

    def _read(self, user_id: int) -> None:
        with session_scope() as db:
            now = service.status(db, user_id)
        self.enabled, self.backup_codes_left, self.trusted_devices = (
            now.enabled,
            now.backup_codes_left,
            now.trusted_devices,
        )
        if not now.pending:
            self.setting_up = False
            self.secret = self.totp_uri = self.qr_code = ""

    @rx.event
    def load(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.secret = self.totp_uri = self.qr_code = ""
        self.new_backup_codes = []
        self.errors = {}
        self.busy = False
        self.setting_up = False
        self._read(me.user.id)
        return None

    @rx.event
    def refresh(self):
        """Changed in another tab or through the API (keeps codes being shown here)."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._read(me.user.id)
        return None

    async def _with_password(self, form: dict, action, field: str):
        """Run `action(db, me, password, meta)` in a worker thread (argon2); a refusal is kept
        in `errors` under `field` (each password form shows its own)."""
        me = self._current_identity()
        if me is None:
            return None, self._to_sign_in()
        meta = self._meta()
        password = _text(form, "password")

        def run():
            with session_scope() as db:
                try:
                    return action(db, me, password, meta)
                except ServiceError as exc:
                    return exc  # returned, not raised: the failed attempt's audit row commits

        self.busy = True
        outcome = await asyncio.to_thread(run)
        self.busy = False
        if isinstance(outcome, ServiceError):
            self.errors = {field: outcome.message} if "password" in outcome.fields else {"form": outcome.message}
            return None, None
        self.errors = {}
        return (me, outcome), None

    @rx.event
    async def start(self, form: dict):
        done, refused = await self._with_password(form, service.begin_enable, "password")
        if done is None:
            return refused
        me, setup = done
        self.setting_up = True
        self.secret, self.totp_uri, self.qr_code = setup.secret, setup.totp_uri, setup.qr_svg_data_uri
        self.new_backup_codes = setup.backup_codes
        self._read(me.user.id)
        self.setting_up = True
        return rx.set_value("two-factor-password", "")

    @rx.event
    def confirm(self, form: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        try:
            with session_scope() as db:
                messages = service.confirm(db, me, _text(form, "code"), self._meta())
        except ServiceError as exc:
            self.errors = exc.fields or {"code": exc.message}
            return None
        email.send_in_background(messages)
        self.errors = {}
        self.setting_up = False
        self.secret = self.totp_uri = self.qr_code = ""
        self._read(me.user.id)
        return rx.toast.success("Two-factor sign-in is on. Keep your backup codes somewhere safe.")

    @rx.event
    async def regenerate(self, form: dict):
        done, refused = await self._with_password(form, service.regenerate_backup_codes, "regenerate")
        if done is None:
            return refused
        me, (codes, messages) = done
        email.send_in_background(messages)
        self.new_backup_codes = codes
        self._read(me.user.id)
        return [rx.set_value("two-factor-regenerate-password", ""), rx.toast.success("New backup codes made.")]

    @rx.event
    async def disable(self, form: dict):
        done, refused = await self._with_password(form, service.disable, "disable")
        if done is None:
            return refused
        me, messages = done
        email.send_in_background(messages)
        self.new_backup_codes = []
        self._read(me.user.id)
        return [rx.set_value("two-factor-disable-password", ""), rx.toast.success("Two-factor sign-in is off.")]

    @rx.event
    def hide_codes(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.new_backup_codes = []
        return None

    @rx.event
    def forget_devices(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with session_scope() as db:
            ended = service.forget_trusted_devices(db, me, self._meta())
        self._read(me.user.id)
        return rx.toast.success(f"Forgot {ended} trusted device{'s' if ended != 1 else ''}.")
