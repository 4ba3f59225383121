"""Auth pages' state: validation messages, pending flags, and the JSON route calls.

Credentials are posted by the browser itself to /api/auth/* (see assets/fluxkit.js), so
the HttpOnly session cookie is set by an HTTP response. This state only validates for
inline messages and reads the answers; it never holds a password or a token.
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs

import reflex as rx
from reflex.config import get_config

from fluxkit import routes
from fluxkit.db import session_scope
from fluxkit.routes import SIGN_IN
from fluxkit.services import accounts, passwords
from fluxkit.services.audit import RequestMeta
from fluxkit.services.errors import InvalidInput, InvalidToken
from fluxkit.state.session import identity_for_cookie


def post_form(path: str, form_id: str, callback, extra: dict | None = None) -> rx.event.EventSpec:
    """Have the browser POST the form's fields as JSON to one of our API routes."""
    api_url = json.dumps(get_config().api_url)
    script = f"fluxkit.post({api_url}, {json.dumps(path)}, {json.dumps(form_id)}, {json.dumps(extra or {})})"
    return rx.call_script(script, callback=callback)


def full_page_load(path: str) -> rx.event.EventSpec:
    """Navigate with a real page load so the websocket reconnects with the new cookie."""
    return rx.call_script(f"window.location.assign({json.dumps(path)})")


def answer_message(result: object, fallback: str) -> tuple[int, str, dict[str, str]]:
    if not isinstance(result, dict):
        return 0, fallback, {}
    status = result.get("status") if isinstance(result.get("status"), int) else 0
    body = result.get("body") if isinstance(result.get("body"), dict) else {}
    message = body.get("message") if isinstance(body.get("message"), str) else fallback
    fields = body.get("fields") if isinstance(body.get("fields"), dict) else {}
    fields = {str(k): str(v) for k, v in fields.items()}
    if status == 0:
        message = "We could not reach FluxKit. Check your connection and try again."
    return status, message[:300], fields


_answer_message = answer_message  # the name this module's handlers use


def _text(form: object, key: str) -> str:
    value = form.get(key) if isinstance(form, dict) else None
    return value if isinstance(value, str) else ""


