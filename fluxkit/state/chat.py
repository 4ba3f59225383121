"""/chat: the conversation list, one open conversation, the people picker, and the nav badge.

Every handler re-derives the user from the session and hands only that id to
`services.chat`, which answers NotFound for any conversation the user is not (still) in: a
conversation id from the browser is a request, never a permission. The open conversation
holds the newest page of messages plus the older pages the user asked for, never the whole
history; live refreshes append only what is new.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from fluxkit import routes
from fluxkit.db import session_scope
from fluxkit.services import chat as chat_service
from fluxkit.services.chat import ConversationRow, MemberRow, MessageRow, UserHit
from fluxkit.services.dto import Identity
from fluxkit.services.errors import InvalidInput, NotFound
from fluxkit.state.session import SignedInState

ROUTE = routes.CHAT
GONE = "That conversation was not found. You may have left it."

_NO_CONVERSATION = ConversationRow(
    id=0,
    kind="direct",
    title="",
    custom_title="",
    subtitle="",
    member_count=0,
    online=False,
    unread=0,
    pinned=False,
    muted=False,
    last_message="",
    last_message_at="",
)


def _form_text(form: object, key: str) -> str:
    value = form.get(key) if isinstance(form, dict) else None
    return value if isinstance(value, str) else ""


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class ChatBadgeState(SignedInState):
    """Unread chat messages for the sidebar's Chat item (muted conversations left out)."""

    unread: int = 0

    @rx.var
    def badge(self) -> str:
        return "" if self.unread <= 0 else ("99+" if self.unread > 99 else str(self.unread))

    def _reload(self, me: Identity) -> None:
        with session_scope() as db:
            self.unread = chat_service.unread_total(db, me.user.id)

    @rx.event
    def refresh(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._reload(me)
        return None

    @rx.event
    def heartbeat(self, _at: str):
        """Every open signed-in tab reports in (presence) and re-reads the count."""
        return self.arrive()

    @rx.event
    def arrive(self):
        """The page's first heartbeat, run inside its on_load event (ShellState.open_page):
        the tab's timer (assets/fluxkit.js) sends the next ones, not one more event at mount."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with session_scope() as db:
            chat_service.heartbeat(db, me.user.id)
        self._reload(me)
        return None


class ChatState(SignedInState):
    conversations: list[ConversationRow] = []
    loaded: bool = False

    # The open conversation (0: none).
    active_id: int = 0
    active: ConversationRow = _NO_CONVERSATION
    members: list[MemberRow] = []
    messages: list[MessageRow] = []
    has_more: bool = False
    typing_names: list[str] = []
    seen_by: list[str] = []
    composer_error: str = ""
    composer_key: int = 0

    # New conversation dialog.
    picker_open: bool = False
    picker_query: str = ""
    picker_hits: list[UserHit] = []
    picked: list[UserHit] = []
    picker_error: str = ""

    # Rename dialog.
    rename_open: bool = False
    rename_error: str = ""

    @rx.var
    def typing_text(self) -> str:
        names = self.typing_names
        if not names:
            return ""
        if len(names) == 1:
            return f"{names[0]} is typing…"
        return f"{', '.join(names[:-1])} and {names[-1]} are typing…"

    @rx.var
    def seen_text(self) -> str:
        """The receipt under my newest message, while it is the newest one shown."""
        if not self.seen_by or not self.messages or not self.messages[-1].mine:
            return ""
        if self.active.kind == "direct":
            return "Seen"
        return "Seen by " + ", ".join(self.seen_by)

    @rx.var
    def members_text(self) -> str:
        count = len(self.members)
        return f"{count} member{'' if count == 1 else 's'}: " + ", ".join(m.name for m in self.members)

    @rx.var
    def picked_ids(self) -> list[int]:
        return [hit.id for hit in self.picked]

    # ---- helpers ---------------------------------------------------------------------------------

    def _on_chat_page(self) -> bool:
        return self.router.url.path.rstrip("/") == ROUTE

    def _sync_url(self) -> rx.event.EventSpec:
        url = f"{ROUTE}?c={self.active_id}" if self.active_id else ROUTE
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {json.dumps(url)})")

    def _close(self) -> None:
        self.active_id = 0
        self.active = _NO_CONVERSATION
        self.members = []
        self.messages = []
        self.has_more = False
        self.typing_names = []
        self.seen_by = []
        self.composer_error = ""
        self.rename_open = False

    def _reload_list(self, db, me: Identity) -> None:
        self.conversations = chat_service.list_conversations(db, me.user.id)
        self.loaded = True

    def _reload_detail(self, db, me: Identity) -> None:
        found = chat_service.detail(db, me.user.id, self.active_id)
        self.active = found.conversation
        self.members = found.members
        self.typing_names = found.typing
        self.seen_by = found.seen_by

    def _open(self, db, me: Identity, conversation_id: int) -> None:
        """Show a conversation: its newest page, and everything in it counts as seen."""
        page = chat_service.messages(db, me.user.id, conversation_id)
        self.active_id = conversation_id
        self.messages = page.items
        self.has_more = page.has_more
        self.composer_error = ""
        self.rename_open = False
        chat_service.mark_seen(db, me.user.id, conversation_id)
        self._reload_detail(db, me)

    async def _refresh_badge(self, me: Identity) -> None:
        badge = await self.get_state(ChatBadgeState)
        badge._reload(me)

    def _with_active(self, me: Identity, work: Callable[[Session], None]) -> list | None:
        """Run `work` on the open conversation; gone (NotFound) closes it with a message."""
        if not self.active_id:
            return None
        try:
            with session_scope() as db:
                work(db)
        except NotFound:
            return self._gone(me)
        return None

    def _gone(self, me: Identity) -> list:
        self._close()
        with session_scope() as db:
            self._reload_list(db, me)
        return [rx.toast.error(GONE), self._sync_url()]

    # ---- loading ---------------------------------------------------------------------------------

    @rx.event
    async def load(self):
        """on_load: the list, and the conversation named by ?c=<id> if there is one."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._close()
        self.picker_open = False
        wanted = self.router.url.query_parameters.get("c", "")
        events: list = []
        with session_scope() as db:
            chat_service.heartbeat(db, me.user.id)
            if wanted.isdigit():
                try:
                    self._open(db, me, int(wanted))
                except NotFound:
                    self._close()
                    events += [rx.toast.error(GONE), self._sync_url()]
            self._reload_list(db, me)
        await self._refresh_badge(me)
        return events or None

    @rx.event
    async def refresh(self):
        """Something changed in one of my conversations (live layer): list, new messages, receipts."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self.loaded:
            return None  # this tab has not shown the chat page
        try:
            with session_scope() as db:
                self._reload_list(db, me)
                if self.active_id:
                    newest = self.messages[-1].id if self.messages else 0
                    new = chat_service.messages_after(db, me.user.id, self.active_id, newest)
                    if new is None:  # a flood: start again from the newest page
                        page = chat_service.messages(db, me.user.id, self.active_id)
                        self.messages, self.has_more = page.items, page.has_more
                    elif new:
                        self.messages = self.messages + new
                    if self._on_chat_page() and chat_service.mark_seen(db, me.user.id, self.active_id):
                        self._reload_list(db, me)
                    self._reload_detail(db, me)
        except NotFound:
            return self._gone(me)
        await self._refresh_badge(me)
        return None

    @rx.event
    def tick(self, _at: str):
        """While someone shows as typing: let "typing…" lapse on time."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        return self._with_active(me, lambda db: self._reload_detail(db, me))

    # ---- the open conversation ---------------------------------------------------------------------

    @rx.event
    async def open_conversation(self, conversation_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not _is_id(conversation_id):
            return None
        try:
            with session_scope() as db:
                self._open(db, me, conversation_id)
                self._reload_list(db, me)
        except NotFound:
            return self._gone(me)
        await self._refresh_badge(me)
        return [self._sync_url(), rx.set_focus("chat-input")]

    @rx.event
    def close_conversation(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self._close()
        return self._sync_url()

    @rx.event
    def load_older(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self.messages:
            return None

        def older(db: Session) -> None:
            page = chat_service.messages(db, me.user.id, self.active_id, before=self.messages[0].id)
            self.messages = page.items + self.messages
            self.has_more = page.has_more

        return self._with_active(me, older)

    @rx.event
    async def send(self, form: dict):
        """Enter (or the button) sends; a refused message stays in the box with the reason."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self.active_id:
            return None
        try:
            with session_scope() as db:
                chat_service.send(db, me.user.id, self.active_id, _form_text(form, "body"))
        except InvalidInput as refused:
            self.composer_error = refused.message
            return None
        except NotFound:
            return self._gone(me)
        self.composer_error = ""
        with session_scope() as db:
            new = chat_service.messages_after(
                db, me.user.id, self.active_id, self.messages[-1].id if self.messages else 0
            )
            if new:
                self.messages = self.messages + new
            self._reload_detail(db, me)
            self._reload_list(db, me)
        return [rx.set_value("chat-input", ""), rx.set_focus("chat-input")]

    @rx.event
    def typing(self, key: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if key == "Enter":
            # Enter sends: its keydown reaches this handler after `send`, and must not mark
            # the sender as typing again (the others saw "typing…" for seconds after the message).
            return None
        return self._with_active(me, lambda db: chat_service.typing(db, me.user.id, self.active_id))

    @rx.event
    async def toggle_pin(self, conversation_id: int):
        return await self._flag(conversation_id, "pinned")

    @rx.event
    async def toggle_mute(self, conversation_id: int):
        return await self._flag(conversation_id, "muted")

    async def _flag(self, conversation_id: object, name: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not _is_id(conversation_id):
            return None
        try:
            with session_scope() as db:
                current = chat_service.get_conversation(db, me.user.id, conversation_id)
                row = chat_service.set_flags(db, me.user.id, conversation_id, **{name: not getattr(current, name)})
                self._reload_list(db, me)
                if self.active_id == conversation_id:
                    self.active = row
        except NotFound:
            return self._gone(me)
        await self._refresh_badge(me)
        if name == "muted":
            return rx.toast.info("Muted: new messages no longer count in the sidebar." if row.muted else "Unmuted.")
        return None

    @rx.event
    def set_rename_open(self, value: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.rename_open = value is True and self.active.kind == "group"
        self.rename_error = ""
        return None

    @rx.event
    def rename(self, form: dict):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self.active_id:
            return None
        try:
            with session_scope() as db:
                self.active = chat_service.rename(db, me.user.id, self.active_id, _form_text(form, "title"))
        except InvalidInput as refused:
            self.rename_error = refused.message
            return None
        except NotFound:
            return self._gone(me)
        self.rename_open = False
        self.rename_error = ""
        with session_scope() as db:
            self._reload_list(db, me)
            self.messages = chat_service.messages(db, me.user.id, self.active_id).items
        return rx.toast.success("Group renamed.")

    @rx.event
    async def leave(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not self.active_id:
            return None
        try:
            with session_scope() as db:
                chat_service.leave(db, me.user.id, self.active_id)
        except InvalidInput as refused:
            return rx.toast.error(refused.message)
        except NotFound:
            return self._gone(me)
        self._close()
        with session_scope() as db:
            self._reload_list(db, me)
        await self._refresh_badge(me)
        return [rx.toast.success("You left the group."), self._sync_url()]

    # ---- starting a conversation ---------------------------------------------------------------------

    def _search(self, me: Identity) -> None:
        with session_scope() as db:
            self.picker_hits = chat_service.search_users(db, me.user.id, self.picker_query)

    @rx.event
    def set_picker_open(self, value: bool):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.picker_open = value is True
        self.picker_query = ""
        self.picked = []
        self.picker_error = ""
        if self.picker_open:
            self._search(me)
        return None

    @rx.event
    def search_people(self, query: str):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        self.picker_query = query[:100] if isinstance(query, str) else ""
        self._search(me)
        return None

    @rx.event
    def toggle_person(self, user_id: int):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        if not _is_id(user_id):
            return None
        self.picker_error = ""
        if any(hit.id == user_id for hit in self.picked):
            self.picked = [hit for hit in self.picked if hit.id != user_id]
            return None
        # Only someone the search showed can be picked (the service checks again).
        hit = next((h for h in self.picker_hits if h.id == user_id), None)
        if hit is not None:
            self.picked = self.picked + [hit]
        return None

    @rx.event
    async def start_conversation(self, form: dict):
        """One person: the direct conversation (reused if it exists). More: a new group."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        ids = [hit.id for hit in self.picked]
        try:
            with session_scope() as db:
                if len(ids) == 1:
                    row, _ = chat_service.start_direct(db, me.user.id, ids[0])
                else:
                    row = chat_service.create_group(db, me.user.id, ids, _form_text(form, "title"))
        except InvalidInput as refused:
            self.picker_error = refused.message
            return None
        self.picker_open = False
        self.picked = []
        try:
            with session_scope() as db:
                self._open(db, me, row.id)
                self._reload_list(db, me)
        except NotFound:
            return self._gone(me)
        await self._refresh_badge(me)
        return [self._sync_url(), rx.set_focus("chat-input")]
