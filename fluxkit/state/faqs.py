"""/faqs: the FAQs grouped by category, a search filtered on the server, and the admin editor.

Every handler re-derives the user from the session. Reading is open to everyone signed in;
each change goes through `services.faqs`, which checks in the database that the user is an
admin (the `is_admin` var only decides which controls are drawn). A non-admin's request is
refused with a toast and nothing changes. Changes reach every open FAQs tab through the
live layer (`live.touch_all`), which calls `refresh`.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import reflex as rx

from fluxkit import routes
from fluxkit.db import session_scope
from fluxkit.services import faqs as faq_service
from fluxkit.services.dto import Identity
from fluxkit.services.errors import InvalidInput, NotFound, ServiceError
from fluxkit.services.faqs import FaqGroup
from fluxkit.state.paged_list import ReloadMixin
from fluxkit.state.session import SignedInState

ROUTE = routes.FAQS


def _text(form: object, key: str) -> str:
    value = form.get(key) if isinstance(form, dict) else None
    return value if isinstance(value, str) else ""


class FaqsState(ReloadMixin, SignedInState):
    """`refresh` (the live layer: the FAQs or this user's role changed) is ReloadMixin's."""

    query: str = ""
    groups: list[FaqGroup] = []
    total: int = 0
    is_admin: bool = False

    # Add / edit dialog (admins).
    editor_open: bool = False
    editing_id: int = 0
    form_key: int = 0
    form_question: str = ""
    form_answer: str = ""
    form_category: str = faq_service.CATEGORIES[0]
    form_errors: dict[str, str] = {}

    # Delete confirmation (admins).
    confirm_id: int = 0
    confirm_question: str = ""

    # ---- private helpers ----------------------------------------------------------------------

    def _reload(self, me: Identity) -> None:
        self._reading()
        with session_scope() as db:
            rows = faq_service.search(db, self.query)
            self.is_admin = faq_service.is_admin(db, me.user.id)
        self.groups = faq_service.group(rows)
        self.total = len(rows)
        self.loaded = True

    def _sync_url(self) -> rx.event.EventSpec:
        """Keep the search in the address bar (shareable) without a navigation."""
        url = f"{ROUTE}?{urlencode({'q': self.query})}" if self.query else ROUTE
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {json.dumps(url)})")

    def _refuse(self, me: Identity, exc: ServiceError) -> rx.event.EventSpec:
        """A refusal: show the FAQs as they are now, close what was open, say why."""
        self._close_dialogs()
        self._reload(me)
        return rx.toast.error(exc.message)

    def _close_dialogs(self) -> None:
        self.editor_open = False
        self.form_errors = {}
        self.confirm_id = 0
        self.confirm_question = ""

    def _admin_check(self, me: Identity) -> rx.event.EventSpec | None:
        with session_scope() as db:
            allowed = faq_service.is_admin(db, me.user.id)
        if allowed:
            return None
        return self._refuse(me, faq_service.AdminRequired(faq_service.ADMINS_ONLY))

    # ---- loading and searching ----------------------------------------------------------------

    @rx.event
    def load(self):
        """on_load: the search from the URL (?q=...), then the matching FAQs."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        q = self.router.url.query_parameters.get("q", "")
        self.query = q.strip()[: faq_service.SEARCH_MAX] if isinstance(q, str) else ""
        self._close_dialogs()
        self._reload(me)
        return None

    @rx.event
    def set_query(self, value: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.query = value[: faq_service.SEARCH_MAX] if isinstance(value, str) else ""
        self._reload(me)
        return self._sync_url()

    @rx.event
    def clear_query(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.query = ""
        self._reload(me)
        return self._sync_url()

    # ---- add / edit (admins) ------------------------------------------------------------------

    @rx.event
    def open_new(self, category: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if refusal := self._admin_check(me):
            return refusal
        self.form_key += 1
        self.form_errors = {}
        self.editing_id = 0
        self.form_question = ""
        self.form_answer = ""
        self.form_category = category if category in faq_service.CATEGORIES else faq_service.CATEGORIES[0]
        self.editor_open = True
        return None

    @rx.event
    def open_edit(self, faq_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if refusal := self._admin_check(me):
            return refusal
        try:
            with session_scope() as db:
                row = faq_service.get_faq(db, faq_id)
        except NotFound as exc:
            return self._refuse(me, exc)
        self.form_key += 1
        self.form_errors = {}
        self.editing_id = row.id
        self.form_question = row.question
        self.form_answer = row.answer
        self.form_category = row.category
        self.editor_open = True
        return None

    @rx.event
    def set_editor_open(self, open: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.editor_open = open is True
        if not self.editor_open:
            self.form_errors = {}
        return None

    @rx.event
    def save(self, form: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        data = {key: _text(form, key) for key in ("question", "answer", "category")}
        # Keep what was typed, whatever happens next.
        self.form_question, self.form_answer = data["question"], data["answer"]
        self.form_category = data["category"] if data["category"] in faq_service.CATEGORIES else self.form_category
        try:
            with session_scope() as db:
                if self.editing_id:
                    faq_service.update_faq(db, me.user.id, self.editing_id, data)
                else:
                    faq_service.create_faq(db, me.user.id, data)
        except InvalidInput as exc:
            self.form_errors = exc.fields or {"form": exc.message}
            return None
        except ServiceError as exc:
            return self._refuse(me, exc)
        editing = self.editing_id
        self._close_dialogs()
        self._reload(me)
        return rx.toast.success("FAQ saved." if editing else "FAQ added.")

    # ---- order and delete (admins) ------------------------------------------------------------

    @rx.event
    def move(self, faq_id: int, offset: int):
        """One place up (-1) or down (1) within its category."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        try:
            with session_scope() as db:
                faq_service.move_faq(db, me.user.id, faq_id, offset)
        except ServiceError as exc:
            return self._refuse(me, exc)
        self._reload(me)
        return None

    @rx.event
    def ask_delete(self, faq_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if refusal := self._admin_check(me):
            return refusal
        try:
            with session_scope() as db:
                row = faq_service.get_faq(db, faq_id)
        except NotFound as exc:
            return self._refuse(me, exc)
        self.confirm_id = row.id
        self.confirm_question = row.question
        return None

    @rx.event
    def cancel_delete(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.confirm_id = 0
        self.confirm_question = ""
        return None

    @rx.event
    def confirm_delete(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self.confirm_id:
            return None
        try:
            with session_scope() as db:
                faq_service.delete_faq(db, me.user.id, self.confirm_id)
        except ServiceError as exc:
            return self._refuse(me, exc)
        self._close_dialogs()
        self._reload(me)
        return rx.toast.success("FAQ deleted.")
