"""Settings: profile, avatar, email, password, sessions, appearance, notifications, my data.

`AppearanceState` is the shell's half: the user's theme, accent, density and picture,
read from the database when a page mounts and again whenever they change elsewhere.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from urllib.parse import parse_qs

import reflex as rx

from fluxkit.db import session_scope
from fluxkit.navigation import SETTINGS_PAGES, settings_path
from fluxkit.routes import SIGN_IN
from fluxkit.services import avatars, data_export, email, preferences, profile
from fluxkit.services.audit import RequestMeta
from fluxkit.services.errors import InvalidInput, ServiceError
from fluxkit.state.session import SignedInState
from fluxkit.state.shell import ShellState

LANGUAGE_CHOICES = list(profile.LANGUAGES.items())
# The one-page settings' old #anchors (links in emails and bookmarks) -> their sub-page.
OLD_ANCHORS = {
    "profile": "profile",
    "email": "account",
    "password": "account",
    "sessions": "account",
    "two-factor": "account",
    "danger-zone": "account",
    "appearance": "appearance",
    "notifications": "notifications",
    "billing": "billing",
    "api-keys": "api-keys",
    "your-data": "data",
}
APPLY_THEME_ID = "apply-theme"  # the shell's hidden buttons: apply-theme-light, -dark, -system


def apply_theme(theme: str) -> rx.event.EventSpec:
    """Set the browser's colour mode through the shell's hidden button for `theme`."""
    return rx.call_script(f"document.getElementById({json.dumps(f'{APPLY_THEME_ID}-{theme}')})?.click()")


def _text(form: object, key: str) -> str:
    value = form.get(key) if isinstance(form, dict) else None
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class ChoiceRow:
    type: str
    label: str
    in_app: bool
    email: bool
    digest: bool


class AppearanceState(SignedInState):
    """Applied by the shell on every signed-in page, on every device."""

    theme: str = ""  # "" until loaded: the browser's own choice stays until then
    accent: str = "violet"
    density: str = "comfortable"
    avatar_url: str = ""

    @rx.event
    def load(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with session_scope() as db:
            prefs = preferences.get(db, me.user.id)
            mine = profile.get_profile(db, me.user.id)
        self.theme, self.accent, self.density = (
            prefs.appearance.theme,
            prefs.appearance.accent,
            prefs.appearance.density,
        )
        self.avatar_url = mine.avatar_url
        return apply_theme(self.theme)

    @rx.event
    def choose_theme(self, theme: str):
        """The header's theme menu: saved for every device of the user."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        try:
            with session_scope() as db:
                self.theme = preferences.update(db, me.user.id, {"theme": theme}).appearance.theme
        except InvalidInput as exc:
            return rx.toast.error(exc.message)
        return None

    @rx.event
    def toggle_theme(self, shown: str):
        """The command palette's Toggle theme: saves the opposite of the mode `shown` before it."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        return AppearanceState.choose_theme("light" if shown == "dark" else "dark")


class SettingsState(SignedInState):
    name: str = ""
    email: str = ""
    sessions: list[profile.SessionRow] = []
    name_error: str = ""
    password_errors: dict[str, str] = {}
    password_pending: bool = False
    # Profile
    bio: str = ""
    company: str = ""
    location: str = ""
    website: str = ""
    timezone: str = "UTC"
    language: str = "en"
    avatar_url: str = ""
    pending_email: str = ""
    profile_errors: dict[str, str] = {}
    avatar_error: str = ""
    avatar_busy: bool = False  # a picture is being decoded and stored
    email_errors: dict[str, str] = {}
    # Appearance and notifications
    theme: str = "system"
    accent: str = "violet"
    density: str = "comfortable"
    choices: list[ChoiceRow] = []
    quiet_start: str = ""
    quiet_end: str = ""
    quiet_error: str = ""
    # Danger zone
    delete_errors: dict[str, str] = {}
    delete_open: bool = False

    @rx.var
    def timezones(self) -> list[str]:
        return list(profile.timezones())

    @rx.var
    def languages(self) -> list[list[str]]:
        return [list(pair) for pair in LANGUAGE_CHOICES]

    def _meta(self) -> RequestMeta:
        return RequestMeta(ip=self.router.session.client_ip or "", user_agent=self.router.headers.user_agent)

    def _refresh_sessions(self, me) -> None:
        with session_scope() as db:
            self.sessions = profile.session_rows(db, me)

    def _read_profile(self, db, user_id: int) -> None:
        mine = profile.get_profile(db, user_id)
        self.name, self.email, self.pending_email = mine.name, mine.email, mine.pending_email
        self.bio, self.company, self.location, self.website = mine.bio, mine.company, mine.location, mine.website
        self.timezone, self.language, self.avatar_url = mine.timezone, mine.language, mine.avatar_url

    def _read_preferences(self, db, user_id: int) -> None:
        prefs = preferences.get(db, user_id)
        self.theme, self.accent, self.density = (
            prefs.appearance.theme,
            prefs.appearance.accent,
            prefs.appearance.density,
        )
        self.choices = [ChoiceRow(c.type, c.label, c.in_app, c.email, c.digest) for c in prefs.notifications]
        self.quiet_start, self.quiet_end = prefs.quiet_start, prefs.quiet_end

    @rx.event
    def load(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with session_scope() as db:
            self._read_profile(db, me.user.id)
            self._read_preferences(db, me.user.id)
        self.name_error = self.avatar_error = self.quiet_error = ""
        self.password_errors, self.profile_errors, self.email_errors, self.delete_errors = {}, {}, {}, {}
        self.delete_open = False
        self._refresh_sessions(me)
        changed = (parse_qs(self.router.url.query).get("email") or [""])[0]
        if changed == "changed":
            return rx.toast.success(f"Your email is now {self.email}.")
        if changed == "invalid":
            return rx.toast.error("That email change link is invalid, has expired or was already used.")
        return None

    @rx.event
    def open_first(self):
        """/settings: read the #anchor (the browser keeps it to itself), then `open_section`."""
        if self._current_identity() is None:
            return self._to_sign_in()
        return rx.call_script("window.location.hash.slice(1)", callback=SettingsState.open_section)

    @rx.event
    def open_section(self, anchor: str):
        """On to the sub-page an old /settings#anchor meant (or an email-change ?email=
        answer's: account), else the first; the query string goes along."""
        if self._current_identity() is None:
            return self._to_sign_in()
        query = self.router.url.query
        slug = OLD_ANCHORS.get(anchor if isinstance(anchor, str) else "", "")
        if not slug:
            slug = "account" if parse_qs(query).get("email") else SETTINGS_PAGES[0][1]
        return rx.redirect(settings_path(slug) + (f"?{query}" if query else ""), replace=True)

    @rx.event
    def refresh(self):
        """Profile or preferences changed in another tab or through the API."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with session_scope() as db:
            self._read_profile(db, me.user.id)
            self._read_preferences(db, me.user.id)
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
                    return profile.change_password(
                        db,
                        me,
                        current_password=_text(form, "currentPassword"),
                        new_password=_text(form, "newPassword"),
                        meta=meta,
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
        email.send_in_background(messages)
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
                revoked = profile.sign_out_session(db, me, session_id, self._meta())
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
            ended = profile.sign_out_everywhere_else(db, me, self._meta())
        self._refresh_sessions(me)
        return rx.toast.success(f"Signed out {ended} other session{'s' if ended != 1 else ''}.")

    # ---- profile and picture ------------------------------------------------------------------

    @rx.event
    async def save_profile(self, form: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        fields = {key: _text(form, key) for key in profile.PROFILE_FIELDS}
        try:
            with session_scope() as db:
                profile.update_profile(db, me.user.id, fields, self._meta())
                self._read_profile(db, me.user.id)
        except InvalidInput as exc:
            self.profile_errors = exc.fields or {"name": exc.message}
            return rx.toast.error(exc.message)
        self.profile_errors = {}
        shell = await self.get_state(ShellState)
        shell.user_name = self.name
        return rx.toast.success("Profile saved.")

    @rx.event(background=True)
    async def upload_avatar(self, chunks: rx.UploadChunkIterator):
        """A new picture: streamed in, decoded and stored in a worker thread (a 40-megapixel
        photo takes seconds), holding the tab's state lock only to show the result."""
        me = self._current_identity()
        if me is None:
            yield self._to_sign_in()
            return
        data = bytearray()
        if isinstance(chunks, rx.UploadChunkIterator):
            async for chunk in chunks:
                data += chunk.data[: avatars.MAX_BYTES + 1 - len(data)]
                if len(data) > avatars.MAX_BYTES:
                    break  # refused as too big; the rest is not read
        meta = self._meta()

        def store() -> tuple[str, str | None] | InvalidInput:
            try:
                with session_scope() as db:
                    return avatars.set_avatar(db, me.user.id, bytes(data), meta)
            except InvalidInput as exc:
                return exc

        async with self:
            self.avatar_busy = True
        try:
            outcome = await asyncio.to_thread(store)
        finally:
            async with self:
                self.avatar_busy = False
        if isinstance(outcome, InvalidInput):
            async with self:
                self.avatar_error = outcome.message
            return
        url, old = outcome
        await asyncio.to_thread(avatars.remove_file, old)
        async with self:
            self.avatar_error, self.avatar_url = "", url
            appearance = await self.get_state(AppearanceState)
            appearance.avatar_url = url
        yield rx.toast.success("Picture saved.")

    @rx.event
    async def remove_avatar(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with session_scope() as db:
            old = avatars.clear_avatar(db, me.user.id, self._meta())
        avatars.remove_file(old)
        self.avatar_url, self.avatar_error = "", ""
        appearance = await self.get_state(AppearanceState)
        appearance.avatar_url = ""
        return None

    # ---- email --------------------------------------------------------------------------------

    @rx.event
    async def change_email(self, form: dict):
        me = self._current_identity()
        if me is None:
            yield self._to_sign_in()
            return
        meta = self._meta()

        def request() -> list | InvalidInput:
            with session_scope() as db:
                try:
                    return profile.request_email_change(db, me, _text(form, "email"), _text(form, "password"), meta)
                except InvalidInput as exc:
                    return exc

        outcome = await asyncio.to_thread(request)  # argon2 off the event loop
        if isinstance(outcome, InvalidInput):
            self.email_errors = outcome.fields or {"email": outcome.message}
            return
        email.send_in_background(outcome)
        self.email_errors = {}
        with session_scope() as db:
            self._read_profile(db, me.user.id)
        yield rx.toast.success(f"We sent a link to {self.pending_email}. Your email changes when you open it.")
        yield rx.set_value("new-email", "")
        yield rx.set_value("email-password", "")

    @rx.event
    def cancel_email_change(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with session_scope() as db:
            profile.cancel_email_change(db, me.user.id)
            self._read_profile(db, me.user.id)
        return rx.toast.success("Email change cancelled.")

    # ---- appearance and notifications ---------------------------------------------------------

    async def _save_preferences(self, me, changes: dict) -> rx.event.EventSpec | None:
        try:
            with session_scope() as db:
                preferences.update(db, me.user.id, changes)
                self._read_preferences(db, me.user.id)
        except InvalidInput as exc:
            return rx.toast.error(exc.message)
        appearance = await self.get_state(AppearanceState)
        appearance.theme, appearance.accent, appearance.density = self.theme, self.accent, self.density
        return apply_theme(self.theme)

    @rx.event
    async def set_theme(self, theme: str | list[str]):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        return await self._save_preferences(me, {"theme": theme})

    @rx.event
    async def set_accent(self, accent: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        return await self._save_preferences(me, {"accent": accent})

    @rx.event
    async def set_density(self, density: str | list[str]):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        return await self._save_preferences(me, {"density": density})

    @rx.event
    async def set_channel(self, kind: str, channel: str, on: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not isinstance(kind, str) or not isinstance(channel, str):
            return None
        return await self._save_preferences(me, {"notifications": {kind: {channel: on is True}}})

    @rx.event
    async def save_quiet_hours(self, form: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        try:
            with session_scope() as db:
                preferences.update(
                    db, me.user.id, {"quiet_start": _text(form, "quiet_start"), "quiet_end": _text(form, "quiet_end")}
                )
                self._read_preferences(db, me.user.id)
        except InvalidInput as exc:
            self.quiet_error = exc.message
            return None
        self.quiet_error = ""
        if self.quiet_start:
            return rx.toast.success(
                f"Quiet hours saved: no emails from {self.quiet_start} to {self.quiet_end} ({self.timezone})."
            )
        return rx.toast.success("Quiet hours turned off.")

    # ---- my data and my account ---------------------------------------------------------------

    @rx.event(background=True)
    async def export_data(self):
        """Everything of mine as JSON, gathered in a worker thread without holding the tab."""
        me = self._current_identity()
        if me is None:
            yield self._to_sign_in()
            return
        meta = self._meta()

        def gather() -> tuple[str, str]:
            with session_scope() as db:
                return data_export.download(db, me.user.id, meta)

        filename, text = await asyncio.to_thread(gather)
        yield rx.download(data=text, filename=filename, mime_type="application/json")

    @rx.event
    def open_delete(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.delete_open = open is True
        self.delete_errors = {}
        return None

    @rx.event
    async def delete_account(self, form: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        meta = self._meta()

        def delete() -> str | None | ServiceError:
            with session_scope() as db:
                try:
                    return profile.delete_account(db, me, _text(form, "confirm"), _text(form, "password"), meta)
                except ServiceError as exc:
                    return exc

        outcome = await asyncio.to_thread(delete)
        if isinstance(outcome, ServiceError):
            self.delete_errors = outcome.fields or {"form": outcome.message}
            return None
        avatars.remove_file(outcome)
        self.delete_open = False
        # The session is gone: the sign-in page says so.
        return rx.redirect(SIGN_IN, replace=True)