class AuthState(rx.State):
    pending: bool = False
    error: str = ""
    field_errors: dict[str, str] = {}
    # The "check your email" / "done" state of forms that send an email.
    sent_to: str = ""
    done: bool = False
    # Sign-in page: the emailed sign-in link was asked for (its neutral answer).
    link_notice: str = ""
    # Verify-email page: "checking", "verified", "invalid" or "resend" (no link, ask for one).
    verify_status: str = "checking"

    def _query(self, key: str) -> str:
        values = parse_qs(self.router.url.query).get(key)
        return values[0] if values else ""

    def _meta(self) -> RequestMeta:
        return RequestMeta(ip=self.router.session.client_ip or "", user_agent=self.router.headers.user_agent)

    def _start(self) -> None:
        self.pending = True
        self.error = ""
        self.field_errors = {}

    @rx.event
    def open_page(self):
        """Every auth page: start clean; a signed-in visitor goes where they were headed."""
        self.pending = False
        self.error = ""
        self.field_errors = {}
        self.sent_to = ""
        self.done = False
        self.link_notice = ""
        if identity_for_cookie(self.router.headers.cookie) is not None:
            return rx.redirect(accounts.safe_redirect(self._query("redirect")))
        if self._query("error") == "link":
            self.error = "That sign-in link is invalid, has expired or was already used. Ask for a new one."
        return None

    # ---- sign in ---------------------------------------------------------------

    @rx.event
    def sign_in(self, form: dict):
        problems = {}
        if not _text(form, "email").strip():
            problems["email"] = "Enter your email address."
        if not _text(form, "password"):
            problems["password"] = "Enter your password."
        if problems:
            self.field_errors = problems
            return None
        self._start()
        redirect = accounts.safe_redirect(self._query("redirect"))
        return post_form("/api/auth/sign-in/email", "sign-in-form", AuthState.signed_in, {"callbackURL": redirect})

    @rx.event
    def signed_in(self, result: dict):
        self.pending = False
        status, message, _ = _answer_message(result, "Sign-in failed. Try again.")
        if status == 200:
            body = result.get("body") or {}
            if body.get("twoFactorRedirect") is True:
                # Two-factor on: no session yet; the second-step page asks for the code.
                return rx.redirect(accounts.safe_redirect(body.get("redirect"), default=routes.TWO_FACTOR))
            return full_page_load(accounts.safe_redirect(body.get("redirect")))
        self.error = message
        return None

    @rx.event
    def email_link(self):
        """Have a one-time sign-in link emailed (the way in while the account is locked)."""
        self._start()
        self.link_notice = ""
        redirect = accounts.safe_redirect(self._query("redirect"))
        # The form's password is not sent along: this route has no use for it.
        extra = {"callbackURL": redirect, "password": ""}
        return post_form("/api/auth/sign-in/magic-link", "sign-in-form", AuthState.link_sent, extra)

    @rx.event
    def link_sent(self, result: dict):
        self.pending = False
        status, message, fields = _answer_message(result, "The link could not be sent. Try again.")
        if status == 200:
            self.link_notice = message
            return None
        self.error, self.field_errors = message, fields
        return None

    # ---- sign up -----------------------------------------------------------------

    @rx.event
    def sign_up(self, form: dict):
        problems: dict[str, str] = {}
        for check, key in ((accounts.clean_name, "name"), (accounts.normalize_email, "email")):
            try:
                check(_text(form, key))
            except InvalidInput as exc:
                problems.update(exc.fields)
        if problem := passwords.password_problem(_text(form, "password")):
            problems["password"] = problem
        if problems:
            self.field_errors = problems
            return None
        self._start()
        self.sent_to = accounts.normalize_email(_text(form, "email"))
        return post_form("/api/auth/sign-up/email", "sign-up-form", AuthState.signed_up)

    @rx.event
    def signed_up(self, result: dict):
        self.pending = False
        status, message, fields = _answer_message(result, "Sign-up failed. Try again.")
        if status == 200:
            self.done = True
            return None
        self.error, self.field_errors = message, fields
        return None

    # ---- forgot / reset password -------------------------------------------------------

    @rx.event
    def forgot(self, form: dict):
        try:
            email = accounts.normalize_email(_text(form, "email"))
        except InvalidInput as exc:
            self.field_errors = exc.fields
            return None
        self._start()
        self.sent_to = email
        return post_form(
            "/api/auth/forget-password", "forgot-form", AuthState.forgot_sent, {"redirectTo": routes.RESET_PASSWORD}
        )

    @rx.event
    def forgot_sent(self, result: dict):
        self.pending = False
        status, message, fields = _answer_message(result, "Something went wrong. Try again.")
        if status == 200:
            self.done = True
            return None
        self.error, self.field_errors = message, fields
        return None

    @rx.event
    def reset_password(self, form: dict):
        password = _text(form, "newPassword")
        if problem := passwords.password_problem(password):
            self.field_errors = {"newPassword": problem}
            return None
        if password != _text(form, "confirmPassword"):
            self.field_errors = {"confirmPassword": "The two passwords are not the same."}
            return None
        token = self._query("token")
        if not token:
            self.error = "This reset link is incomplete. Ask for a new one."
            return None
        self._start()
        return post_form("/api/auth/reset-password", "reset-form", AuthState.reset_done, {"token": token})

    @rx.event
    def reset_done(self, result: dict):
        self.pending = False
        status, message, fields = _answer_message(result, "The password could not be changed.")
        if status == 200:
            self.done = True
            return rx.toast.success("Password changed. Sign in with your new password.")
        self.error, self.field_errors = message, fields
        return None

    # ---- email verification ---------------------------------------------------------------

    @rx.event
    async def verify(self):
        self.done = False
        self.error = ""
        self.sent_to = ""
        self.verify_status = "checking"
        token = self._query("token")
        if not token:
            self.verify_status = "resend"
            return
        yield
        meta = self._meta()

        def consume():
            with session_scope() as db:
                accounts.verify_email(db, token, meta)

        try:
            await asyncio.to_thread(consume)
        except InvalidToken:
            self.verify_status = "invalid"
            return
        self.verify_status = "verified"

    @rx.event
    def resend(self, form: dict):
        try:
            email = accounts.normalize_email(_text(form, "email"))
        except InvalidInput as exc:
            self.field_errors = exc.fields
            return None
        self._start()
        self.sent_to = email
        return post_form("/api/auth/send-verification-email", "resend-form", AuthState.resent)

    @rx.event
    def resent(self, result: dict):
        self.pending = False
        status, message, _ = _answer_message(result, "Something went wrong. Try again.")
        if status == 200:
            self.done = True
            return None
        self.error = message
        return None


class AliasState(rx.State):
    """`/login` and `/register` (also redirected at the edge in production)."""

    @rx.event
    def to_sign_in(self):
        query = self.router.url.query
        return rx.redirect(SIGN_IN + (f"?{query}" if query else ""))

    @rx.event
    def to_sign_up(self):
        query = self.router.url.query
        return rx.redirect(routes.SIGN_UP + (f"?{query}" if query else ""))
