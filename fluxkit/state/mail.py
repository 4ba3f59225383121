"""/mail: one page of a folder, the open conversation, and the compose dialog.

The state holds one page of rows (MailRow DTOs, no bodies) and at most one conversation.
Every handler re-derives the user from the session and hands only that id to
`services.mailbox`, which looks ids up among that user's own copies: an id sent by the
browser is a request, never a permission. Drafts are saved as the user types (the inputs
are debounced), so closing the dialog or a refused send loses nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import reflex as rx
from sqlmodel import Session

from fluxkit.db import session_scope
from fluxkit.services import mailbox
from fluxkit.services.dto import Identity
from fluxkit.services.errors import InvalidInput, NotFound
from fluxkit.services.mailbox import FolderCount, MailRow, MailView, Recipient
from fluxkit.state.notifications import BellState
from fluxkit.state.paged_list import ReloadMixin
from fluxkit.state.session import SignedInState, service_call

ROUTE = mailbox.ROUTE
FOLDER_LABELS = {"inbox": "Inbox", "sent": "Sent", "drafts": "Drafts", "archive": "Archive", "trash": "Trash"}
FOLDER_ICONS = {"inbox": "inbox", "sent": "send", "drafts": "file-pen", "archive": "archive", "trash": "trash-2"}


@dataclass(frozen=True)
class FolderTab:
    """A folder in the side list: Inbox and Archive count unread mail, Drafts and Trash all."""

    folder: str
    label: str
    badge: int
    unread: bool

    @classmethod
    def of(cls, count: FolderCount) -> FolderTab:
        badge = {"inbox": count.unread, "archive": count.unread, "sent": 0}.get(count.folder, count.total)
        return cls(count.folder, FOLDER_LABELS[count.folder], badge, count.unread > 0)


COMPOSE_FIELDS = ("to", "cc", "subject", "body")


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class MailBadgeState(SignedInState):
    """Unread mail in the Inbox, for the sidebar's Mail item."""

    unread: int = 0

    @rx.var
    def badge(self) -> str:
        return "" if self.unread <= 0 else ("99+" if self.unread > 99 else str(self.unread))

    @rx.event
    def refresh(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with session_scope() as db:
            self.unread = mailbox.unread_in_inbox(db, me.user.id)
        return None


class MailState(ReloadMixin, SignedInState):
    """`refresh` (the live layer: a new message, a change in another tab) is ReloadMixin's."""

    # The folder page.
    folder: str = "inbox"
    search: str = ""
    page: int = 1
    pages: int = 1
    total: int = 0
    rows: list[MailRow] = []
    folders: list[FolderTab] = [FolderTab.of(FolderCount(f, 0, 0)) for f in mailbox.FOLDERS]

    # The open conversation (my copy that was opened, and the messages around it).
    open_id: int = 0
    conversation: list[MailView] = []

    # The compose dialog (a draft is created on the first keystroke).
    compose_open: bool = False
    compose_key: int = 0
    draft_id: int = 0
    reply_to: int = 0
    to: str = ""
    cc: str = ""
    subject: str = ""
    body: str = ""
    show_cc: bool = False
    preview: bool = False
    compose_errors: dict[str, str] = {}
    saved_note: str = ""
    sending: bool = False
    suggest_field: str = ""
    suggestions: list[Recipient] = []

    # ---- computed ----------------------------------------------------------------------------

    @rx.var
    def folder_label(self) -> str:
        return FOLDER_LABELS.get(self.folder, "Inbox")

    @rx.var
    def open_subject(self) -> str:
        for view in self.conversation:
            if view.id == self.open_id:
                return view.subject or "(no subject)"
        return ""

    @rx.var
    def open_folder(self) -> str:
        for view in self.conversation:
            if view.id == self.open_id:
                return view.folder
        return ""

    @rx.var
    def open_starred(self) -> bool:
        return any(view.id == self.open_id and view.starred for view in self.conversation)

    # ---- private helpers ----------------------------------------------------------------------

    def _reload(self, me: Identity) -> None:
        self._reading()
        with session_scope() as db:
            result = mailbox.list_folder(db, me.user.id, self.folder, self.search, self.page)
            if self.open_id:
                try:
                    self.conversation = mailbox.thread(db, me.user.id, self.open_id)
                except NotFound:
                    self._close_conversation()
        self.rows = result.rows
        self.total = result.total
        self.page = result.page
        self.pages = result.pages
        self.folders = [FolderTab.of(c) for c in result.counts]
        self.loaded = True

    def _close_conversation(self) -> None:
        self.open_id = 0
        self.conversation = []

    def _url(self) -> str:
        params = {
            "folder": "" if self.folder == "inbox" else self.folder,
            "q": self.search,
            "page": "" if self.page == 1 else str(self.page),
            "open": str(self.open_id) if self.open_id else "",
        }
        encoded = urlencode({k: v for k, v in params.items() if v})
        return f"{ROUTE}?{encoded}" if encoded else ROUTE

    def _sync_url(self) -> rx.event.EventSpec:
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {json.dumps(self._url())})")

    async def _refresh_bell(self, me: Identity) -> None:
        bell = await self.get_state(BellState)
        bell._reload(me)

    def _open(self, me: Identity, copy_id: int) -> list:
        """Open a conversation (marking it read), or a draft in the compose dialog."""
        with session_scope() as db:
            view = mailbox.get_mail(db, me.user.id, copy_id)
            if view.draft:
                self._fill_compose(
                    view.id, 0, ", ".join(view.to_addresses), ", ".join(view.cc_addresses), view.subject, view.body
                )
                return []
            self.conversation = mailbox.open_mail(db, me.user.id, copy_id)
        self.open_id = copy_id
        return []

    def _fill_compose(self, draft_id: int, reply_to: int, to: str, cc: str, subject: str, body: str) -> None:
        self.compose_key += 1
        self.draft_id = draft_id
        self.reply_to = reply_to
        self.to, self.cc, self.subject, self.body = to, cc, subject, body
        self.show_cc = bool(cc)
        self.preview = False
        self.compose_errors = {}
        self.saved_note = "Draft" if draft_id else ""
        self.suggestions = []
        self.suggest_field = ""
        self.sending = False
        self.compose_open = True

    def _save_draft(self, me: Identity) -> None:
        """Write the dialog into the draft (creating it the first time)."""
        data = {"to": self.to, "cc": self.cc, "subject": self.subject, "body": self.body}
        with session_scope() as db:
            if self.draft_id:
                mailbox.save_draft(db, me.user.id, data, draft_id=self.draft_id)
            else:
                data["reply_to"] = self.reply_to or None
                self.draft_id = mailbox.save_draft(db, me.user.id, data).id

    def _close_compose(self) -> None:
        self.compose_open = False
        self.suggestions = []
        self.suggest_field = ""
        self.sending = False

    # ---- loading --------------------------------------------------------------------------------

    @rx.event
    def load(self):
        """on_load: ?folder=…&q=…&page=…&open=<id> from the URL, then that page."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        params = self.router.url.query_parameters
        folder = params.get("folder", "inbox")
        self.folder = folder if folder in mailbox.FOLDERS else "inbox"
        search = params.get("q", "")
        self.search = search.strip()[: mailbox.SEARCH_MAX] if isinstance(search, str) else ""
        try:
            self.page = max(1, int(params.get("page", "1")))
        except ValueError:
            self.page = 1
        self._close_conversation()
        self.compose_open = False
        events: list = []
        open_param = params.get("open", "")
        if open_param:
            try:
                events += self._open(me, int(open_param))
            except (ValueError, NotFound):
                events.append(rx.toast.error(mailbox.NOT_FOUND))
        self._reload(me)
        events.append(self._sync_url())
        return events

    # ---- the view ---------------------------------------------------------------------------------

    @rx.event
    def set_folder(self, folder: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if folder not in mailbox.FOLDERS:
            return None
        self.folder = folder
        self.page = 1
        self._close_conversation()
        self._reload(me)
        return self._sync_url()

    @rx.event
    def set_search(self, value: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.search = value.strip()[: mailbox.SEARCH_MAX] if isinstance(value, str) else ""
        self.page = 1
        self._close_conversation()
        self._reload(me)
        return self._sync_url()

    @rx.event
    def go_to_page(self, page: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not _is_id(page):
            return None
        self.page = max(1, page)
        self._reload(me)
        return self._sync_url()

    @rx.event
    def open(self, copy_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        try:
            events = self._open(me, copy_id)
        except NotFound:
            self._reload(me)
            return rx.toast.error(mailbox.NOT_FOUND)
        self._reload(me)
        return events + [self._sync_url()]

    @rx.event
    def close_message(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._close_conversation()
        self._reload(me)
        return self._sync_url()

    # ---- actions on one of my copies ---------------------------------------------------------------

    def _act(
        self,
        me: Identity,
        copy_id: object,
        action: Callable[[Session], MailView | None],
        done: Callable[[MailView | None], str] = lambda _view: "",
        leaves: Callable[[MailView | None], bool] = lambda _view: True,
    ) -> list:
        """Run one action on one of my copies; leave the conversation if it went away."""
        with service_call(mailbox.NOT_FOUND) as call:
            view = action(call.db)
        if call.refused is not None:
            self._reload(me)
            return [call.toast]
        if copy_id == self.open_id and leaves(view):
            self._close_conversation()
        self._reload(me)
        message = done(view)
        return [self._sync_url(), *([rx.toast.success(message)] if message else [])]

    @rx.event
    def toggle_star(self, copy_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        uid = me.user.id
        return self._act(
            me,
            copy_id,
            lambda db: mailbox.set_starred(db, uid, copy_id, not mailbox.get_mail(db, uid, copy_id).starred),
            leaves=lambda _view: False,
        )

    @rx.event
    def toggle_read(self, copy_id: int):
        """Mark read or unread; marking the open message unread goes back to the folder."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        uid = me.user.id
        return self._act(
            me,
            copy_id,
            lambda db: mailbox.set_read(db, uid, copy_id, not mailbox.get_mail(db, uid, copy_id).read),
            leaves=lambda view: view is not None and not view.read,
        )

    @rx.event
    def move(self, copy_id: int, folder: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        return self._act(
            me,
            copy_id,
            lambda db: mailbox.move(db, me.user.id, copy_id, folder),
            lambda view: f"Moved to {FOLDER_LABELS[view.folder]}.",
        )

    @rx.event
    def restore(self, copy_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        return self._act(
            me,
            copy_id,
            lambda db: mailbox.restore(db, me.user.id, copy_id),
            lambda view: f"Restored to {FOLDER_LABELS[view.folder]}.",
        )

    @rx.event
    def delete_forever(self, copy_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        return self._act(
            me,
            copy_id,
            lambda db: mailbox.delete_forever(db, me.user.id, copy_id),
            lambda _view: "Deleted for good. Everybody else keeps their copy.",
        )

    @rx.event
    def empty_trash(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with session_scope() as db:
            removed = mailbox.empty_trash(db, me.user.id)
        self._close_conversation()
        self._reload(me)
        return rx.toast.success(f"Emptied the trash ({removed} message{'' if removed == 1 else 's'}).")

    # ---- compose ------------------------------------------------------------------------------------

    @rx.event
    def compose(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._fill_compose(0, 0, "", "", "", "")
        return None

    @rx.event
    def respond(self, copy_id: int, mode: str):
        """Reply ("reply"), reply to all ("reply_all") or forward ("forward") one of my messages."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        try:
            with session_scope() as db:
                start = mailbox.compose_defaults(db, me.user.id, copy_id, mode)
        except NotFound:
            self._reload(me)
            return rx.toast.error(mailbox.NOT_FOUND)
        except InvalidInput as exc:
            return rx.toast.error(exc.message)
        self._fill_compose(0, start.reply_to, start.to, start.cc, start.subject, start.body)
        # Reply starts with the draft saved, so it is in Drafts even if nothing is typed.
        try:
            self._save_draft(me)
        except NotFound:
            return rx.toast.error(mailbox.NOT_FOUND)
        self.saved_note = "Draft saved"
        return None

    @rx.event
    def edit(self, field: str, value: str):
        """A debounced keystroke in the dialog: keep it, save the draft, suggest recipients."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if field not in COMPOSE_FIELDS or not isinstance(value, str) or not self.compose_open:
            return None
        setattr(self, field, value)
        self.compose_errors = {k: v for k, v in self.compose_errors.items() if k != field}
        if field in ("to", "cc"):
            last = value.replace(";", ",").split(",")[-1].strip()
            with session_scope() as db:
                self.suggestions = [
                    s for s in mailbox.suggest_recipients(db, me.user.id, last) if s.email != last.lower()
                ]
            self.suggest_field = field if self.suggestions else ""
        try:
            self._save_draft(me)
        except InvalidInput as exc:
            self.compose_errors = {**self.compose_errors, **exc.fields}
            self.saved_note = "Not saved"
            return None
        except NotFound:
            # The draft was sent or deleted in another tab: keep typing into a new one.
            self.draft_id = 0
            self._save_draft(me)
        self.saved_note = "Draft saved"
        return None

    @rx.event
    def pick_recipient(self, email: str):
        """Complete the address being typed in To or Cc with a suggested person."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if self.suggest_field not in ("to", "cc") or email not in {s.email for s in self.suggestions}:
            return None
        field = self.suggest_field
        typed = [a.strip() for a in getattr(self, field).replace(";", ",").split(",")][:-1]
        value = ", ".join([a for a in typed if a] + [email]) + ", "
        setattr(self, field, value)
        self.suggestions = []
        self.suggest_field = ""
        self.compose_errors = {k: v for k, v in self.compose_errors.items() if k != field}
        try:
            self._save_draft(me)
        except (InvalidInput, NotFound):
            return None
        self.saved_note = "Draft saved"
        return rx.set_focus(f"mail-{field}")

    @rx.event
    def hide_suggestions(self):
        """The address field lost focus: close its suggestions."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.suggestions = []
        self.suggest_field = ""
        return None

    @rx.event
    def toggle_cc(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.show_cc = not self.show_cc
        return None

    @rx.event
    def toggle_preview(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.preview = not self.preview
        return None

    @rx.event
    def set_compose_open(self, open: bool):
        """The dialog closed (Esc, outside click, the X): the draft stays in Drafts."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if open is True:
            return None
        self._close_compose()
        self._reload(me)
        if self.draft_id:
            return rx.toast.info("Saved in Drafts.")
        return None

    @rx.event
    async def send(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self.compose_open:
            return None
        try:
            self._save_draft(me)  # commits on its own: a refused send keeps the draft
        except InvalidInput as exc:
            self.compose_errors = dict(exc.fields)
            return rx.toast.error(exc.message)
        except NotFound:
            self.draft_id = 0
            self._save_draft(me)
        try:
            with session_scope() as db:
                mailbox.send_draft(db, me.user.id, self.draft_id)
        except InvalidInput as exc:
            self.compose_errors = dict(exc.fields)
            self.saved_note = "Draft saved"
            self._reload(me)
            return rx.toast.error(exc.message + " Your draft is kept.")
        except NotFound:
            self._close_compose()
            self._reload(me)
            return rx.toast.error("That draft was already sent or deleted.")
        self.draft_id = 0
        self._close_compose()
        self._reload(me)
        await self._refresh_bell(me)
        return rx.toast.success("Message sent.")

    @rx.event
    def discard(self):
        """Delete the draft being written and close the dialog."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if self.draft_id:
            try:
                with session_scope() as db:
                    mailbox.delete_forever(db, me.user.id, self.draft_id)
            except NotFound:
                pass
        self.draft_id = 0
        self._close_compose()
        self._reload(me)
        return rx.toast.success("Draft discarded.")
